/* Requests framed by http_parser: its callbacks build the request within
 * the header and body limits, and http_conn_process feeds it the buffered
 * input, dispatching one complete request at a time (the parser is paused
 * until it is answered, so pipelined answers leave in order). */
#include <config.h> /* autoconf's; "config.h" would find core/base/options.h */

#include "core/http/http_int.h"
#include "core/base/xalloc.h"
#include "core/http/http_proxy.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static http_parser_settings parser_settings;

/* ---- parser callbacks: return non-zero to stop with err_status set ---- */

static int parser_fail(struct http_conn *c, int status, const char *msg)
{
	c->err_status = status;
	c->err_msg = msg;
	return -1;
}

static int header_budget(struct http_conn *c, size_t n)
{
	struct http_request *r = c->req;

	r->header_bytes += n;
	if (r->header_bytes > c->srv->opts.max_header_bytes)
		return parser_fail(c, 431, "request headers too large");
	return 0;
}

static int on_message_begin(http_parser *p)
{
	struct http_conn *c = p->data;

	if (!c->req)
		c->req = http_request_new(c);
	c->in_headers = true;
	http_conn_touch(c);
	c->req_deadline = ev_now(c->srv->loop) + HTTP_REQUEST_IDLES * c->srv->opts.idle_timeout;
	return 0;
}

static int on_url(http_parser *p, const char *at, size_t len)
{
	struct http_conn *c = p->data;

	if (header_budget(c, len))
		return -1;
	if (http_buf_add(&c->req->url, at, len) < 0)
		return parser_fail(c, 503, "out of memory");
	return 0;
}

/* A header's name begins: a new slot in the offset arrays. */
static int header_name_start(struct http_conn *c, struct http_request *r)
{
	if (r->n_headers >= HTTP_MAX_HEADERS)
		return parser_fail(c, 431, "too many request headers");
	if (header_budget(c, HTTP_HEADER_OVERHEAD))
		return -1;
	if (r->n_headers == r->cap_headers) {
		/* At most HTTP_MAX_HEADERS: a size of ours, not the peer's. */
		size_t cap = r->cap_headers ? r->cap_headers * 2 : 16;

		r->name_off = xrealloc(r->name_off, cap * sizeof *r->name_off);
		r->value_off = xrealloc(r->value_off, cap * sizeof *r->value_off);
		r->cap_headers = cap;
	}
	if (r->n_headers > 0 && http_buf_addc(&r->hdr, '\0') < 0)
		return parser_fail(c, 503, "out of memory");
	r->name_off[r->n_headers] = r->hdr.len;
	r->value_off[r->n_headers] = 0;
	r->n_headers++;
	r->have_value = false;
	return 0;
}

/* Its value begins, after the name's NUL. */
static int header_value_start(struct http_conn *c, struct http_request *r)
{
	if (http_buf_addc(&r->hdr, '\0') < 0)
		return parser_fail(c, 503, "out of memory");
	r->value_off[r->n_headers - 1] = r->hdr.len;
	r->have_value = true;
	return 0;
}

/* A piece of a header's name or value (http_parser may split either). */
static int on_header_part(http_parser *p, const char *at, size_t len, bool value)
{
	struct http_conn *c = p->data;
	struct http_request *r = c->req;

	if (header_budget(c, len))
		return -1;
	/* Trailers of a chunked body: counted, not kept (the header array is
	 * built and points into the buffer). */
	if (r->headers)
		return 0;
	if (value ? !r->have_value : r->n_headers == 0 || r->have_value) {
		int rc = value ? header_value_start(c, r) : header_name_start(c, r);

		if (rc)
			return rc;
	}
	if (http_buf_add(&r->hdr, at, len) < 0)
		return parser_fail(c, 503, "out of memory");
	return 0;
}

static int on_header_field(http_parser *p, const char *at, size_t len)
{
	return on_header_part(p, at, len, false);
}

static int on_header_value(http_parser *p, const char *at, size_t len)
{
	return on_header_part(p, at, len, true);
}

