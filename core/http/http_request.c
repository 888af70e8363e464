/* A request as it is read, and the handler's view of it: the growable
 * buffers the server reads and writes with, the header list built from the
 * parser's pieces, percent-decoding and query strings. */
#include <config.h> /* autoconf's; "config.h" would find core/base/options.h */

#include "core/http/http_int.h"
#include "core/base/xalloc.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- small buffers ---- */

int http_buf_reserve(struct http_buf *b, size_t extra)
{
	size_t want, cap;
	char *p;

	if (extra > SIZE_MAX - b->len - 1)
		return -1;
	want = b->len + extra + 1;
	if (want <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < want)
		cap = cap > SIZE_MAX / 2 ? want : cap * 2;
	p = realloc(b->data, cap);
	if (!p)
		return -1;
	b->data = p;
	b->cap = cap;
	return 0;
}

int http_buf_add(struct http_buf *b, const char *s, size_t n)
{
	if (http_buf_reserve(b, n) < 0)
		return -1;
	if (n)
		memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int http_buf_addc(struct http_buf *b, char c)
{
	return http_buf_add(b, &c, 1);
}

__attribute__((format(printf, 2, 3))) int http_buf_printf(struct http_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || http_buf_reserve(b, (size_t)n) < 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

void http_buf_free(struct http_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

/* ---- requests ---- */

struct http_request *http_request_new(struct http_conn *c)
{
	struct http_request *r = xcalloc(1, sizeof *r);

	r->srv = c->srv;
	r->conn = c;
	memcpy(r->peer, c->peer, sizeof r->peer);
	return r;
}

void http_request_free(struct http_request *r)
{
	if (!r)
		return;
	if (r->dispatched && r->srv) {
		if (r->prev)
			r->prev->next = r->next;
		else
			r->srv->live = r->next;
		if (r->next)
			r->next->prev = r->prev;
		r->srv->pending--;
	}
	free(r->path);
	free(r->query);
	http_buf_free(&r->url);
	http_buf_free(&r->hdr);
	http_buf_free(&r->body);
	free(r->name_off);
	free(r->value_off);
	free(r->headers);
	free(r);
}

/* Closes off a header that had a name but no value callback. */
static int request_end_header(struct http_request *r)
{
	if (r->n_headers == 0 || r->have_value)
		return 0;
	if (http_buf_addc(&r->hdr, '\0') < 0)
		return -1;
	r->value_off[r->n_headers - 1] = r->hdr.len;
	r->have_value = true;
	return 0;
}

int http_request_finish_headers(struct http_request *r)
{
	size_t i;

	if (request_end_header(r) < 0 || http_buf_addc(&r->hdr, '\0') < 0)
		return -1;
	/* Keep the list of pairs NUL-terminated even with no headers. */
	r->headers = xcalloc(r->n_headers + 1, sizeof *r->headers);
	for (i = 0; i < r->n_headers; i++) {
		char *v = r->hdr.data + r->value_off[i];
		size_t n = strlen(v);

		while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
			v[--n] = '\0';
		r->headers[i].name = r->hdr.data + r->name_off[i];
		r->headers[i].value = v;
	}
	return 0;
}

/* ---- the request API ---- */

const char *http_request_method(const struct http_request *req)
{
	return req->method;
}

const char *http_request_path(const struct http_request *req)
{
	return req->path ? req->path : "/";
}

const char *http_request_query(const struct http_request *req)
{
	return req->query ? req->query : "";
}

const char *http_request_header(const struct http_request *req, const char *name)
{
	size_t i;

	if (!req->headers)
		return NULL;
	for (i = 0; i < req->n_headers; i++)
		if (strcasecmp(req->headers[i].name, name) == 0)
			return req->headers[i].value;
	return NULL;
}

size_t http_request_header_count(const struct http_request *req)
{
	return req->headers ? req->n_headers : 0;
}

const struct http_header *http_request_header_at(const struct http_request *req, size_t i)
{
	return req->headers && i < req->n_headers ? &req->headers[i] : NULL;
}

const char *http_request_body(const struct http_request *req, size_t *len)
{
	if (len)
		*len = req->body.len;
	return req->body.data ? req->body.data : "";
}

const char *http_request_peer(const struct http_request *req)
{
	return req->peer;
}

const struct http_server_stats *http_request_server_stats(const struct http_request *req)
{
	return req->srv ? &req->srv->stats : NULL;
}

void http_request_set_data(struct http_request *req, void *data)
{
	req->data = data;
}

void *http_request_data(const struct http_request *req)
{
	return req->data;
}

/* ---- query strings ---- */

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

int http_url_decode(const char *src, size_t len, char *dst, size_t dstlen, bool form)
{
	size_t i, o = 0;

	if (!dst || dstlen == 0)
		return -1;
	for (i = 0; i < len; i++) {
		char ch = src[i];

		if (ch == '%') {
			int hi, lo;

			if (i + 2 >= len)
				return -1;
			hi = hexval(src[i + 1]);
			lo = hexval(src[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			ch = (char)(hi << 4 | lo);
			i += 2;
		} else if (form && ch == '+') {
			ch = ' ';
		}
		if (o + 1 >= dstlen)
			return -1;
		dst[o++] = ch;
	}
	dst[o] = '\0';
	return (int)o;
}

int http_query_get(const char *query, const char *key, char *buf, size_t len)
{
	const char *p = query;

	if (!query || !key)
		return 0;
	while (*p) {
		const char *amp = strchr(p, '&');
		const char *end = amp ? amp : p + strlen(p);
		const char *eq = memchr(p, '=', (size_t)(end - p));
		const char *kend = eq ? eq : end;
		size_t klen = (size_t)(kend - p);
		char kbuf[256];

		/* A key too long for kbuf cannot be the one asked for. */
		if (klen > 0 && klen < sizeof kbuf) {
			if (http_url_decode(p, klen, kbuf, sizeof kbuf, true) < 0)
				return -1;
			if (strcmp(kbuf, key) == 0) {
				if (!eq) {
					if (len == 0)
						return -1;
					buf[0] = '\0';
					return 1;
				}
				if (http_url_decode(eq + 1, (size_t)(end - eq - 1), buf, len,
						    true) < 0)
					return -1;
				return 1;
			}
		}
		if (!amp)
			break;
		p = amp + 1;
	}
	return 0;
}
