/* Configuration: one option table drives the file parser, the flags, --help
 * and docs/faxtop.1.
 *
 * Sources, later wins: built-in defaults, the config file
 * ($XDG_CONFIG_HOME/faxtop/config or --config PATH), the environment
 * (MINTFAX_API_KEY, MINTFAX_WEBHOOK_SECRET, MINTFAX_API_BASE), then flags.
 * A file that holds a secret and is readable by group or others is refused.
 *
 * File format, one setting per line: `name = value` or `name value` (the
 * option names without dashes; values may be quoted with "" or ''), a bare
 * yes/no option name for yes, `bind KEY ACTION`, and whole-line `#`
 * comments (a '#' after a value is part of the value). */
#ifndef FAXTOP_CORE_OPTIONS_H
#define FAXTOP_CORE_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum opt_type {
	OPT_BOOL,   /* --name / --no-name; file: yes|no|true|false|on|off|1|0 */
	OPT_INT,    /* bounded integer */
	OPT_STR,    /* free text */
	OPT_SECRET, /* text never printed; a file holding one must be private */
};

/* X(field, name, type, default, min, max, env, metavar, help)
 * Strings default to the literal (NULL for none); ints to the number. */
#define CONFIG_OPTION_LIST(X)                                                                      \
	X(demo, "demo", OPT_BOOL, 0, 0, 1, NULL, NULL,                                             \
	  "run against a built-in simulator of the mintfax sandbox (no account needed)")           \
	X(headless, "headless", OPT_BOOL, 0, 0, 1, NULL, NULL,                                     \
	  "no TUI: print one JSON line per accepted event on stdout, logs on stderr")              \
	X(read_only, "read-only", OPT_BOOL, 0, 0, 1, NULL, NULL,                                   \
	  "disable every action that changes anything (resend)")                                   \
	X(api_key, "api-key", OPT_SECRET, NULL, 0, 0, "MINTFAX_API_KEY", "KEY",                    \
	  "mintfax API key (mfx_test_… or mfx_live_…); prefer the environment or the file")        \
	X(api_key_file, "api-key-file", OPT_STR, NULL, 0, 0, NULL, "FILE",                         \
	  "read the API key from this private file (mode 600), in place of --api-key")             \
	X(api_base, "api-base", OPT_STR, "https://api.mintfax.com/v1", 0, 0, "MINTFAX_API_BASE",   \
	  "URL", "API base URL")                                                                   \
	X(webhook_secret, "webhook-secret", OPT_SECRET, NULL, 0, 0, "MINTFAX_WEBHOOK_SECRET",      \
	  "SECRET", "webhook signing secret (whsec_…)")                                            \
	X(webhook_secret_file, "webhook-secret-file", OPT_STR, NULL, 0, 0, NULL, "FILE",           \
	  "read the webhook signing secret from this private file (mode 600)")                     \
	X(webhook_secret_old, "webhook-secret-old", OPT_SECRET, NULL, 0, 0, NULL, "SECRET",        \
	  "previous signing secret, accepted too while rotating")                                  \
	X(signature_scheme, "signature-scheme", OPT_STR, "auto", 0, 0, NULL, "SCHEME",             \
	  "webhook signatures: standard, legacy, or auto (by the headers present)")                \
	X(timestamp_tolerance, "timestamp-tolerance", OPT_INT, 300, 1, 86400, NULL, "SECONDS",     \
	  "accept webhook timestamps this far from the local clock")                               \
	X(listen, "listen", OPT_STR, "127.0.0.1:8787", 0, 0, NULL, "HOST:PORT",                    \
	  "webhook listener address (port 0 picks a free one)")                                    \
	X(webhook_path, "webhook-path", OPT_STR, "/webhooks/mintfax", 0, 0, NULL, "PATH",          \
	  "URL path that receives webhooks")                                                       \
	X(max_header_bytes, "max-header-bytes", OPT_INT, 16384, 1024, 1048576, NULL, "BYTES",      \
	  "largest request header block accepted")                                                 \
	X(max_body_bytes, "max-body-bytes", OPT_INT, 1048576, 1024, 67108864, NULL, "BYTES",       \
	  "largest webhook body accepted, by the listener and the event parser alike")             \
	X(max_connections, "max-connections", OPT_INT, 1024, 1, 65536, NULL, "N",                  \
	  "most simultaneous listener connections; at the cap the one idle longest is closed"      \
	  " for a new one")                                                                        \
	X(max_connections_per_peer, "max-connections-per-peer", OPT_INT, 256, 1, 65536, NULL, "N", \
	  "most listener connections from one client address (the same shedding)")                 \
	X(trusted_proxy, "trusted-proxy", OPT_STR, NULL, 0, 0, NULL, "CIDR[,CIDR]",                \
	  "reverse proxies whose X-Forwarded-For or X-Real-IP names the client, for logs and"      \
	  " the per-peer cap (without it those headers are ignored)")                              \
	X(idle_timeout, "idle-timeout", OPT_INT, 10, 1, 3600, NULL, "SECONDS",                     \
	  "close listener connections idle or stalled this long")                                  \
	X(cacert, "cacert", OPT_STR, NULL, 0, 0, NULL, "FILE",                                     \
	  "CA bundle for a private certificate authority")                                         \
	X(connect_timeout, "connect-timeout", OPT_INT, 10, 1, 300, NULL, "SECONDS",                \
	  "API connect timeout")                                                                   \
	X(request_timeout, "request-timeout", OPT_INT, 30, 1, 600, NULL, "SECONDS",                \
	  "API request timeout")                                                                   \
	X(poll_interval, "poll-interval", OPT_INT, 15, 1, 3600, NULL, "SECONDS",                   \
	  "catch up on missed events this often")                                                  \
	X(balance_interval, "balance-interval", OPT_INT, 30, 1, 3600, NULL, "SECONDS",             \
	  "read the balance this often")                                                           \
	X(stale_after, "stale-after", OPT_INT, 120, 1, 86400, NULL, "SECONDS",                     \
	  "refresh an unfinished fax not updated for this long (fallback polling)")                \
	X(stuck_after, "stuck-after", OPT_INT, 600, 0, 604800, NULL, "SECONDS",                    \
	  "mark an unfinished fax \"stuck\" after this long in one state (0: never)")              \
	X(low_balance, "low-balance", OPT_INT, 1000, -1, INT32_MAX, NULL, "CENTS",                 \
	  "local low-balance alert threshold in cents (-1: off)")                                  \
	X(burn_window, "burn-window", OPT_INT, 60, 1, 1440, NULL, "MINUTES",                       \
	  "the burn rate is what was spent over this window (top-ups are not spending)")           \
	X(alert_bell, "alert-bell", OPT_BOOL, 0, 0, 1, NULL, NULL,                                 \
	  "ring the terminal bell and set the window title when a health banner appears")          \
	X(db, "db", OPT_STR, NULL, 0, 0, NULL, "PATH",                                             \
	  "database file (default $XDG_DATA_HOME/faxtop/faxtop.db; in team mode this"              \
	  " instance's cache of the shared store, default …/team.db)")                             \
	X(store, "store", OPT_STR, "sqlite", 0, 0, NULL, "URL",                                    \
	  "sqlite (the --db file), or postgresql://[USER@]HOST[:PORT]/DB for team mode (empty"     \
	  " parts from PGHOST, PGPORT, PGUSER, PGDATABASE; the password from PGPASSFILE or"        \
	  " ~/.pgpass, never the URL)")                                                            \
	X(operator_name, "operator", OPT_STR, NULL, 0, 0, NULL, "NAME",                            \
	  "who this instance's actions are recorded as, for the team (default user@host)")        \
	X(retention_days, "retention-days", OPT_INT, 30, 0, 36500, NULL, "DAYS",                   \
	  "keep stored events this many days (0: forever)")                                        \
	X(relaxed_sync, "relaxed-sync", OPT_BOOL, 0, 0, 1, NULL, NULL,                             \
	  "acknowledge once SQLite has the commit, without waiting for the disk (survives a"       \
	  " crash of faxtop, not of the machine; catch-up repairs the rest)")                      \
	X(event_log_size, "event-log-size", OPT_INT, 1000, 10, 1000000, NULL, "N",                 \
	  "events kept in the on-screen event log")                                                \
	X(theme, "theme", OPT_STR, "default", 0, 0, NULL, "NAME",                                  \
	  "colour theme: default, light, high-contrast, mono, or a file path")                     \
	X(mouse, "mouse", OPT_BOOL, 1, 0, 1, NULL, NULL,                                           \
	  "mouse clicks select and the wheel scrolls")                                             \
	X(fps, "fps", OPT_INT, 30, 1, 120, NULL, "N", "most screen updates per second")            \
	X(ready_file, "ready-file", OPT_STR, NULL, 0, 0, NULL, "FILE",                             \
	  "write the listener's bound HOST:PORT here once listening (for scripts)")                \
	X(log_file, "log-file", OPT_STR, NULL, 0, 0, NULL, "FILE",                                 \
	  "append logs here (default: stderr in --headless, nowhere in the TUI)")                  \
	X(verbose, "verbose", OPT_BOOL, 0, 0, 1, NULL, NULL, "more detail in the logs")

