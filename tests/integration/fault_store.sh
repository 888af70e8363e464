#!/bin/sh
# Store failure: the database's disk fills up while faxsim's traffic flows.
# While the store cannot write, the listener answers 503 (to faxsim and to
# our own signed probes) and /healthz says degraded; nothing is acknowledged
# that is not stored. Once the disk has room again, faxsim's retries and the
# catch-up poller bring the store to exactly faxsim's /events, and a new
# probe is answered 204 and stored.
#
# Two ways to fill the disk (FAULT_STORE_MODE picks one; by default the
# first that works here):
#   tmpfs  the database lives on a 16 MB tmpfs (needs root to mount) that a
#          filler file fills; freeing it is deleting the filler.
#   fsize  no mount: faxtop runs with SIGXFSZ ignored and `prlimit --pid`
#          lowers its file-size limit to one byte, so every
#          write past it fails with EFBIG; lifting the limit is recovery.
# FAULT_SEED=N repeats faxsim's traffic.
. "$top_srcdir/tests/integration/fault_lib.sh"
command -v sqlite3 >/dev/null 2>&1 || fail "the sqlite3 CLI is required for this test"
D=$(fax_tmpdir)
BROKEN_S=${FAULT_BROKEN_S:-3}
MODE=${FAULT_STORE_MODE:-}
note "seed $SEED (FAULT_SEED=$SEED repeats this run)"

