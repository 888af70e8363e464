#!/bin/sh
# Abuse (issue 8): faxtop --headless stays up and answers correctly under
# 500 slow connections (while genuine webhooks still succeed), header
# floods, 10 MB bodies, deeply nested and huge JSON, invalid UTF-8, NUL
# bytes, truncated requests and pipelined garbage
# (tests/integration/hardening_abuse.py). Afterwards the process is alive,
# /healthz answers, a genuine event is still accepted, and the store holds
# exactly the genuine events that were acknowledged (nothing forged got in).
# ABUSE_SCENARIOS picks scenarios by name (default: all but
# pipelined_webhooks, which hardening_pipeline.sh runs on its own).
. "$top_srcdir/tests/integration/lib.sh"
need_python
command -v sqlite3 >/dev/null 2>&1 || skip "sqlite3 (the command) is needed to inspect the store"
PY=${PYTHON:-python3}
[ -z "${PYTHON:-}" ] && [ -x /usr/bin/python3 ] && PY=/usr/bin/python3

# 500 slow clients and the listener need file descriptors.
[ "$(ulimit -n)" = unlimited ] || [ "$(ulimit -n)" -ge 1200 ] || ulimit -n 4096 2>/dev/null ||
	skip "needs at least 1200 file descriptors (ulimit -n is $(ulimit -n))"

D=$(fax_tmpdir)
unset MINTFAX_API_KEY MINTFAX_API_BASE
XDG_CONFIG_HOME="$D/config"
XDG_DATA_HOME="$D/data"
export XDG_CONFIG_HOME XDG_DATA_HOME
SECRET=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw
DB="$D/store/faxtop.db"
IDLE=3
MINTFAX_WEBHOOK_SECRET=$SECRET start_faxtop --db "$DB" --idle-timeout $IDLE --max-connections 1024

# shellcheck disable=SC2086
"$PY" "$top_srcdir/tests/integration/hardening_abuse.py" "$FAXTOP_ADDR" "$SECRET" $IDLE \
	${ABUSE_SCENARIOS:-slowloris header_flood big_body hostile_json truncated pipelined_garbage} \
	>"$D/abuse.out" 2>&1
rc=$?
cat "$D/abuse.out" >&2
kill -0 "$FAXTOP_PID" 2>/dev/null || fail "faxtop died under abuse: $(tail -n 20 "$FAXTOP_OUT.err")"
[ $rc -eq 0 ] || fail "abuse scenario failed"
kill -0 "$FAXTOP_PID" 2>/dev/null || fail "faxtop died"
accepted=$(sed -n 's/^accepted=//p' "$D/abuse.out")

health=$(curl -sS --max-time 5 "http://$FAXTOP_ADDR/healthz") || fail "no /healthz after abuse"
case $health in *'"store_ok":true'*) ;; *) fail "/healthz after abuse: $health" ;; esac

# The store holds every acknowledged genuine event and none of the hostile
# bodies except those that were validly signed and well-formed.
wait_until 5 sh -c "[ \$(sqlite3 -batch -noheader '$DB' \"SELECT count(*) FROM events WHERE id LIKE 'evt_abuse_%' OR id LIKE 'evt_pipe_%'\") -ge $accepted ]" ||
	fail "acknowledged $accepted genuine events, the store holds $(sqlite3 -batch -noheader "$DB" "SELECT count(*) FROM events WHERE id LIKE 'evt_abuse_%' OR id LIKE 'evt_pipe_%'")"
forged=$(sqlite3 -batch -noheader "$DB" "SELECT count(*) FROM events WHERE id IN ('evt_big','evt_c','evt_trunc')")
[ "$forged" = 0 ] || fail "$forged refused or truncated events reached the store"
note "abuse survived; $accepted genuine events acknowledged and stored; $(grep -c '^{' "$FAXTOP_OUT") events printed"
exit 0
