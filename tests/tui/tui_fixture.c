/* A driver for the TUI screen tests: a model filled with synthetic faxes
 * (a plausible mix of statuses, attempts and codes, plus hostile strings
 * full of escape sequences), the real TUI on a real libev loop, and fake
 * app actions (a resend answers after a short timer and its new fax shows
 * up linked to the original).
 *
 *   tui_fixture [faxtop options] [faxes=N] [tick=SECONDS] [delay=SECONDS] [live] [noactions]
 *               [longids] [triage]
 *
 * delay: how long a fake resend takes to answer (default 0.8 s).
 * longids: ids as long as mintfax's (26 characters) that differ only in the
 * middle, "fax_01J9XYZQ000119KH7B3R0WXA", so a cut id would look alike.
 * triage: three more faxes to +13015550123, all failed in the last day: an
 * original (fax_chain_orig, 3 h ago) and two resends of it (fax_chain_r1,
 * 2 h ago; fax_chain_r2, 20 min ago). They are older than the others, so
 * the first screen does not change.
 *
 * Options are faxtop's own (--read-only, --theme, --fps, --no-mouse, and
 * `bind` lines from the config file), parsed by the real option table. */
#include "config.h"

#include <ev.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/clock.h"
#include "core/base/options.h"
#include "core/base/log.h"
#include "core/base/xalloc.h"
#include "core/model/model.h"
#include "core/store/triage.h"
#include "tui/tui.h"

/* Numbers with special meaning for the fake resend. */
#define FIX_FAIL_TO "+15550000402" /* answers insufficient_balance */

struct fixture {
	bool long_ids;
	struct ev_loop *loop;
	struct model *m;
	struct triage *triage; /* in memory: the fixture has no store */
	struct tui *tui;
	ev_timer tick_w;
	size_t next_id;
	unsigned resends;
	unsigned in_flight;
	unsigned refreshes;
	bool live;
	int64_t t0;
	double resend_delay;
	struct pending_resend *pending; /* resends still "on the way" */
};

struct pending_resend {
	struct fixture *fx;
	struct pending_resend *next;
	ev_timer w;
	char fax_id[64];
	char to[64];
	resend_done_fn done;
	void *done_ctx;
};

static const char *const hostile[] = {
	"\033]0;pwned\007",       /* OSC: would retitle the terminal */
	"\033[2J\033[H",          /* CSI: would clear the screen */
	"\033]52;c;aGVsbG8=\007", /* OSC 52: would write the clipboard */
	("\xC2\x9B"
	 "31m"),    /* C1 CSI */
	"\r\nX",    /* line breaks */
	"\xFF\xFE", /* invalid UTF-8 */
};

static void add_attempt(struct fax *f, int n, int64_t start, int64_t dur, const char *code)
{
	struct fax_attempt *a = realloc(f->attempts, (f->n_attempts + 1) * sizeof *a);

	if (!a)
		abort();
	f->attempts = a;
	a = &f->attempts[f->n_attempts++];
	fax_attempt_init(a);
	a->number = n;
	a->started_at = start;
	a->completed_at = dur >= 0 ? start + dur : TS_NONE;
	a->duration_ms = dur;
	if (code) {
		a->error_code = xstrdup(code);
		a->error_message =
			xstrdup(strcmp(code, "invalid_number") == 0 ? "The number is not a fax line"
								    : "The line was busy");
	}
}

static void add_tag(struct fax *f, const char *k, const char *v)
{
	struct fax_tag *t = realloc(f->tags, (f->n_tags + 1) * sizeof *t);

	if (!t)
		abort();
	f->tags = t;
	f->tags[f->n_tags].key = xstrdup(k);
	f->tags[f->n_tags].value = xstrdup(v);
	f->n_tags++;
}

/* The i-th synthetic fax: mostly delivered, some failed (busy, no_answer,
 * invalid_number), some in flight, a few hostile. */
