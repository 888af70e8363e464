/* The bottom of the poller: errors, answers and the pace of catch-up
 * rounds (see poller_int.h). */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>

#include "core/api/poller_int.h"
#include "core/base/clock.h"
#include "core/base/log.h"
#include "core/base/sanitize.h"
#include "core/model/model.h"

void poller_set_error(struct poller *p, const char *msg)
{
	p->st.errors++;
	sanitize_str(p->st.last_error, sizeof p->st.last_error, msg ? msg : "error");
}

void poller_note_answer(struct poller *p, const struct api_response *r)
{
	if (r->http_status == 0)
		return;
	if (r->outcome == API_AUTH_ERROR) {
		if (!p->auth_reported) {
			p->auth_reported = true;
			if (!p->answered && p->opts.on_auth_error)
				p->opts.on_auth_error(p->opts.auth_ctx, r->message);
			else
				log_error(p->log, "the API refused the key: %s", r->message);
		}
	} else {
		p->auth_reported = false;
	}
	p->answered = true;
}

/* ---- pacing of catch-ups ---- */

static double poller_next_interval(struct poller *p)
{
	double base = p->opts.poll_interval, iv = base;
	size_t moving = model_count_status(p->model, FAX_QUEUED) +
		model_count_status(p->model, FAX_SUBMITTED) +
		model_count_status(p->model, FAX_IN_PROGRESS);
	/* Applied events only (webhooks included): duplicates are not news. */
	int64_t last_event = model_last_event_ms(p->model);

	if (p->accepted_this_run > 0 || last_event != p->last_event_ms)
		p->idle_polls = 0;
	else if (p->idle_polls < UINT32_MAX)
		p->idle_polls++;
	p->last_event_ms = last_event;

	if (moving > 0) {
		iv = base / 3;
		if (iv < 1.0)
			iv = base < 1.0 ? base : 1.0;
	} else if (p->idle_polls >= POLLER_IDLE_POLLS) {
		iv = base * 4;
		if (iv > POLLER_IDLE_MAX)
			iv = base > POLLER_IDLE_MAX ? base : POLLER_IDLE_MAX;
	}
	/* Keep catch-ups to a quarter of the per-minute quota, whatever the
	 * limit turns out to be; the client paces single requests anyway. */
	long limit = api_client_state(p->api)->rate_limit;
	if (limit > 0) {
		double floor_s = 60.0 * 4 / (double)limit;
		if (iv < floor_s)
			iv = floor_s;
	}
	return iv;
}

void poller_catchup_end(struct poller *p, bool ok, const char *err)
{
	p->catchup_busy = false;
	p->st.catchup_in_flight = 0;
	if (ok)
		p->st.last_poll_ok_ms = clock_now_ms(p->clock);
	else
		poller_set_error(p, err);
	p->st.interval = poller_next_interval(p);
	if (p->stopped)
		return;
	ev_timer_stop(p->loop, &p->poll_timer);
	ev_timer_set(&p->poll_timer, p->st.interval, 0.);
	ev_timer_start(p->loop, &p->poll_timer);
}

void poller_catchup_warn(struct poller *p, const char *fmt, ...)
{
	char raw[1600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof raw, fmt, ap);
	va_end(ap);
	sanitize_str(p->st.catchup_warning, sizeof p->st.catchup_warning, raw);
	log_warn(p->log, "%s", p->st.catchup_warning);
}
