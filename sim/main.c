/* faxsim: the mintfax sandbox stand-in as a program. */
#include "config.h"

#include <errno.h>
#include <ev.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "core/base/log.h"
#include "sim/load.h"
#include "sim/sim.h"

enum {
	OPT_READY = 256,
	OPT_DUP,
	OPT_DROP,
	OPT_API_ERR,
	OPT_REORDER,
	OPT_SLOW,
	OPT_LEGACY,
	OPT_BALANCE,
	OPT_LOW,
	OPT_RATE_LIMIT,
	OPT_FAIL_SHARE,
	OPT_AUTO_TOPUP,
	OPT_VERSION,
	OPT_COUNT,
};

static const struct option long_opts[] = {
	{ "listen", required_argument, NULL, 'l' },
	{ "webhook-url", required_argument, NULL, 'w' },
	{ "secret", required_argument, NULL, 's' },
	{ "key", required_argument, NULL, 'k' },
	{ "seed", required_argument, NULL, 'S' },
	{ "rate", required_argument, NULL, 'r' },
	{ "speed", required_argument, NULL, 'x' },
	{ "ready-file", required_argument, NULL, OPT_READY },
	{ "duplicate", required_argument, NULL, OPT_DUP },
	{ "drop", required_argument, NULL, OPT_DROP },
	{ "api-errors", required_argument, NULL, OPT_API_ERR },
	{ "reorder", required_argument, NULL, OPT_REORDER },
	{ "slow", required_argument, NULL, OPT_SLOW },
	{ "legacy-signatures", no_argument, NULL, OPT_LEGACY },
	{ "balance", required_argument, NULL, OPT_BALANCE },
	{ "low-balance", required_argument, NULL, OPT_LOW },
	{ "rate-limit", required_argument, NULL, OPT_RATE_LIMIT },
	{ "failure-share", required_argument, NULL, OPT_FAIL_SHARE },
	{ "auto-topup", no_argument, NULL, OPT_AUTO_TOPUP },
	{ "traffic-count", required_argument, NULL, OPT_COUNT },
	{ "verbose", no_argument, NULL, 'v' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: faxsim [OPTION]...        a local stand-in for the mintfax sandbox\n"
		"       faxsim load --url URL [LOAD OPTION]...   (see faxsim load --help)\n"
		"\n"
		"  --listen HOST:PORT        API address (default " SIM_DEFAULT_LISTEN
		"; port 0 picks one)\n"
		"  --ready-file FILE         write \"HOST:PORT\" there once listening\n"
		"  --webhook-url URL         deliver signed webhooks there (default: none; "
		"loopback only)\n"
		"  --secret whsec_...        signing secret (default: the documented test secret,\n"
		"                            or $MINTFAX_WEBHOOK_SECRET)\n"
		"  --key mfx_test_...        the accepted API key (default " SIM_DEFAULT_KEY ")\n"
		"  --seed N                  random seed; the same seed gives the same traffic "
		"(default 1)\n"
		"  --rate N                  faxes per simulated minute from the traffic driver "
		"(default 0)\n"
		"  --traffic-count N         stop the traffic driver after N faxes (default 0: "
		"never)\n"
		"  --speed FACTOR            time scale for every delay (default 1 = real time)\n"
		"  --failure-share P         share of ordinary numbers that end failed (default "
		"0.2)\n"
		"  --balance CENTS           starting balance (default 5000)\n"
		"  --low-balance CENTS       balance.low threshold (default 1000)\n"
		"  --auto-topup              the traffic driver tops up when credit runs out\n"
		"  --rate-limit N            requests per minute per key (default 600)\n"
		"  --legacy-signatures       sign with X-Mintfax-Signature (hex) instead of "
		"Standard Webhooks\n"
		"chaos:\n"
		"  --duplicate P             deliver an event twice with probability P (default "
		"0)\n"
		"  --drop P                  never deliver an event, probability P (default 0)\n"
		"  --reorder N               shuffle deliveries within windows of N (default 0: "
		"off)\n"
		"  --api-errors P            answer API requests with 503 or 429, probability P "
		"(default 0)\n"
		"  --slow MS                 delay every API answer by MS milliseconds (default "
		"0)\n"
		"\n"
		"  -v, --verbose             log every event;  -q, --quiet  log warnings only\n"
		"  -h, --help                this text;  --version  the version\n"
		"\n"
		"Magic numbers: +15005550001 delivered, 0002 busy, 0003 no answer, 0004 delivered "
		"on\n"
		"attempt 2, 0005 line quality, 0006 402 at submit, 0007 3 pages, 0008 invalid "
		"number,\n"
		"0099 422 at submit. Top up with POST /v1/sim/topup {\"amount\": CENTS}.\n");
}

static int parse_double(const char *s, const char *what, double lo, double hi, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (!*s || *end || errno || !isfinite(v) || v < lo || v > hi) {
		fprintf(stderr, "faxsim: %s must be a number from %g to %g, not '%s'\n", what, lo,
			hi, s);
		return -1;
	}
	*out = v;
	return 0;
}

static int parse_i64(const char *s, const char *what, long long lo, long long hi, long long *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (!*s || *end || errno || v < lo || v > hi) {
		fprintf(stderr, "faxsim: %s must be an integer from %lld to %lld, not '%s'\n", what,
			lo, hi, s);
		return -1;
	}
	*out = v;
	return 0;
}