static void make_fax(struct fixture *fx, size_t i, struct event *ev, bool hostile_ok)
{
	static const char *const teams[] = { "ops", "sales", "legal" };
	struct fax *f = &ev->fax;
	char buf[160];
	int64_t created = fx->t0 + (int64_t)i * 7000;
	unsigned kind = (unsigned)(i % 10);
	bool evil = hostile_ok && i % 17 == 5;

	event_init(ev);
	snprintf(buf, sizeof buf, "evt_%06zu", i);
	ev->id = xstrdup(buf);
	ev->object = EVOBJ_FAX;
	ev->created = created / 1000 + 5;
	fax_init(f);
	if (evil)
		snprintf(buf, sizeof buf, "fax_%06zu%s", i, hostile[i % 6]);
	else if (fx->long_ids)
		snprintf(buf, sizeof buf, "fax_01J9XYZQ%06zuKH7B3R0WXA", i);
	else
		snprintf(buf, sizeof buf, "fax_%06zu", i);
	f->id = xstrdup(buf);
	snprintf(buf, sizeof buf, "+1212555%04zu%s", i % 10000, evil ? hostile[(i + 1) % 6] : "");
	f->to = xstrdup(buf);
	f->pages = 1 + (int)(i % 4);
	f->max_attempts = 3;
	f->created_at = created;
	f->updated_at = created + 5000;
	add_tag(f, "team", teams[i % 3]);
	if (evil)
		add_tag(f, "note", hostile[(i + 2) % 6]);
	if (kind <= 5) {
		ev->type = EV_FAX_DELIVERED;
		f->status = FAX_DELIVERED;
		if (kind == 5)
			add_attempt(f, 1, created + 1000, 30000, "busy");
		add_attempt(f, (int)f->n_attempts + 1, created + 2000, 42000, NULL);
		f->completed_at = created + 50000;
	} else if (kind <= 7) {
		const char *code =
			kind == 6 ? (i % 20 == 6 ? "invalid_number" : "busy") : "no_answer";

		ev->type = EV_FAX_FAILED;
		f->status = FAX_FAILED;
		if (strcmp(code, "invalid_number") == 0) {
			add_attempt(f, 1, created + 1000, 8000, code);
		} else {
			for (int a = 1; a <= 3; a++)
				add_attempt(f, a, created + a * 40000, 30000, code);
		}
		f->error_code = xstrdup(code);
		f->error_message = xstrdup(evil ? hostile[i % 6] : "delivery failed");
		f->completed_at = created + 200000;
	} else if (kind == 8) {
		ev->type = EV_FAX_SENDING;
		f->status = FAX_IN_PROGRESS;
		add_attempt(f, 1, created + 1000, -1, NULL);
	} else if (i % 20 == 19) {
		/* Between attempts after a busy line: the model derives "retrying". */
		ev->type = EV_FAX_RETRY_SCHEDULED;
		f->status = FAX_SUBMITTED;
		add_attempt(f, 1, created + 1000, 30000, "busy");
	} else {
		ev->type = EV_FAX_QUEUED;
		f->status = FAX_QUEUED;
	}
	ev->type_name = xstrdup(event_type_name(ev->type));
}

static void add_one(struct fixture *fx, bool hostile_ok)
{
	struct event ev;

	make_fax(fx, fx->next_id++, &ev, hostile_ok);
	model_apply(fx->m, &ev, SRC_WEBHOOK, clock_now_ms(NULL));
	event_done(&ev);
}

/* A fax.delivered for a fax that failed: an anomaly, recorded on the fax
 * (marked "!" in the list), its status kept. */
static void late_delivery(struct fixture *fx, size_t i)
{
	struct event ev;

	make_fax(fx, i, &ev, false);
	free(ev.id);
	ev.id = xstrdup("evt_late_delivery");
	ev.type = EV_FAX_DELIVERED;
	free(ev.type_name);
	ev.type_name = xstrdup(event_type_name(ev.type));
	ev.fax.status = FAX_DELIVERED;
	model_apply(fx->m, &ev, SRC_WEBHOOK, clock_now_ms(NULL));
	event_done(&ev);
}

static void fill(struct fixture *fx, size_t n)
{
	struct balance_snapshot b;
	int64_t now = clock_now_ms(NULL);

	for (size_t i = 0; i < n; i++)
		add_one(fx, true);
	if (n > 97)
		late_delivery(fx, 97);
	/* The samples fall through the local threshold: an alert to show. */
	model_set_low_balance(fx->m, 3000);
	for (int s = 0; s < 40; s++) {
		balance_snapshot_init(&b);
		b.has_available = b.has_held = true;
		b.available = 5000 - s * 60 + (s % 7) * 25;
		b.held = 120 + (s % 5) * 10;
		b.currency = xstrdup("USD");
		b.type = xstrdup(fx->live ? "live" : "sandbox");
		model_apply_balance(fx->m, &b, SRC_POLL, now - (40 - s) * 60000);
		balance_snapshot_done(&b);
	}
	model_log(fx->m, now, "evt_forged", "fax.delivered", "fax_000001", SRC_WEBHOOK,
		  APPLY_REFUSED, "bad signature");
}

/* A failed fax to the repeat number, `ago` minutes ago, resent from
 * `from` (NULL: an original). */
static void chain_fax(struct fixture *fx, const char *id, const char *from, int ago,
		      const char *code)
{
	int64_t now = clock_now_ms(NULL), at = now - (int64_t)ago * 60000;
	struct fax f;

	fax_init(&f);
	f.id = xstrdup(id);
	f.to = xstrdup("+13015550123");
	f.status = FAX_FAILED;
	f.error_code = xstrdup(code);
	f.error_message = xstrdup("delivery failed");
	f.max_attempts = 1;
	f.pages = 1;
	f.created_at = at - 60000;
	f.updated_at = at;
	f.completed_at = at;
	add_attempt(&f, 1, at - 50000, 40000, code);
	if (from)
		f.resent_from = xstrdup(from);
	model_apply_fax(fx->m, &f, SRC_API, now);
	fax_done(&f);
}

