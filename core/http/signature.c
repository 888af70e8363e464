/* Webhook signatures: Standard Webhooks (docs/CONTRACT.md#signatures) and the legacy scheme (docs/CONTRACT.md#legacy).
 * HMAC-SHA256 through OpenSSL's EVP_MAC; comparisons by CRYPTO_memcmp.
 * Nothing here ever formats a secret or a key into a message. */
#include <config.h> /* autoconf's; "config.h" would find core/base/options.h */

#include "core/http/signature.h"

#include <ctype.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>

#define SIG_MAC_LEN    32
#define SIG_PREFIX     "whsec_"
#define SIG_MAX_TOKENS 16 /* rotation needs two; more is noise to bound */

const char *sig_scheme_name(enum sig_scheme s)
{
	switch (s) {
#define X(e, name) \
	case e:    \
		return name;
		SIG_SCHEME_LIST(X)
#undef X
	}
	return "?";
}

int sig_scheme_from_name(const char *name, enum sig_scheme *out)
{
	if (!name)
		return -1;
#define X(e, n)                     \
	if (strcmp(name, n) == 0) { \
		*out = e;           \
		return 0;           \
	}
	SIG_SCHEME_LIST(X)
#undef X
	return -1;
}

static const struct sig_result_row {
	const char *name;
	int status;
	const char *text;
} sig_results[SIG_RESULT_COUNT] = {
#define X(e, name, status, text) [e] = { name, status, text },
	SIG_RESULT_LIST(X)
#undef X
};

const char *sig_result_name(enum sig_result r)
{
	return (unsigned)r < SIG_RESULT_COUNT ? sig_results[r].name : "?";
}

int sig_result_status(enum sig_result r)
{
	return (unsigned)r < SIG_RESULT_COUNT ? sig_results[r].status : 401;
}

const char *sig_result_text(enum sig_result r)
{
	return (unsigned)r < SIG_RESULT_COUNT ? sig_results[r].text : "?";
}

/* ---- primitives ---- */

struct sig_part {
	const void *data;
	size_t len;
};

static int hmac_sha256(const unsigned char *key, size_t keylen, const struct sig_part *parts,
		       size_t n, unsigned char out[SIG_MAC_LEN])
{
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
	OSSL_PARAM params[2];
	size_t outl = 0, i;
	int ok = 0;

	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_end();
	if (ctx && EVP_MAC_init(ctx, key, keylen, params)) {
		ok = 1;
		for (i = 0; i < n && ok; i++)
			if (parts[i].len)
				ok = EVP_MAC_update(ctx, parts[i].data, parts[i].len);
		ok = ok && EVP_MAC_final(ctx, out, &outl, SIG_MAC_LEN) && outl == SIG_MAC_LEN;
	}
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	return ok ? 0 : -1;
}

static bool b64_char(char c)
{
	return isalnum((unsigned char)c) || c == '+' || c == '/';
}

/* Strict standard base64 (padding optional). Returns the decoded length or
 * -1 on anything else, including a result longer than outlen. */
static int b64_decode(const char *s, size_t len, unsigned char *out, size_t outlen)
{
	unsigned char tmp[4 * SIG_MAX_KEY];
	char in[4 * SIG_MAX_KEY];
	size_t data = 0, pad = 0, total, i;
	int n;

	while (data < len && b64_char(s[data]))
		data++;
	for (i = data; i < len && s[i] == '='; i++)
		pad++;
	if (i != len || data == 0 || pad > 2 || data % 4 == 1 || (pad && (data + pad) % 4 != 0) ||
	    data + 4 > sizeof in)
		return -1;
	memcpy(in, s, data);
	/* EVP_DecodeBlock wants whole quanta: put back any padding left off. */
	for (total = data; total % 4; total++)
		in[total] = '=';
	n = EVP_DecodeBlock(tmp, (const unsigned char *)in, (int)total);
	OPENSSL_cleanse(in, sizeof in);
	/* It counts the padding as zero bytes. */
	if (n < 0 || (size_t)n != total / 4 * 3 || (size_t)n - (total - data) > outlen) {
		OPENSSL_cleanse(tmp, sizeof tmp);
		return -1;
	}
	n -= (int)(total - data);
	memcpy(out, tmp, (size_t)n);
	OPENSSL_cleanse(tmp, sizeof tmp);
	return n;
}

