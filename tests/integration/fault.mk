# Fault tests: crash during load, store failure, API outage (issue 8).
