# Fault tests: crash during load, store failure, API outage (issue 8).
FAULT_TESTS = tests/integration/fault_crash.sh tests/integration/fault_store.sh \
	tests/integration/fault_outage.sh tests/integration/fault_hang.sh \
	tests/integration/fault_header.sh
TESTS += $(FAULT_TESTS)
EXTRA_DIST += $(FAULT_TESTS) tests/integration/fault_lib.sh \
	tests/integration/fault_helper.py \
	tests/integration/FAULTS.md
