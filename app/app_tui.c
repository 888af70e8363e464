/* What the TUI asks of the app: resends, triage decisions, refreshes, and
 * the status and health it draws. */
#include "config.h"

#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "app/app.h"
#include "app/app_int.h"
#include "app/health.h"
#include "core/team/team.h"
#include "app/rate.h"
#include "core/api/api_client.h"
#include "core/base/clock.h"
#include "core/base/options.h"
#include "core/wire/event_parse.h"
#include "core/http/http_server.h"
#include "core/store/ingest.h"
#include "core/base/log.h"
#include "core/model/model.h"
#include "core/api/poller.h"
#include "core/api/resend.h"
#include "core/base/sanitize.h"
#include "core/store/triage.h"
#include "core/base/secrets.h"
#include "core/base/xalloc.h"
#include "core/http/signature.h"
#include "core/store/store.h"
#include "core/http/webhook.h"
#include "sim/sim.h"
#include "tui/tui.h"

static int app_tui_resend(void *ctx, const struct resend_req *req, resend_done_fn done,
			  void *done_ctx, char *err, size_t errlen)
{
	struct app *a = ctx;

	if (a->cfg->read_only) {
		snprintf(err, errlen, "read-only mode: resending is disabled");
		return -1;
	}
	if (!a->resender) {
		snprintf(err, errlen,
			 a->loading ? "still reading the store: resending starts "
				      "with the poller, once it is read"
				    : "no API key configured: resending needs the API");
		return -1;
	}
	return resend_start(a->resender, a->model, req, done, done_ctx, err, errlen);
}

static int app_tui_prior(void *ctx, const char *fax_id, struct resend_prior *out)
{
	struct app *a = ctx;

	if (!a->resender) {
		memset(out, 0, sizeof *out);
		return 0;
	}
	return resend_prior(a->resender, a->model, fax_id, out);
}

static int app_tui_dismiss(void *ctx, const char *fax_id, const char *note, char *err,
			   size_t errlen)
{
	struct app *a = ctx;
	char safe[200];

	sanitize_str(safe, sizeof safe, note ? note : "");
	if (a->team &&
	    team_dismiss(a->team, fax_id, safe, clock_now_ms(a->clock), err, errlen) != 0)
		return -1;
	if (triage_dismiss(a->triage, a->store, fax_id, safe, app_operator(a),
			   clock_now_ms(a->clock)) != 0) {
		snprintf(err, errlen, "%s", store_last_error(a->store));
		return -1;
	}
	log_info(a->log, "%s dismissed by %s%s%s", fax_id, app_operator(a), safe[0] ? ": " : "",
		 safe);
	return 0;
}

static int app_tui_undismiss(void *ctx, const char *fax_id, char *err, size_t errlen)
{
	struct app *a = ctx;

	if (a->team && team_undismiss(a->team, fax_id, clock_now_ms(a->clock), err, errlen) != 0)
		return -1;
	if (triage_undismiss(a->triage, a->store, fax_id) != 0) {
		snprintf(err, errlen, "%s", store_last_error(a->store));
		return -1;
	}
	log_info(a->log, "%s no longer dismissed (%s)", fax_id, app_operator(a));
	return 0;
}

static void app_tui_refresh(void *ctx, const char *fax_id)
{
	struct app *a = ctx;

	if (a->poller)
		poller_refresh_fax(a->poller, fax_id);
}

static const char *app_environment(const struct app *a)
{
	const char *key = a->cfg->api_key;

	if (a->cfg->demo)
		return "demo";
	if (!key)
		return "unknown";
	if (strncmp(key, "mfx_live_", 9) == 0)
		return "live";
	if (strncmp(key, "mfx_test_", 9) == 0)
		return "sandbox";
	return "unknown";
}

static bool app_balance_fresh(const struct app *a)
{
	const struct model_balance *b = model_balance(a->model);

	return b && b->known && b->updated_ms >= a->started_ms;
}