MNT=
if [ "$MODE" != fsize ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "not root" >"$D/mount.err"
	else
		MNT=$(mktemp -d "${TMPDIR:-/tmp}/faxfault-mnt.XXXXXX") || fail "mktemp"
		if ! mount -t tmpfs -o size=16m,mode=0700 tmpfs "$MNT" 2>"$D/mount.err"; then
			rmdir "$MNT"
			MNT=
		fi
	fi
	if [ -n "$MNT" ]; then
		MODE=tmpfs
		# Processes first (they hold the database open), then the mount.
		trap 'rc=$?; trap "" PIPE; fax_cleanup; umount "$MNT" 2>/dev/null || umount -l "$MNT"; rmdir "$MNT"; exit $rc' EXIT
	elif [ "$MODE" = tmpfs ]; then
		fail "cannot mount a tmpfs: $(cat "$D/mount.err")"
	else
		note "cannot mount a tmpfs ($(cat "$D/mount.err")): falling back to a file-size limit"
	fi
fi
if [ -z "$MNT" ]; then
	MODE=fsize
	command -v prlimit >/dev/null 2>&1 || skip "neither a tmpfs mount nor prlimit(1) is available"
	# Inherited by faxtop: past the limit a write fails instead of killing it.
	trap '' XFSZ
	DB=$D/faxtop.db
else
	DB=$MNT/faxtop.db
fi
note "disk full by: $MODE"

break_store()
{
	if [ "$MODE" = tmpfs ]; then
		# While the WAL is still growing (it checkpoints at about 1000
		# pages), the next commit needs space it cannot get.
		dd if=/dev/zero of="$MNT/filler" bs=1M 2>/dev/null
		dd if=/dev/zero of="$MNT/filler.small" bs=4k 2>/dev/null
	else
		# Every write fails: the WAL starts over from its beginning
		# after a checkpoint, so a limit at its size would not hold.
		[ -e "$DB-wal" ] || fail "no WAL file next to $DB"
		prlimit --pid "$FAXTOP_PID" --fsize=1:unlimited || fail "prlimit refused"
	fi
}

heal_store()
{
	if [ "$MODE" = tmpfs ]; then
		rm -f "$MNT/filler" "$MNT/filler.small"
	else
		prlimit --pid "$FAXTOP_PID" --fsize=unlimited:unlimited || fail "prlimit refused"
	fi
}

N_PROBE=0
probe_answers()
{
	N_PROBE=$((N_PROBE + 1))
	[ "$(probe "$N_PROBE")" = "$1" ]
}

health_is()
{
	curl -sS --max-time 10 "http://$FAXTOP_ADDR/healthz" >"$D/health" 2>/dev/null &&
		[ "$(jqs "$1" <"$D/health")" = true ]
}

# acked_file OUT: every event acknowledged so far (a 2xx at faxsim, or a
# line on faxtop's stdout, printed only after the commit).
acked_file()
{
	$H acked "$SIM_ADDR" "$SIM_KEY" >"$D/acked.sim" || fail "cannot read faxsim's webhook attempts"
	jqs .id <"$FAXTOP_OUT" 2>/dev/null >"$D/acked.out"
	sort -u "$D/acked.sim" "$D/acked.out" >"$1"
}


PORT=$(free_port)
# 25 faxes a second for 12 s at speed 50; webhook retries after 0.2 s, 2 s
# and 20.4 s.
start_faxsim --seed "$SEED" --speed 50 --rate 30 --traffic-count 300 --auto-topup \
	--rate-limit 1000000 --webhook-url "http://127.0.0.1:$PORT/webhooks/mintfax"
start_faxtop --listen "127.0.0.1:$PORT" --db "$DB" --api-base "$SIM_URL/v1" --poll-interval 1
wait_until 60 sh -c "[ \$(wc -l <'$FAXTOP_OUT') -ge 20 ]" || fail "faxtop acknowledged too little"
probe_answers 204 || fail "a probe before the fault was refused: $(cat "$D/probe.body")"

break_store
FULL_AT=$(now)
wall_wait 60 health_is '.status == "degraded" and .store_ok == false' ||
	fail "/healthz does not show the broken store: $(cat "$D/health")"
DEGRADED_AT=$(now)

# Traffic keeps coming while the store is broken: nothing acknowledged may be
# missing from it.
sleep "$BROKEN_S"
kill -0 "$FAXTOP_PID" 2>/dev/null || fail "faxtop died with the disk full"
acked_file "$D/acked.broken"
lost=$($H missing "$D/acked.broken" "$DB") || fail "cannot read the store with the disk full"
[ "$lost" = 0 ] || fail "$lost acknowledged events are not in the store (disk full)"
wall_wait 30 probe_answers 503 || fail "the listener never answered 503 with the disk full"
grep -q 'store_unavailable' "$D/probe.body" || fail "the 503 does not say why: $(cat "$D/probe.body")"
n503=$($H count-attempts "$SIM_ADDR" "$SIM_KEY" 503) || fail "cannot count faxsim's attempts"
[ "$n503" -gt 0 ] || fail "faxsim's deliveries never met a 503 while the disk was full"
probes_503=$(wc -l <"$D/probe.503")

# Recovery: room again.
heal_store
FREED_AT=$(now)
wall_wait 60 probe_answers 204 || fail "the listener did not recover once space was freed"
wall_wait 10 health_is '.status == "ok" and .store_ok == true' ||
	fail "/healthz still shows a broken store: $(cat "$D/health")"
converge "$DB" "after the disk was freed" faultprobe

# Every probe answered 204 is stored; every acknowledged event is stored;
# nothing was accepted twice.
lost_probes=$($H missing "$D/probe.204" "$DB") || fail "cannot compare"
[ "$lost_probes" = 0 ] || fail "$lost_probes probes answered 204 are not stored"
stored_refused=$(sqlite3 "$DB" "SELECT count(*) FROM events WHERE id IN ('$(paste -sd' ' "$D/probe.503" | sed "s/ /','/g")')")
acked_file "$D/acked.end"
lost=$($H missing "$D/acked.end" "$DB") || fail "cannot compare"
[ "$lost" = 0 ] || fail "$lost acknowledged events are not in the store"
dups=$($H printed-dups "$FAXTOP_OUT") || fail "unreadable stdout"
[ "$dups" = 0 ] || fail "$dups events were accepted twice"
kill -0 "$FAXTOP_PID" 2>/dev/null || fail "faxtop died"
# With a file-size limit the log file cannot grow either while it holds.
[ "$MODE" = fsize ] || grep -q 'answered 503' "$FAXTOP_OUT.err" ||
	fail "the refusals were not logged"
from_poll=$(grep -c '"source":"poll"' "$FAXTOP_OUT")
note "FIGURES seed=$SEED mode=$MODE broken_s=$(since "$FULL_AT" "$FREED_AT")" \
	"degraded_after_s=$(since "$FULL_AT" "$DEGRADED_AT")" \
	"acked_when_broken=$(wc -l <"$D/acked.broken") lost_acked=$lost faxsim_503=$n503" \
	"probes_503=$probes_503 probes_503_stored_later=$stored_refused" \
	"$(tail -n1 "$D/conv") printed_twice=$dups from_poll=$from_poll" \
	"converge_s=$(since "$FREED_AT" "$CONV")" \
	"after_last_fax_s=$(since "$SETTLED" "$CONV")"
finish
exit 0
