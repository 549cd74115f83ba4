# tests/fhir/fhir.sh - FHIR R4 messaging and Encounter read/search against the real server (tests/fhir/test_fhir.py),
# every resource checked with an independent R4 validator (tests/fhir/validator, installed here when missing).
if ! bash "$(dirname "$0")/validator/install.sh"; then
	echo "FAIL: the FHIR validator (tests/fhir/validator) could not be installed"
	echo "test_fhir: 0 passed, 1 failed"
	exit 1
fi
python3 "$(dirname "$0")/test_fhir.py"
