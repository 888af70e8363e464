/* Health: the conditions that need someone to act (a refused key, an API
 * that cannot be reached, refused webhooks, a store that cannot write, money
 * running out), each with the time it began, as one-line banners for the
 * TUI's header.
 *
 * health_update() is cheap and is called on every loop iteration (from the
 * TUI's render step): it notes when each condition began and returns a key
 * that changes whenever anything shown about health changes, so a change is
 * drawn in the same iteration, with no key press. */
#ifndef FAXTOP_APP_HEALTH_H
#define FAXTOP_APP_HEALTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/api/api_client.h"
#include "core/model/model.h"
#include "core/http/webhook.h"

/* Refusals this recent make the signatures banner. */
#define HEALTH_REFUSAL_WINDOW_MS (10 * 60 * 1000)

/* In the order they are shown, most urgent first. X(enum, title) */
#define HEALTH_KIND_LIST(X)                                \
	X(HEALTH_KEY_REFUSED, "API key refused")           \
	X(HEALTH_API_DOWN, "API unreachable")              \
	X(HEALTH_STORE, "store not writable")              \
	X(HEALTH_SHARED, "shared store unreachable")       \
	X(HEALTH_SECRET, "webhook secret unusable")        \
	X(HEALTH_OUT, "out of credit")                     \
	X(HEALTH_SIGNATURES, "webhook signatures refused") \
	X(HEALTH_CATCHUP, "catch-up stopped short")        \
	X(HEALTH_LOW, "balance low")

enum health_kind {
/* clang-format off */
#define X(e, title) e,
	HEALTH_KIND_LIST(X)
#undef X
	HEALTH_COUNT
	/* clang-format on */
};
const char *health_kind_title(enum health_kind k);

/* What the app knows; any source may be absent. */
struct health_input {
	int64_t now_ms;
	const struct api_conn_state *api;        /* NULL: no API configured */
	const struct webhook_refusals *refusals; /* NULL: no listener */
	bool listener_ok;
	bool store_ok;
	const char *store_error;
	const char *shared_error; /* team mode: why the shared store is unusable, "" or NULL: fine */
	const struct model_balance *balance; /* NULL or !known: not known */
	bool balance_fresh;                  /* read in this run */
	int64_t low_balance_cents;           /* < 0: no local threshold */
	const char *catchup_warning;         /* the poller's, "" or NULL: none */
};

struct health {
	bool active[HEALTH_COUNT];
	int64_t since[HEALTH_COUNT];
	char text[HEALTH_COUNT][320];
	int64_t api_failing_since; /* the first failure of the current run, TS_NONE */
	int64_t next_change_ms;    /* ms from now until a banner expires, -1 none */
	uint64_t key;
};

void health_init(struct health *h);
/* Notes what changed; returns the key (see above). */
uint64_t health_update(struct health *h, const struct health_input *in);
/* The active banners, most urgent first: texts (owned by h) and kinds.
 * Returns how many (at most max). */
size_t health_banners(const struct health *h, const char **text, enum health_kind *kinds,
		      size_t max);

#endif
