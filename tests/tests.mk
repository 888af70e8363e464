# Shell integration tests (against faxsim over loopback) and tmux screen tests.
# Each area lists its own scripts here.
TESTS +=
EXTRA_DIST += tests/integration/lib.sh tests/integration/faxtest.py
