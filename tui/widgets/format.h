/* Small pure formatters shared by the panes: times, ages, durations, money,
 * sparklines. None of them draws. */
#ifndef FAXTOP_TUI_WIDGETS_FORMAT_H
#define FAXTOP_TUI_WIDGETS_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Local time: "HH:MM:SS" when ms falls on the same local day as now_ms,
 * "MM-DD HH:MM" otherwise, "-" for TS_NONE. */
void fmt_when(int64_t ms, int64_t now_ms, char *buf, size_t len);
/* Full local timestamp "YYYY-MM-DD HH:MM:SS", "-" for TS_NONE. */
void fmt_timestamp(int64_t ms, char *buf, size_t len);
/* An age: "now", "12s", "5m", "3h", "2d"; "-" if negative-infinite. Returns
 * the milliseconds until the text would change (for the clock timer). */
int64_t fmt_age(int64_t age_ms, char *buf, size_t len);
/* A duration: "850ms", "42.1s", "3m05s", "2h10m"; "-" if < 0. */
void fmt_duration(int64_t ms, char *buf, size_t len);
/* Money in cents: "$12.34", "-$0.50"; other currencies "12.34 EUR". */
void fmt_cents(int64_t cents, const char *currency, char *buf, size_t len);
/* A count with thousands separators: "9,379". */
void fmt_count(size_t n, char *buf, size_t len);
/* Seconds to "45s", "12m", "3h20m", "4d3h"; "-" if < 0. */
void fmt_seconds(int64_t s, char *buf, size_t len);

/* A sparkline of n values in `width` cells, the newest at the right; when
 * n > width, each cell takes the last value of its bucket. UTF-8 uses the
 * eight block glyphs, ASCII " .:-=+*#". Returns bytes written (buf is
 * always terminated). */
size_t fmt_sparkline(const int64_t *values, size_t n, int width, bool utf8, char *buf, size_t len);

#endif
