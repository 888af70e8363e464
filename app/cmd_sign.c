/* faxtop sign --secret whsec_… --id ID [--timestamp T] [--legacy] < body
 *
 * Prints one header per line, ready for curl -H. The secret may come from
 * MINTFAX_WEBHOOK_SECRET instead of --secret; it is never echoed. */
#include <config.h> /* autoconf's; "config.h" would find core/base/options.h */

#include "app/cmd_sign.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/base/secrets.h"
#include "core/base/xalloc.h"
#include "core/http/signature.h"

#define SIGN_MAX_BODY (64 * 1024 * 1024)

static void sign_usage(FILE *f)
{
	fprintf(f,
		"usage: faxtop sign [--secret whsec_...] --id ID [--timestamp UNIX_SECONDS] "
		"[--legacy] < BODY\n"
		"  Prints the webhook signature headers for BODY, one per line:\n"
		"    webhook-id, webhook-timestamp, webhook-signature (Standard Webhooks), or\n"
		"    X-Mintfax-Timestamp, X-Mintfax-Signature with --legacy.\n"
		"  The secret defaults to $MINTFAX_WEBHOOK_SECRET; the timestamp to now.\n"
		"  Example:\n"
		"    faxtop sign --id evt_1 < event.json > headers.txt\n"
		"    curl -H @headers.txt --data-binary @event.json "
		"http://127.0.0.1:8787/webhooks/mintfax\n");
}

/* A header value we print must not break the header block. */
static bool sign_header_safe(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

static int sign_parse_ts(const char *s, int64_t *out)
{
	int64_t v = 0;
	size_t n = strlen(s);

	if (n == 0 || n > 18 || strspn(s, "0123456789") != n)
		return -1;
	for (; *s; s++)
		v = v * 10 + (*s - '0');
	*out = v;
	return 0;
}

/* The body, at most SIGN_MAX_BODY bytes (checked before each growth). */
static char *sign_read_stdin(size_t *len, char *err, size_t errlen)
{
	size_t cap = 65536, n = 0;
	char *buf = xmalloc(cap);

	for (;;) {
		size_t got;

		if (n == cap) {
			if (cap >= SIGN_MAX_BODY) {
				snprintf(err, errlen, "the body on stdin is larger than %d bytes",
					 SIGN_MAX_BODY);
				free(buf);
				return NULL;
			}
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		got = fread(buf + n, 1, cap - n, stdin);
		n += got;
		if (got == 0) {
			if (ferror(stdin)) {
				snprintf(err, errlen, "cannot read the body from stdin");
				free(buf);
				return NULL;
			}
			break;
		}
	}
	*len = n;
	return buf;
}

/* "--name VALUE" or "--name=VALUE". 1 matched, 0 not this option, -1 missing value. */
static int sign_opt(int argc, char **argv, int *i, const char *name, const char **val)
{
	size_t n = strlen(name);
	const char *a = argv[*i];

	if (strncmp(a, name, n) != 0)
		return 0;
	if (a[n] == '=') {
		*val = a + n + 1;
		return 1;
	}
	if (a[n] != '\0')
		return 0;
	if (*i + 1 >= argc)
		return -1;
	*val = argv[++*i];
	return 1;
}

size_t cmd_sign_hide_secret(int argc, char **argv)
{
	size_t hidden = 0;

	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		const char *value = NULL;

		if (sign_opt(argc, argv, &i, "--secret", &value) == 1 && *value) {
			/* value is argv[i] or points into it: writable. */
			secrets_wipe((char *)value, strlen(value));
			hidden++;
		}
	}
	return hidden;
}

struct sign_args {
	const char *secret, *id, *ts_arg;
	bool legacy;
	int64_t ts;
};

/* Reads the flags into a. -1 to go on; else the exit status (0 after
 * --help). */
static int sign_parse_args(int argc, char **argv, struct sign_args *a)
{
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		int m;

		if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
			sign_usage(stdout);
			return 0;
		}
		if (strcmp(arg, "--legacy") == 0) {
			a->legacy = true;
			continue;
		}
		if ((m = sign_opt(argc, argv, &i, "--secret", &a->secret)) ||
		    (m = sign_opt(argc, argv, &i, "--id", &a->id)) ||
		    (m = sign_opt(argc, argv, &i, "--timestamp", &a->ts_arg))) {
			if (m < 0) {
				fprintf(stderr, "faxtop sign: %s needs a value\n", arg);
				return 2;
			}
			continue;
		}
		/* Never echo an argument back: it may be a misplaced secret. */
		fprintf(stderr, "faxtop sign: unexpected argument #%d (see faxtop sign --help)\n",
			i);
		return 2;
	}
	return -1;
}

/* The secret (from the environment when not given), the id and the
 * timestamp (now when not given). -1 when fine, else the exit status. */
static int sign_check_args(struct sign_args *a)
{
	if (!a->secret || !*a->secret)
		a->secret = getenv("MINTFAX_WEBHOOK_SECRET");
	if (!a->secret || !*a->secret) {
		fprintf(stderr,
			"faxtop sign: no secret: pass --secret whsec_... or set "
			"MINTFAX_WEBHOOK_SECRET\n");
		return 2;
	}
	if (!a->legacy && (!a->id || !*a->id)) {
		fprintf(stderr, "faxtop sign: --id ID is required (the event id, evt_...)\n");
		return 2;
	}
	if (a->id && (!*a->id || !sign_header_safe(a->id) || strlen(a->id) > 255)) {
		fprintf(stderr,
			"faxtop sign: the id must be 1-255 printable characters without spaces\n");
		return 2;
	}
	if (a->ts_arg && sign_parse_ts(a->ts_arg, &a->ts) != 0) {
		fprintf(stderr, "faxtop sign: --timestamp wants unix seconds (digits only)\n");
		return 2;
	}
	if (!a->ts_arg)
		a->ts = (int64_t)time(NULL);
	return -1;
}

int cmd_sign(int argc, char **argv)
{
	struct sign_args a = { 0 };
	struct sig_key key;
	char err[512], sig[128];
	char *body;
	size_t len = 0;
	int rc;

	if ((rc = sign_parse_args(argc, argv, &a)) >= 0 || (rc = sign_check_args(&a)) >= 0)
		return rc;
	if (sig_key_from_secret(a.secret, a.legacy ? SIG_LEGACY : SIG_STANDARD, &key, err,
				sizeof err) != 0) {
		fprintf(stderr, "faxtop sign: %s\n", err);
		return 1;
	}
	body = sign_read_stdin(&len, err, sizeof err);
	if (!body) {
		sig_key_wipe(&key);
		fprintf(stderr, "faxtop sign: %s\n", err);
		return 1;
	}
	if (a.legacy)
		rc = sig_sign_legacy(&key, a.ts, body, len, sig, sizeof sig);
	else
		rc = sig_sign_standard(&key, a.id, a.ts, body, len, sig, sizeof sig);
	sig_key_wipe(&key);
	free(body);
	if (rc != 0) {
		fprintf(stderr, "faxtop sign: signing failed\n");
		return 1;
	}
	if (a.legacy)
		printf("X-Mintfax-Timestamp: %" PRId64 "\nX-Mintfax-Signature: %s\n", a.ts, sig);
	else
		printf("webhook-id: %s\nwebhook-timestamp: %" PRId64 "\nwebhook-signature: %s\n",
		       a.id, a.ts, sig);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "faxtop sign: cannot write to stdout\n");
		return 1;
	}
	return 0;
}
