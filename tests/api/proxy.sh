# tests/api/proxy.sh - login limits and audit behind a trusted proxy (tests/api/test_proxy.py).
exec python3 "$(dirname "$0")/test_proxy.py"
