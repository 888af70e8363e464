/* Answers: the status line and headers, the refusals the server makes on
 * its own, and http_respond, which hands the connection back to reading. */
#include <config.h> /* autoconf's; "config.h" would find core/base/options.h */

#include "core/http/http_int.h"
#include "core/base/xalloc.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* ---- queueing an answer ---- */

static const char *server_date(struct http_server *srv)
{
	time_t now = time(NULL);
	struct tm tm;

	if (now != srv->date_t && gmtime_r(&now, &tm)) {
		strftime(srv->date, sizeof srv->date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
		srv->date_t = now;
	}
	return srv->date;
}

bool http_header_safe(const char *s)
{
	return s && !strpbrk(s, "\r\n");
}

static bool status_has_body(int status)
{
	return !(status < 200 || status == 204 || status == 304);
}

/* Queues one answer. keep_alive false makes it the last one. */
static void conn_queue_response(struct http_conn *c, int status, const char *ctype,
				const char *body, size_t len, const struct http_header *extra,
				size_t n_extra, bool keep_alive, bool head)
{
	struct http_server *srv = c->srv;
	struct http_buf *o = &c->out;
	size_t i;
	int rc = 0;

	if (!body)
		len = 0;
	rc |= http_buf_printf(o, "HTTP/1.1 %d %s\r\nDate: %s\r\n", status, http_status_text(status),
			      server_date(srv));
	if (srv->server_name)
		rc |= http_buf_printf(o, "Server: %s\r\n", srv->server_name);
	if (status_has_body(status)) {
		if (ctype && http_header_safe(ctype))
			rc |= http_buf_printf(o, "Content-Type: %s\r\n", ctype);
		rc |= http_buf_printf(o, "Content-Length: %zu\r\n", len);
	}
	for (i = 0; i < n_extra; i++) {
		/* A CR or LF would let a caller's value split the response. */
		if (!http_header_safe(extra[i].name) || !http_header_safe(extra[i].value) ||
		    !*extra[i].name)
			continue;
		rc |= http_buf_printf(o, "%s: %s\r\n", extra[i].name, extra[i].value);
	}
	if (!keep_alive)
		rc |= http_buf_add(o, "Connection: close\r\n", 19);
	else if (c->parser.http_major == 1 && c->parser.http_minor == 0)
		rc |= http_buf_add(o, "Connection: keep-alive\r\n", 24);
	rc |= http_buf_add(o, "\r\n", 2);
	if (!head && status_has_body(status) && len)
		rc |= http_buf_add(o, body, len);
	/* Our own answer, sized by the handler: losing it would leave the
	 * peer waiting for what we already did. */
	if (rc)
		xalloc_die();
	if (!keep_alive && c->state != CONN_CLOSED)
		c->state = CONN_CLOSING;
}

static int json_escape(struct http_buf *b, const char *s)
{
	int rc = 0;

	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			rc |= http_buf_printf(b, "\\%c", ch);
		else if (ch < 0x20)
			rc |= http_buf_printf(b, "\\u%04x", ch);
		else
			rc |= http_buf_addc(b, (char)ch);
	}
	return rc;
}

/* Refuses what is in the input: the answer is the connection's last. */
void http_conn_refuse(struct http_conn *c, int status, const char *error, const char *msg)
{
	struct http_buf b = { 0 };
	int rc = 0;

	rc |= http_buf_add(&b, "{\"error\":\"", 10);
	rc |= json_escape(&b, error);
	rc |= http_buf_add(&b, "\",\"message\":\"", 13);
	rc |= json_escape(&b, msg);
	rc |= http_buf_add(&b, "\"}", 2);
	if (rc)
		xalloc_die();
	if (status == 400)
		c->srv->stats.bad_requests++;
	else if (status == 413 || status == 431)
		c->srv->stats.too_large++;
	if (c->req && !c->req->dispatched) {
		http_request_free(c->req);
		c->req = NULL;
	}
	c->in_off = c->in_len = 0;
	conn_queue_response(c, status, "application/json", b.data, b.len, NULL, 0, false, false);
	http_buf_free(&b);
	if (c->state != CONN_CLOSED)
		http_conn_flush(c);
}

/* ---- the handler answers ---- */

void http_respond(struct http_request *req, int status, const char *content_type, const char *body,
		  size_t len, const struct http_header *extra, size_t n_extra)
{
	struct http_conn *c = req->conn;
	struct http_server *srv = req->srv;
	bool keep;

	if (!c || !srv || c->state != CONN_HANDLING || c->req != req) {
		http_request_free(req);
		return;
	}
	keep = req->keep_alive && srv->accepting && !c->peer_eof;
	c->req = NULL;
	c->state = CONN_READING;
	c->idle_since = ev_now(srv->loop);
	conn_queue_response(c, status, content_type, body, len, extra, n_extra, keep, req->head);
	http_request_free(req);
	if (c->state == CONN_CLOSED)
		return;
	if (c->state == CONN_READING) {
		http_parser_pause(&c->parser, 0);
		http_conn_touch(c);
		http_server_resume_accept(srv);
	}
	if (http_conn_flush(c) < 0 || c->state != CONN_READING)
		return;
	if (c->peer_eof && c->out.len == c->out_off) {
		http_conn_close(c);
		return;
	}
	/* Outside http_conn_process (a deferred answer), resume from the loop rather
	 * than re-entering the handler from whatever callback answered. */
	if (!c->processing && c->in_off < c->in_len) {
		ev_feed_event(srv->loop, &c->rw, EV_READ);
		ev_idle_start(srv->loop, &srv->nudge_w);
	}
}

void http_respond_json(struct http_request *req, int status, const char *json,
		       const struct http_header *extra, size_t n_extra)
{
	http_respond(req, status, "application/json", json, json ? strlen(json) : 0, extra,
		     n_extra);
}

const char *http_status_text(int status)
{
	switch (status) {
	case 100:
		return "Continue";
	case 200:
		return "OK";
	case 201:
		return "Created";
	case 202:
		return "Accepted";
	case 204:
		return "No Content";
	case 301:
		return "Moved Permanently";
	case 302:
		return "Found";
	case 304:
		return "Not Modified";
	case 400:
		return "Bad Request";
	case 401:
		return "Unauthorized";
	case 402:
		return "Payment Required";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 408:
		return "Request Timeout";
	case 409:
		return "Conflict";
	case 410:
		return "Gone";
	case 411:
		return "Length Required";
	case 413:
		return "Payload Too Large";
	case 414:
		return "URI Too Long";
	case 415:
		return "Unsupported Media Type";
	case 422:
		return "Unprocessable Entity";
	case 429:
		return "Too Many Requests";
	case 431:
		return "Request Header Fields Too Large";
	case 500:
		return "Internal Server Error";
	case 501:
		return "Not Implemented";
	case 502:
		return "Bad Gateway";
	case 503:
		return "Service Unavailable";
	case 504:
		return "Gateway Timeout";
	default:
		return "Unknown";
	}
}
