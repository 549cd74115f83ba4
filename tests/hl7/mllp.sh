# tests/hl7/mllp.sh - HL7 v2 over MLLP end to end with real peers (tests/hl7/test_mllp.py).
python3 "$(dirname "$0")/test_mllp.py"
