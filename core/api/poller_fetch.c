/* The poller's single requests: the balance on its timer, and one fax
 * refreshed on request (see poller_int.h). */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/api/poller_int.h"
#include "core/api/resend.h"
#include "core/base/clock.h"
#include "core/base/log.h"
#include "core/model/event.h"
#include "core/store/ingest.h"

static void poller_balance_done(void *ctx, const struct api_response *r)
{
	struct poller *p = ctx;
	struct balance_snapshot b;
	char err[256] = "";

	p->balance_busy = false;
	p->st.balance_in_flight = 0;
	poller_note_answer(p, r);
	if (r->outcome != API_OK) {
		poller_set_error(p, r->message);
		return;
	}
	balance_snapshot_init(&b);
	if (wire_balance_parse(r->body, r->body_len, &b, err, sizeof err) != 0) {
		log_warn(p->log, "GET /environment/balance: unreadable answer: %s", err);
		poller_set_error(p, "GET /environment/balance: unreadable answer");
	} else if (ingest_balance(p->in, &b, SRC_POLL, err, sizeof err) != INGEST_ACCEPTED &&
		   *err) {
		log_warn(p->log, "poll: balance not taken: %s", err);
	} else {
		p->st.last_balance_ms = clock_now_ms(p->clock);
	}
	balance_snapshot_done(&b);
}

void poller_balance_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct poller *p = w->data;
	char err[256];

	if (p->stopped || p->balance_busy)
		return;
	if (api_client_request(p->api, "GET", "/environment/balance", NULL, NULL, 0,
			       poller_balance_done, p, err, sizeof err) != 0) {
		poller_set_error(p, err);
		return;
	}
	p->balance_busy = true;
	p->st.balance_in_flight = 1;
}

/* ---- refresh one fax ---- */

static void poller_refresh_done(void *ctx, const struct api_response *r)
{
	struct poller_refresh *rf = ctx;
	struct poller *p = rf->p;
	struct fax f;
	char err[256];

	for (struct poller_refresh **pp = &p->refreshes; *pp; pp = &(*pp)->next)
		if (*pp == rf) {
			*pp = rf->next;
			break;
		}
	if (p->st.refresh_in_flight)
		p->st.refresh_in_flight--;
	poller_note_answer(p, r);
	fax_init(&f);
	if (r->outcome == API_OK) {
		if (wire_fax_parse(r->body, r->body_len, &f, err, sizeof err) != 0) {
			log_warn(p->log, "GET /faxes/%s: unreadable answer: %s", rf->id, err);
		} else if (!f.id || strcmp(f.id, rf->id) != 0) {
			log_warn(p->log, "GET /faxes/%s answered with another fax; ignored",
				 rf->id);
		} else {
			enum ingest_result res = ingest_fax(p->in, &f, SRC_POLL, err, sizeof err);
			if (res == INGEST_INVALID || res == INGEST_STORE_ERROR)
				log_warn(p->log, "poll: fax %s not taken: %s", rf->id, err);
			else
				p->st.faxes_refreshed++;
		}
	} else if (r->http_status == 404) {
		log_info(p->log, "fax %s is unknown to the API (404)", rf->id);
	} else {
		poller_set_error(p, r->message);
	}
	fax_done(&f);
	free(rf);
}

bool poller_valid_fax_id(const char *s)
{
	return resend_valid_fax_id(s);
}

int poller_refresh_fax(struct poller *p, const char *fax_id)
{
	char path[128], err[256];

	if (!p || !poller_valid_fax_id(fax_id))
		return -1;
	for (struct poller_refresh *rf = p->refreshes; rf; rf = rf->next)
		if (!strcmp(rf->id, fax_id))
			return 0; /* already on its way */
	struct poller_refresh *rf = calloc(1, sizeof *rf);
	if (!rf)
		return -1;
	rf->p = p;
	snprintf(rf->id, sizeof rf->id, "%s", fax_id);
	snprintf(path, sizeof path, "/faxes/%s", fax_id); /* id chars are URL-safe */
	if (api_client_request(p->api, "GET", path, NULL, NULL, 0, poller_refresh_done, rf, err,
			       sizeof err) != 0) {
		free(rf);
		return -1;
	}
	rf->next = p->refreshes;
	p->refreshes = rf;
	p->st.refresh_in_flight++;
	return 0;
}