struct config_binding {
	char *key;    /* as written: "r", "C-l", "F5", "Enter" */
	char *action; /* action name */
	char *where;  /* "file:line" or "default" for error messages */
};

struct config {
#define X(field, name, type, def, min, max, env, metavar, help) CONFIG_FIELD_##type field;
#define CONFIG_FIELD_OPT_BOOL                                   bool
#define CONFIG_FIELD_OPT_INT                                    long
#define CONFIG_FIELD_OPT_STR                                    char *
#define CONFIG_FIELD_OPT_SECRET                                 char *
	CONFIG_OPTION_LIST(X)
#undef X
	char *config_path;               /* the file that was read, or NULL */
	struct config_binding *bindings; /* `bind KEY ACTION` lines, in order */
	size_t n_bindings;
	char **args; /* positional arguments after the options */
	size_t n_args;
};

/* Static description of one option, for --help and the man page. */
struct config_option {
	const char *name;
	enum opt_type type;
	const char *def_str; /* default as text ("" for none) */
	long min, max;
	const char *env;
	const char *metavar;
	const char *help;
};
const struct config_option *config_option_at(size_t idx); /* NULL past the end */
const struct config_option *config_option_find(const char *name);

void config_init(struct config *c); /* built-in defaults */
void config_done(struct config *c); /* frees and wipes secrets */

