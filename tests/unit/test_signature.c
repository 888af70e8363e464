/* Signatures: the published Standard Webhooks vector, a legacy vector
 * computed with Python's hmac module, round trips, rotation, tolerance
 * edges, and malformed input. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "core/http/signature.h"
#include "tests/unit/unit.h"

/* The Standard Webhooks specification's test vector. */
#define SW_SECRET "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
#define SW_ID     "msg_p5jXN8AQM9LWM0D4loKWxJek"
#define SW_TS     1614265330
#define SW_TS_STR "1614265330"
#define SW_BODY   "{\"test\": 2432232314}"
#define SW_SIG    "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="

/* Legacy (docs/CONTRACT.md#legacy): hex HMAC of "{ts}.{body}" keyed with the whole secret, by
 * python3 -c 'hmac.new(secret, b"1747173600." + body, hashlib.sha256).hexdigest()'. */
#define LG_SECRET "whsec_test_3JzE9rYNm2VbQ8P6KxLf1WdGa4Tc"
#define LG_TS     1747173600
#define LG_TS_STR "1747173600"
#define LG_BODY   "{\"id\":\"evt_1\",\"type\":\"fax.queued\"}"
#define LG_HEX    "3d8a39c0f1391880e8611f91ab4e66ba6f58bbd1caaed3543c00938fb5bce97e"

#define OTHER_SECRET "whsec_c2VjcmV0LW9mLWEtcm90YXRlZC1lbmRwb2ludA=="

static void verifier(struct sig_verifier *v, enum sig_scheme scheme, const char *s1, const char *s2)
{
	char err[256];

	memset(v, 0, sizeof *v);
	v->scheme = scheme;
	v->tolerance_s = 300;
	CU_ASSERT_FATAL(sig_key_from_secret(s1, scheme, &v->keys[0], err, sizeof err) == 0);
	v->n_keys = 1;
	if (s2) {
		CU_ASSERT_FATAL(sig_key_from_secret(s2, scheme, &v->keys[1], err, sizeof err) == 0);
		v->n_keys = 2;
	}
}

static enum sig_result verify_std(const struct sig_verifier *v, const char *id, const char *ts,
				  const char *sig, const char *body, int64_t now)
{
	struct sig_headers h = { .webhook_id = id,
				 .webhook_timestamp = ts,
				 .webhook_signature = sig };

	return sig_verify(v, &h, body, body ? strlen(body) : 0, now);
}

static void test_names(void)
{
	enum sig_scheme s;

	CU_ASSERT_STRING_EQUAL(sig_result_name(SIG_OK), "ok");
	CU_ASSERT_STRING_EQUAL(sig_result_name(SIG_MISMATCH), "signature_mismatch");
	/* Every refusal has its answer in the one table: a 401 that says why. */
	CU_ASSERT_EQUAL(sig_result_status(SIG_OK), 200);
	for (int r = SIG_OK + 1; r < SIG_RESULT_COUNT; r++) {
		CU_ASSERT_EQUAL(sig_result_status((enum sig_result)r), 401);
		CU_ASSERT(strlen(sig_result_text((enum sig_result)r)) > 10);
	}
	CU_ASSERT_STRING_EQUAL(sig_result_text(SIG_STALE_TIMESTAMP), "the timestamp is too old");
	CU_ASSERT_STRING_EQUAL(sig_result_name(SIG_RESULT_COUNT), "?");
	CU_ASSERT_STRING_EQUAL(sig_result_name(SIG_STALE_TIMESTAMP), "stale_timestamp");
	CU_ASSERT_STRING_EQUAL(sig_scheme_name(SIG_LEGACY), "legacy");
	CU_ASSERT_EQUAL(sig_scheme_from_name("standard", &s), 0);
	CU_ASSERT_EQUAL(s, SIG_STANDARD);
	CU_ASSERT_EQUAL(sig_scheme_from_name("auto", &s), 0);
	CU_ASSERT_EQUAL(s, SIG_AUTO);
	CU_ASSERT_EQUAL(sig_scheme_from_name("Standard", &s), -1);
	CU_ASSERT_EQUAL(sig_scheme_from_name("", &s), -1);
}

