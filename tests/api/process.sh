# tests/api/process.sh - the care process steps of issues 14 and 18 against the real server ($HEMGANG).
python3 "$(dirname "$0")/test_process.py"
