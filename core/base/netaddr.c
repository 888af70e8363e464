/* Addresses, host:port and the trusted-proxy list. See netaddr.h. */
#include <config.h> /* autoconf's; "config.h" would find core/base/options.h */

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/base/netaddr.h"
#include "core/base/sanitize.h"

#define NET_ADDR_TEXT 64

bool net_addr_from_sockaddr(const struct sockaddr *sa, struct net_addr *out)
{
	memset(out, 0, sizeof *out);
	if (sa->sa_family == AF_INET) {
		out->family = 4;
		memcpy(out->b, &((const struct sockaddr_in *)sa)->sin_addr, 4);
		return true;
	}
	if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a6 = &((const struct sockaddr_in6 *)sa)->sin6_addr;

		if (IN6_IS_ADDR_V4MAPPED(a6)) {
			out->family = 4;
			memcpy(out->b, a6->s6_addr + 12, 4);
		} else {
			out->family = 6;
			memcpy(out->b, a6->s6_addr, 16);
		}
		return true;
	}
	return false;
}

bool net_addr_parse(const char *s, size_t len, struct net_addr *out)
{
	char buf[NET_ADDR_TEXT];
	struct in6_addr a6;

	while (len && (*s == ' ' || *s == '\t'))
		s++, len--;
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len >= 2 && s[0] == '[' && s[len - 1] == ']')
		s++, len -= 2;
	if (len == 0 || len >= sizeof buf)
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	memset(out, 0, sizeof *out);
	if (inet_pton(AF_INET, buf, out->b) == 1) {
		out->family = 4;
		return true;
	}
	if (inet_pton(AF_INET6, buf, &a6) == 1) {
		if (IN6_IS_ADDR_V4MAPPED(&a6)) {
			out->family = 4;
			memcpy(out->b, a6.s6_addr + 12, 4);
		} else {
			out->family = 6;
			memcpy(out->b, a6.s6_addr, 16);
		}
		return true;
	}
	return false;
}

void net_addr_format(const struct net_addr *a, char *out, size_t len)
{
	char buf[INET6_ADDRSTRLEN] = "?";

	inet_ntop(a->family == 4 ? AF_INET : AF_INET6, a->b, buf, sizeof buf);
	snprintf(out, len, "%s", buf);
}

bool net_addr_equal(const struct net_addr *a, const struct net_addr *b)
{
	return a->family == b->family && memcmp(a->b, b->b, a->family == 4 ? 4 : 16) == 0;
}

static bool cidr_has(const struct net_cidr *c, const struct net_addr *a)
{
	unsigned full = c->bits / 8, rest = c->bits % 8;

	if (c->net.family != a->family || memcmp(c->net.b, a->b, full) != 0)
		return false;
	return !rest || ((c->net.b[full] ^ a->b[full]) & (0xFF << (8 - rest))) == 0;
}

/* One "ADDR" or "ADDR/BITS". */
static int cidr_parse(const char *s, size_t len, struct net_cidr *c)
{
	const char *slash = memchr(s, '/', len);
	size_t alen = slash ? (size_t)(slash - s) : len;
	unsigned max;
	char *end;
	long bits;

	if (!net_addr_parse(s, alen, &c->net))
		return -1;
	max = c->net.family == 4 ? 32 : 128;
	c->bits = max;
	if (slash) {
		char num[8];
		size_t nlen = len - alen - 1;

		if (nlen == 0 || nlen >= sizeof num)
			return -1;
		memcpy(num, slash + 1, nlen);
		num[nlen] = '\0';
		bits = strtol(num, &end, 10);
		if (*end || bits < 0 || (unsigned long)bits > max)
			return -1;
		c->bits = (unsigned)bits;
	}
	return 0;
}

int net_trusted_parse(struct net_trusted *t, const char *list, char *err, size_t errlen)
{
	const char *p = list;

	memset(t, 0, sizeof *t);
	while (p && *p) {
		size_t len = strcspn(p, ", \t");
		struct net_cidr *v;

		if (len) {
			v = realloc(t->v, (t->n + 1) * sizeof *v);
			if (!v) {
				snprintf(err, errlen, "out of memory");
				net_trusted_free(t);
				return -1;
			}
			t->v = v;
			if (cidr_parse(p, len, &t->v[t->n]) != 0) {
				char shown[80], raw[80];

				snprintf(raw, sizeof raw, "%.*s", (int)(len < 70 ? len : 70), p);
				sanitize_str(shown, sizeof shown, raw);
				snprintf(err, errlen,
					 "trusted-proxy: '%s' is not an address or "
					 "ADDRESS/BITS",
					 shown);
				net_trusted_free(t);
				return -1;
			}
			t->n++;
		}
		p += len;
		p += strspn(p, ", \t");
	}
	return 0;
}

void net_trusted_free(struct net_trusted *t)
{
	free(t->v);
	t->v = NULL;
	t->n = 0;
}

bool net_trusted_has(const struct net_trusted *t, const struct net_addr *a)
{
	for (size_t i = 0; i < t->n; i++)
		if (cidr_has(&t->v[i], a))
			return true;
	return false;
}

int net_split_host_port(const char *hp, char *host, size_t hlen, char *port, size_t plen)
{
	const char *colon;
	size_t n;

	if (!hp)
		return -1;
	if (hp[0] == '[') {
		const char *end = strchr(hp, ']');

		if (!end || end[1] != ':')
			return -1;
		n = (size_t)(end - hp - 1);
		colon = end + 1;
		if (n == 0 || n >= hlen)
			return -1;
		memcpy(host, hp + 1, n);
		host[n] = '\0';
	} else {
		colon = strrchr(hp, ':');
		if (!colon || memchr(hp, ':', (size_t)(colon - hp)))
			return -1;
		n = (size_t)(colon - hp);
		if (n >= hlen)
			return -1;
		memcpy(host, hp, n);
		host[n] = '\0';
	}
	n = strlen(colon + 1);
	if (n == 0 || n >= plen || strspn(colon + 1, "0123456789") != n)
		return -1;
	memcpy(port, colon + 1, n + 1);
	return atoi(port) <= 65535 ? 0 : -1;
}