static int b64_encode(const unsigned char *in, size_t len, char *out, size_t outlen)
{
	if (outlen < 4 * ((len + 2) / 3) + 1)
		return -1;
	return EVP_EncodeBlock((unsigned char *)out, in, (int)len);
}

static int hex_decode(const char *s, size_t len, unsigned char *out, size_t outlen)
{
	size_t i;

	if (len != 2 * outlen)
		return -1;
	for (i = 0; i < outlen; i++) {
		int hi, lo;
		char a = (char)tolower((unsigned char)s[2 * i]);
		char b = (char)tolower((unsigned char)s[2 * i + 1]);

		if (!isxdigit((unsigned char)a) || !isxdigit((unsigned char)b))
			return -1;
		hi = isdigit((unsigned char)a) ? a - '0' : a - 'a' + 10;
		lo = isdigit((unsigned char)b) ? b - '0' : b - 'a' + 10;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

/* ---- keys ---- */

int sig_key_from_secret(const char *secret, enum sig_scheme scheme, struct sig_key *out, char *err,
			size_t errlen)
{
	const char *b64;
	size_t len;
	int n;

	memset(out, 0, sizeof *out);
	if (!secret || !*secret) {
		snprintf(err, errlen, "the webhook secret is empty");
		return -1;
	}
	len = strlen(secret);
	if (len > SIG_MAX_KEY) {
		snprintf(err, errlen, "the webhook secret is too long (%zu characters, at most %d)",
			 len, SIG_MAX_KEY);
		return -1;
	}
	memcpy(out->legacy, secret, len);
	out->legacy_len = len;
	/* As the Standard Webhooks libraries do: the prefix is optional. */
	b64 = strncmp(secret, SIG_PREFIX, strlen(SIG_PREFIX)) == 0 ? secret + strlen(SIG_PREFIX)
								   : secret;
	n = b64_decode(b64, strlen(b64), out->std, sizeof out->std);
	/* A key of a few bytes could be guessed: no issuer hands one out (the
	 * Standard Webhooks libraries make 24 to 64), so it is no standard key. */
	if (n >= SIG_MIN_STD_KEY)
		out->std_len = (size_t)n;
	else
		OPENSSL_cleanse(out->std, sizeof out->std);
	/* Under auto too: mintfax signs with the standard scheme, so a secret
	 * that gives no standard key would refuse every webhook while the
	 * listener looked healthy. A legacy secret is chosen explicitly. */
	if (scheme != SIG_LEGACY && out->std_len == 0) {
		sig_key_wipe(out);
		if (n > 0)
			snprintf(err, errlen,
				 "the webhook secret is too short: it decodes to %d "
				 "bytes, and a Standard Webhooks key has at least %d (copy the "
				 "whole "
				 "secret from the mintfax dashboard)",
				 n, SIG_MIN_STD_KEY);
		else
			snprintf(err, errlen,
				 "the webhook secret does not decode: the text after "
				 "\"whsec_\" must be standard base64 (copy the whole secret from "
				 "the "
				 "mintfax dashboard; an older secret that is not base64 works only "
				 "with "
				 "signature-scheme = legacy)");
		return -1;
	}
	return 0;
}

void sig_key_wipe(struct sig_key *k)
{
	if (k)
		OPENSSL_cleanse(k, sizeof *k);
}

/* ---- verification ---- */

/* Unix seconds in ASCII decimal, nothing else. */
static int parse_ts(const char *s, int64_t *out)
{
	int64_t v = 0;
	size_t i, n = strlen(s);

	if (n == 0 || n > 18)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

static enum sig_result check_ts(const struct sig_verifier *v, int64_t ts, int64_t now_s)
{
	int64_t tol = v->tolerance_s > 0 ? v->tolerance_s : 300;

	if (ts < now_s - tol)
		return SIG_STALE_TIMESTAMP;
	if (ts > now_s + tol)
		return SIG_FUTURE_TIMESTAMP;
	return SIG_OK;
}

static enum sig_result verify_standard(const struct sig_verifier *v, const struct sig_headers *h,
				       const char *body, size_t len, int64_t now_s)
{
	unsigned char macs[2][SIG_MAC_LEN];
	bool have[2] = { false, false };
	const char *p;
	unsigned i, tokens = 0, parsed = 0;
	int64_t ts;
	enum sig_result r;
	bool any_key = false;

	if (!h->webhook_id || !h->webhook_timestamp || !h->webhook_signature)
		return SIG_MISSING_HEADER;
	if (!*h->webhook_id || !*h->webhook_signature)
		return SIG_MALFORMED_HEADER;
	if (parse_ts(h->webhook_timestamp, &ts) < 0)
		return SIG_BAD_TIMESTAMP;
	r = check_ts(v, ts, now_s);
	if (r != SIG_OK)
		return r;
	for (i = 0; i < v->n_keys && i < 2; i++) {
		struct sig_part parts[] = {
			{ h->webhook_id, strlen(h->webhook_id) },
			{ ".", 1 },
			{ h->webhook_timestamp, strlen(h->webhook_timestamp) },
			{ ".", 1 },
			{ body, len },
		};

		if (!v->keys[i].std_len)
			continue;
		any_key = true;
		if (hmac_sha256(v->keys[i].std, v->keys[i].std_len, parts, 5, macs[i]) == 0)
			have[i] = true;
	}
	if (!any_key)
		return SIG_NO_SECRET;
	r = SIG_MALFORMED_HEADER;
	for (p = h->webhook_signature; *p && tokens < SIG_MAX_TOKENS;) {
		size_t tlen;
		unsigned char sig[SIG_MAC_LEN + 3];
		int n;

		while (*p == ' ')
			p++;
		tlen = strcspn(p, " ");
		if (tlen == 0)
			break;
		tokens++;
		/* Other versions (v1a, v2…) are not ours to judge. */
		if (tlen > 3 && memcmp(p, "v1,", 3) == 0) {
			n = b64_decode(p + 3, tlen - 3, sig, sizeof sig);
			if (n == SIG_MAC_LEN) {
				parsed++;
				for (i = 0; i < 2; i++)
					if (have[i] &&
					    CRYPTO_memcmp(sig, macs[i], SIG_MAC_LEN) == 0)
						r = SIG_OK;
			}
		}
		p += tlen;
	}
	OPENSSL_cleanse(macs, sizeof macs);
	if (r == SIG_OK)
		return SIG_OK;
	return parsed ? SIG_MISMATCH : SIG_MALFORMED_HEADER;
}

/* The legacy signature header is plain hex, or the marketing page's
 * "t=<ts>,v1=<hex>[,v1=<hex>]" form (which may carry its own timestamp, once:
 * elements are split at commas, and an element is "t=" only at its start). */
static enum sig_result verify_legacy(const struct sig_verifier *v, const struct sig_headers *h,
				     const char *body, size_t len, int64_t now_s)
{
	unsigned char sigs[SIG_MAX_TOKENS][SIG_MAC_LEN];
	unsigned n_sigs = 0, i, k;
	char ts_buf[24];
	const char *ts_str = h->legacy_timestamp;
	const char *s = h->legacy_signature;
	int64_t ts;
	enum sig_result r = SIG_MISMATCH;
	bool any_key = false;

	if (!s)
		return SIG_MISSING_HEADER;
	if (strncmp(s, "t=", 2) == 0 || strstr(s, "v1=")) {
		const char *p = s;

		while (*p) {
			size_t flen;

			while (*p == ' ' || *p == ',')
				p++;
			flen = strcspn(p, ",");
			while (flen > 0 && p[flen - 1] == ' ')
				flen--;
			if (flen > 2 && strncmp(p, "t=", 2) == 0) {
				/* Two timestamps make the signed content ambiguous. */
				if (ts_str == ts_buf)
					return SIG_MALFORMED_HEADER;
				if (flen - 2 >= sizeof ts_buf)
					return SIG_BAD_TIMESTAMP;
				memcpy(ts_buf, p + 2, flen - 2);
				ts_buf[flen - 2] = '\0';
				ts_str = ts_buf;
			} else if (flen > 3 && strncmp(p, "v1=", 3) == 0 &&
				   n_sigs < SIG_MAX_TOKENS) {
				if (hex_decode(p + 3, flen - 3, sigs[n_sigs], SIG_MAC_LEN) == 0)
					n_sigs++;
			}
			p += flen;
			while (*p && *p != ',')
				p++;
		}
	} else if (hex_decode(s, strlen(s), sigs[0], SIG_MAC_LEN) == 0) {
		n_sigs = 1;
	}
	if (!ts_str)
		return SIG_MISSING_HEADER;
	if (n_sigs == 0)
		return SIG_MALFORMED_HEADER;
	if (parse_ts(ts_str, &ts) < 0)
		return SIG_BAD_TIMESTAMP;
	r = check_ts(v, ts, now_s);
	if (r != SIG_OK)
		return r;
	r = SIG_MISMATCH;
	for (k = 0; k < v->n_keys && k < 2; k++) {
		unsigned char mac[SIG_MAC_LEN];
		struct sig_part parts[] = { { ts_str, strlen(ts_str) }, { ".", 1 }, { body, len } };

		if (!v->keys[k].legacy_len)
			continue;
		any_key = true;
		if (hmac_sha256(v->keys[k].legacy, v->keys[k].legacy_len, parts, 3, mac) < 0)
			continue;
		for (i = 0; i < n_sigs; i++)
			if (CRYPTO_memcmp(mac, sigs[i], SIG_MAC_LEN) == 0)
				r = SIG_OK;
		OPENSSL_cleanse(mac, sizeof mac);
	}
	return any_key ? r : SIG_NO_SECRET;
}

enum sig_result sig_verify(const struct sig_verifier *v, const struct sig_headers *h,
			   const char *body, size_t len, int64_t now_s)
{
	bool std_hdrs, legacy_hdrs;

	if (!v || v->n_keys == 0)
		return SIG_NO_SECRET;
	if (!body)
		body = "", len = 0;
	std_hdrs = h->webhook_id || h->webhook_timestamp || h->webhook_signature;
	legacy_hdrs = h->legacy_signature || h->legacy_timestamp;
	switch (v->scheme) {
	case SIG_STANDARD:
		return verify_standard(v, h, body, len, now_s);
	case SIG_LEGACY:
		return verify_legacy(v, h, body, len, now_s);
	case SIG_AUTO:
		break;
	}
	if (std_hdrs)
		return verify_standard(v, h, body, len, now_s);
	if (legacy_hdrs)
		return verify_legacy(v, h, body, len, now_s);
	return SIG_MISSING_HEADER;
}

/* ---- signing ---- */

int sig_sign_standard(const struct sig_key *k, const char *id, int64_t ts, const char *body,
		      size_t len, char *out, size_t outlen)
{
	unsigned char mac[SIG_MAC_LEN];
	char ts_str[24];
	int n;

	if (!k || !id || !k->std_len || outlen < 4 + 44 || ts < 0)
		return -1;
	n = snprintf(ts_str, sizeof ts_str, "%lld", (long long)ts);
	{
		struct sig_part parts[] = { { id, strlen(id) },
					    { ".", 1 },
					    { ts_str, (size_t)n },
					    { ".", 1 },
					    { body ? body : "", body ? len : 0 } };

		if (hmac_sha256(k->std, k->std_len, parts, 5, mac) < 0)
			return -1;
	}
	memcpy(out, "v1,", 3);
	n = b64_encode(mac, sizeof mac, out + 3, outlen - 3);
	OPENSSL_cleanse(mac, sizeof mac);
	return n < 0 ? -1 : 0;
}

int sig_sign_legacy(const struct sig_key *k, int64_t ts, const char *body, size_t len, char *out,
		    size_t outlen)
{
	unsigned char mac[SIG_MAC_LEN];
	char ts_str[24];
	size_t i;
	int n;

	if (!k || !k->legacy_len || outlen < 2 * SIG_MAC_LEN + 1 || ts < 0)
		return -1;
	n = snprintf(ts_str, sizeof ts_str, "%lld", (long long)ts);
	{
		struct sig_part parts[] = { { ts_str, (size_t)n },
					    { ".", 1 },
					    { body ? body : "", body ? len : 0 } };

		if (hmac_sha256(k->legacy, k->legacy_len, parts, 3, mac) < 0)
			return -1;
	}
	for (i = 0; i < SIG_MAC_LEN; i++)
		snprintf(out + 2 * i, 3, "%02x", mac[i]);
	OPENSSL_cleanse(mac, sizeof mac);
	return 0;
}

int sig_generate_secret(char *out, size_t outlen)
{
	unsigned char raw[32];
	size_t plen = strlen(SIG_PREFIX);
	int rc = -1;

	if (outlen < plen + 44 + 1)
		return -1;
	if (RAND_bytes(raw, sizeof raw) == 1) {
		memcpy(out, SIG_PREFIX, plen);
		rc = b64_encode(raw, sizeof raw, out + plen, outlen - plen) < 0 ? -1 : 0;
	}
	OPENSSL_cleanse(raw, sizeof raw);
	return rc;
}
