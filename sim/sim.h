/* faxsim: a local stand-in for the mintfax sandbox (issue 3), built on core/.
 * One struct sim serves the REST API under /v1 on loopback, runs the fax
 * lifecycle on ev_timers scaled by `speed`, keeps every event for /events
 * and delivers signed webhooks with the 4-attempt retry schedule.
 *
 * Used by the faxsim binary (sim/main.c) and by `faxtop --demo`, which runs
 * it inside faxtop's own loop. Two sims can share one process and one loop:
 * there is no global state. */
#ifndef FAXTOP_SIM_SIM_H
#define FAXTOP_SIM_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ev_loop;
struct clock;
struct log;
struct sim;

/* The documented test secret used when none is given (it base64-decodes). */
#define SIM_DEFAULT_SECRET "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
#define SIM_DEFAULT_KEY    "mfx_test_sim"
#define SIM_DEFAULT_LISTEN "127.0.0.1:8025"

struct sim_opts {
	const char *listen;      /* "127.0.0.1:0"; default SIM_DEFAULT_LISTEN */
	const char *webhook_url; /* NULL: no environment endpoint (events still kept) */
	const char *secret;      /* whsec_…; NULL: SIM_DEFAULT_SECRET */
	const char *api_key;     /* mfx_test_…; NULL: SIM_DEFAULT_KEY */
	uint64_t seed;           /* same seed, same traffic */
	double rate;             /* faxes per (simulated) minute from the built-in
				       * traffic driver; 0 = none */
	double speed;            /* time scale, 1 = real time, 100 = 100× faster */
	double duplicate;        /* P(an event is delivered twice) */
	double drop;             /* P(an event is never delivered) */
	double api_errors;       /* P(an API request answers 503 or 429) */
	int reorder;             /* shuffle deliveries within a window of N (0, 1: off) */
	int slow_ms;             /* delay every API answer by this much */
	bool legacy_signatures; /* X-Mintfax-Signature (docs/CONTRACT.md#legacy) instead of Standard Webhooks */
	int64_t initial_balance_cents;       /* default 5000 */
	int64_t low_balance_threshold_cents; /* balance.low below this; default 1000 */
	int rate_limit_per_min;              /* per key, sliding minute; default 600 */
	double failure_share;      /* share of ordinary numbers that end failed; default 0.2 */
	bool auto_topup;           /* traffic driver tops up when it runs dry (demo) */
	uint64_t traffic_limit;    /* the driver stops after this many faxes; 0 = never */
	const struct clock *clock; /* NULL: the system clock */
	struct log *log;           /* NULL: no logging */
};

void sim_opts_init(struct sim_opts *o);

/* Creates the sim and listens at once. NULL with a message in err. */
struct sim *sim_new(struct ev_loop *loop, const struct sim_opts *o, char *err, size_t errlen);
/* "127.0.0.1:PORT", valid for the life of the sim. */
const char *sim_address(const struct sim *s);
/* The environment webhook endpoint; NULL or "" turns it off. */
void sim_set_webhook_url(struct sim *s, const char *url);
/* Adds credit and emits balance.topup. 0, or -1 for a non-positive or
 * overflowing amount. */
int sim_topup(struct sim *s, int64_t cents);
/* Stops accepting, cancels timers and transfers, frees everything. Not to be
 * called from inside one of the sim's own callbacks. */
void sim_free(struct sim *s);

struct sim_stats {
	uint64_t faxes, events, deliveries_ok, deliveries_failed, api_requests;
	int64_t available_cents, held_cents;
};
void sim_get_stats(const struct sim *s, struct sim_stats *out);

#endif
