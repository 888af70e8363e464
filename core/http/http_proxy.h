/* Trusted reverse proxies (--trusted-proxy): reading the client from
 * X-Forwarded-For or X-Real-IP when the peer is one (the list itself and
 * addresses are core/base/netaddr.h). Without a trusted proxy those
 * headers are ignored: anyone can send them. */
#ifndef FAXTOP_CORE_HTTP_PROXY_H
#define FAXTOP_CORE_HTTP_PROXY_H

#include <stdbool.h>

#include "core/base/netaddr.h"

/* The client a trusted proxy names: X-Forwarded-For read from the right,
 * past the addresses of trusted proxies, else X-Real-IP. false when neither
 * names a valid address (then the TCP peer stands). */
bool http_forwarded_client(const struct net_trusted *t, const char *xff, const char *xreal,
			   struct net_addr *client);

#endif
