/* Webhook signatures: Standard Webhooks (docs/CONTRACT.md#signatures) and the legacy mintfax scheme
 * (docs/CONTRACT.md#legacy). HMAC-SHA256 by OpenSSL, constant-time comparison. */
#ifndef FAXTOP_CORE_SIGNATURE_H
#define FAXTOP_CORE_SIGNATURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIG_SCHEME_LIST(X)          \
	X(SIG_AUTO, "auto")         \
	X(SIG_STANDARD, "standard") \
	X(SIG_LEGACY, "legacy")

enum sig_scheme {
#define X(e, name) e,
	SIG_SCHEME_LIST(X)
#undef X
};
const char *sig_scheme_name(enum sig_scheme s);
int sig_scheme_from_name(const char *name, enum sig_scheme *out); /* 0 or -1 */

/* Why a request was refused, one row each: X(enum, reason shown in the 401
 * body and counters, HTTP status of the answer, the message that explains
 * it to the sender). */
#define SIG_RESULT_LIST(X)                                                                         \
	X(SIG_OK, "ok", 200, "ok")                                                                 \
	X(SIG_MISSING_HEADER, "missing_header", 401, "a signature header is missing")              \
	X(SIG_MALFORMED_HEADER, "malformed_header", 401,                                           \
	  "the signature header holds no well-formed signature")                                   \
	X(SIG_BAD_TIMESTAMP, "bad_timestamp", 401, "the timestamp is not unix seconds")            \
	X(SIG_STALE_TIMESTAMP, "stale_timestamp", 401, "the timestamp is too old")                 \
	X(SIG_FUTURE_TIMESTAMP, "future_timestamp", 401, "the timestamp is too far in the future") \
	X(SIG_MISMATCH, "signature_mismatch", 401, "no signature matches")                         \
	X(SIG_NO_SECRET, "no_secret_configured", 401,                                              \
	  "no secret is configured for this signature scheme")

enum sig_result {
/* clang-format off */
#define X(e, name, status, text) e,
	SIG_RESULT_LIST(X)
#undef X
	SIG_RESULT_COUNT
	/* clang-format on */
};
const char *sig_result_name(enum sig_result r);
int sig_result_status(enum sig_result r);
const char *sig_result_text(enum sig_result r);

#define SIG_MAX_KEY 128
/* The fewest bytes a standard (base64) key may decode to. */
#define SIG_MIN_STD_KEY 16

/* A secret turned into key bytes: for the standard scheme the base64-decode
 * of what follows "whsec_"; for the legacy scheme the secret's own bytes. */
struct sig_key {
	unsigned char std[SIG_MAX_KEY];
	size_t std_len; /* 0 if it does not decode to a key */
	unsigned char legacy[SIG_MAX_KEY];
	size_t legacy_len;
};

/* 0, or -1 with a clear message (never containing the secret). For the
 * standard and auto schemes a secret that does not decode to a standard key
 * is refused; only the legacy scheme takes any secret's bytes. */
int sig_key_from_secret(const char *secret, enum sig_scheme scheme, struct sig_key *out, char *err,
			size_t errlen);
void sig_key_wipe(struct sig_key *k);

struct sig_verifier {
	enum sig_scheme scheme;
	struct sig_key keys[2]; /* two during rotation */
	unsigned n_keys;
	int64_t tolerance_s; /* ±, default 300 */
};

/* The headers a verifier looks at, by name (lookup is the caller's). */
struct sig_headers {
	const char *webhook_id;        /* webhook-id */
	const char *webhook_timestamp; /* webhook-timestamp */
	const char *webhook_signature; /* webhook-signature */
	const char *legacy_signature;  /* X-Mintfax-Signature */
	const char *legacy_timestamp;  /* X-Mintfax-Timestamp */
};

enum sig_result sig_verify(const struct sig_verifier *v, const struct sig_headers *h,
			   const char *body, size_t len, int64_t now_s);

/* "v1,<base64>" for id.timestamp.body. out needs 64 bytes. 0 or -1. */
int sig_sign_standard(const struct sig_key *k, const char *id, int64_t ts, const char *body,
		      size_t len, char *out, size_t outlen);
/* Lowercase hex HMAC of timestamp.body. out needs 65 bytes. 0 or -1. */
int sig_sign_legacy(const struct sig_key *k, int64_t ts, const char *body, size_t len, char *out,
		    size_t outlen);
/* A fresh random secret "whsec_<base64 of 32 bytes>". out needs 64 bytes. */
int sig_generate_secret(char *out, size_t outlen);

#endif
