/* faxsim's pure parts: multipart parsing, field validation, the seeded
 * outcome mix and magic numbers, idempotency and the rate limiter; and one
 * sim brought up and torn down on a private loop. */
#include <config.h>

#include <ev.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "core/base/clock.h"
#include "core/http/http_server.h"
#include "core/http/signature.h"
#include "sim/base.h"
#include "sim/idempotency.h"
#include "sim/load.h"
#include "sim/multipart.h"
#include "sim/outcome.h"
#include "sim/ratelimit.h"
#include "sim/rng.h"
#include "sim/sim.h"
#include "sim/submit.h"
#include "tests/unit/unit.h"

#define CRLF "\r\n"

static struct multipart_part parts[MULTIPART_MAX_PARTS];
static char err[256];

static int mp(const char *body, const char *boundary, size_t *n)
{
	return multipart_parse(body, strlen(body), boundary, parts, MULTIPART_MAX_PARTS, n, err,
			       sizeof(err));
}

static void test_boundary(void)
{
	char b[80];
	CU_ASSERT_EQUAL(multipart_boundary("multipart/form-data; boundary=abc123", b, sizeof(b),
					   err, sizeof(err)),
			0);
	CU_ASSERT_STRING_EQUAL(b, "abc123");
	CU_ASSERT_EQUAL(multipart_boundary("Multipart/Form-Data;charset=utf-8; boundary=\"a b\"", b,
					   sizeof(b), err, sizeof(err)),
			0);
	CU_ASSERT_STRING_EQUAL(b, "a b");
	CU_ASSERT_EQUAL(multipart_boundary("application/json", b, sizeof(b), err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "multipart/form-data"));
	CU_ASSERT_EQUAL(multipart_boundary("multipart/form-data", b, sizeof(b), err, sizeof(err)),
			-1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "no boundary"));
	CU_ASSERT_EQUAL(multipart_boundary(NULL, b, sizeof(b), err, sizeof(err)), -1);
	CU_ASSERT_EQUAL(multipart_boundary("multipart/form-data; boundary=\"unterminated", b,
					   sizeof(b), err, sizeof(err)),
			-1);
	char longb[200] = "multipart/form-data; boundary=";
	memset(longb + strlen(longb), 'x', 100);
	CU_ASSERT_EQUAL(multipart_boundary(longb, b, sizeof(b), err, sizeof(err)), -1);
	CU_ASSERT_EQUAL(multipart_boundary("multipart/form-dataX; boundary=a", b, sizeof(b), err,
					   sizeof(err)),
			-1);
}

static void test_multipart_ok(void)
{
	const char *body =
		"preamble" CRLF "--XyZ" CRLF "Content-Disposition: form-data; name=\"to\"" CRLF CRLF
		"+15005550001" CRLF "--XyZ" CRLF
		"content-disposition: form-data; name=file; filename=\"a \\\"q\\\".pdf\"" CRLF
		"Content-Type: application/pdf" CRLF CRLF "%PDF\r\n--Xy not the end" CRLF
		"--XyZ--" CRLF "epilogue";
	size_t n = 0;
	CU_ASSERT_EQUAL_FATAL(mp(body, "XyZ", &n), 0);
	CU_ASSERT_EQUAL_FATAL(n, 2);
	CU_ASSERT_STRING_EQUAL(parts[0].name, "to");
	CU_ASSERT_FALSE(parts[0].has_filename);
	CU_ASSERT_EQUAL(parts[0].len, 12);
	CU_ASSERT_EQUAL(memcmp(parts[0].data, "+15005550001", 12), 0);
	CU_ASSERT_STRING_EQUAL(parts[1].name, "file");
	CU_ASSERT_TRUE(parts[1].has_filename);
	CU_ASSERT_STRING_EQUAL(parts[1].filename, "a \"q\".pdf");
	CU_ASSERT_STRING_EQUAL(parts[1].content_type, "application/pdf");
	CU_ASSERT_EQUAL(parts[1].len, strlen("%PDF\r\n--Xy not the end"));
}

