# tests/fhir/fhir.sh - FHIR R4 messaging and Encounter read/search against the real server (tests/fhir/test_fhir.py).
python3 "$(dirname "$0")/test_fhir.py"