static size_t request_header_count(const struct http_request *r, const char *name)
{
	size_t i, n = 0;

	for (i = 0; i < r->n_headers; i++)
		n += strcasecmp(r->headers[i].name, name) == 0;
	return n;
}

static int request_split_url(struct http_request *r, bool is_connect)
{
	struct http_parser_url u;
	char *path;
	size_t plen;
	int n;

	http_parser_url_init(&u);
	if (!r->url.data || http_parser_parse_url(r->url.data, r->url.len, is_connect, &u) != 0)
		return -1;
	if (!(u.field_set & (1 << UF_PATH)))
		return -1;
	/* Within the header limit already: an allocation we must have. */
	plen = u.field_data[UF_PATH].len;
	path = xmalloc(plen + 1);
	n = http_url_decode(r->url.data + u.field_data[UF_PATH].off, plen, path, plen + 1, false);
	/* A decoded NUL would silently cut the path short. */
	if (n < 0 || strlen(path) != (size_t)n) {
		free(path);
		return -1;
	}
	r->path = path;
	if (u.field_set & (1 << UF_QUERY))
		r->query = xstrndup(r->url.data + u.field_data[UF_QUERY].off,
				    u.field_data[UF_QUERY].len);
	else
		r->query = xstrdup("");
	return 0;
}

/* A trusted proxy's request names its client: logs and the per-peer cap
 * use it from now on. -1 when that client is over its cap. */
static int conn_forwarded(struct http_conn *c, struct http_request *r)
{
	struct net_addr client;

	if (!http_forwarded_client(&c->srv->trusted, http_request_header(r, "X-Forwarded-For"),
				   http_request_header(r, "X-Real-IP"), &client))
		return 0;
	c->addr = client;
	net_addr_format(&client, r->peer, sizeof r->peer);
	memcpy(c->peer, r->peer, sizeof c->peer);
	return http_conn_peer_cap(c) ? 0 : -1;
}

static int on_headers_complete(http_parser *p)
{
	struct http_conn *c = p->data;
	struct http_request *r = c->req;
	const char *expect;
	size_t hosts;

	c->in_headers = false;
	http_conn_touch(c);
	if (http_request_finish_headers(r) < 0)
		return parser_fail(c, 503, "out of memory");
	snprintf(r->method, sizeof r->method, "%s", http_method_str(p->method));
	r->head = p->method == HTTP_HEAD;
	if (request_split_url(r, p->method == HTTP_CONNECT) < 0)
		return parser_fail(c, 400, "malformed request target");
	/* RFC 9112 3.2: an HTTP/1.1 request without Host, or any request with
	 * two, is refused; a proxy and we could disagree on which one counts. */
	hosts = request_header_count(r, "Host");
	if (hosts > 1)
		return parser_fail(c, 400, "more than one Host header");
	if (hosts == 0 && (p->http_major > 1 || (p->http_major == 1 && p->http_minor >= 1)))
		return parser_fail(c, 400, "missing Host header");
	if (c->via_proxy && conn_forwarded(c, r) != 0)
		return parser_fail(c, 429, "too many connections from this client");
	if (!(p->flags & F_CHUNKED) && p->content_length != ULLONG_MAX &&
	    p->content_length > c->srv->opts.max_body_bytes)
		return parser_fail(c, 413, "request body too large");
	if (!(p->flags & F_CHUNKED) && p->content_length != ULLONG_MAX && p->content_length > 0 &&
	    http_buf_reserve(&r->body, (size_t)p->content_length) < 0)
		return parser_fail(c, 503, "out of memory");
	expect = http_request_header(r, "Expect");
	if (expect && strcasecmp(expect, "100-continue") == 0 && p->http_minor >= 1 &&
	    http_buf_add(&c->out, "HTTP/1.1 100 Continue\r\n\r\n", 25) < 0)
		return parser_fail(c, 503, "out of memory");
	return 0;
}