/* The listener takes events while its store does: in team mode the shared one. */
static bool app_listener_ok(const struct app *a)
{
	return a->http && (a->team ? team_ready(a->team) : store_ok(a->store));
}

static uint64_t app_tui_health(void *ctx)
{
	struct app *a = ctx;
	struct webhook_refusals wr;
	struct health_input in = {
		.now_ms = clock_now_ms(a->clock),
		.api = a->api ? api_client_state(a->api) : NULL,
		.listener_ok = app_listener_ok(a),
		.store_ok = store_ok(a->store),
		.store_error = store_last_error(a->store),
		.shared_error = a->team ? team_why(a->team) : NULL,
		.balance = model_balance(a->model),
		.balance_fresh = app_balance_fresh(a),
		.low_balance_cents = a->cfg->low_balance,
		.catchup_warning = a->poller ? poller_state(a->poller)->catchup_warning : NULL,
	};

	if (a->webhook) {
		webhook_refusals(a->webhook, in.now_ms, HEALTH_REFUSAL_WINDOW_MS, &wr);
		in.refusals = &wr;
	}
	return health_update(&a->health, &in);
}

static void app_tui_banners(struct app *a, struct tui_status *out)
{
	enum health_kind kinds[TUI_MAX_BANNERS];

	out->n_banners = health_banners(&a->health, out->banners, kinds, TUI_MAX_BANNERS);
	for (size_t i = 0; i < out->n_banners; i++)
		out->banner_mask |= 1u << kinds[i];
	out->banner_change_ms = a->health.next_change_ms;
	out->banner_title = out->n_banners ? health_kind_title(kinds[0]) : NULL;
}

static void app_tui_status(void *ctx, struct tui_status *out)
{
	struct app *a = ctx;
	const struct api_conn_state *cs = a->api ? api_client_state(a->api) : NULL;
	const struct poller_state *ps = a->poller ? poller_state(a->poller) : NULL;

	memset(out, 0, sizeof *out);
	out->environment = app_environment(a);
	out->listener = a->http ? a->listener_addr : NULL;
	/* In team mode the catch-up is one instance's: the others stand by. */
	out->listener_ok = app_listener_ok(a);
	out->poller_state = cs ? api_conn_state_name(cs->state) : "off";
	if (cs && a->team && strcmp(team_role(a->team), "standby") == 0)
		out->poller_state = "standby";
	/* The reason belongs to a failing state; once the API answers again a
	 * stale one next to "ok" would read as a current fault. */
	out->poller_error = NULL;
	if (cs && cs->state != API_CONN_OK && cs->last_error[0])
		out->poller_error = cs->last_error;
	if (a->loading)
		store_load_progress(a->store, &out->loading_done, &out->loading_total);
	out->events_per_min = rate_per_min(&a->rate, clock_now_s(a->clock));
	out->last_event_ms = model_last_event_ms(a->model);
	out->refused_signatures = a->webhook ? webhook_refused_total(a->webhook) : 0;
	out->resends_in_flight = resend_in_flight(a->resender);
	out->balance_fresh = app_balance_fresh(a);
	if (ps)
		out->catchup_events = rate_catchup(&a->rate, ps->catchup_in_flight, ps->polls);
	app_tui_health(a);
	app_tui_banners(a, out);
}

static const struct tui_actions app_tui_actions_template = {
	.resend = app_tui_resend,
	.refresh = app_tui_refresh,
	.prior = app_tui_prior,
	.dismiss = app_tui_dismiss,
	.undismiss = app_tui_undismiss,
	.status = app_tui_status,
	.health_key = app_tui_health,
};

void app_tui_actions(struct app *a, struct tui_actions *acts)
{
	*acts = app_tui_actions_template;
	acts->ctx = a;
	acts->store_path = a->db_path;
	acts->triage = a->triage;
	if (a->cfg->read_only) {
		acts->resend = NULL;
		acts->dismiss = NULL;
		acts->undismiss = NULL;
	}
}
