/* Webhook signature verification (core/http/signature.h) with hostile headers.
 *
 * Input: byte 0 flags (bits 0-1 scheme: 0 auto, 1 standard, 2 legacy, 3
 * auto; bit 2: two keys, as during rotation; bits 3-7: webhook-id,
 * webhook-timestamp, webhook-signature, X-Mintfax-Signature and
 * X-Mintfax-Timestamp absent), then those five header values one per line,
 * then the raw body. The clock is fixed at FUZZ_SIG_NOW; the seeds in
 * corpus/signature carry genuine signatures for it (tests/fuzz/seeds.py).
 *
 * The security invariant: sig_verify() says SIG_OK only if the request
 * really carries the HMAC, computed here independently with OpenSSL, of the
 * signed content under one of the configured keys, and its timestamp is
 * within the tolerance. Also: every result is a known one, and turning a
 * fuzzed string into a key neither crashes nor leaks. */
#include <config.h>

#include <ctype.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdbool.h>
#include <strings.h>

#include "core/http/signature.h"
#include "tests/fuzz/fuzz.h"

#define FUZZ_SIG_NOW        1747173600
#define FUZZ_SIG_TOLERANCE  300
#define FUZZ_SIG_SECRET     "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
#define FUZZ_SIG_MARKER     "Kx7Qz9Wv"
#define FUZZ_SIG_OLD_SECRET "whsec_dGhpcyBpcyB0aGUgb2xkIHNlY3JldCBrZXkh"

static void fuzz_hmac(const unsigned char *key, size_t keylen, const char *a, const char *b,
		      const char *body, size_t len, unsigned char mac[32])
{
	size_t la = a ? strlen(a) + 1 : 0, lb = strlen(b) + 1;
	unsigned char *msg = malloc(la + lb + len + 1);
	unsigned int n = 32;

	if (!msg)
		abort();
	if (a) {
		memcpy(msg, a, la - 1);
		msg[la - 1] = '.';
	}
	memcpy(msg + la, b, lb - 1);
	msg[la + lb - 1] = '.';
	if (len)
		memcpy(msg + la + lb, body, len);
	if (!HMAC(EVP_sha256(), key, (int)keylen, msg, la + lb + len, mac, &n))
		abort();
	free(msg);
}

/* Decodes base64 (standard or URL alphabet, padding optional); -1 if not. */
static int fuzz_b64(const char *s, size_t len, unsigned char *out, size_t cap)
{
	static const char std[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	uint32_t acc = 0;
	int bits = 0;
	size_t n = 0;

	while (len && s[len - 1] == '=')
		len--;
	for (size_t i = 0; i < len; i++) {
		const char *p = strchr(std, s[i]);
		int v = s[i] == '-' ? 62 : s[i] == '_' ? 63 : (p && s[i]) ? (int)(p - std) : -1;

		if (v < 0)
			return -1;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n == cap)
				return -1;
			out[n++] = (unsigned char)(acc >> bits);
		}
	}
	return (int)n;
}

static bool fuzz_std_token_matches(const char *header, const unsigned char mac[32])
{
	const char *p = header;

	while (*p) {
		size_t t;
		unsigned char got[64];

		while (*p == ' ')
			p++;
		t = strcspn(p, " ");
		if (t > 3 && memcmp(p, "v1,", 3) == 0 &&
		    fuzz_b64(p + 3, t - 3, got, sizeof got) == 32 && memcmp(got, mac, 32) == 0)
			return true;
		p += t;
	}
	return false;
}

