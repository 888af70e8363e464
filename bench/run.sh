#!/bin/sh
# make bench: installs what the suite needs when it is missing (Debian
# packages and npm only), then runs bench/suite.py. Never part of make check.
set -e
: "${top_srcdir:?run through make bench}" "${top_builddir:?run through make bench}"

need_pkgs=
command -v htop >/dev/null 2>&1 || need_pkgs="$need_pkgs htop"
command -v tmux >/dev/null 2>&1 || need_pkgs="$need_pkgs tmux"
command -v node >/dev/null 2>&1 || need_pkgs="$need_pkgs nodejs npm"
# better-sqlite3 (the durable Node peer) builds from source with node-gyp:
# it needs Node's headers from a Debian package, since nothing else can be
# downloaded.
[ -f /usr/include/node/node_api.h ] || need_pkgs="$need_pkgs libnode-dev"
[ -x /usr/bin/python3 ] || need_pkgs="$need_pkgs python3"
if [ -n "$need_pkgs" ]; then
	echo "bench: installing$need_pkgs (Debian packages)" >&2
	if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $need_pkgs >&2
fi
# perf is optional: it only helps to profile a missed target.
command -v perf >/dev/null 2>&1 || echo "bench: linux-perf not installed (optional)" >&2

if [ ! -d "$top_srcdir/bench/node/node_modules/standardwebhooks" ] ||
   [ ! -d "$top_srcdir/bench/node/node_modules/better-sqlite3/build/Release" ]; then
	echo "bench: npm install (bench/node, from package-lock.json; builds better-sqlite3)" >&2
	(cd "$top_srcdir/bench/node" && npm_config_nodedir=/usr npm ci --no-audit --no-fund >&2)
fi
exec /usr/bin/python3 "$top_srcdir/bench/suite.py"
