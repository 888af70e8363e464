/* Trusted reverse proxies and the client they name. See http_proxy.h. */
#include <config.h> /* autoconf's; "config.h" would find core/base/options.h */

#include <string.h>

#include "core/http/http_proxy.h"

bool http_forwarded_client(const struct net_trusted *t, const char *xff, const char *xreal,
			   struct net_addr *client)
{
	if (xff && *xff) {
		const char *end = xff + strlen(xff);
		struct net_addr a;
		bool any = false;

		/* Each proxy appends the address it heard from: the rightmost
		 * entries are ours, the first one past them is the client. */
		while (end > xff) {
			const char *start = end;

			while (start > xff && start[-1] != ',')
				start--;
			if (!net_addr_parse(start, (size_t)(end - start), &a))
				break;
			*client = a;
			any = true;
			if (!net_trusted_has(t, &a))
				return true;
			end = start > xff ? start - 1 : xff;
		}
		if (any)
			return true;
	}
	return xreal && net_addr_parse(xreal, strlen(xreal), client);
}
