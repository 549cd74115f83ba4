# tests/api/meta.sh - the rules the web UI shows its forms by, from the core's tables ($HEMGANG).
python3 "$(dirname "$0")/test_meta.py"
