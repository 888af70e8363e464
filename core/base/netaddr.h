/* Network addresses as the configuration writes them: "HOST:PORT" split
 * for --listen, and the --trusted-proxy list of addresses and CIDRs with
 * the match the listener makes against it. Plain parsing, no sockets
 * opened: the configuration checks with the same code the listener uses. */
#ifndef FAXTOP_CORE_BASE_NETADDR_H
#define FAXTOP_CORE_BASE_NETADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sockaddr;

/* An address as compared for the per-peer cap: IPv4 (or IPv4-mapped IPv6)
 * as family 4, IPv6 as family 6. */
struct net_addr {
	uint8_t family; /* 4, 6, or 0 for unknown */
	uint8_t b[16];  /* 4 or 16 bytes used */
};

struct net_cidr {
	struct net_addr net;
	unsigned bits;
};

struct net_trusted {
	struct net_cidr *v;
	size_t n;
};

/* Splits "HOST:PORT", "[V6]:PORT" or ":PORT" (empty host) and checks the
 * port is a number up to 65535: what the listener binds to. 0 or -1. */
int net_split_host_port(const char *hp, char *host, size_t hlen, char *port, size_t plen);

/* "10.0.0.0/8,127.0.0.1,::1/128" (commas or spaces between). 0, or -1 with
 * a message naming the bad entry. An empty or NULL list trusts nobody. */
int net_trusted_parse(struct net_trusted *t, const char *list, char *err, size_t errlen);
void net_trusted_free(struct net_trusted *t);
bool net_trusted_has(const struct net_trusted *t, const struct net_addr *a);

bool net_addr_from_sockaddr(const struct sockaddr *sa, struct net_addr *out);
/* A bare address ("203.0.113.7", "2001:db8::1", "[2001:db8::1]"). */
bool net_addr_parse(const char *s, size_t len, struct net_addr *out);
void net_addr_format(const struct net_addr *a, char *out, size_t len);
bool net_addr_equal(const struct net_addr *a, const struct net_addr *b);

#endif
