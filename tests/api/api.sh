# tests/api/api.sh - runs the Python API tests against the built binary ($HEMGANG).
python3 "$(dirname "$0")/test_api.py"
