# Helpers shared by the fault tests (tests/integration/fault_*.sh): source
# this instead of lib.sh, which it sources.
. "$top_srcdir/tests/integration/lib.sh"
need_python
H="python3 $top_srcdir/tests/integration/fault_helper.py"
SEED=${FAULT_SEED:-$(($(date +%s) % 100000))}
use_sim_credentials

now()
{
	date +%s.%N
}

# since T0 [T1]: seconds from T0 to T1 (default now), one decimal.
since()
{
	awk -v a="$1" -v b="${2:-$(now)}" 'BEGIN { printf "%.1f", b - a }'
}

# wall_wait SECONDS CMD...: like wait_until, but the bound is wall-clock
# time: the checks here (Python paging through faxsim, a signed probe) take
# far longer than wait_until's 0.1 s tick on a loaded machine.
wall_wait()
{
	_ww_end=$(($(date +%s) + $1))
	shift
	while :; do
		"$@" && return 0
		[ "$(date +%s)" -lt "$_ww_end" ] || return 1
		sleep 0.2
	done
}

# free_port: a free loopback port (faxsim must know where to deliver
# before faxtop starts).
free_port()
{
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# probe N: posts our own signed event evt_faultprobe_N (fax
# fax_faultprobe_N) to faxtop's listener; prints the HTTP status and records
# the id in $(fax_tmpdir)/probe.STATUS, the answer in probe.body.
probe()
{
	_pd=$(fax_tmpdir)
	_id=evt_faultprobe_$1
	$H probe-event "$_id" "fax_faultprobe_$1" >"$_pd/probe.json" || return 1
	"$top_builddir/app/faxtop" sign --id "$_id" <"$_pd/probe.json" >"$_pd/probe.h" || return 1
	_code=$(curl -sS --max-time 10 -o "$_pd/probe.body" -w '%{http_code}' -H @"$_pd/probe.h" \
		-H 'Content-Type: application/json' --data-binary @"$_pd/probe.json" \
		"http://$FAXTOP_ADDR/webhooks/mintfax") || _code=000
	echo "$_id" >>"$_pd/probe.$_code"
	echo "$_code"
}

# converge DB WHAT [SKIP]: waits (bounded) for faxsim's faxes to finish,
# then for DB to hold exactly faxsim's /events; sets SETTLED (when the faxes
# were done) and CONV (when the store matched), the figures in $D/conv.
converge()
{
	_cd=$(fax_tmpdir)
	wall_wait 180 $H all-terminal "$SIM_ADDR" "$SIM_KEY" || fail "faxsim's faxes did not finish"
	SETTLED=$(now)
	if ! wall_wait 180 $H converged "$1" "$SIM_ADDR" "$SIM_KEY" $3 >"$_cd/conv" 2>&1; then
		$H converged "$1" "$SIM_ADDR" "$SIM_KEY" $3 >&2
		fail "the store did not converge to faxsim's /events $2"
	fi
	CONV=$(now)
}

# finish: after the faults faxtop must still shut down cleanly: SIGTERM,
# exit status 0 (bounded by a watchdog), and faxsim too; then no sanitizer
# report (an --enable-sanitizers build) in any log of the test.
finish()
{
	_fd=$(fax_tmpdir)
	for _fp in ${FAXTOP_PID:-} ${SIM_PID:-}; do
		kill -0 "$_fp" 2>/dev/null || continue
		kill -TERM "$_fp"
		( sleep 30; kill -KILL "$_fp" 2>/dev/null ) &
		_wd=$!
		wait "$_fp"
		_st=$?
		kill "$_wd" 2>/dev/null
		wait "$_wd" 2>/dev/null
		[ "$_st" = 0 ] || fail "process $_fp exited with status $_st on SIGTERM after the faults"
	done
	if grep -l -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$_fd"/*.err "$_fd"/*.log \
		>"$_fd/sanitizer" 2>/dev/null; then
		for _f in $(cat "$_fd/sanitizer"); do
			grep -E -A5 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$_f" | head -n 20 >&2
		done
		fail "sanitizer reports in $(cat "$_fd/sanitizer" | xargs -n1 basename | tr '\n' ' ')"
	fi
}

# start_fault_proxy SWITCH LOG: fault_helper.py's proxy in front of faxsim,
# answering 503 while the file SWITCH exists; sets PROXY (its address) and
# PROXY_PID.
start_fault_proxy()
{
	python3 "$top_srcdir/tests/integration/fault_helper.py" proxy "$SIM_ADDR" "$D/proxy.ready" \
		"$2" "$1" 2>"$D/proxy.err" &
	PROXY_PID=$!
	await_ready "the proxy" "$PROXY_PID" "$D/proxy.ready" "$D/proxy.err"
	PROXY=$(head -n1 "$D/proxy.ready")
}
