/* Event JSON parsing plus the model's state machine: the input is a
 * sequence of webhook bodies separated by NUL bytes (JSON never holds a raw
 * NUL), each parsed by wire_event_parse() and applied to one fresh model, as
 * webhooks and polls arriving in any order, duplicated or forged would be.
 * The fax snapshot each event carries is also applied alone (as a GET
 * /faxes/{id} answer), and balance objects as a balance reading.
 *
 * Invariants: a fax once delivered or failed never goes back to a
 * non-terminal status; an event applied twice is a duplicate the second
 * time; the per-status counts add up to the number of faxes; the creation
 * index is complete, ordered by (created_at, id) where known, and agrees with
 * model_get(); every fixed-size text in the event log is terminated; the
 * burn rate is a number. */
#include <config.h>

#include <math.h>
#include <stdbool.h>

#include "core/wire/event_parse.h"
#include "core/model/model.h"
#include "tests/fuzz/fuzz.h"

#define FUZZ_EVENT_MAX 32
#define FUZZ_EVENT_NOW 1747173600000LL

static bool fuzz_terminal(const struct model *m, const char *fax_id)
{
	const struct model_fax *mf = fax_id ? model_get(m, fax_id) : NULL;

	return mf && fax_status_terminal(mf->fax.status);
}

static int fuzz_order_cmp(const struct model_fax *a, const struct model_fax *b)
{
	if (a->fax.created_at != b->fax.created_at)
		return a->fax.created_at < b->fax.created_at ? -1 : 1;
	return strcmp(a->fax.id ? a->fax.id : "", b->fax.id ? b->fax.id : "");
}

static void fuzz_check_model(const struct model *m)
{
	size_t n = model_count(m), sum = 0;
	const struct model_fax *prev = NULL;
	struct model_code_count codes[8];
	size_t n_codes;

	for (int s = 0; s < FAX_STATUS_COUNT; s++)
		sum += model_count_status(m, (enum fax_status)s);
	fuzz_check(sum == n, "status counts add up to %zu for %zu faxes", sum, n);
	for (size_t i = 0; i < n; i++) {
		const struct model_fax *mf = model_at(m, i);

		fuzz_check(mf != NULL, "model_at(%zu) is NULL below the count %zu", i, n);
		fuzz_check(mf->fax.id && model_get(m, mf->fax.id) == mf,
			   "model_get disagrees with model_at(%zu)", i);
		/* A fax heard of before its created_at is placed by when it was
		 * heard; those with a created_at keep (created_at, id) order. */
		if (mf->fax.created_at != TS_NONE) {
			if (prev)
				fuzz_check(fuzz_order_cmp(prev, mf) <= 0,
					   "creation index out of order at %zu", i);
			prev = mf;
		}
		for (size_t r = 0; r < mf->n_resends; r++)
			fuzz_check(mf->resends[r] != NULL, "NULL resend link");
	}
	fuzz_check(model_at(m, n) == NULL, "model_at past the end");
	n_codes = model_error_codes(m, codes, 8);
	for (size_t i = 0; i < n_codes && i < 8; i++)
		fuzz_check(codes[i].code && codes[i].count > 0, "empty error code entry %zu", i);
	for (size_t i = 0; i < model_log_count(m); i++) {
		const struct model_log_entry *e = model_log_at(m, i);

		fuzz_check(e && fuzz_terminated(e->event_id, sizeof e->event_id) &&
				   fuzz_terminated(e->type, sizeof e->type) &&
				   fuzz_terminated(e->fax_id, sizeof e->fax_id) &&
				   fuzz_terminated(e->detail, sizeof e->detail),
			   "log entry %zu not terminated", i);
	}
	for (size_t i = 0; i < model_alert_count(m); i++)
		fuzz_check(model_alert_at(m, i) != NULL, "alert %zu missing", i);
	for (size_t i = 0; i < model_balance_samples(m); i++)
		fuzz_check(model_balance_sample(m, i) != NULL, "balance sample %zu missing", i);
	fuzz_check(!isnan(model_burn_rate(m)), "burn rate is NaN");
	model_time_to_empty(m);
	model_last_event_ms(m);
	fuzz_check(model_balance(m) != NULL, "no balance struct");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct model_opts mo = {
		.event_log_size = 16,
		.balance_samples = 8,
		.alert_log_size = 4,
		.dedupe_window = 64,
		.low_balance_cents = 1000,
	};
	struct model *m = model_new(&mo);
	int64_t now = FUZZ_EVENT_NOW;
	char err[256];

	if (!m)
		abort();
	for (int k = 0; k < FUZZ_EVENT_MAX && size > 0; k++) {
		const uint8_t *end = memchr(data, '\0', size);
		size_t len = end ? (size_t)(end - data) : size;
		struct event ev;
		enum event_source src = (enum event_source)(k % SRC_COUNT);
		enum apply_outcome o;

		event_init(&ev);
		if (wire_event_parse((const char *)data, len, &ev, err, sizeof err) == 0) {
			const char *fax_id = ev.object == EVOBJ_FAX ? ev.fax.id : NULL;
			bool was_terminal = fuzz_terminal(m, fax_id);

			o = model_apply(m, &ev, src, now);
			fuzz_check(o < APPLY_OUTCOME_COUNT, "unknown outcome %d", (int)o);
			if (was_terminal)
				fuzz_check(fuzz_terminal(m, fax_id),
					   "%s took fax %s out of its terminal status",
					   ev.type_name, fax_id);
			if (o == APPLY_OK)
				fuzz_check(model_apply(m, &ev, src, now) == APPLY_DUPLICATE,
					   "event %s applied twice", ev.id);
			if (ev.object == EVOBJ_FAX) {
				was_terminal = fuzz_terminal(m, fax_id);
				o = model_apply_fax(m, &ev.fax, SRC_API, now);
				fuzz_check(o < APPLY_OUTCOME_COUNT, "unknown outcome %d", (int)o);
				if (was_terminal)
					fuzz_check(
						fuzz_terminal(m, fax_id),
						"a snapshot took fax %s out of its terminal status",
						fax_id);
			} else if (ev.object == EVOBJ_BALANCE) {
				model_apply_balance(m, &ev.balance, SRC_POLL, now);
			}
		} else {
			model_log(m, now, NULL, NULL, NULL, src, APPLY_INVALID, err);
		}
		event_done(&ev);
		fuzz_check_model(m);
		now += 1500;
		if (!end)
			break;
		data += len + 1;
		size -= len + 1;
	}
	model_free(m);
	return 0;
}
