/* The one resend path: POST /faxes/{id}/resend for the TUI and for
 * `faxtop resend` alike, with one validator, one request record, one
 * result and one audit record.
 *
 * The ledger: a resend of a fax gets an idempotency key that is minted once
 * and kept in the store (table resend_ledger) until its outcome is known: a
 * 201 ("sent") or a definitive refusal ("refused"). Until then the row is
 * "pending" and every later resend of that fax, from any process, reuses
 * the key and the body it was minted with, so a double press, a retry
 * after a timeout, a restart or the command line after the TUI cannot make
 * a second fax. The row is committed before the request goes out
 * (store_on_commit): a crash after sending still finds the key.
 *
 * A fax that was resent already (the ledger says "sent", or the model knows
 * a fax with resent_from pointing to it) is resent again only when the
 * request says so (again); a new key is minted then.
 *
 * Between the commit and the first request of every resend_start stands an
 * optional gate (struct resend_gate: a claim that one faxtop of a team
 * holds); its refusal settles the resend without a request. */
#ifndef FAXTOP_CORE_RESEND_H
#define FAXTOP_CORE_RESEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/api/api_client.h"

struct ev_loop;
struct store;
struct ingest;
struct model;
struct clock;
struct log;
struct resender;
struct triage;

#define RESEND_KEY_MAX 256

struct resend_req {
	const char *fax_id;
	const char *to;   /* NULL: the original's number */
	int max_attempts; /* 0: unchanged */
	bool again;       /* another fax although one was resent already */
	const char *key;  /* NULL: the ledger's (a pending one, else fresh) */
};

/* What happened to a fax's resends so far, from the ledger and the model. */
enum resend_prior_kind {
	RESEND_PRIOR_NONE,
	RESEND_PRIOR_PENDING, /* a key whose outcome is unknown: retried, not renewed */
	RESEND_PRIOR_SENT,    /* a fax was made: only with again */
};

struct resend_prior {
	enum resend_prior_kind kind;
	char key[RESEND_KEY_MAX];
	char new_fax_id[128]; /* SENT: the resend's id ("" when only the model knows) */
	char to[64];          /* the number the key was minted for ("" the original's) */
	int max_attempts;
	int64_t at_ms;  /* when it was asked for (TS_NONE unknown) */
	bool in_flight; /* a request with it is on the way from this process */
};

struct resend_result {
	bool ok;                /* 201 with a fax id */
	bool settled;           /* the outcome is known; false: the key is kept */
	int http_status;        /* 0 when the API was not reached */
	const char *new_fax_id; /* when ok */
	const char *error;      /* machine code when not ok */
	const char *message;    /* sanitised human text when not ok */
	const char *action;     /* suggested next step, "" when none */
	const char *request_id; /* "" when none */
	const char *key;        /* the idempotency key used */
	bool reused_key;        /* it was an earlier, pending key */
	/* The API client's view, for the command line's advice: */
	enum api_outcome outcome;
	const char *api_message; /* one sanitised line naming code, status, request */
	long retry_after_s;      /* -1 when absent */
};
typedef void (*resend_done_fn)(void *ctx, const struct resend_result *r);

/* A gate every resend passes after its key is committed to the ledger and
 * before the request goes out (team mode: a claim in the shared store). It
 * answers through cont exactly once, from the loop (never from inside the
 * gate call itself), possibly much later: ok true to go on; ok false with a
 * reason, which ends the resend as a settled refusal (result.ok false,
 * settled true, error "claimed", message = the reason sanitised, e.g.
 * "being resent by ops@desk2 since 16:15", http_status 0), and the key's
 * ledger row becomes "refused" with that error, so a later resend mints a
 * new key. */
typedef void (*resend_gate_cont)(void *cont_ctx, bool ok, const char *why);
struct resend_gate {
	void (*pass)(void *ctx, const char *fax_id, const char *key, resend_gate_cont cont,
		     void *cont_ctx);
	/* The resend stopped waiting (resend_free): cont for cont_ctx must not be called any more. */
	void (*cancel)(void *ctx, void *cont_ctx);
	/* After a resend that passed the gate settles: sent true when a fax was made, false when it
	 * was refused for good (the claim may be given back). Not called while the outcome is
	 * unknown (the key stays pending). Called once the outcome is written to the store's
	 * open batch (not yet committed), before the resend's done. */
	void (*settled)(void *ctx, const char *fax_id, const char *key, bool sent);
	void *ctx;
};

struct resend_opts {
	int max_tries;                  /* attempts with the same key on 5xx/429/network
				       * or 409 idempotency_key_in_progress (0: 3) */
	const char *who;                /* "user@host" for the audit trail (NULL: resend_who) */
	struct triage *triage;          /* told which faxes have a pending key (may be NULL) */
	const struct resend_gate *gate; /* NULL: none (one faxtop per store); copied */
};

/* store is required; ingest (the new fax into the model) and log may be
 * NULL. */
struct resender *resend_new(struct ev_loop *loop, struct api_client *api, struct store *store,
			    struct ingest *in, const struct clock *clock, struct log *log,
			    const struct resend_opts *opts);
/* Drops calls on the way (and tells the gate of those waiting on it); their
 * done never runs. */
void resend_free(struct resender *r);

/* The fax's earlier resend, if any: the ledger's newest row, then the
 * model's resent_from links (m may be NULL). 0, or -1 when the store could
 * not be read. */
int resend_prior(struct resender *r, const struct model *m, const char *fax_id,
		 struct resend_prior *out);
/* Starts a resend. done runs exactly once, from the loop, never from
 * inside this call. -1 with err when it was refused before anything was
 * stored or sent: a bad request, a resend of this fax on the way already,
 * an earlier resend without again, or a store that cannot keep the key. */
int resend_start(struct resender *r, const struct model *m, const struct resend_req *req,
		 resend_done_fn done, void *ctx, char *err, size_t errlen);
/* Calls started and not answered yet, waiting on the gate too. */
unsigned resend_in_flight(const struct resender *r);
bool resend_is_in_flight(const struct resender *r, const char *fax_id);

/* The one E.164 rule of faxtop (the contract's ^\+[1-9]\d{1,14}$). */
bool resend_valid_e164(const char *s);
/* 1 to 64 of [A-Za-z0-9_-]. */
bool resend_valid_fax_id(const char *s);
/* A random UUIDv4 (OpenSSL RAND_bytes): a fresh Idempotency-Key. */
void resend_new_key(char buf[37]);
/* "user@host" of this process, sanitised. */
void resend_who(char *buf, size_t len);
/* "12 Mar 16:15" style local time for naming an earlier resend. */
void resend_fmt_time(int64_t ms, char *buf, size_t len);

#endif