static void test_published_vector(void)
{
	struct sig_verifier v;
	struct sig_key k;
	char out[64], err[256];

	CU_ASSERT_EQUAL_FATAL(sig_key_from_secret(SW_SECRET, SIG_STANDARD, &k, err, sizeof err), 0);
	CU_ASSERT_EQUAL(k.std_len, 24);
	CU_ASSERT_EQUAL(
		sig_sign_standard(&k, SW_ID, SW_TS, SW_BODY, strlen(SW_BODY), out, sizeof out), 0);
	CU_ASSERT_STRING_EQUAL(out, SW_SIG);
	verifier(&v, SIG_STANDARD, SW_SECRET, NULL);
	CU_ASSERT_EQUAL(verify_std(&v, SW_ID, SW_TS_STR, SW_SIG, SW_BODY, SW_TS), SIG_OK);
	v.scheme = SIG_AUTO;
	CU_ASSERT_EQUAL(verify_std(&v, SW_ID, SW_TS_STR, SW_SIG, SW_BODY, SW_TS), SIG_OK);
	/* The secret without its prefix is the same key. */
	verifier(&v, SIG_STANDARD, &SW_SECRET[6], NULL);
	CU_ASSERT_EQUAL(verify_std(&v, SW_ID, SW_TS_STR, SW_SIG, SW_BODY, SW_TS), SIG_OK);
	/* One changed byte anywhere in the signed content fails. */
	CU_ASSERT_EQUAL(verify_std(&v, SW_ID, SW_TS_STR, SW_SIG, "{\"test\": 2432232315}", SW_TS),
			SIG_MISMATCH);
	CU_ASSERT_EQUAL(
		verify_std(&v, "msg_p5jXN8AQM9LWM0D4loKWxJel", SW_TS_STR, SW_SIG, SW_BODY, SW_TS),
		SIG_MISMATCH);
	CU_ASSERT_EQUAL(verify_std(&v, SW_ID, "1614265331", SW_SIG, SW_BODY, SW_TS), SIG_MISMATCH);
	sig_key_wipe(&k);
	CU_ASSERT_EQUAL(k.std_len, 0);
}

static void test_tokens(void)
{
	struct sig_verifier v;

	verifier(&v, SIG_STANDARD, SW_SECRET, NULL);
	/* Any token may match; other versions are skipped. */
	CU_ASSERT_EQUAL(verify_std(&v, SW_ID, SW_TS_STR,
				   "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= " SW_SIG,
				   SW_BODY, SW_TS),
			SIG_OK);
	CU_ASSERT_EQUAL(verify_std(&v, SW_ID, SW_TS_STR, "v1a,xyz  " SW_SIG "  ", SW_BODY, SW_TS),
			SIG_OK);
	CU_ASSERT_EQUAL(verify_std(&v, SW_ID, SW_TS_STR,
				   "v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", SW_BODY,
				   SW_TS),
			SIG_MALFORMED_HEADER);
	CU_ASSERT_EQUAL(verify_std(&v, SW_ID, SW_TS_STR,
				   "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", SW_BODY,
				   SW_TS),
			SIG_MISMATCH);
	/* Bad base64, wrong length, no comma, empty. */
	CU_ASSERT_EQUAL(verify_std(&v, SW_ID, SW_TS_STR, "v1,!!!!", SW_BODY, SW_TS),
			SIG_MALFORMED_HEADER);
	CU_ASSERT_EQUAL(verify_std(&v, SW_ID, SW_TS_STR, "v1,g0hM9SsE+OTPJTGt", SW_BODY, SW_TS),
			SIG_MALFORMED_HEADER);
	CU_ASSERT_EQUAL(verify_std(&v, SW_ID, SW_TS_STR,
				   "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE==", SW_BODY,
				   SW_TS),
			SIG_MALFORMED_HEADER);
	CU_ASSERT_EQUAL(verify_std(&v, SW_ID, SW_TS_STR,
				   "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", SW_BODY, SW_TS),
			SIG_MALFORMED_HEADER);
	CU_ASSERT_EQUAL(verify_std(&v, SW_ID, SW_TS_STR, "", SW_BODY, SW_TS), SIG_MALFORMED_HEADER);
	CU_ASSERT_EQUAL(verify_std(&v, SW_ID, SW_TS_STR, "v1,", SW_BODY, SW_TS),
			SIG_MALFORMED_HEADER);
	/* Unpadded base64 of the right signature still decodes. */
	CU_ASSERT_EQUAL(verify_std(&v, SW_ID, SW_TS_STR,
				   "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE", SW_BODY,
				   SW_TS),
			SIG_OK);
}