/* A config file's errors are all reported, one per line of err, up to this
 * many (then a count of the rest). */
#define CONFIG_MAX_ERRORS 20

/* The whole precedence chain. argv[0] is skipped; options end at the first
 * non-option (a subcommand) or "--"; the rest goes to c->args.
 * Returns 0, 1 when --help or --version was handled (printed to stdout), or
 * -1 with a message in err ("file:line: …", with a suggestion for an unknown
 * option). `env` is a getenv-like function (NULL: getenv). */
int config_load(struct config *c, int argc, char **argv, const char *(*env)(const char *name),
		char *err, size_t errlen);
/* Single steps, for tests. */
int config_parse_file(struct config *c, const char *path, char *err, size_t errlen);
int config_parse_args(struct config *c, int argc, char **argv, char *err, size_t errlen);
int config_set(struct config *c, const char *name, const char *value, const char *where, char *err,
	       size_t errlen);
/* After config_load: blanks in argv (so in ps and /proc/PID/cmdline) the
 * values of secret options given as flags, and returns how many there were
 * (the caller warns: until now other local users could read them). argv
 * must be the one config_load parsed. */
size_t config_hide_secret_args(int argc, char **argv);
/* The nearest valid option name to a mistyped one, or NULL. */
const char *config_suggest(const char *name);
/* Default paths under XDG dirs; buf gets the path. 0 or -1. */
int config_default_path(char *buf, size_t len);
int config_default_db(char *buf, size_t len);
/* The database this run uses: --db, else the default, which in team mode
 * (a postgresql:// store) is the instance's cache, team.db beside it. */
int config_db_path(const struct config *c, char *buf, size_t len);
/* A postgresql:// (or postgres://) store: team mode. */
bool config_store_is_pg(const char *store);
/* Does the URL carry a password (user:pw@ or ?password=)? */
bool config_url_has_password(const char *url);

void config_print_help(const char *prog, void *file /* FILE* */);
void config_print_version(void *file /* FILE* */);

#endif