static int on_body(http_parser *p, const char *at, size_t len)
{
	struct http_conn *c = p->data;
	struct http_request *r = c->req;

	if (len > c->srv->opts.max_body_bytes - r->body.len)
		return parser_fail(c, 413, "request body too large");
	if (http_buf_add(&r->body, at, len) < 0)
		return parser_fail(c, 503, "out of memory");
	return 0;
}

static int on_message_complete(http_parser *p)
{
	struct http_conn *c = p->data;

	c->req->keep_alive = http_should_keep_alive(p) && !p->upgrade;
	/* Hold whatever follows until this one is answered. */
	http_parser_pause(p, 1);
	return 0;
}

/* Fills the callback table once; every server shares it. */
void http_parse_init(void)
{
	if (parser_settings.on_message_begin)
		return;
	parser_settings.on_message_begin = on_message_begin;
	parser_settings.on_url = on_url;
	parser_settings.on_header_field = on_header_field;
	parser_settings.on_header_value = on_header_value;
	parser_settings.on_headers_complete = on_headers_complete;
	parser_settings.on_body = on_body;
	parser_settings.on_message_complete = on_message_complete;
}

/* ---- request dispatch ---- */

static void conn_dispatch(struct http_conn *c)
{
	struct http_server *srv = c->srv;
	struct http_request *r = c->req;

	c->state = CONN_HANDLING;
	r->dispatched = true;
	r->next = srv->live;
	if (srv->live)
		srv->live->prev = r;
	srv->live = r;
	srv->pending++;
	srv->stats.requests++;
	http_conn_update_io(c);
	srv->handler(r, srv->ctx);
}

/* Parses what is buffered, dispatching complete requests one at a time. */
void http_conn_process(struct http_conn *c)
{
	if (c->processing)
		return;
	c->processing = true;
	while (c->state == CONN_READING && c->in_off < c->in_len) {
		size_t n = http_parser_execute(&c->parser, &parser_settings, c->in + c->in_off,
					       c->in_len - c->in_off);
		enum http_errno err = HTTP_PARSER_ERRNO(&c->parser);

		c->in_off += n;
		/* Past the limit, the rest of an announced body is read (up to
		 * HTTP_DRAIN_MAX) after the 413: a reverse proxy still sending
		 * it would take a reset for a broken upstream (502). */
		if (c->err_status == 413 && !(c->parser.flags & F_CHUNKED) &&
		    c->parser.content_length != ULLONG_MAX)
			c->linger_max = c->parser.content_length > HTTP_DRAIN_MAX
				? HTTP_DRAIN_MAX
				: (size_t)c->parser.content_length + HTTP_READ_CHUNK;
		if (c->err_status) {
			http_conn_refuse(c, c->err_status,
					 c->err_status == 400           ? "bad_request"
						 : c->err_status == 413 ? "payload_too_large"
						 : c->err_status == 431 ? "headers_too_large"
						 : c->err_status == 429 ? "too_many_connections"
									: "unavailable",
					 c->err_msg);
			break;
		}
		if (err == HPE_PAUSED) {
			if (c->parser.upgrade) {
				/* Nothing after an Upgrade request is HTTP any more. */
				c->in_off = c->in_len;
				c->req->keep_alive = false;
			}
			conn_dispatch(c);
			continue;
		}
		if (err == HPE_HEADER_OVERFLOW) {
			http_conn_refuse(c, 431, "headers_too_large", "request headers too large");
			break;
		}
		if (err != HPE_OK) {
			http_conn_refuse(c, 400, "bad_request", http_errno_description(err));
			break;
		}
		if (n == 0) {
			/* No progress and no error (an upgrade the parser stopped at):
			 * never spin on the same bytes. */
			http_conn_refuse(c, 400, "bad_request", "unsupported request");
			break;
		}
	}
	if (c->state != CONN_CLOSED && c->in_off == c->in_len)
		c->in_off = c->in_len = 0;
	c->processing = false;
	if (c->state == CONN_READING && c->peer_eof && !c->req && c->out.len == c->out_off) {
		http_conn_close(c);
		return;
	}
	if (c->state != CONN_CLOSED)
		http_conn_update_io(c);
}
