/* libcurl's multi interface driven by libev: the socket callback starts and
 * stops an ev_io per socket, the timer callback arms one ev_timer with a
 * fractional timeout. Used by api_client and by faxsim's webhook sender and
 * load mode. Never blocks the loop. */
#ifndef FAXTOP_CORE_CURL_EV_H
#define FAXTOP_CORE_CURL_EV_H

#include <curl/curl.h>

struct ev_loop;
struct curl_ev;

/* Called once per finished easy handle, with curl's result. The callback may
 * free or reuse the handle (after curl_ev_remove is done for it: the handle
 * is already removed from the multi when this runs). */
typedef void (*curl_ev_done_fn)(CURL *easy, CURLcode result, void *ctx);

struct curl_ev *curl_ev_new(struct ev_loop *loop);
void curl_ev_free(struct curl_ev *ce); /* removes and cleans up nothing it does not own */
/* Adds a configured easy handle; done runs once when it finishes. 0 or -1. */
int curl_ev_add(struct curl_ev *ce, CURL *easy, curl_ev_done_fn done, void *ctx);
/* Removes a handle before it finished (done is not called). */
void curl_ev_remove(struct curl_ev *ce, CURL *easy);
unsigned curl_ev_running(const struct curl_ev *ce);
CURLM *curl_ev_multi(struct curl_ev *ce); /* for options such as max connections */

#endif
