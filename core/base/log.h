/* Human-readable logs. A log goes to one sink (stderr, a file, or nowhere in
 * the TUI) and keeps the newest lines for the TUI to show. Secrets never
 * reach a log line: callers pass them through log_redact() or not at all. */
#ifndef FAXTOP_CORE_LOG_H
#define FAXTOP_CORE_LOG_H

#include <stdarg.h>
#include <stdio.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

struct log;

struct log *log_new(FILE *sink, enum log_level min); /* sink may be NULL: keep in memory only */
void log_free(struct log *l);
void log_set_sink(struct log *l, FILE *sink);
void log_set_level(struct log *l, enum log_level min);
struct clock;
/* Time stamps come from this clock (NULL: the system clock). */
void log_set_clock(struct log *l, const struct clock *c);
const char *log_level_name(enum log_level lvl); /* "WARN" … */
void log_msg(struct log *l, enum log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void log_vmsg(struct log *l, enum log_level lvl, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
/* Registers a secret: any later log line containing it gets it replaced by
 * "[redacted]". */
void log_add_secret(struct log *l, const char *secret);
/* The newest lines kept in memory (up to 512), 0 newest, each as written
 * to the sink: time stamp, level, sanitized message. A NULL log is a valid
 * "no logging" log for every function here. */
size_t log_count(const struct log *l);
const char *log_line_at(const struct log *l, size_t idx, enum log_level *lvl);

#define log_debug(l, ...) log_msg((l), LOG_DEBUG, __VA_ARGS__)
#define log_info(l, ...)  log_msg((l), LOG_INFO, __VA_ARGS__)
#define log_warn(l, ...)  log_msg((l), LOG_WARN, __VA_ARGS__)
#define log_error(l, ...) log_msg((l), LOG_ERROR, __VA_ARGS__)

#endif
