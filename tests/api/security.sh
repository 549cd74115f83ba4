# tests/api/security.sh - roles, connection limits, login limits, framing, tokens (tests/api/test_security.py).
exec python3 "$(dirname "$0")/test_security.py"
