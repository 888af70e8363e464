/* The API client's pure policy: what a response says (its headers, its
 * outcome and message) and what the gate does about it (backoff, pacing).
 * No I/O and no state, so the tests drive it directly. */
#include <config.h> /* autoconf's; "config.h" would find core/base/options.h */

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "core/api/api_policy.h"
#include "core/base/errors.h"
#include "core/base/sanitize.h"
#include "core/base/names.h"

#define API_NUMBER_MAX 1000000000L /* larger header numbers are nonsense */

NAME_TABLE(api_outcome_names, api_outcome_name, enum api_outcome, API_OUTCOME_LIST,
	   NAME_COUNT(API_OUTCOME_LIST), "unknown")

int64_t api_backoff_ms(unsigned failures, double rand_frac)
{
	int64_t step = API_BACKOFF_BASE_MS;

	if (failures == 0)
		return 0;
	for (unsigned i = 1; i < failures && step < API_BACKOFF_CAP_MS; i++)
		step *= 2;
	if (step > API_BACKOFF_CAP_MS)
		step = API_BACKOFF_CAP_MS;
	if (!(rand_frac >= 0.0)) /* also catches NaN */
		rand_frac = 0.0;
	if (rand_frac > 1.0)
		rand_frac = 1.0;
	/* Equal jitter: never less than half the step, so a failing API is
	 * not hammered, and clients started together drift apart. */
	return step / 2 + (int64_t)((double)(step - step / 2) * rand_frac);
}

long api_reserve(long limit)
{
	long r = limit > 0 ? limit / 20 : 1;

	return r < 1 ? 1 : r;
}

int64_t api_pace_ms(long limit, long remaining, long reset_s)
{
	if (remaining < 0 || reset_s < 0)
		return 0;
	long reserve = api_reserve(limit);
	if (remaining <= reserve)
		return reset_s * 1000;
	return reset_s * 1000 / (remaining - reserve);
}

/* A non-negative decimal number, whole value only; -1 when not one. */
static long api_parse_number(const char *s, size_t len)
{
	char tmp[32];
	char *end;

	while (len && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (!len || len >= sizeof tmp)
		return -1;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	if (!isdigit((unsigned char)tmp[0]))
		return -1;
	errno = 0;
	long v = strtol(tmp, &end, 10);
	if (errno || *end || v < 0)
		return -1;
	return v > API_NUMBER_MAX ? API_NUMBER_MAX : v;
}

/* Copies a header value keeping visible ASCII only: ids end up on screen
 * and in the audit table. */
static void api_copy_token(char *dst, size_t dstlen, const char *s, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; i < len && o + 1 < dstlen; i++)
		if (s[i] > 0x20 && s[i] < 0x7f)
			dst[o++] = s[i];
	dst[o] = '\0';
}

void api_response_reset_headers(struct api_response *r)
{
	r->request_id[0] = '\0';
	r->idempotency_key[0] = '\0';
	r->rate_limit = r->rate_remaining = r->rate_reset_s = -1;
	r->retry_after_s = -1;
}