static void add_triage(struct fixture *fx)
{
	chain_fax(fx, "fax_chain_orig", NULL, 180, "busy");
	chain_fax(fx, "fax_chain_r1", "fax_chain_orig", 120, "no_answer");
	chain_fax(fx, "fax_chain_r2", "fax_chain_orig", 20, "busy");
}

static void resend_fire(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct pending_resend *p = w->data;
	struct fixture *fx = p->fx;
	struct resend_result r = { .key = "fixture-key", .request_id = "", .action = "" };
	char id[64];

	(void)loop;
	(void)revents;
	if (strcmp(p->to, FIX_FAIL_TO) == 0) {
		r.ok = false;
		r.error = "insufficient_balance";
		r.message = "Balance too low \033[31mto place the hold";
		r.action = "top_up_balance";
		r.request_id = "req_fixture";
	} else {
		const struct model_fax *orig = model_get(fx->m, p->fax_id);
		struct fax f;

		snprintf(id, sizeof id, "fax_resent_%u", ++fx->resends);
		fax_init(&f);
		f.id = xstrdup(id);
		f.status = FAX_QUEUED;
		f.to = xstrdup(p->to[0] ? p->to : orig && orig->fax.to ? orig->fax.to : "");
		f.resent_from = xstrdup(p->fax_id);
		f.created_at = clock_now_ms(NULL);
		f.updated_at = f.created_at;
		f.max_attempts = 3;
		model_apply_fax(fx->m, &f, SRC_API, clock_now_ms(NULL));
		fax_done(&f);
		r.ok = true;
		r.new_fax_id = id;
	}
	r.settled = true;
	fx->in_flight--;
	triage_set_pending(fx->triage, p->fax_id, false);
	for (struct pending_resend **q = &fx->pending; *q; q = &(*q)->next) {
		if (*q == p) {
			*q = p->next;
			break;
		}
	}
	p->done(p->done_ctx, &r);
	free(p);
}

/* At exit, resends still on the way get their answer (none: the fixture is
 * stopping), as the app's would; the TUI's detached records free themselves. */
static void fx_drop_pending(struct fixture *fx)
{
	struct resend_result r = { .key = "fixture-key",
				   .request_id = "",
				   .action = "",
				   .error = "stopped",
				   .message = "the fixture stopped" };

	while (fx->pending) {
		struct pending_resend *p = fx->pending;

		fx->pending = p->next;
		ev_timer_stop(fx->loop, &p->w);
		p->done(p->done_ctx, &r);
		free(p);
	}
}

static int fx_resend(void *ctx, const struct resend_req *req, resend_done_fn done, void *done_ctx,
		     char *err, size_t errlen)
{
	struct fixture *fx = ctx;
	struct pending_resend *p;
	const char *fax_id = req->fax_id, *to = req->to;
	const struct model_fax *mf = model_get(fx->m, fax_id);

	if (mf && mf->n_resends && !req->again) {
		snprintf(err, errlen, "%s was resent already: needs again", fax_id);
		return -1;
	}
	p = calloc(1, sizeof *p);
	if (!p) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	p->fx = fx;
	snprintf(p->fax_id, sizeof p->fax_id, "%s", fax_id);
	snprintf(p->to, sizeof p->to, "%s", to ? to : "");
	p->done = done;
	p->done_ctx = done_ctx;
	ev_timer_init(&p->w, resend_fire, fx->resend_delay, 0.);
	p->w.data = p;
	ev_timer_start(fx->loop, &p->w);
	p->next = fx->pending;
	fx->pending = p;
	fx->in_flight++;
	triage_set_pending(fx->triage, fax_id, true);
	return 0;
}

