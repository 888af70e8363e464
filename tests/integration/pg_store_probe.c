/* Drives core/store/pg_store against a real PostgreSQL (the throwaway
 * cluster of tests/integration/pg_lib.sh) on a real libev loop, for the
 * team_pg_*.sh tests. The connection comes from libpq's environment; the
 * operator's name from PROBE_WHO (default "probe@test").
 *
 *   faxcols        prints FAX_COLUMN_LIST's columns, one a line
 *   schema         two stores migrate at once; prints "ready" or "error: …"
 *                  for each, and "early: stored" or "early: error …" for
 *                  an event queued before the first connection
 *   dedupe         two stores insert overlapping batches at once; prints
 *                  "ok" when every id is new exactly once
 *   range LO-HI    waits for $PROBE_GO, inserts ids rLO..rHI in batches of
 *                  $PROBE_BATCH (default 50), prints "new N already M" once all are committed
 *   follow         a writer inserts and claims; a second store (the
 *                  dashboard) hears both through NOTIFY and reads the
 *                  events back byte for byte; prints "ok"
 *   lead           runs for the poller's leadership (see on_lead)
 *   claim FAX      waits for the file $PROBE_GO, claims FAX, prints "won"
 *                  or "lost: being resent by … since HH:MM"
 *   outage         inserts an event every 50 ms, appends every acknowledged
 *                  id to $PROBE_ACKED; exits after the third "ready" */
#include "config.h"

#include <ev.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/store/pg_store.h"
#include "core/store/store_faxcols.h"