static bool fuzz_parse_ts(const char *s, int64_t *out)
{
	char *end;
	long long v;

	if (!*s || !isdigit((unsigned char)*s))
		return false;
	v = strtoll(s, &end, 10);
	*out = v;
	return *end == '\0';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sig_verifier v = { .tolerance_s = FUZZ_SIG_TOLERANCE };
	struct sig_headers h;
	struct sig_key probe;
	char *f[5];
	char err[512];
	uint8_t flags;
	enum sig_result r;
	enum sig_scheme sch;

	if (size < 1)
		return 0;
	flags = data[0];
	data++, size--;
	for (int i = 0; i < 5; i++)
		f[i] = fuzz_take_field(&data, &size, '\n');

	v.scheme = (flags & 3) == 1 ? SIG_STANDARD : (flags & 3) == 2 ? SIG_LEGACY : SIG_AUTO;
	if (flags & 4) {
		if (sig_key_from_secret(FUZZ_SIG_OLD_SECRET, SIG_AUTO, &v.keys[v.n_keys++], err,
					sizeof err))
			abort();
	}
	if (sig_key_from_secret(FUZZ_SIG_SECRET, SIG_AUTO, &v.keys[v.n_keys++], err, sizeof err))
		abort();
	h.webhook_id = (flags & 0x08) ? NULL : f[0];
	h.webhook_timestamp = (flags & 0x10) ? NULL : f[1];
	h.webhook_signature = (flags & 0x20) ? NULL : f[2];
	h.legacy_signature = (flags & 0x40) ? NULL : f[3];
	h.legacy_timestamp = (flags & 0x80) ? NULL : f[4];

	r = sig_verify(&v, &h, (const char *)data, size, FUZZ_SIG_NOW);
	fuzz_check(r < SIG_RESULT_COUNT && *sig_result_name(r), "unknown result %d", (int)r);

	if (r == SIG_OK) {
		bool std = v.scheme == SIG_STANDARD ||
			(v.scheme == SIG_AUTO &&
			 (h.webhook_id || h.webhook_timestamp || h.webhook_signature));
		bool genuine = false;
		int64_t ts;

		if (std) {
			fuzz_check(fuzz_parse_ts(h.webhook_timestamp, &ts), "accepted timestamp %s",
				   h.webhook_timestamp);
			for (unsigned k = 0; k < v.n_keys; k++) {
				unsigned char mac[32];

				fuzz_hmac(v.keys[k].std, v.keys[k].std_len, h.webhook_id,
					  h.webhook_timestamp, (const char *)data, size, mac);
				genuine |= fuzz_std_token_matches(h.webhook_signature, mac);
			}
		} else {
			/* The timestamp may ride in the header ("t=…,v1=…"): as an
			 * element (split at commas, spaces trimmed) that starts with
			 * "t=", and then only once. */
			const char *t = h.legacy_timestamp;
			char tbuf[32] = "";
			int n_t = 0;

			for (const char *p = h.legacy_signature; *p;) {
				size_t n, e;

				while (*p == ' ' || *p == ',')
					p++;
				n = e = strcspn(p, ",");
				while (e > 0 && p[e - 1] == ' ')
					e--;
				if (e > 2 && strncmp(p, "t=", 2) == 0) {
					fuzz_check(e - 2 < sizeof tbuf, "long t= accepted");
					memcpy(tbuf, p + 2, e - 2);
					tbuf[e - 2] = '\0';
					t = tbuf;
					n_t++;
				}
				p += n;
			}
			fuzz_check(n_t <= 1, "SIG_OK with %d t= elements", n_t);
			fuzz_check(t && fuzz_parse_ts(t, &ts), "accepted legacy timestamp");
			for (unsigned k = 0; k < v.n_keys; k++) {
				unsigned char mac[32];
				char hex[65];

				fuzz_hmac(v.keys[k].legacy, v.keys[k].legacy_len, NULL, t,
					  (const char *)data, size, mac);
				for (int i = 0; i < 32; i++)
					snprintf(hex + 2 * i, 3, "%02x", mac[i]);
				genuine |= strcasestr(h.legacy_signature, hex) != NULL;
			}
		}
		fuzz_check(genuine, "SIG_OK for a request not signed with a configured key");
		fuzz_check(ts >= FUZZ_SIG_NOW - FUZZ_SIG_TOLERANCE &&
				   ts <= FUZZ_SIG_NOW + FUZZ_SIG_TOLERANCE,
			   "SIG_OK for timestamp %lld outside the tolerance", (long long)ts);
	}

	/* Fuzzed text as a secret and as a scheme name. A refusal must not
	 * quote the secret: the marker appended here is nowhere in the
	 * messages, so finding it means the secret's text was copied. */
	for (int s = 0; s < 3; s++) {
		size_t n = strlen(f[0]);
		char *marked = malloc(n + sizeof FUZZ_SIG_MARKER);

		if (!marked)
			abort();
		memcpy(marked, f[0], n);
		memcpy(marked + n, FUZZ_SIG_MARKER, sizeof FUZZ_SIG_MARKER);
		if (sig_key_from_secret(f[0], (enum sig_scheme)s, &probe, err, sizeof err) == 0) {
			fuzz_check(probe.std_len <= SIG_MAX_KEY && probe.legacy_len <= SIG_MAX_KEY,
				   "key longer than the buffer");
			fuzz_check((enum sig_scheme)s != SIG_STANDARD || probe.std_len > 0,
				   "standard key without bytes");
		}
		sig_key_wipe(&probe);
		err[0] = '\0';
		if (sig_key_from_secret(marked, (enum sig_scheme)s, &probe, err, sizeof err) != 0)
			fuzz_check(!strstr(err, FUZZ_SIG_MARKER), "the error quotes the secret: %s",
				   err);
		sig_key_wipe(&probe);
		free(marked);
	}
	sig_scheme_from_name(f[1], &sch);

	sig_key_wipe(&v.keys[0]);
	sig_key_wipe(&v.keys[1]);
	for (int i = 0; i < 5; i++)
		free(f[i]);
	return 0;
}