static void test_missing_and_timestamps(void)
{
	struct sig_verifier v;

	verifier(&v, SIG_STANDARD, SW_SECRET, NULL);
	CU_ASSERT_EQUAL(verify_std(&v, NULL, SW_TS_STR, SW_SIG, SW_BODY, SW_TS),
			SIG_MISSING_HEADER);
	CU_ASSERT_EQUAL(verify_std(&v, SW_ID, NULL, SW_SIG, SW_BODY, SW_TS), SIG_MISSING_HEADER);
	CU_ASSERT_EQUAL(verify_std(&v, SW_ID, SW_TS_STR, NULL, SW_BODY, SW_TS), SIG_MISSING_HEADER);
	CU_ASSERT_EQUAL(verify_std(&v, SW_ID, "abc", SW_SIG, SW_BODY, SW_TS), SIG_BAD_TIMESTAMP);
	CU_ASSERT_EQUAL(verify_std(&v, SW_ID, "-1614265330", SW_SIG, SW_BODY, SW_TS),
			SIG_BAD_TIMESTAMP);
	CU_ASSERT_EQUAL(verify_std(&v, SW_ID, "1614265330.5", SW_SIG, SW_BODY, SW_TS),
			SIG_BAD_TIMESTAMP);
	CU_ASSERT_EQUAL(verify_std(&v, SW_ID, "", SW_SIG, SW_BODY, SW_TS), SIG_BAD_TIMESTAMP);
	CU_ASSERT_EQUAL(verify_std(&v, SW_ID, "99999999999999999999999", SW_SIG, SW_BODY, SW_TS),
			SIG_BAD_TIMESTAMP);
	/* ±300 s: the edges are in, one second past is out. */
	CU_ASSERT_EQUAL(verify_std(&v, SW_ID, SW_TS_STR, SW_SIG, SW_BODY, SW_TS + 300), SIG_OK);
	CU_ASSERT_EQUAL(verify_std(&v, SW_ID, SW_TS_STR, SW_SIG, SW_BODY, SW_TS - 300), SIG_OK);
	CU_ASSERT_EQUAL(verify_std(&v, SW_ID, SW_TS_STR, SW_SIG, SW_BODY, SW_TS + 301),
			SIG_STALE_TIMESTAMP);
	CU_ASSERT_EQUAL(verify_std(&v, SW_ID, SW_TS_STR, SW_SIG, SW_BODY, SW_TS - 301),
			SIG_FUTURE_TIMESTAMP);
	v.tolerance_s = 10;
	CU_ASSERT_EQUAL(verify_std(&v, SW_ID, SW_TS_STR, SW_SIG, SW_BODY, SW_TS + 11),
			SIG_STALE_TIMESTAMP);
	CU_ASSERT_EQUAL(verify_std(&v, SW_ID, SW_TS_STR, SW_SIG, SW_BODY, SW_TS + 10), SIG_OK);
	/* A stale timestamp is refused even with a valid signature for it. */
	v.n_keys = 0;
	CU_ASSERT_EQUAL(verify_std(&v, SW_ID, SW_TS_STR, SW_SIG, SW_BODY, SW_TS), SIG_NO_SECRET);
}

