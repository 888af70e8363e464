/* Semantic colour roles and themes. A theme file maps roles to colours and
 * attributes; nothing here knows curses (term.c turns a theme into pairs).
 *
 * Theme file lines:   ROLE [FG [BG]] [ATTR...]     # comment
 *   colours: default (or -), black red green yellow blue magenta cyan white,
 *            bright-black … bright-white, color0 … color255, #rrggbb
 *   attributes: bold dim underline reverse italic blink standout none
 * A role not mentioned keeps the built-in style. */
#ifndef FAXTOP_TUI_THEME_H
#define FAXTOP_TUI_THEME_H

#include <stdbool.h>
#include <stddef.h>

/* X(enum, name) */
#define TUI_ROLE_LIST(X)                           \
	X(ROLE_NORMAL, "normal")                   \
	X(ROLE_DIM, "dim")                         \
	X(ROLE_HEADER, "header")                   \
	X(ROLE_HEADER_LIVE, "header.live")         \
	X(ROLE_BORDER, "border")                   \
	X(ROLE_BORDER_FOCUS, "border.focus")       \
	X(ROLE_BORDER_LIVE, "border.live")         \
	X(ROLE_TITLE, "title")                     \
	X(ROLE_COLUMN, "column")                   \
	X(ROLE_SELECTED, "selected")               \
	X(ROLE_MARKED, "marked")                   \
	X(ROLE_MATCH, "match")                     \
	X(ROLE_FAX_QUEUED, "fax.queued")           \
	X(ROLE_FAX_SUBMITTED, "fax.submitted")     \
	X(ROLE_FAX_IN_PROGRESS, "fax.in_progress") \
	X(ROLE_FAX_DELIVERED, "fax.delivered")     \
	X(ROLE_FAX_FAILED, "fax.failed")           \
	X(ROLE_FAX_RETRYING, "fax.retrying")       \
	X(ROLE_INFLIGHT, "inflight")               \
	X(ROLE_CODE_TERMINAL, "code.terminal")     \
	X(ROLE_CODE_RETRYABLE, "code.retryable")   \
	X(ROLE_CODE_UNKNOWN, "code.unknown")       \
	X(ROLE_OK, "ok")                           \
	X(ROLE_WARN, "warn")                       \
	X(ROLE_ERROR, "error")                     \
	X(ROLE_ALERT, "alert")                     \
	X(ROLE_SPARK, "spark")                     \
	X(ROLE_LOG_DUPLICATE, "log.duplicate")     \
	X(ROLE_LOG_REFUSED, "log.refused")         \
	X(ROLE_LOG_ANOMALY, "log.anomaly")         \
	X(ROLE_FOOTER, "footer")                   \
	X(ROLE_KEY, "key")                         \
	X(ROLE_FLASH_OK, "flash.ok")               \
	X(ROLE_FLASH_ERROR, "flash.error")         \
	X(ROLE_DIALOG, "dialog")                   \
	X(ROLE_DIALOG_FIELD, "dialog.field")       \
	X(ROLE_DIALOG_FOCUS, "dialog.focus")

enum tui_role {
/* clang-format off */
#define X(e, name) e,
	TUI_ROLE_LIST(X)
#undef X
	ROLE_COUNT
	/* clang-format on */
};

#define THEME_COLOR_DEFAULT (-1)

enum {
	THEME_BOLD = 1 << 0,
	THEME_DIM = 1 << 1,
	THEME_UNDERLINE = 1 << 2,
	THEME_REVERSE = 1 << 3,
	THEME_ITALIC = 1 << 4,
	THEME_BLINK = 1 << 5,
	THEME_STANDOUT = 1 << 6,
};

struct theme_style {
	short fg, bg;   /* 0..255 or THEME_COLOR_DEFAULT */
	unsigned attrs; /* THEME_* */
};

struct theme {
	char name[64];
	struct theme_style style[ROLE_COUNT];
};

const char *theme_role_name(enum tui_role r);
int theme_role_from_name(const char *name); /* -1 if unknown */

/* The minimal built-in styles (attributes only, readable anywhere); used
 * under every theme file and when no file can be read. */
void theme_init_builtin(struct theme *t);
/* Parses theme text over t's current styles. `file` names the source in
 * errors ("file:line: …"). On error t is unchanged. */
int theme_parse(struct theme *t, const char *text, const char *file, char *err, size_t errlen);
/* Finds NAME (or a path containing '/') and parses it over the built-in
 * styles. Search: $XDG_CONFIG_HOME/faxtop/themes, the installed themes, the
 * source tree's themes/. On error t holds the built-in styles. */
int theme_load(struct theme *t, const char *name, char *err, size_t errlen);

/* A colour for a terminal with `ncolors` colours: 256-colour indices fall
 * to the nearest of 16, 16 to 8 (bright ones set *bright so the caller can
 * add bold to a foreground), and fewer than 8 to THEME_COLOR_DEFAULT. */
short theme_color_degrade(short c, int ncolors, bool *bright);
/* Parses one colour word; 0 or -1. */
int theme_color_parse(const char *s, short *out);

#endif
