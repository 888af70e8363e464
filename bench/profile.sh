#!/bin/sh
# bench/profile.sh: the profile BENCHMARKS.md quotes. faxtop --headless
# (store on, synchronous=FULL unless extra arguments say otherwise) under
# `perf record -g` while bench/loadgen sends it the realistic load; prints
# the shares by library and the top symbols (self time). Run from a build
# directory after `make bench-programs`; needs linux-perf. Loopback only.
#   bench/profile.sh [EVENTS] [CONNECTIONS] [faxtop args...]
set -e
src=$(cd "$(dirname "$0")/.." && pwd)
n=${1:-40000}
c=${2:-32}
[ $# -gt 2 ] && shift 2 || set --
command -v perf >/dev/null 2>&1 || { echo "profile: perf is not installed (linux-perf)" >&2; exit 1; }
[ -x app/faxtop ] && [ -x bench/loadgen ] || { echo "profile: run from a build directory" >&2; exit 1; }
d=$(mktemp -d /tmp/faxtop-profile.XXXXXX)
MINTFAX_WEBHOOK_SECRET="whsec_$(head -c 32 /dev/urandom | base64)"
export MINTFAX_WEBHOOK_SECRET
unset MINTFAX_API_KEY
app/faxtop --headless --db "$d/faxtop.db" --listen 127.0.0.1:0 --ready-file "$d/ready" "$@" \
	>/dev/null 2>"$d/stderr" &
pid=$!
i=0
while [ ! -s "$d/ready" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -s "$d/ready" ] || { kill "$pid"; echo "profile: faxtop did not start" >&2; exit 1; }
addr=$(head -n1 "$d/ready")
bench/loadgen --url "http://$addr/webhooks/mintfax" --count 2000 --connections "$c" \
	--label warm --load realistic --tag w >/dev/null
perf record -g -o "$d/perf.data" -p "$pid" 2>"$d/perf.err" &
perf_pid=$!
sleep 1
bench/loadgen --url "http://$addr/webhooks/mintfax" --count "$n" --connections "$c" \
	--label profile --load realistic --tag p
kill -INT "$perf_pid"
wait "$perf_pid" || true
kill "$pid"
wait "$pid" || true
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "--- by library (self)"
perf report -i "$d/perf.data" --no-children --sort dso --stdio -g none 2>/dev/null |
	grep -v '^#' | grep -v '^$' | head -12
echo "--- top symbols (self)"
perf report -i "$d/perf.data" --no-children --sort sym --stdio -g none 2>/dev/null |
	grep -v '^#' | grep -v '^$' | head -30
echo "--- where the time goes (with callees: commit, I/O, parse, model, output)"
perf report -i "$d/perf.data" --children --sort sym --stdio -g none 2>/dev/null |
	grep -E ' (fdatasync|__libc_pwrite64|pwrite64|__send|__libc_recv|recv|sqlite3_step|sqlite3VdbeExec|store_commit|ingest_body|ingest_event|wire_event_parse|json_tokener_parse_ex|model_apply|wire_event_json_line|sig_verify[a-z_]*|malloc|_int_malloc|cfree@GLIBC_2.2.5|_int_free|http_parser_execute|ev_run)$' |
	head -30
rm -rf "$d"
