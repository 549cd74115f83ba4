# tests/api/trust.sh - the issue-10 defects against the real server ($HEMGANG).
python3 "$(dirname "$0")/test_trust.py"
