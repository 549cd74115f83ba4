# tests/followup/api.sh - runs the follow-up API tests against the built binary ($HEMGANG).
python3 "$(dirname "$0")/test_followup_api.py"
