# tests/api/care.sh - the care process of issue 14 against the real server ($HEMGANG).
python3 "$(dirname "$0")/test_care.py"
