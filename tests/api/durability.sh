# tests/api/durability.sh - SIGKILL during a burst of appends (tests/api/test_durability.py).
exec python3 "$(dirname "$0")/test_durability.py"