static void test_round_trip_and_rotation(void)
{
	struct sig_verifier v;
	struct sig_key k_new, k_old;
	char s_new[64], s_old[64], both[160], err[256];
	const char *body = "{\"id\":\"evt_x\",\"type\":\"fax.delivered\",\"created\":1}";
	int64_t now = 1747173600;

	CU_ASSERT_EQUAL_FATAL(sig_generate_secret(s_new, sizeof s_new), 0);
	CU_ASSERT_EQUAL(strncmp(s_new, "whsec_", 6), 0);
	CU_ASSERT_EQUAL(strlen(s_new), 6 + 44);
	CU_ASSERT_EQUAL_FATAL(sig_key_from_secret(s_new, SIG_STANDARD, &k_new, err, sizeof err), 0);
	CU_ASSERT_EQUAL(k_new.std_len, 32);
	CU_ASSERT_EQUAL_FATAL(
		sig_key_from_secret(OTHER_SECRET, SIG_STANDARD, &k_old, err, sizeof err), 0);
	CU_ASSERT_EQUAL(
		sig_sign_standard(&k_new, "evt_x", now, body, strlen(body), s_new, sizeof s_new),
		0);
	CU_ASSERT_EQUAL(
		sig_sign_standard(&k_old, "evt_x", now, body, strlen(body), s_old, sizeof s_old),
		0);
	CU_ASSERT_STRING_NOT_EQUAL(s_new, s_old);
	snprintf(both, sizeof both, "%s %s", s_new, s_old);

	/* Configured with the old secret and the new: either signature passes. */
	memset(&v, 0, sizeof v);
	v.scheme = SIG_AUTO;
	v.keys[0] = k_new;
	v.keys[1] = k_old;
	v.n_keys = 2;
	CU_ASSERT_EQUAL(verify_std(&v, "evt_x", "1747173600", s_new, body, now), SIG_OK);
	CU_ASSERT_EQUAL(verify_std(&v, "evt_x", "1747173600", s_old, body, now), SIG_OK);
	CU_ASSERT_EQUAL(verify_std(&v, "evt_x", "1747173600", both, body, now), SIG_OK);
	/* Only the new secret: the old signature alone fails, both together pass. */
	v.n_keys = 1;
	CU_ASSERT_EQUAL(verify_std(&v, "evt_x", "1747173600", s_old, body, now), SIG_MISMATCH);
	CU_ASSERT_EQUAL(verify_std(&v, "evt_x", "1747173600", both, body, now), SIG_OK);
	/* An empty body signs and verifies too. */
	CU_ASSERT_EQUAL(sig_sign_standard(&k_new, "evt_e", now, "", 0, s_new, sizeof s_new), 0);
	CU_ASSERT_EQUAL(verify_std(&v, "evt_e", "1747173600", s_new, "", now), SIG_OK);
	/* Too small an output buffer is an error, not an overflow. */
	CU_ASSERT_EQUAL(sig_sign_standard(&k_new, "evt_e", now, "", 0, s_new, 20), -1);
	sig_key_wipe(&k_new);
	sig_key_wipe(&k_old);
}

