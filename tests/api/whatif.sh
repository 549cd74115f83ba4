# tests/api/whatif.sh - runs the what-if API test (POST /api/v1/whatif) against the built binary ($HEMGANG).
python3 "$(dirname "$0")/test_whatif.py"