static void test_multipart_bad(void)
{
	static const struct {
		const char *body;
		const char *expect;
	} cases[] = {
		{ "", "does not contain" },
		{ "--B" CRLF "Content-Disposition: form-data; name=\"a\"" CRLF CRLF "x",
		  "no closing boundary" },
		{ "--B" CRLF "Content-Type: text/plain" CRLF CRLF "x" CRLF "--B--",
		  "missing Content-Disposition" },
		{ "--B" CRLF "Content-Disposition: attachment; name=a" CRLF CRLF "x" CRLF "--B--",
		  "not form-data" },
		{ "--B" CRLF "Content-Disposition: form-data" CRLF CRLF "x" CRLF "--B--",
		  "no name" },
		{ "--B" CRLF "garbage line" CRLF CRLF "x" CRLF "--B--", "without ':'" },
		{ "--B" CRLF "Content-Disposition: form-data; name=a", "not terminated" },
		{ "--Bjunk", "malformed boundary line" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n;
		err[0] = '\0';
		CU_ASSERT_EQUAL(mp(cases[i].body, "B", &n), -1);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, cases[i].expect));
	}
	/* more parts than the caller has room for */
	char big[4096] = "";
	for (int i = 0; i < 5; i++)
		strcat(big,
		       "--B" CRLF "Content-Disposition: form-data; name=\"x\"" CRLF CRLF "1" CRLF);
	strcat(big, "--B--");
	size_t n;
	CU_ASSERT_EQUAL(multipart_parse(big, strlen(big), "B", parts, 3, &n, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "too many parts"));
	CU_ASSERT_EQUAL(multipart_parse(big, strlen(big), "B", parts, 5, &n, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(n, 5);
}

/* Random mutations of a valid form never crash the parser or the validator
 * (run it under --enable-sanitizers), and every refusal says why. */
static void test_multipart_mutations(void)
{
	static const char base[] =
		"--BB" CRLF "Content-Disposition: form-data; name=\"to\"" CRLF CRLF
		"+15005550001" CRLF "--BB" CRLF
		"Content-Disposition: form-data; name=\"tags\"" CRLF CRLF "[\"a=b\",\"c\"]" CRLF
		"--BB" CRLF "Content-Disposition: form-data; name=\"file\"; filename=\"d.pdf\"" CRLF
		"Content-Type: application/pdf" CRLF CRLF "%PDF-1.4 body" CRLF "--BB--" CRLF;
	static const char alphabet[] = "-\r\n\"=;:[]{}\\BDx+0\xff\xc3";
	struct simrng r;
	char buf[sizeof(base) + 16];
	int ok = 0, refused = 0;
	simrng_seed(&r, 2024, 7);
	for (int iter = 0; iter < 20000; iter++) {
		size_t len = sizeof(base) - 1;
		memcpy(buf, base, len);
		int edits = (int)simrng_range(&r, 1, 4);
		for (int e = 0; e < edits; e++) {
			size_t at = (size_t)simrng_range(&r, 0, (int64_t)len - 1);
			switch (simrng_range(&r, 0, 2)) {
			case 0:
				buf[at] =
					alphabet[simrng_range(&r, 0, (int64_t)sizeof(alphabet) - 2)];
				break;
			case 1:
				memmove(buf + at, buf + at + 1, len - at - 1);
				len--;
				break;
			default:
				len = at; /* truncate */
				break;
			}
			if (len == 0)
				break;
		}
		size_t n;
		err[0] = '\0';
		if (multipart_parse(buf, len, "BB", parts, MULTIPART_MAX_PARTS, &n, err,
				    sizeof(err)) < 0) {
			refused++;
			if (!err[0])
				CU_FAIL("refusal without a message");
			continue;
		}
		ok++;
		struct submit_req sr;
		struct json_object *errors = json_object_new_object();
		submit_req_init(&sr);
		int errs = submit_from_multipart(&sr, parts, n, errors);
		CU_ASSERT(errs >= 0);
		CU_ASSERT_EQUAL(errs == 0, json_object_object_length(errors) == 0);
		if (errs == 0)
			CU_ASSERT_TRUE(submit_valid_e164(sr.to) && sr.has_file);
		submit_req_done(&sr);
		json_object_put(errors);
	}
	CU_ASSERT(ok > 0 && refused > 0);
}

static void set_part(size_t i, const char *name, const char *value, bool file)
{
	memset(&parts[i], 0, sizeof(parts[i]));
	snprintf(parts[i].name, sizeof(parts[i].name), "%s", name);
	parts[i].has_filename = file;
	parts[i].data = value;
	parts[i].len = strlen(value);
}

static bool has_error(struct json_object *errors, const char *field)
{
	return json_object_object_get_ex(errors, field, NULL);
}

static void test_submit_valid(void)
{
	struct submit_req r;
	struct json_object *errors = json_object_new_object();
	size_t n = 0;
	set_part(n++, "to", "+12125551234", false);
	set_part(n++, "file", "%PDF-1.4", true);
	set_part(n++, "max_attempts", "5", false);
	set_part(n++, "csid", "ACME \xc3\xa9\xe2\x82\xac\xf0\x9f\x93\xa0", false);
	set_part(n++, "page_size", "a4", false);
	set_part(n++, "resolution", "standard", false);
	set_part(n++, "optimize_for", "photo", false);
	set_part(n++, "webhook_url", "http://127.0.0.1:9/hook", false);
	set_part(n++, "tags", "dept=billing", false);
	set_part(n++, "tags[]", "urgent", false);
	set_part(n++, "tags[case]", "42", false);
	set_part(n++, "unknown", "ignored", false);
	submit_req_init(&r);
	CU_ASSERT_EQUAL(submit_from_multipart(&r, parts, n, errors), 0);
	CU_ASSERT_EQUAL(json_object_object_length(errors), 0);
	CU_ASSERT_STRING_EQUAL(r.to, "+12125551234");
	CU_ASSERT_EQUAL(r.max_attempts, 5);
	CU_ASSERT_EQUAL(r.file_len, 8);
	CU_ASSERT_STRING_EQUAL(r.page_size, "a4");
	CU_ASSERT_EQUAL_FATAL(r.n_tags, 3);
	CU_ASSERT_STRING_EQUAL(r.tags[0].key, "dept");
	CU_ASSERT_STRING_EQUAL(r.tags[0].value, "billing");
	CU_ASSERT_STRING_EQUAL(r.tags[1].key, "urgent");
	CU_ASSERT_STRING_EQUAL(r.tags[1].value, "");
	CU_ASSERT_STRING_EQUAL(r.tags[2].key, "case");
	CU_ASSERT_STRING_EQUAL(r.tags[2].value, "42");
	submit_req_done(&r);
	json_object_put(errors);
}

static void test_submit_invalid(void)
{
	static const struct {
		const char *name, *value;
		bool file;
		const char *field;
	} cases[] = {
		{ "to", "12125551234", false, "to" },
		{ "to", "+0125551234", false, "to" },
		{ "to", "+1234567890123456", false, "to" },
		{ "to", "+1", false, "to" },
		{ "max_attempts", "6", false, "max_attempts" },
		{ "max_attempts", "0", false, "max_attempts" },
		{ "max_attempts", "two", false, "max_attempts" },
		{ "csid", "012345678901234567890", false, "csid" },
		{ "page_size", "A4", false, "page_size" },
		{ "resolution", "ultra", false, "resolution" },
		{ "optimize_for", "speed", false, "optimize_for" },
		{ "webhook_url", "ftp://x/y", false, "webhook_url" },
		{ "webhook_url", "http:///nohost", false, "webhook_url" },
		{ "tags", "[1,2]", false, "tags" },
		{ "tags", "[\"a\",", false, "tags" },
		{ "csid", "file-not-text", true, "file" },
		{ "csid", "bad\xff", false, "csid" },
		{ "csid", "\xc0\xaf", false, "csid" },           /* overlong '/' */
		{ "csid", "\xed\xa0\x80", false, "csid" },       /* surrogate */
		{ "csid", "cut\xe2\x82", false, "csid" },        /* truncated */
		{ "tags", "k=\xf5\x80\x80\x80", false, "tags" }, /* past U+10FFFF */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct submit_req r;
		struct json_object *errors = json_object_new_object();
		size_t n = 0;
		if (strcmp(cases[i].name, "to") != 0)
			set_part(n++, "to", "+12125551234", false);
		set_part(n++, "file", "x", true);
		set_part(n++, cases[i].name, cases[i].value, cases[i].file);
		submit_req_init(&r);
		CU_ASSERT_EQUAL(submit_from_multipart(&r, parts, n, errors), 1);
		CU_ASSERT_TRUE(has_error(errors, cases[i].field));
		CU_ASSERT_EQUAL(json_object_object_length(errors), 1);
		submit_req_done(&r);
		json_object_put(errors);
	}
	/* a file over 10 MB (its bytes are never read) */
	{
		struct submit_req r;
		struct json_object *errors = json_object_new_object();
		set_part(0, "to", "+12125551234", false);
		set_part(1, "file", "x", true);
		parts[1].len = SUBMIT_MAX_FILE + 1;
		submit_req_init(&r);
		CU_ASSERT_EQUAL(submit_from_multipart(&r, parts, 2, errors), 1);
		CU_ASSERT_TRUE(has_error(errors, "file"));
		submit_req_done(&r);
		json_object_put(errors);
	}
	/* missing everything, duplicate to, eleven tags */
	struct submit_req r;
	struct json_object *errors = json_object_new_object();
	submit_req_init(&r);
	CU_ASSERT_EQUAL(submit_from_multipart(&r, parts, 0, errors), 2);
	CU_ASSERT_TRUE(has_error(errors, "to"));
	CU_ASSERT_TRUE(has_error(errors, "file"));
	submit_req_done(&r);
	json_object_put(errors);

	errors = json_object_new_object();
	size_t n = 0;
	set_part(n++, "to", "+12125551234", false);
	set_part(n++, "to", "+12125551235", false);
	set_part(n++, "file", "x", true);
	static char tagbuf[11][8];
	for (int i = 0; i < 11; i++) {
		snprintf(tagbuf[i], sizeof(tagbuf[i]), "t%d", i);
		set_part(n++, "tags", tagbuf[i], false);
	}
	submit_req_init(&r);
	CU_ASSERT_TRUE(submit_from_multipart(&r, parts, n, errors) >= 2);
	CU_ASSERT_TRUE(has_error(errors, "to"));
	CU_ASSERT_TRUE(has_error(errors, "tags"));
	CU_ASSERT_EQUAL(r.n_tags, 10);
	submit_req_done(&r);
	json_object_put(errors);
}

static void test_resend_json(void)
{
	static const struct {
		const char *body;
		int errs;
		const char *field;
	} cases[] = {
		{ "", 0, NULL },
		{ "  {}  ", 0, NULL },
		{ "{\"to\":\"+12125550000\",\"max_attempts\":2,\"webhook_url\":null}", 0, NULL },
		{ "{\"to\":5}", 1, "to" },
		{ "{\"max_attempts\":\"3\"}", 1, "max_attempts" },
		{ "{\"max_attempts\":9}", 1, "max_attempts" },
		{ "[1]", 1, "body" },
		{ "{\"to\":", 1, "body" },
		{ "{} x", 1, "body" },
		{ "{\"to\":\"12\"}", 1, "to" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct submit_req r;
		struct json_object *errors = json_object_new_object();
		submit_req_init(&r);
		int got = submit_from_resend_json(&r, cases[i].body, strlen(cases[i].body), errors);
		CU_ASSERT_EQUAL(got, cases[i].errs);
		if (cases[i].field)
			CU_ASSERT_TRUE(has_error(errors, cases[i].field));
		if (i == 2) {
			CU_ASSERT_STRING_EQUAL(r.to, "+12125550000");
			CU_ASSERT_EQUAL(r.max_attempts, 2);
			CU_ASSERT_TRUE(r.has_webhook_url);
			CU_ASSERT_PTR_NULL(r.webhook_url);
		}
		submit_req_done(&r);
		json_object_put(errors);
	}
}

static void test_rng(void)
{
	struct simrng a, b, c;
	simrng_seed(&a, 42, 1);
	simrng_seed(&b, 42, 1);
	simrng_seed(&c, 42, 2);
	int same_c = 0;
	for (int i = 0; i < 100; i++) {
		uint64_t x = simrng_next(&a), y = simrng_next(&b), z = simrng_next(&c);
		CU_ASSERT_EQUAL(x, y);
		same_c += x == z;
	}
	CU_ASSERT_EQUAL(same_c, 0);
	for (int i = 0; i < 1000; i++) {
		double u = simrng_unit(&a);
		CU_ASSERT_TRUE(u >= 0 && u < 1);
		int64_t r = simrng_range(&a, 3, 7);
		CU_ASSERT_TRUE(r >= 3 && r <= 7);
	}
	CU_ASSERT_EQUAL(simrng_range(&a, 5, 5), 5);
	char id[64];
	simrng_id(&a, "fax_", id, sizeof(id));
	CU_ASSERT_EQUAL(strlen(id), 26);
	CU_ASSERT_EQUAL(strncmp(id, "fax_", 4), 0);
	simrng_ulid(&a, "req_", 0, id, sizeof(id));
	CU_ASSERT_EQUAL(strlen(id), 30);
	CU_ASSERT_EQUAL(strncmp(id, "req_0000000000", 14), 0);
}

static void test_magic_numbers(void)
{
	struct outcome_plan p;
	outcome_plan(&p, 1, 1, "+15005550001", 3, 1.0);
	CU_ASSERT(p.kind == OUTCOME_CARRIER && p.delivered && p.n_attempts == 1 && p.pages == 1);
	outcome_plan(&p, 1, 1, "+15005550002", 4, 0);
	CU_ASSERT(!p.delivered && p.n_attempts == 4);
	for (int i = 0; i < 4; i++)
		CU_ASSERT_STRING_EQUAL(p.codes[i], "busy");
	outcome_plan(&p, 1, 1, "+15005550003", 2, 0);
	CU_ASSERT(!p.delivered && p.n_attempts == 2 && strcmp(p.codes[1], "no_answer") == 0);
	outcome_plan(&p, 1, 1, "+15005550004", 3, 0);
	CU_ASSERT(p.delivered && p.n_attempts == 2 && p.codes[0] && !p.codes[1]);
	outcome_plan(&p, 1, 1, "+15005550004", 1, 0);
	CU_ASSERT(!p.delivered && p.n_attempts == 1);
	outcome_plan(&p, 1, 1, "+15005550005", 5, 0);
	CU_ASSERT(!p.delivered && p.n_attempts == 5 && strcmp(p.codes[4], "line_quality") == 0);
	outcome_plan(&p, 1, 1, "+15005550006", 3, 0);
	CU_ASSERT_EQUAL(p.kind, OUTCOME_REJECT_BALANCE);
	outcome_plan(&p, 1, 1, "+15005550007", 3, 1.0);
	CU_ASSERT(p.delivered && p.pages == 3);
	outcome_plan(&p, 1, 1, "+15005550008", 5, 0);
	CU_ASSERT(!p.delivered && p.n_attempts == 1 && strcmp(p.codes[0], "invalid_number") == 0);
	outcome_plan(&p, 1, 1, "+15005550099", 3, 0);
	CU_ASSERT_EQUAL(p.kind, OUTCOME_REJECT_VALIDATION);
	CU_ASSERT_STRING_EQUAL(outcome_magic_name("+15005550005"), "LineQualityFailure");
	CU_ASSERT_PTR_NULL(outcome_magic_name("+15005550009"));
	CU_ASSERT_TRUE(outcome_code_terminal("no_route"));
	CU_ASSERT_FALSE(outcome_code_terminal("timeout"));
}

static void test_outcome_mix(void)
{
	int failed = 0, delivered = 0, terminal_fail = 0;
	for (uint64_t seq = 1; seq <= 4000; seq++) {
		struct outcome_plan p, q;
		outcome_plan(&p, 7, seq, "+12125551234", 3, 0.25);
		outcome_plan(&q, 7, seq, "+12125551234", 3, 0.25);
		CU_ASSERT_EQUAL(memcmp(&p, &q, sizeof(p)), 0); /* reproducible */
		CU_ASSERT(p.kind == OUTCOME_CARRIER);
		CU_ASSERT(p.pages >= 1 && p.pages <= 20);
		CU_ASSERT(p.n_attempts >= 1 && p.n_attempts <= 3);
		for (int i = 0; i < p.n_attempts; i++)
			CU_ASSERT(p.attempt_ms[i] >= OUTCOME_MIN_ATTEMPT_MS &&
				  p.attempt_ms[i] <= OUTCOME_MAX_ATTEMPT_MS);
		if (p.delivered) {
			delivered++;
			CU_ASSERT_PTR_NULL(p.codes[p.n_attempts - 1]);
		} else {
			failed++;
			const char *c = p.codes[p.n_attempts - 1];
			CU_ASSERT_PTR_NOT_NULL_FATAL(c);
			if (outcome_code_terminal(c)) {
				terminal_fail++;
				CU_ASSERT_EQUAL(p.n_attempts, 1);
			} else {
				CU_ASSERT_EQUAL(p.n_attempts, 3);
			}
		}
	}
	/* 25 % ± a generous margin; some failures are terminal */
	CU_ASSERT(failed > 800 && failed < 1200);
	CU_ASSERT(terminal_fail > 0 && terminal_fail < failed);
	CU_ASSERT_EQUAL(failed + delivered, 4000);
	/* failure_share 0: every ordinary number is delivered */
	for (uint64_t seq = 1; seq <= 200; seq++) {
		struct outcome_plan p;
		outcome_plan(&p, 9, seq, "+447700900123", 3, 0);
		CU_ASSERT_TRUE(p.delivered);
	}
	/* another seed gives another sequence */
	int differ = 0;
	for (uint64_t seq = 1; seq <= 50; seq++) {
		struct outcome_plan p, q;
		outcome_plan(&p, 1, seq, "+12125551234", 3, 0.5);
		outcome_plan(&q, 2, seq, "+12125551234", 3, 0.5);
		differ += p.pages != q.pages || p.delivered != q.delivered;
	}
	CU_ASSERT(differ > 10);
}

static void fp_of(unsigned char fp[32], int v)
{
	memset(fp, 0, 32);
	fp[0] = (unsigned char)v;
}

static void test_idempotency(void)
{
	struct idem_store st;
	struct idem_entry *e, *e2;
	enum idem_result res;
	unsigned char a[32], b[32];
	fp_of(a, 1);
	fp_of(b, 2);
	idem_init(&st, 1000);
	CU_ASSERT_EQUAL(idem_begin(&st, "k1", a, 0, &e, &res), 0);
	CU_ASSERT_EQUAL(res, IDEM_NEW);
	CU_ASSERT_EQUAL(idem_begin(&st, "k1", a, 10, &e2, &res), 0);
	CU_ASSERT_EQUAL(res, IDEM_IN_PROGRESS);
	CU_ASSERT_EQUAL(idem_begin(&st, "k1", b, 10, &e2, &res), 0);
	CU_ASSERT_EQUAL(res, IDEM_MISMATCH);
	idem_finish(&st, e, 201, "{\"id\":1}", 8);
	CU_ASSERT_EQUAL(idem_begin(&st, "k1", a, 20, &e2, &res), 0);
	CU_ASSERT_EQUAL(res, IDEM_REPLAY);
	CU_ASSERT_PTR_EQUAL(e2, e);
	CU_ASSERT_EQUAL(e2->status, 201);
	CU_ASSERT_STRING_EQUAL(e2->body, "{\"id\":1}");
	CU_ASSERT_EQUAL(idem_begin(&st, "k1", b, 20, &e2, &res), 0);
	CU_ASSERT_EQUAL(res, IDEM_MISMATCH);
	/* a second key is independent; an abandoned record is forgotten */
	CU_ASSERT_EQUAL(idem_begin(&st, "k2", b, 30, &e2, &res), 0);
	CU_ASSERT_EQUAL(res, IDEM_NEW);
	idem_abandon(&st, e2);
	CU_ASSERT_EQUAL(idem_begin(&st, "k2", a, 40, &e2, &res), 0);
	CU_ASSERT_EQUAL(res, IDEM_NEW);
	idem_finish(&st, e2, 422, "{}", 2);
	/* after the TTL the key can be reused with another body */
	CU_ASSERT_EQUAL(idem_count(&st), 2);
	CU_ASSERT_EQUAL(idem_begin(&st, "k1", b, 1000, &e2, &res), 0);
	CU_ASSERT_EQUAL(res, IDEM_NEW);
	CU_ASSERT_EQUAL(idem_count(&st), 2);
	idem_done(&st);
}

static void test_ratelimit(void)
{
	struct ratelimit rl;
	struct ratelimit_info info;
	CU_ASSERT_EQUAL(ratelimit_init(&rl, 0, 1000), -1);
	CU_ASSERT_EQUAL_FATAL(ratelimit_init(&rl, 3, 60000), 0);
	CU_ASSERT_TRUE(ratelimit_take(&rl, 1000, &info));
	CU_ASSERT_EQUAL(info.limit, 3);
	CU_ASSERT_EQUAL(info.remaining, 2);
	CU_ASSERT_EQUAL(info.reset_s, 60);
	CU_ASSERT_TRUE(ratelimit_take(&rl, 11000, &info));
	CU_ASSERT_TRUE(ratelimit_take(&rl, 21000, &info));
	CU_ASSERT_EQUAL(info.remaining, 0);
	CU_ASSERT_FALSE(ratelimit_take(&rl, 30500, &info));
	CU_ASSERT_EQUAL(info.remaining, 0);
	CU_ASSERT_EQUAL(info.retry_after_s, 31); /* the first leaves at 61000 */
	/* refused requests do not count: one slot opens when the first expires */
	CU_ASSERT_TRUE(ratelimit_take(&rl, 61000, &info));
	CU_ASSERT_EQUAL(info.remaining, 0);
	CU_ASSERT_FALSE(ratelimit_take(&rl, 61001, &info));
	CU_ASSERT_EQUAL(info.retry_after_s, 10);
	/* a quiet minute empties the window */
	CU_ASSERT_TRUE(ratelimit_take(&rl, 200000, &info));
	CU_ASSERT_EQUAL(info.remaining, 2);
	ratelimit_done(&rl);
}

static void test_percentile(void)
{
	double v[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
	CU_ASSERT_DOUBLE_EQUAL(load_percentile(v, 10, 50), 5, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(load_percentile(v, 10, 90), 9, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(load_percentile(v, 10, 99), 10, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(load_percentile(v, 10, 100), 10, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(load_percentile(v, 1, 50), 1, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(load_percentile(v, 0, 50), 0, 1e-9);
}

static void test_sim_lifecycle(void)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct sim_opts o;
	char e[256];
	sim_opts_init(&o);
	o.listen = "127.0.0.1:0";
	o.speed = 0;
	CU_ASSERT_PTR_NULL(sim_new(loop, &o, e, sizeof(e)));
	CU_ASSERT_PTR_NOT_NULL(strstr(e, "speed"));
	o.speed = 10;
	o.api_key = "mfx_live_nope";
	CU_ASSERT_PTR_NULL(sim_new(loop, &o, e, sizeof(e)));
	o.api_key = NULL;
	o.secret = "whsec_@@@not-base64";
	CU_ASSERT_PTR_NULL(sim_new(loop, &o, e, sizeof(e)));
	CU_ASSERT_PTR_NULL(strstr(e, "@@@")); /* the secret never appears */
	o.secret = NULL;
	/* two sims in one process and one loop */
	struct sim *a = sim_new(loop, &o, e, sizeof(e));
	struct sim *b = sim_new(loop, &o, e, sizeof(e));
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_STRING_NOT_EQUAL(sim_address(a), sim_address(b));
	CU_ASSERT_EQUAL(strncmp(sim_address(a), "127.0.0.1:", 10), 0);
	struct sim_stats st;
	CU_ASSERT_EQUAL(sim_topup(a, 0), -1);
	CU_ASSERT_EQUAL(sim_topup(a, 250), 0);
	sim_get_stats(a, &st);
	CU_ASSERT_EQUAL(st.available_cents, 5250);
	CU_ASSERT_EQUAL(st.events, 1);
	sim_get_stats(b, &st);
	CU_ASSERT_EQUAL(st.available_cents, 5000);
	sim_set_webhook_url(a, "http://127.0.0.1:9/none");
	sim_set_webhook_url(a, NULL);
	sim_free(a);
	sim_free(b);
	ev_loop_destroy(loop);
}

/* An in-process receiver on core's HTTP server: counts deliveries and checks
 * their signatures. */
struct rx {
	struct ev_loop *loop;
	struct sig_verifier v;
	int status; /* what to answer */
	int got, verified, want;
	char last_type[32];
};

static void rx_handler(struct http_request *req, void *ctx)
{
	struct rx *rx = ctx;
	size_t len;
	const char *body = http_request_body(req, &len);
	struct sig_headers h = {
		.webhook_id = http_request_header(req, "webhook-id"),
		.webhook_timestamp = http_request_header(req, "webhook-timestamp"),
		.webhook_signature = http_request_header(req, "webhook-signature"),
	};
	rx->got++;
	if (sig_verify(&rx->v, &h, body, len, clock_now_s(NULL)) == SIG_OK)
		rx->verified++;
	const char *t = body ? strstr(body, "\"type\":\"") : NULL;
	if (t)
		snprintf(rx->last_type, sizeof(rx->last_type), "%.*s", (int)strcspn(t + 8, "\""),
			 t + 8);
	http_respond(req, rx->status, NULL, NULL, 0, NULL, 0);
	if (rx->got >= rx->want)
		ev_break(rx->loop, EVBREAK_ONE);
}

static void guard_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	ev_break(loop, EVBREAK_ONE);
}

/* Runs the loop until rx has `want` requests, bounded by 10 s. */
static void run_until(struct rx *rx, int want)
{
	ev_timer guard;
	rx->want = want;
	ev_timer_init(&guard, guard_cb, 10., 0.);
	ev_timer_start(rx->loop, &guard);
	if (rx->got < want)
		ev_run(rx->loop, 0);
	ev_timer_stop(rx->loop, &guard);
}

static void test_sim_delivers_signed(void)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct rx rx = { .loop = loop, .status = 204 };
	char e[256], url[128];
	CU_ASSERT_EQUAL_FATAL(
		sig_key_from_secret(SIM_DEFAULT_SECRET, SIG_STANDARD, &rx.v.keys[0], e, sizeof(e)),
		0);
	rx.v.scheme = SIG_STANDARD;
	rx.v.n_keys = 1;
	rx.v.tolerance_s = 300;
	struct http_server_opts ho = { 0 };
	struct http_server *srv = http_server_new(loop, &ho, rx_handler, &rx);
	CU_ASSERT_PTR_NOT_NULL_FATAL(srv);
	CU_ASSERT_EQUAL_FATAL(http_server_listen(srv, "127.0.0.1:0", e, sizeof(e)), 0);
	snprintf(url, sizeof(url), "http://%s/hook", http_server_address(srv));

	struct sim_opts o;
	sim_opts_init(&o);
	o.listen = "127.0.0.1:0";
	o.speed = 1000;
	o.webhook_url = url;
	struct sim *s = sim_new(loop, &o, e, sizeof(e));
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(sim_topup(s, 100), 0);
	CU_ASSERT_EQUAL(sim_topup(s, 200), 0);
	run_until(&rx, 2);
	CU_ASSERT_EQUAL(rx.got, 2);
	CU_ASSERT_EQUAL(rx.verified, 2);
	CU_ASSERT_STRING_EQUAL(rx.last_type, "balance.topup");
	struct sim_stats st;
	sim_get_stats(s, &st);
	CU_ASSERT_EQUAL(st.available_cents, 5300);
	CU_ASSERT_EQUAL(st.events, 2);

	/* a failing endpoint: the first attempt and the 10 s (10 ms) retry come,
	 * then the sim is freed with the next retry pending */
	rx.status = 500;
	CU_ASSERT_EQUAL(sim_topup(s, 1), 0);
	run_until(&rx, 4);
	CU_ASSERT_EQUAL(rx.got, 4);
	sim_get_stats(s, &st);
	CU_ASSERT_EQUAL(st.deliveries_ok, 2);
	CU_ASSERT_TRUE(st.deliveries_failed >= 1);
	sim_free(s);
	http_server_free(srv);
	sig_key_wipe(&rx.v.keys[0]);
	ev_loop_destroy(loop);
}

/* The base module: the injected clock, --speed on delays, the vector. */
static void test_base(void)
{
	struct clock_manual m;
	clock_manual_init(&m, 1700000000000);
	struct sim_base b = { .clock = &m.clock, .log = NULL, .speed = 100 };
	CU_ASSERT_EQUAL(sim_now_ms(&b), 1700000000000);
	clock_manual_advance(&m, 2500);
	CU_ASSERT_EQUAL(sim_now_ms(&b), 1700000002500);
	CU_ASSERT_DOUBLE_EQUAL(sim_delay(&b, 10000), 0.1, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(sim_delay(&b, -5), 0.0, 1e-12);
	sim_log(&b, 3, "no log: %s", "nothing happens");

	struct simvec v = { 0 };
	static int items[1000];
	for (int i = 0; i < 1000; i++)
		simvec_push(&v, &items[i]);
	CU_ASSERT_EQUAL(v.n, 1000);
	CU_ASSERT_TRUE(v.cap >= 1000);
	int ok = 1;
	for (int i = 0; i < 1000; i++)
		ok &= v.v[i] == &items[i];
	CU_ASSERT_TRUE(ok);
	simvec_done(&v);
	CU_ASSERT_PTR_NULL(v.v);
	CU_ASSERT_EQUAL(v.n, 0);
	CU_ASSERT_EQUAL(v.cap, 0);
}

static const struct unit_test tests[] = {
	{ "multipart boundary from Content-Type", test_boundary },
	{ "multipart splits parts, quoted names, embedded dashes", test_multipart_ok },
	{ "multipart refuses malformed bodies with a precise message", test_multipart_bad },
	{ "multipart and validation survive random mutations", test_multipart_mutations },
	{ "submit accepts every documented field", test_submit_valid },
	{ "submit reports each invalid field", test_submit_invalid },
	{ "resend JSON body validation", test_resend_json },
	{ "rng is seeded, ranged and stream-separated", test_rng },
	{ "magic numbers follow the sandbox table", test_magic_numbers },
	{ "outcome mix is reproducible and honours failure_share", test_outcome_mix },
	{ "idempotency: replay, reuse, in progress, TTL", test_idempotency },
	{ "rate limit: sliding window, Retry-After", test_ratelimit },
	{ "load percentiles (nearest rank)", test_percentile },
	{ "sim_new validates options; two sims coexist", test_sim_lifecycle },
	{ "sim delivers signed webhooks, retries, frees mid-flight", test_sim_delivers_signed },
	{ "base: injected clock, speed-scaled delays, vector", test_base },
	{ NULL, NULL },
};

UNIT_SUITE(sim, NULL, NULL, tests);