static int write_ready(const char *path, const char *addr)
{
	char tmp[PATH_MAX];
	if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
		return -1;
	FILE *f = fopen(tmp, "w");
	if (!f)
		return -1;
	fprintf(f, "%s\n", addr);
	if (fclose(f) != 0 || rename(tmp, path) != 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

static void on_signal(struct ev_loop *loop, ev_signal *w, int revents)
{
	ev_break(loop, EVBREAK_ALL);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "load") == 0)
		return load_main(argc - 1, argv + 1);

	struct sim_opts o;
	sim_opts_init(&o);
	const char *ready = NULL;
	enum log_level lvl = LOG_INFO;
	long long n;
	const char *env_secret = getenv("MINTFAX_WEBHOOK_SECRET");
	if (env_secret && *env_secret)
		o.secret = env_secret;
	int c;
	while ((c = getopt_long(argc, argv, "vqh", long_opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			o.listen = optarg;
			break;
		case 'w':
			o.webhook_url = optarg;
			break;
		case 's':
			o.secret = optarg;
			break;
		case 'k':
			o.api_key = optarg;
			break;
		case 'S':
			if (parse_i64(optarg, "--seed", 0, LLONG_MAX, &n) < 0)
				return 2;
			o.seed = (uint64_t)n;
			break;
		case 'r':
			if (parse_double(optarg, "--rate", 0, 1e6, &o.rate) < 0)
				return 2;
			break;
		case 'x':
			if (parse_double(optarg, "--speed", 1e-3, 1e6, &o.speed) < 0)
				return 2;
			break;
		case OPT_READY:
			ready = optarg;
			break;
		case OPT_DUP:
			if (parse_double(optarg, "--duplicate", 0, 1, &o.duplicate) < 0)
				return 2;
			break;
		case OPT_DROP:
			if (parse_double(optarg, "--drop", 0, 1, &o.drop) < 0)
				return 2;
			break;
		case OPT_API_ERR:
			if (parse_double(optarg, "--api-errors", 0, 1, &o.api_errors) < 0)
				return 2;
			break;
		case OPT_FAIL_SHARE:
			if (parse_double(optarg, "--failure-share", 0, 1, &o.failure_share) < 0)
				return 2;
			break;
		case OPT_REORDER:
			if (parse_i64(optarg, "--reorder", 0, 10000, &n) < 0)
				return 2;
			o.reorder = (int)n;
			break;
		case OPT_SLOW:
			if (parse_i64(optarg, "--slow", 0, 600000, &n) < 0)
				return 2;
			o.slow_ms = (int)n;
			break;
		case OPT_LEGACY:
			o.legacy_signatures = true;
			break;
		case OPT_BALANCE:
			if (parse_i64(optarg, "--balance", 0, 1000000000000LL, &n) < 0)
				return 2;
			o.initial_balance_cents = n;
			break;
		case OPT_LOW:
			if (parse_i64(optarg, "--low-balance", 0, 1000000000000LL, &n) < 0)
				return 2;
			o.low_balance_threshold_cents = n;
			break;
		case OPT_RATE_LIMIT:
			if (parse_i64(optarg, "--rate-limit", 1, 1000000, &n) < 0)
				return 2;
			o.rate_limit_per_min = (int)n;
			break;
		case OPT_AUTO_TOPUP:
			o.auto_topup = true;
			break;
		case OPT_COUNT:
			if (parse_i64(optarg, "--traffic-count", 0, LLONG_MAX, &n) < 0)
				return 2;
			o.traffic_limit = (uint64_t)n;
			break;
		case 'v':
			lvl = LOG_DEBUG;
			break;
		case 'q':
			lvl = LOG_WARN;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case OPT_VERSION:
			printf("faxsim %s\n", PACKAGE_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "faxsim: unexpected argument '%s' (see --help)\n", argv[optind]);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
		fprintf(stderr, "faxsim: cannot initialise libcurl\n");
		return 1;
	}
	struct log *log = log_new(stderr, lvl);
	o.log = log;
	struct ev_loop *loop = ev_default_loop(0);
	/* before listening, so a SIGTERM right after the ready file still
	 * ends in a clean shutdown */
	ev_signal sint, sterm;
	ev_signal_init(&sint, on_signal, SIGINT);
	ev_signal_init(&sterm, on_signal, SIGTERM);
	ev_signal_start(loop, &sint);
	ev_signal_start(loop, &sterm);
	char err[256] = "";
	struct sim *s = sim_new(loop, &o, err, sizeof err);
	if (!s) {
		fprintf(stderr, "faxsim: %s\n", err);
		log_free(log);
		curl_global_cleanup();
		return 1;
	}
	log_info(log, "faxsim listening on http://%s/v1 (seed %llu, speed %g, rate %g/min)",
		 sim_address(s), (unsigned long long)o.seed, o.speed, o.rate);
	int rc = 0;
	if (ready && write_ready(ready, sim_address(s)) < 0) {
		fprintf(stderr, "faxsim: cannot write the ready file %s: %s\n", ready,
			strerror(errno));
		rc = 1;
	}
	if (rc == 0)
		ev_run(loop, 0);
	ev_signal_stop(loop, &sint);
	ev_signal_stop(loop, &sterm);
	struct sim_stats st;
	sim_get_stats(s, &st);
	log_info(log, "faxsim stopping: %llu faxes, %llu events, %llu deliveries ok, %llu failed",
		 (unsigned long long)st.faxes, (unsigned long long)st.events,
		 (unsigned long long)st.deliveries_ok, (unsigned long long)st.deliveries_failed);
	sim_free(s);
	log_free(log);
	curl_global_cleanup();
	return rc;
}