void api_response_header(struct api_response *r, const char *line, size_t len, int64_t now_s)
{
	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	if (len >= 5 && !strncmp(line, "HTTP/", 5)) {
		/* A new status line (after 100 Continue, say): earlier headers
		 * belonged to another response. */
		api_response_reset_headers(r);
		return;
	}
	const char *colon = memchr(line, ':', len);
	if (!colon)
		return;
	size_t nlen = (size_t)(colon - line);
	const char *v = colon + 1;
	size_t vlen = len - nlen - 1;

	while (vlen && (*v == ' ' || *v == '\t')) {
		v++;
		vlen--;
	}
#define API_HDR_IS(name) (nlen == sizeof(name) - 1 && !strncasecmp(line, name, nlen))
	if (API_HDR_IS("X-Request-Id")) {
		api_copy_token(r->request_id, sizeof r->request_id, v, vlen);
	} else if (API_HDR_IS("X-Idempotency-Key")) {
		api_copy_token(r->idempotency_key, sizeof r->idempotency_key, v, vlen);
	} else if (API_HDR_IS("X-RateLimit-Limit")) {
		r->rate_limit = api_parse_number(v, vlen);
	} else if (API_HDR_IS("X-RateLimit-Remaining")) {
		r->rate_remaining = api_parse_number(v, vlen);
	} else if (API_HDR_IS("X-RateLimit-Reset")) {
		r->rate_reset_s = api_parse_number(v, vlen);
	} else if (API_HDR_IS("Retry-After")) {
		long s = api_parse_number(v, vlen);
		if (s < 0 && vlen > 0 && vlen < 64) {
			/* The contract says seconds, but RFC 9110 allows a date. */
			char tmp[64];
			memcpy(tmp, v, vlen);
			tmp[vlen] = '\0';
			time_t t = curl_getdate(tmp, NULL);
			if (t != (time_t)-1)
				s = t > now_s ? (long)(t - now_s) : 0;
		}
		if (s > API_RETRY_AFTER_MAX_S)
			s = API_RETRY_AFTER_MAX_S;
		r->retry_after_s = s;
	}
#undef API_HDR_IS
}

void api_response_classify(struct api_response *r, const char *curl_error)
{
	char raw[1600];
	int st = r->http_status;

	memset(&r->error, 0, sizeof r->error);
	r->has_error = false;
	if (st == 0) {
		r->outcome = API_NETWORK_ERROR;
		snprintf(raw, sizeof raw, "cannot reach the API: %s",
			 curl_error && *curl_error ? curl_error : "network error");
		sanitize_str(r->message, sizeof r->message, raw);
		return;
	}
	if (st >= 200 && st < 300) {
		r->outcome = API_OK;
		r->message[0] = '\0';
		return;
	}
	if (st == 401 || st == 403)
		r->outcome = API_AUTH_ERROR;
	else if (st == 429)
		r->outcome = API_RATE_LIMITED;
	else if (st >= 500)
		r->outcome = API_SERVER_ERROR;
	else
		r->outcome = API_CLIENT_ERROR;

	if (r->body && r->body_len && wire_api_error_parse(r->body, r->body_len, &r->error) == 0 &&
	    r->error.error[0])
		r->has_error = true;
	if (!r->error.request_id[0] && r->request_id[0])
		snprintf(r->error.request_id, sizeof r->error.request_id, "%s", r->request_id);

	const struct api_error_info *info = r->has_error ? errors_api(r->error.error) : NULL;
	const char *text = r->has_error && r->error.message[0] ? r->error.message
		: info                                         ? info->meaning
							       : NULL;
	char extra[1024] = "";
	size_t o = 0;

	if (r->has_error && r->error.action[0])
		o += (size_t)snprintf(extra + o, sizeof extra - o, ", action %s", r->error.action);
	if (o < sizeof extra && r->error.request_id[0])
		o += (size_t)snprintf(extra + o, sizeof extra - o, ", request %s",
				      r->error.request_id);
	if (o < sizeof extra && r->has_error && r->error.details[0])
		snprintf(extra + o, sizeof extra - o, "; %s", r->error.details);

	if (r->has_error) {
		snprintf(raw, sizeof raw, "%s: %s (HTTP %d%s)", r->error.error,
			 text ? text : "no message", st, extra);
	} else {
		const char *what = st == 401    ? "the API key was refused"
			: st == 403             ? "the API key is not allowed here"
			: st == 404             ? "not found"
			: st == 429             ? "rate limited"
			: st >= 500             ? "the API failed"
			: st >= 300 && st < 400 ? "the API answered with a redirect, "
						  "which faxtop does not follow"
						: "the request was refused";
		snprintf(raw, sizeof raw, "%s (HTTP %d%s)", what, st, extra);
	}
	sanitize_str(r->message, sizeof r->message, raw);
}
