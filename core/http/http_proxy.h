/* Trusted reverse proxies (--trusted-proxy): which peers may say who the
 * client is, and reading the client from X-Forwarded-For or X-Real-IP.
 * Without a trusted proxy those headers are ignored: anyone can send them. */
#ifndef FAXTOP_CORE_HTTP_PROXY_H
#define FAXTOP_CORE_HTTP_PROXY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sockaddr;

/* An address as compared for the per-peer cap: IPv4 (or IPv4-mapped IPv6)
 * as family 4, IPv6 as family 6. */
struct net_addr {
	uint8_t family;            /* 4, 6, or 0 for unknown */
	uint8_t b[16];             /* 4 or 16 bytes used */
};

struct net_cidr {
	struct net_addr net;
	unsigned bits;
};

struct http_trusted {
	struct net_cidr *v;
	size_t n;
};

/* "10.0.0.0/8,127.0.0.1,::1/128" (commas or spaces between). 0, or -1 with
 * a message naming the bad entry. An empty or NULL list trusts nobody. */
int http_trusted_parse(struct http_trusted *t, const char *list, char *err, size_t errlen);
void http_trusted_free(struct http_trusted *t);
bool http_trusted_has(const struct http_trusted *t, const struct net_addr *a);

bool net_addr_from_sockaddr(const struct sockaddr *sa, struct net_addr *out);
/* A bare address ("203.0.113.7", "2001:db8::1", "[2001:db8::1]"). */
bool net_addr_parse(const char *s, size_t len, struct net_addr *out);
void net_addr_format(const struct net_addr *a, char *out, size_t len);
bool net_addr_equal(const struct net_addr *a, const struct net_addr *b);

/* The client a trusted proxy names: X-Forwarded-For read from the right,
 * past the addresses of trusted proxies, else X-Real-IP. false when neither
 * names a valid address (then the TCP peer stands). */
bool http_forwarded_client(const struct http_trusted *t, const char *xff, const char *xreal,
			   struct net_addr *client);

#endif
