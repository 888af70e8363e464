# Shell integration tests (against faxsim over loopback) and tmux screen tests.
# Each area lists its own scripts here.
TESTS +=
EXTRA_DIST += tests/integration/lib.sh tests/integration/faxtest.py
# Team mode end to end (issue 18): several faxtop processes on one
# PostgreSQL store (tests/integration/team_lib.sh).
TEAM_E2E_TESTS = tests/integration/team_receivers.sh tests/integration/team_leader.sh \
	tests/integration/team_resend_race.sh tests/integration/team_resend_screens.sh \
	tests/integration/team_sigkill.sh tests/integration/team_outage.sh
TESTS += $(TEAM_E2E_TESTS)
EXTRA_DIST += $(TEAM_E2E_TESTS) tests/integration/team_lib.sh