static int fx_dismiss(void *ctx, const char *fax_id, const char *note, char *err, size_t errlen)
{
	struct fixture *fx = ctx;

	if (triage_dismiss(fx->triage, NULL, fax_id, note, "ops@fixture", clock_now_ms(NULL)) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

static int fx_undismiss(void *ctx, const char *fax_id, char *err, size_t errlen)
{
	struct fixture *fx = ctx;

	if (triage_undismiss(fx->triage, NULL, fax_id) < 0) {
		snprintf(err, errlen, "not dismissed");
		return -1;
	}
	return 0;
}

/* The fixture has no ledger: an earlier resend is what the model links. */
static int fx_prior(void *ctx, const char *fax_id, struct resend_prior *out)
{
	struct fixture *fx = ctx;
	const struct model_fax *mf = model_get(fx->m, fax_id), *rf;

	memset(out, 0, sizeof *out);
	if (!mf || !mf->n_resends)
		return 0;
	rf = model_get(fx->m, mf->resends[mf->n_resends - 1]);
	out->kind = RESEND_PRIOR_SENT;
	snprintf(out->new_fax_id, sizeof out->new_fax_id, "%s", mf->resends[mf->n_resends - 1]);
	out->at_ms = rf ? rf->fax.created_at : TS_NONE;
	return 0;
}

static void fx_refresh(void *ctx, const char *fax_id)
{
	struct fixture *fx = ctx;

	(void)fax_id;
	fx->refreshes++;
	/* tui_oom.sh: an allocation failure while the TUI holds the terminal. */
	if (getenv("FIXTURE_OOM_ON_OPEN"))
		xalloc_die();
}

static void fx_status(void *ctx, struct tui_status *out)
{
	struct fixture *fx = ctx;

	memset(out, 0, sizeof *out);
	out->environment = fx->live ? "live" : "sandbox";
	out->listener = "127.0.0.1:8787";
	out->listener_ok = true;
	out->poller_state = "ok";
	out->events_per_min = 12.5;
	out->last_event_ms = model_last_event_ms(fx->m);
	out->refused_signatures = 1;
	out->resends_in_flight = fx->in_flight;
	out->balance_fresh = true;
	out->banner_change_ms = -1;
}

static void fx_quit(void *ctx)
{
	struct fixture *fx = ctx;

	ev_break(fx->loop, EVBREAK_ALL);
}

static void on_tick(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct fixture *fx = w->data;

	(void)loop;
	(void)revents;
	add_one(fx, false);
}

int main(int argc, char **argv)
{
	struct fixture fx = { .resend_delay = 0 };
	struct config cfg;
	struct tui_actions acts = {
		.ctx = &fx,
		.resend = fx_resend,
		.refresh = fx_refresh,
		.prior = fx_prior,
		.status = fx_status,
		.quit = fx_quit,
		.dismiss = fx_dismiss,
		.undismiss = fx_undismiss,
	};
	char err[512];
	size_t n = 120;
	double tick = 0;
	bool noactions = false, triage = false;
	int rc;

	config_init(&cfg);
	rc = config_load(&cfg, argc, argv, NULL, err, sizeof err);
	if (rc != 0) {
		if (rc < 0)
			fprintf(stderr, "tui_fixture: %s\n", err);
		config_done(&cfg);
		return rc < 0 ? 2 : 0;
	}
	for (size_t i = 0; i < cfg.n_args; i++) {
		if (strncmp(cfg.args[i], "faxes=", 6) == 0)
			n = strtoul(cfg.args[i] + 6, NULL, 10);
		else if (strncmp(cfg.args[i], "tick=", 5) == 0)
			tick = strtod(cfg.args[i] + 5, NULL);
		else if (strncmp(cfg.args[i], "delay=", 6) == 0)
			fx.resend_delay = strtod(cfg.args[i] + 6, NULL);
		else if (strcmp(cfg.args[i], "live") == 0)
			fx.live = true;
		else if (strcmp(cfg.args[i], "noactions") == 0)
			noactions = true;
		else if (strcmp(cfg.args[i], "longids") == 0)
			fx.long_ids = true;
		else if (strcmp(cfg.args[i], "triage") == 0)
			triage = true;
	}
	if (noactions)
		acts.resend = NULL;
	fx.triage = triage_new();
	acts.triage = fx.triage;
	if (!(fx.resend_delay > 0 && fx.resend_delay < 3600))
		fx.resend_delay = 0.8;
	fx.loop = ev_loop_new(EVFLAG_AUTO);
	fx.m = model_new(NULL);
	/* Close to now, so the ages and times on screen look like a live day. */
	fx.t0 = clock_now_ms(NULL) - (int64_t)n * 7000 - 60000;
	fill(&fx, n);
	if (triage)
		add_triage(&fx);
	fx.tui = tui_new(fx.loop, fx.m, &cfg, &acts, NULL, err, sizeof err);
	if (!fx.tui) {
		fprintf(stderr, "tui_fixture: %s\n", err);
		return 1;
	}
	if (tick > 0) {
		ev_timer_init(&fx.tick_w, on_tick, tick, tick);
		fx.tick_w.data = &fx;
		ev_timer_start(fx.loop, &fx.tick_w);
	}
	ev_run(fx.loop, 0);
	tui_free(fx.tui);
	fx_drop_pending(&fx);
	printf("tui_fixture: quit cleanly, %u resends, %u refreshes\n", fx.resends, fx.refreshes);
	ev_timer_stop(fx.loop, &fx.tick_w);
	model_free(fx.m);
	triage_free(fx.triage);
	ev_loop_destroy(fx.loop);
	config_done(&cfg);
	return 0;
}