static void test_secrets(void)
{
	struct sig_key k;
	char err[256];
	char big[300];

	/* The legacy example secret is not base64: refused for the standard
	 * scheme with a message that does not repeat it; usable for legacy. */
	err[0] = '\0';
	CU_ASSERT_EQUAL(sig_key_from_secret(LG_SECRET, SIG_STANDARD, &k, err, sizeof err), -1);
	CU_ASSERT(err[0] != '\0');
	CU_ASSERT_PTR_NULL(strstr(err, "3JzE9rYNm2VbQ8P6KxLf1WdGa4Tc"));
	CU_ASSERT_EQUAL(sig_key_from_secret(LG_SECRET, SIG_LEGACY, &k, err, sizeof err), 0);
	CU_ASSERT_EQUAL(k.legacy_len, strlen(LG_SECRET));
	/* Under auto too (mintfax signs with the standard scheme): a legacy
	 * secret needs signature-scheme = legacy, and the message says so. */
	err[0] = '\0';
	CU_ASSERT_EQUAL(sig_key_from_secret(LG_SECRET, SIG_AUTO, &k, err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "legacy"));
	CU_ASSERT_PTR_NULL(strstr(err, "3JzE9rYNm2VbQ8P6KxLf1WdGa4Tc"));
	CU_ASSERT_EQUAL(sig_key_from_secret("whsec_short", SIG_AUTO, &k, err, sizeof err), -1);
	CU_ASSERT_PTR_NULL(strstr(err, "short"));
	CU_ASSERT_EQUAL(sig_key_from_secret("", SIG_AUTO, &k, err, sizeof err), -1);
	CU_ASSERT_EQUAL(sig_key_from_secret(NULL, SIG_AUTO, &k, err, sizeof err), -1);
	CU_ASSERT_EQUAL(sig_key_from_secret("whsec_", SIG_STANDARD, &k, err, sizeof err), -1);
	CU_ASSERT_EQUAL(sig_key_from_secret("whsec_a", SIG_STANDARD, &k, err, sizeof err), -1);
	CU_ASSERT_EQUAL(sig_key_from_secret("whsec_ab cd", SIG_STANDARD, &k, err, sizeof err), -1);
	CU_ASSERT_EQUAL(sig_key_from_secret("whsec_abc=d", SIG_STANDARD, &k, err, sizeof err), -1);
	/* 18 bytes, "sixteen-bytes+two"; then 17 with and without its padding. */
	CU_ASSERT_EQUAL(sig_key_from_secret("whsec_c2l4dGVlbi1ieXRlcyt0d28h", SIG_STANDARD, &k, err,
					    sizeof err),
			0);
	CU_ASSERT_EQUAL(k.std_len, 18);
	CU_ASSERT_EQUAL(memcmp(k.std, "sixteen-bytes+two!", 18), 0);
	CU_ASSERT_EQUAL(sig_key_from_secret("whsec_c2l4dGVlbi1ieXRlcytvbmU=", SIG_STANDARD, &k, err,
					    sizeof err),
			0);
	CU_ASSERT_EQUAL(k.std_len, 17);
	CU_ASSERT_EQUAL(sig_key_from_secret("whsec_c2l4dGVlbi1ieXRlcytvbmU", SIG_STANDARD, &k, err,
					    sizeof err),
			0);
	CU_ASSERT_EQUAL(k.std_len, 17);
	/* Base64 of too few bytes: refused for the standard and auto schemes,
	 * saying how short (whsec_zz decodes to one byte); legacy takes it. */
	err[0] = '\0';
	CU_ASSERT_EQUAL(sig_key_from_secret("whsec_zz", SIG_STANDARD, &k, err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "1 bytes"));
	CU_ASSERT_PTR_NULL(strstr(err, "whsec_zz"));
	CU_ASSERT_EQUAL(sig_key_from_secret("whsec_YWJjZGVmZ2hpamtsbW5v", SIG_STANDARD, &k, err,
					    sizeof err),
			-1);
	CU_ASSERT_EQUAL(
		sig_key_from_secret("whsec_YWJjZGVmZ2hpamtsbW5v", SIG_AUTO, &k, err, sizeof err),
		-1);
	CU_ASSERT_EQUAL(
		sig_key_from_secret("whsec_YWJjZGVmZ2hpamtsbW5v", SIG_LEGACY, &k, err, sizeof err),
		0);
	CU_ASSERT_EQUAL(k.std_len, 0);
	CU_ASSERT_EQUAL(k.legacy_len, strlen("whsec_YWJjZGVmZ2hpamtsbW5v"));
	memset(big, 'A', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	CU_ASSERT_EQUAL(sig_key_from_secret(big, SIG_AUTO, &k, err, sizeof err), -1);
	CU_ASSERT_PTR_NULL(strstr(err, "AAAAAAAA"));
}

static void test_legacy(void)
{
	struct sig_verifier v;
	struct sig_headers h = { .legacy_signature = LG_HEX, .legacy_timestamp = LG_TS_STR };
	char out[65], upper[65], tform[128];
	size_t i;

	verifier(&v, SIG_LEGACY, LG_SECRET, NULL);
	CU_ASSERT_EQUAL(
		sig_sign_legacy(&v.keys[0], LG_TS, LG_BODY, strlen(LG_BODY), out, sizeof out), 0);
	CU_ASSERT_STRING_EQUAL(out, LG_HEX);
	CU_ASSERT_EQUAL(sig_verify(&v, &h, LG_BODY, strlen(LG_BODY), LG_TS), SIG_OK);
	v.scheme = SIG_AUTO;
	CU_ASSERT_EQUAL(sig_verify(&v, &h, LG_BODY, strlen(LG_BODY), LG_TS + 60), SIG_OK);
	for (i = 0; i < 64; i++)
		upper[i] = (char)(LG_HEX[i] >= 'a' ? LG_HEX[i] - 32 : LG_HEX[i]);
	upper[64] = '\0';
	h.legacy_signature = upper;
	CU_ASSERT_EQUAL(sig_verify(&v, &h, LG_BODY, strlen(LG_BODY), LG_TS), SIG_OK);
	/* The marketing page's form carries its own timestamp. */
	snprintf(tform, sizeof tform, "t=%s, v1=%s", LG_TS_STR, LG_HEX);
	h.legacy_signature = tform;
	h.legacy_timestamp = NULL;
	CU_ASSERT_EQUAL(sig_verify(&v, &h, LG_BODY, strlen(LG_BODY), LG_TS), SIG_OK);
	snprintf(tform, sizeof tform, "t=%d,v1=%s", LG_TS + 1, LG_HEX);
	CU_ASSERT_EQUAL(sig_verify(&v, &h, LG_BODY, strlen(LG_BODY), LG_TS), SIG_MISMATCH);
	/* "t=" counts only at an element's start; a second one is ambiguous. */
	snprintf(tform, sizeof tform, "v1=%s, x t=1, t=%s", LG_HEX, LG_TS_STR);
	CU_ASSERT_EQUAL(sig_verify(&v, &h, LG_BODY, strlen(LG_BODY), LG_TS), SIG_OK);
	snprintf(tform, sizeof tform, "t=1, t=%s, v1=%s", LG_TS_STR, LG_HEX);
	CU_ASSERT_EQUAL(sig_verify(&v, &h, LG_BODY, strlen(LG_BODY), LG_TS), SIG_MALFORMED_HEADER);
	snprintf(tform, sizeof tform, "t=%s, v1=%s,t=%s", LG_TS_STR, LG_HEX, LG_TS_STR);
	CU_ASSERT_EQUAL(sig_verify(&v, &h, LG_BODY, strlen(LG_BODY), LG_TS), SIG_MALFORMED_HEADER);
	/* Refusals. */
	h.legacy_signature = LG_HEX;
	h.legacy_timestamp = LG_TS_STR;
	CU_ASSERT_EQUAL(sig_verify(&v, &h, LG_BODY "x", strlen(LG_BODY) + 1, LG_TS), SIG_MISMATCH);
	CU_ASSERT_EQUAL(sig_verify(&v, &h, LG_BODY, strlen(LG_BODY), LG_TS + 301),
			SIG_STALE_TIMESTAMP);
	CU_ASSERT_EQUAL(sig_verify(&v, &h, LG_BODY, strlen(LG_BODY), LG_TS - 301),
			SIG_FUTURE_TIMESTAMP);
	h.legacy_timestamp = NULL;
	CU_ASSERT_EQUAL(sig_verify(&v, &h, LG_BODY, strlen(LG_BODY), LG_TS), SIG_MISSING_HEADER);
	h.legacy_timestamp = "x";
	CU_ASSERT_EQUAL(sig_verify(&v, &h, LG_BODY, strlen(LG_BODY), LG_TS), SIG_BAD_TIMESTAMP);
	h.legacy_timestamp = LG_TS_STR;
	h.legacy_signature = "zz";
	CU_ASSERT_EQUAL(sig_verify(&v, &h, LG_BODY, strlen(LG_BODY), LG_TS), SIG_MALFORMED_HEADER);
	h.legacy_signature = LG_HEX "00";
	CU_ASSERT_EQUAL(sig_verify(&v, &h, LG_BODY, strlen(LG_BODY), LG_TS), SIG_MALFORMED_HEADER);
	/* The standard scheme alone does not look at legacy headers. */
	h.legacy_signature = LG_HEX;
	v.scheme = SIG_STANDARD;
	CU_ASSERT_EQUAL(sig_verify(&v, &h, LG_BODY, strlen(LG_BODY), LG_TS), SIG_MISSING_HEADER);
	/* Auto with no signature headers at all. */
	v.scheme = SIG_AUTO;
	memset(&h, 0, sizeof h);
	CU_ASSERT_EQUAL(sig_verify(&v, &h, LG_BODY, strlen(LG_BODY), LG_TS), SIG_MISSING_HEADER);
	/* A legacy-only secret cannot check a standard signature. */
	CU_ASSERT_EQUAL(verify_std(&v, SW_ID, SW_TS_STR, SW_SIG, SW_BODY, SW_TS), SIG_NO_SECRET);
}

static const struct unit_test tests[] = {
	{ "scheme and result names", test_names },
	{ "Standard Webhooks published test vector", test_published_vector },
	{ "signature tokens: any may match, malformed ones", test_tokens },
	{ "missing headers and timestamp tolerance edges", test_missing_and_timestamps },
	{ "sign→verify round trips and rotation", test_round_trip_and_rotation },
	{ "secrets to key bytes", test_secrets },
	{ "legacy hex scheme", test_legacy },
	{ 0 }
};

UNIT_SUITE(signature, NULL, NULL, tests);
