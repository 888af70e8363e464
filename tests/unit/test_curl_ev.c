#include <ev.h>
#include <stdlib.h>
#include <string.h>

#include "core/api/curl_ev.h"
#include "tests/unit/test_peer.h"
#include "tests/unit/unit.h"

struct fetch {
	CURL *easy;
	CURLcode result;
	long status;
	char body[256];
	size_t body_len;
	int done;
	struct curl_ev *ce;
	struct fetch *chain; /* added from the done callback */
	const char *chain_url;
	int *all_done;
	int *n_done;
	int want;
	int free_ce; /* free the curl_ev from inside done */
};

static size_t fetch_write(char *ptr, size_t sz, size_t n, void *ud)
{
	struct fetch *f = ud;
	size_t len = sz * n;
	size_t room = sizeof(f->body) - 1 - f->body_len;
	size_t take = len < room ? len : room;

	memcpy(f->body + f->body_len, ptr, take);
	f->body_len += take;
	f->body[f->body_len] = '\0';
	return len;
}

static void fetch_setup(struct fetch *f, const char *url)
{
	f->easy = curl_easy_init();
	curl_easy_setopt(f->easy, CURLOPT_URL, url);
	curl_easy_setopt(f->easy, CURLOPT_WRITEFUNCTION, fetch_write);
	curl_easy_setopt(f->easy, CURLOPT_WRITEDATA, f);
}

static void fetch_done(CURL *easy, CURLcode result, void *ctx)
{
	struct fetch *f = ctx;

	CU_ASSERT_PTR_EQUAL(easy, f->easy);
	f->result = result;
	curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &f->status);
	f->done++;
	if (f->chain) {
		fetch_setup(f->chain, f->chain_url);
		CU_ASSERT_EQUAL(curl_ev_add(f->ce, f->chain->easy, fetch_done, f->chain), 0);
	}
	if (f->free_ce) {
		curl_ev_free(f->ce);
		*f->all_done = 1;
		return;
	}
	if (++*f->n_done == f->want)
		*f->all_done = 1;
}

static void test_concurrent_and_chained(void)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct peer *p = peer_new(loop);
	struct curl_ev *ce = curl_ev_new(loop);
	struct fetch f[4];
	int all = 0, n = 0;
	char chained_url[128];

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ce);
	peer_set_default(p, 200, NULL, "hello");
	memset(f, 0, sizeof(f));
	for (int i = 0; i < 4; i++) {
		f[i].ce = ce;
		f[i].all_done = &all;
		f[i].n_done = &n;
		f[i].want = 4;
	}
	/* f[0] adds f[3] from its done callback: adding inside a callback works. */
	f[0].chain = &f[3];
	snprintf(chained_url, sizeof(chained_url), "%s", peer_url(p, "/chained"));
	f[0].chain_url = chained_url;
	for (int i = 0; i < 3; i++) {
		char path[32];
		snprintf(path, sizeof(path), "/x%d", i);
		fetch_setup(&f[i], peer_url(p, path));
		CU_ASSERT_EQUAL(curl_ev_add(ce, f[i].easy, fetch_done, &f[i]), 0);
	}
	CU_ASSERT_EQUAL(curl_ev_running(ce), 3);
	CU_ASSERT_TRUE(peer_run_until(loop, &all, 10.0));
	for (int i = 0; i < 4; i++) {
		CU_ASSERT_EQUAL(f[i].done, 1);
		CU_ASSERT_EQUAL(f[i].result, CURLE_OK);
		CU_ASSERT_EQUAL(f[i].status, 200);
		CU_ASSERT_STRING_EQUAL(f[i].body, "hello");
	}
	CU_ASSERT_EQUAL(curl_ev_running(ce), 0);
	CU_ASSERT_EQUAL(peer_count(p), 4);
	int chained = 0;
	for (size_t i = 0; i < peer_count(p); i++)
		chained += !strcmp(peer_req(p, i)->path, "/chained");
	CU_ASSERT_EQUAL(chained, 1);
	for (int i = 0; i < 4; i++)
		curl_easy_cleanup(f[i].easy);
	curl_ev_free(ce);
	peer_free(p);
	ev_loop_destroy(loop);
}

static void test_connection_refused_reports(void)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct peer *p = peer_new(loop);
	struct curl_ev *ce = curl_ev_new(loop);
	struct fetch f;
	int all = 0, n = 0;
	char url[128];

	/* A port that was just closed refuses connections. */
	snprintf(url, sizeof(url), "%s", peer_url(p, "/gone"));
	peer_free(p);
	memset(&f, 0, sizeof(f));
	f.ce = ce;
	f.all_done = &all;
	f.n_done = &n;
	f.want = 1;
	fetch_setup(&f, url);
	CU_ASSERT_EQUAL(curl_ev_add(ce, f.easy, fetch_done, &f), 0);
	CU_ASSERT_TRUE(peer_run_until(loop, &all, 10.0));
	CU_ASSERT_EQUAL(f.done, 1);
	CU_ASSERT_EQUAL(f.result, CURLE_COULDNT_CONNECT);
	curl_easy_cleanup(f.easy);
	curl_ev_free(ce);
	ev_loop_destroy(loop);
}

static void test_remove_and_free_inside_done(void)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct peer *p = peer_new(loop);
	struct curl_ev *ce = curl_ev_new(loop);
	struct fetch a, b;
	int all = 0, n = 0;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	fetch_setup(&a, peer_url(p, "/a"));
	fetch_setup(&b, peer_url(p, "/b"));
	CU_ASSERT_EQUAL(curl_ev_add(ce, b.easy, fetch_done, &b), 0);
	curl_ev_remove(ce, b.easy);
	CU_ASSERT_EQUAL(curl_ev_running(ce), 0);
	a.ce = ce;
	a.all_done = &all;
	a.n_done = &n;
	a.free_ce = 1;
	CU_ASSERT_EQUAL(curl_ev_add(ce, a.easy, fetch_done, &a), 0);
	CU_ASSERT_TRUE(peer_run_until(loop, &all, 10.0));
	CU_ASSERT_EQUAL(a.done, 1);
	CU_ASSERT_EQUAL(b.done, 0); /* removed before finishing: never reported */
	/* ce is gone; the loop must have no watcher of it left running. */
	ev_run(loop, EVRUN_NOWAIT);
	curl_easy_cleanup(a.easy);
	curl_easy_cleanup(b.easy);
	peer_free(p);
	ev_loop_destroy(loop);
}

static const struct unit_test tests[] = {
	{ "concurrent transfers and a handle added from done", test_concurrent_and_chained },
	{ "connection refused is reported once", test_connection_refused_reports },
	{ "remove before finish, free from inside done", test_remove_and_free_inside_done },
	{ 0 },
};

UNIT_SUITE(curl_ev, NULL, NULL, tests);
