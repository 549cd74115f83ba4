# tests/fhir/outbox.sh - messages out (issue 16.4) end to end: `hemgang serve` delivers notices to a FHIR receiver and
# an MLLP receiver that the test starts on loopback (tests/fhir/test_outbox.py); the messages are checked with the
# independent R4 validator (tests/fhir/validator, installed here when missing).
if ! bash "$(dirname "$0")/validator/install.sh"; then
	echo "FAIL: the FHIR validator (tests/fhir/validator) could not be installed"
	echo "test_outbox: 0 passed, 1 failed"
	exit 1
fi
python3 "$(dirname "$0")/test_outbox.py"