#define CHECK(c)                                                                                \
	do {                                                                                    \
		if (!(c)) {                                                                     \
			fprintf(stderr, "pg_store_probe: %s:%d: %s\n", __FILE__, __LINE__, #c); \
			exit(1);                                                                \
		}                                                                               \
	} while (0)

static struct ev_loop *loop;
static struct pg_store *s1, *s2;
static const char *mode, *arg;
static int readies, downs, failures, acked, news[8], fates;
static bool started;
static FILE *acked_f;
static const unsigned char raw_bin[] = { 0, 1, 0xff, 0xc3, '\'', '"', '\\', 0x1b, ']', 'x' };

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static void done(void)
{
	ev_break(loop, EVBREAK_ALL);
}

static struct pg_store_event ev_of(const char *id, const void *raw, size_t len)
{
	struct pg_store_event e = {
		.id = id,
		.type = "fax.delivered",
		.created = 1700000000000,
		.source = "webhook",
		.fax_id = "fax-1",
		.raw = raw,
		.raw_len = len,
		.received_at = (int64_t)time(NULL) * 1000,
	};

	return e;
}

/* Queued before the store is connected: it must wait for the schema. */
static bool early_done;

static void on_early(void *ctx, const char *err, const bool *is_new, size_t n)
{
	early_done = true;
	if (err)
		say("early: error %s", err);
	else
		say("early: stored");
}

/* ---- dedupe ---- */

static void on_dedupe(void *ctx, const char *err, const bool *is_new, size_t n)
{
	const char *const *ids = ctx;

	if (err)
		say("error: %s", err);
	CHECK(!err);
	for (size_t i = 0; i < n; i++) {
		say("%s %s", ids[i], is_new[i] ? "new" : "already");
		news[ids[i][1] - '0'] += is_new[i];
		fates++;
	}
	if (fates < 7)
		return;
	for (int k = 1; k <= 4; k++)
		CHECK(news[k] == 1);
	say("ok");
	done();
}

static void dedupe_go(void)
{
	static const char *const a[] = { "d1", "d2", "d3", "d2" }, *const b[] = { "d2", "d3", "d4" };
	struct pg_store_event ea[4], eb[3];

	for (int i = 0; i < 4; i++)
		ea[i] = ev_of(a[i], "{}", 2);
	for (int i = 0; i < 3; i++)
		eb[i] = ev_of(b[i], "{}", 2);
	CHECK(pg_store_insert_events(s1, ea, 4, on_dedupe, (void *)a) == 0);
	CHECK(pg_store_insert_events(s2, eb, 3, on_dedupe, (void *)b) == 0);
}

static int range_new, range_already, range_left;

static void on_range_insert(void *ctx, const char *err, const bool *is_new, size_t n)
{
	if (err)
		say("error: %s", err);
	CHECK(!err);
	for (size_t i = 0; i < n; i++) {
		range_new += is_new[i];
		range_already += !is_new[i];
	}
	if (--range_left == 0) {
		say("new %d already %d", range_new, range_already);
		done();
	}
}

static void range_go(void)
{
	static char ids[PG_STORE_BATCH_MAX][16];
	static struct pg_store_event e[PG_STORE_BATCH_MAX];
	const char *b = getenv("PROBE_BATCH");
	int lo, hi, batch = b ? atoi(b) : 50;

	CHECK(sscanf(arg, "%d-%d", &lo, &hi) == 2 && lo <= hi);
	CHECK(batch > 0 && batch <= PG_STORE_BATCH_MAX);
	for (int k = lo; k <= hi; k += batch) {
		int n = hi - k + 1 < batch ? hi - k + 1 : batch;

		for (int i = 0; i < n; i++) {
			snprintf(ids[i], sizeof ids[i], "r%d", k + i);
			e[i] = ev_of(ids[i], "{}", 2);
		}
		CHECK(pg_store_insert_events(s1, e, (size_t)n, on_range_insert, NULL) == 0);
		range_left++;
	}
}

/* ---- follow ---- */

static int follow_seen;
static bool claim_heard, claim_won;

/* Done once the dashboard has everything and the writer its answer (the
 * NOTIFY may well arrive before the writer's own result). */
static void follow_check(void)
{
	if (follow_seen == 2 && claim_heard && claim_won) {
		say("ok");
		done();
	}
}

static void on_range(void *ctx, const char *err, const struct pg_store_event *evs, size_t n)
{
	CHECK(!err);
	for (size_t i = 0; i < n; i++) {
		say("read %s", evs[i].id);
		CHECK(evs[i].raw_len == sizeof raw_bin &&
		      memcmp(evs[i].raw, raw_bin, sizeof raw_bin) == 0);
		CHECK(strcmp(evs[i].source, "webhook") == 0 && evs[i].fax_id);
		CHECK(evs[i].seq > 0 && (i == 0 || evs[i].seq > evs[i - 1].seq));
		follow_seen++;
	}
	if (follow_seen == 2)
		say("events followed");
	follow_check();
}

static void on_change(void *ctx, const char *payload)
{
	int64_t lo, hi;

	say("change %s", payload);
	if (sscanf(payload, "events:%" SCNd64 "-%" SCNd64, &lo, &hi) == 2)
		CHECK(pg_store_events_range(s1, lo, hi, on_range, NULL) == 0);
	if (strcmp(payload, "claim:fax-follow") == 0) {
		claim_heard = true;
		follow_check();
	}
}

static void on_follow_claim(void *ctx, const char *err, bool won, const char *who, int64_t since,
			    const char *key)
{
	if (err || !won)
		say("claim: %s %s", err ? err : "lost to", who ? who : "");
	CHECK(!err && won);
	CHECK(key && strcmp(key, "key-1") == 0); /* the winner's own key comes back */
	claim_won = true;
	follow_check();
}

static void on_follow_insert(void *ctx, const char *err, const bool *is_new, size_t n)
{
	CHECK(!err && n == 2 && is_new[0] && is_new[1]);
	CHECK(pg_store_claim(s2, "fax-follow", "key-1", on_follow_claim, NULL) == 0);
}

static void follow_go(void)
{
	struct pg_store_event e[2] = { ev_of("f1", raw_bin, sizeof raw_bin),
				       ev_of("f2", raw_bin, sizeof raw_bin) };

	CHECK(pg_store_insert_events(s2, e, 2, on_follow_insert, NULL) == 0);
}

/* ---- lead: "leader EPOCH cursor=C", then one event and the cursor moved
 * to "cursor-WHO-EPOCH" ("advanced …"); on losing it "lost: why"; as a
 * standby "standby: …", and after having led, the old epoch's advance
 * must be refused ("stale refused: …"). ---- */

static int64_t lead_epoch;
static char lead_cursor[128];

static void on_stale(void *ctx, const char *err)
{
	if (!err) {
		say("stale ACCEPTED");
		exit(1);
	}
	say("stale refused: %s", err);
}

static void on_advance(void *ctx, const char *err)
{
	if (err)
		say("advance failed: %s", err);
	else
		say("advanced %s", lead_cursor);
}

static void on_lead_insert(void *ctx, const char *err, const bool *is_new, size_t n)
{
	if (err) {
		say("insert failed: %s", err);
		return;
	}
	/* Only after the events are committed. */
	CHECK(pg_store_cursor_advance(s1, lead_epoch, lead_cursor, on_advance, NULL) == 0);
}

static void on_lead(void *ctx, bool leader, int64_t epoch, const char *cursor, const char *why)
{
	static char id[160];
	struct pg_store_event e;

	if (!leader && strncmp(why, "standby", 7) == 0) {
		say("%s", why);
		/* Someone else has won since this instance led: the epoch it
		 * held must no longer move the cursor. */
		if (lead_epoch)
			CHECK(pg_store_cursor_advance(s1, lead_epoch, "stale", on_stale, NULL) ==
			      0);
		return;
	}
	if (!leader) {
		say("lost: %s", why);
		return;
	}
	lead_epoch = epoch;
	say("leader %" PRId64 " cursor=%s", epoch, cursor);
	snprintf(lead_cursor, sizeof lead_cursor, "cursor-%s-%" PRId64, getenv("PROBE_WHO"), epoch);
	snprintf(id, sizeof id, "ev-%s", lead_cursor);
	e = ev_of(id, "{}", 2);
	CHECK(pg_store_insert_events(s1, &e, 1, on_lead_insert, NULL) == 0);
}

/* ---- claim ---- */

static void on_claim(void *ctx, const char *err, bool won, const char *who, int64_t since,
			    const char *key)
{
	char msg[300];

	if (err)
		say("error: %s", err);
	CHECK(!err);
	CHECK(!won || (key && strcmp(key, "key") == 0)); /* the winner's own key comes back */
	if (won) {
		say("won");
	} else {
		pg_store_claim_describe(msg, sizeof msg, who, since);
		say("lost: %s", msg);
	}
	done();
}

/* ---- outage ---- */

static int out_n, out_pending, after_recovery;

static void on_out_insert(void *ctx, const char *err, const bool *is_new, size_t n)
{
	char *id = ctx;

	out_pending--;
	if (err) {
		failures++;
		say("write failed: %s", err);
	} else {
		fprintf(acked_f, "%s\n", id);
		fflush(acked_f);
		acked++;
		after_recovery += readies >= 3;
	}
	free(id);
}

static void out_tick(void)
{
	char id[32];
	struct pg_store_event e;

	if (out_pending >= 4)
		return;
	snprintf(id, sizeof id, "o-%d", out_n++);
	e = ev_of(id, "{}", 2);
	CHECK(pg_store_insert_events(s1, &e, 1, on_out_insert, strdup(id)) == 0);
	out_pending++;
}

/* Arguments that would fail on the server are refused before anything is
 * queued, and no callback runs for them. */
static void never(void *ctx, const char *err, const bool *is_new, size_t n)
{
	CHECK(!"a refused insert called back");
}

static void refusals(void)
{
	static struct pg_store_event e[PG_STORE_BATCH_MAX + 1];
	char long_id[300];

	for (size_t i = 0; i <= PG_STORE_BATCH_MAX; i++)
		e[i] = ev_of("x", "{}", 2);
	CHECK(pg_store_insert_events(s1, e, 0, never, NULL) == -1);
	CHECK(pg_store_insert_events(s1, e, PG_STORE_BATCH_MAX + 1, never, NULL) == -1);
	e[0].id = "bad\xc3(";
	CHECK(pg_store_insert_events(s1, e, 1, never, NULL) == -1);
	e[0].id = "";
	CHECK(pg_store_insert_events(s1, e, 1, never, NULL) == -1);
	memset(long_id, 'f', sizeof long_id - 1);
	long_id[sizeof long_id - 1] = '\0';
	CHECK(pg_store_claim(s1, long_id, "k", on_claim, NULL) == -1);
	CHECK(pg_store_events_range(s1, 2, 1, on_range, NULL) == -1);
}

/* ---- the loop ---- */

static void on_state(void *ctx, bool ready, const char *err)
{
	if (!ready) {
		downs++;
		say("%s: %s", strcmp(mode, "schema") == 0 ? "error" : "down", err);
		return;
	}
	readies++;
	say("ready %d", readies);
}

static void tick(struct ev_loop *l, ev_timer *w, int revents)
{
	bool both = pg_store_ready(s1) && (!s2 || pg_store_ready(s2));

	if (strcmp(mode, "schema") == 0 && downs + readies >= 2 && early_done)
		done();
	if (strcmp(mode, "outage") == 0) {
		out_tick();
		if (after_recovery >= 5) {
			say("acked %d, failures %d", acked, failures);
			done();
		}
		return;
	}
	if (started || !both)
		return;
	if ((strcmp(mode, "claim") == 0 || strcmp(mode, "range") == 0) &&
	    access(getenv("PROBE_GO"), F_OK) != 0)
		return;
	started = true;
	if (strcmp(mode, "dedupe") == 0)
		dedupe_go();
	else if (strcmp(mode, "follow") == 0)
		follow_go();
	else if (strcmp(mode, "range") == 0)
		range_go();
	else if (strcmp(mode, "claim") == 0)
		CHECK(pg_store_claim(s1, arg, "key", on_claim, NULL) == 0);
}

static void deadline(struct ev_loop *l, ev_timer *w, int revents)
{
	fprintf(stderr, "pg_store_probe %s: timed out (ready %d, down %d)\n", mode, readies, downs);
	exit(1);
}

static struct pg_store *open_store(const char *who, bool listen)
{
	struct pg_store_opts o = { .conninfo = "",
				   .who = who,
				   .on_state = on_state,
				   .on_change = listen ? on_change : NULL,
				   .retry_min = 0.1,
				   .retry_max = 0.5 };
	char err[256];
	struct pg_store *s = pg_store_new(loop, &o, err, sizeof err);

	if (!s)
		say("error: %s", err);
	CHECK(s);
	return s;
}

int main(int argc, char **argv)
{
	const char *who = getenv("PROBE_WHO") ? getenv("PROBE_WHO") : "probe@test";
	struct pg_store_opts bad = { .conninfo = "", .who = "" };
	char err[256], msg[300];
	ev_timer t, d;

	if (argc < 2)
		return 2;
	mode = argv[1];
	if (strcmp(mode, "faxcols") == 0) {
		for (int i = 0; i < FAX_COLUMN_COUNT; i++)
			say("%s", store_faxcol_names[i]);
		return 0;
	}
	arg = argc > 2 ? argv[2] : "";
	loop = ev_loop_new(EVFLAG_AUTO);
	/* An operator without a name, or with a name that is not text, is
	 * refused before anything is sent. */
	CHECK(!pg_store_new(loop, &bad, err, sizeof err));
	bad.who = "ops@\xff";
	CHECK(!pg_store_new(loop, &bad, err, sizeof err));
	pg_store_claim_describe(msg, sizeof msg, "ops\033]0;x\007@desk2", (int64_t)time(NULL));
	CHECK(strncmp(msg, "being resent by ops", 19) == 0 && !strchr(msg, '\033'));
	s1 = open_store(who, strcmp(mode, "follow") == 0);
	refusals();
	if (strcmp(mode, "schema") == 0) {
		struct pg_store_event e = ev_of("early", "{}", 2);

		CHECK(pg_store_insert_events(s1, &e, 1, on_early, NULL) == 0);
	}
	if (strcmp(mode, "schema") == 0 || strcmp(mode, "dedupe") == 0 ||
	    strcmp(mode, "follow") == 0)
		s2 = open_store("other@test", false);
	if (strcmp(mode, "lead") == 0)
		CHECK(pg_store_lead(s1, 0.2, on_lead, NULL) == 0);
	if (strcmp(mode, "outage") == 0)
		CHECK((acked_f = fopen(getenv("PROBE_ACKED"), "a")));
	ev_timer_init(&t, tick, 0.05, 0.05);
	ev_timer_start(loop, &t);
	ev_timer_init(&d, deadline, strcmp(mode, "lead") == 0 ? 300. : 90., 0.);
	ev_timer_start(loop, &d);
	ev_run(loop, 0);
	pg_store_free(s2);
	pg_store_free(s1);
	if (acked_f)
		fclose(acked_f);
	ev_loop_destroy(loop);
	return 0;
}
