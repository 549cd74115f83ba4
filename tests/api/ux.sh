# tests/api/ux.sh - what staff meet first (issue 18) through the API ($HEMGANG).
python3 "$(dirname "$0")/test_ux.py"
