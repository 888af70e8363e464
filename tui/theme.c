#include "config.h"
#include "core/base/names.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tui/theme.h"

#define THEME_MAX_BYTES (64 * 1024)

NAME_TABLE(role_names, theme_role_name, enum tui_role, TUI_ROLE_LIST, ROLE_COUNT, "")

static const char *const base_colors[] = {
	"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
};

static const struct {
	const char *name;
	unsigned bit;
} attr_names[] = {
	{ "bold", THEME_BOLD },           { "dim", THEME_DIM },
	{ "underline", THEME_UNDERLINE }, { "reverse", THEME_REVERSE },
	{ "italic", THEME_ITALIC },       { "blink", THEME_BLINK },
	{ "standout", THEME_STANDOUT },   { "none", 0 },
};

int theme_role_from_name(const char *name)
{
	for (int i = 0; i < ROLE_COUNT; i++)
		if (strcasecmp(role_names[i], name) == 0)
			return i;
	return -1;
}

void theme_init_builtin(struct theme *t)
{
	memset(t, 0, sizeof *t);
	snprintf(t->name, sizeof t->name, "built-in");
	for (int i = 0; i < ROLE_COUNT; i++)
		t->style[i] = (struct theme_style){ THEME_COLOR_DEFAULT, THEME_COLOR_DEFAULT, 0 };
	/* Only attributes: this must stay legible with no colour at all. */
	t->style[ROLE_HEADER].attrs = THEME_REVERSE;
	t->style[ROLE_HEADER_LIVE].attrs = THEME_REVERSE | THEME_BOLD | THEME_BLINK;
	t->style[ROLE_BORDER_FOCUS].attrs = THEME_BOLD;
	t->style[ROLE_BORDER_LIVE].attrs = THEME_BOLD;
	t->style[ROLE_TITLE].attrs = THEME_BOLD;
	t->style[ROLE_COLUMN].attrs = THEME_UNDERLINE;
	t->style[ROLE_SELECTED].attrs = THEME_REVERSE;
	t->style[ROLE_MARKED].attrs = THEME_BOLD;
	t->style[ROLE_MATCH].attrs = THEME_UNDERLINE;
	t->style[ROLE_FAX_FAILED].attrs = THEME_BOLD;
	t->style[ROLE_CODE_TERMINAL].attrs = THEME_BOLD;
	t->style[ROLE_DIM].attrs = THEME_DIM;
	t->style[ROLE_ERROR].attrs = THEME_BOLD;
	t->style[ROLE_ALERT].attrs = THEME_BOLD | THEME_REVERSE;
	t->style[ROLE_KEY].attrs = THEME_BOLD;
	t->style[ROLE_FLASH_ERROR].attrs = THEME_BOLD;
	t->style[ROLE_FOOTER].attrs = 0;
	t->style[ROLE_DIALOG_FIELD].attrs = THEME_UNDERLINE;
	t->style[ROLE_DIALOG_FOCUS].attrs = THEME_REVERSE;
	t->style[ROLE_LOG_REFUSED].attrs = THEME_BOLD;
	t->style[ROLE_LOG_ANOMALY].attrs = THEME_BOLD;
}

int theme_color_parse(const char *s, short *out)
{
	char *end;
	long n;

	if (strcmp(s, "-") == 0 || strcasecmp(s, "default") == 0) {
		*out = THEME_COLOR_DEFAULT;
		return 0;
	}
	for (int i = 0; i < 8; i++) {
		if (strcasecmp(s, base_colors[i]) == 0) {
			*out = (short)i;
			return 0;
		}
		if (strncasecmp(s, "bright-", 7) == 0 && strcasecmp(s + 7, base_colors[i]) == 0) {
			*out = (short)(i + 8);
			return 0;
		}
	}
	if (strcasecmp(s, "grey") == 0 || strcasecmp(s, "gray") == 0) {
		*out = 8;
		return 0;
	}
	if (s[0] == '#') {
		unsigned r, g, b;
		int len = 0;

		if (strlen(s) != 7 || sscanf(s + 1, "%2x%2x%2x%n", &r, &g, &b, &len) != 3 ||
		    len != 6)
			return -1;
		for (int i = 1; i < 7; i++)
			if (!isxdigit((unsigned char)s[i]))
				return -1;
		/* Nearest cell of the 6x6x6 cube: the one palette every 256-colour
		 * terminal agrees on. */
		int lv[3] = { (int)r, (int)g, (int)b }, q[3];

		for (int i = 0; i < 3; i++)
			q[i] = lv[i] < 48 ? 0 : lv[i] < 115 ? 1 : (lv[i] - 35) / 40;
		*out = (short)(16 + 36 * q[0] + 6 * q[1] + q[2]);
		return 0;
	}
	if (strncasecmp(s, "color", 5) == 0)
		s += 5;
	if (!isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	n = strtol(s, &end, 10);
	if (errno || *end || n < 0 || n > 255)
		return -1;
	*out = (short)n;
	return 0;
}

static void color_rgb(int c, int rgb[3])
{
	static const int sys[16][3] = {
		{ 0, 0, 0 },       { 205, 0, 0 },   { 0, 205, 0 },   { 205, 205, 0 },
		{ 0, 0, 238 },     { 205, 0, 205 }, { 0, 205, 205 }, { 229, 229, 229 },
		{ 127, 127, 127 }, { 255, 0, 0 },   { 0, 255, 0 },   { 255, 255, 0 },
		{ 92, 92, 255 },   { 255, 0, 255 }, { 0, 255, 255 }, { 255, 255, 255 },
	};

	if (c < 16) {
		memcpy(rgb, sys[c], sizeof sys[c]);
	} else if (c < 232) {
		static const int lv[6] = { 0, 95, 135, 175, 215, 255 };

		c -= 16;
		rgb[0] = lv[c / 36];
		rgb[1] = lv[(c / 6) % 6];
		rgb[2] = lv[c % 6];
	} else {
		rgb[0] = rgb[1] = rgb[2] = 8 + 10 * (c - 232);
	}
}

short theme_color_degrade(short c, int ncolors, bool *bright)
{
	if (bright)
		*bright = false;
	if (c < 0)
		return THEME_COLOR_DEFAULT;
	if (ncolors < 8)
		return THEME_COLOR_DEFAULT;
	if (ncolors >= 256 || c < ncolors)
		return c;
	if (c >= 16) {
		int rgb[3], best = 0;
		long bestd = -1;

		color_rgb(c, rgb);
		for (int i = 0; i < 16; i++) {
			int s[3];
			long d = 0;

			color_rgb(i, s);
			for (int k = 0; k < 3; k++)
				d += (long)(s[k] - rgb[k]) * (s[k] - rgb[k]);
			if (bestd < 0 || d < bestd) {
				bestd = d;
				best = i;
			}
		}
		c = (short)best;
	}
	if (c >= 8 && ncolors < 16) {
		if (bright)
			*bright = true;
		c = (short)(c - 8);
	}
	return c;
}

static int parse_line(struct theme *t, char *line, const char *file, int lineno, char *err,
		      size_t errlen)
{
	char *save = NULL, *tok;
	struct theme_style st = { THEME_COLOR_DEFAULT, THEME_COLOR_DEFAULT, 0 };
	int role, ncol = 0;
	char *hash = strchr(line, '#');

	/* '#' starts a comment only at the line start or after blank, so that
	 * #rrggbb colours stay usable. */
	while (hash) {
		if (hash == line || hash[-1] == ' ' || hash[-1] == '\t') {
			if (!isxdigit((unsigned char)hash[1]) || hash == line) {
				*hash = '\0';
				break;
			}
		}
		hash = strchr(hash + 1, '#');
	}
	tok = strtok_r(line, " \t\r\n", &save);
	if (!tok)
		return 0;
	role = theme_role_from_name(tok);
	if (role < 0) {
		snprintf(err, errlen, "%s:%d: unknown role '%.40s'", file, lineno, tok);
		return -1;
	}
	while ((tok = strtok_r(NULL, " \t\r\n", &save))) {
		short c;
		bool found = false;

		for (size_t i = 0; i < sizeof attr_names / sizeof attr_names[0]; i++) {
			if (strcasecmp(tok, attr_names[i].name) == 0) {
				st.attrs |= attr_names[i].bit;
				found = true;
			}
		}
		if (found)
			continue;
		if (theme_color_parse(tok, &c) == 0) {
			if (ncol == 2) {
				snprintf(err, errlen, "%s:%d: more than two colours for %s", file,
					 lineno, role_names[role]);
				return -1;
			}
			if (ncol++ == 0)
				st.fg = c;
			else
				st.bg = c;
			continue;
		}
		snprintf(err, errlen, "%s:%d: '%.40s' is neither a colour nor an attribute", file,
			 lineno, tok);
		return -1;
	}
	t->style[role] = st;
	return 0;
}

int theme_parse(struct theme *t, const char *text, const char *file, char *err, size_t errlen)
{
	struct theme nt = *t;
	int lineno = 0;
	const char *p = text;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char line[512];

		lineno++;
		if (len >= sizeof line) {
			snprintf(err, errlen, "%s:%d: line too long", file, lineno);
			return -1;
		}
		memcpy(line, p, len);
		line[len] = '\0';
		if (parse_line(&nt, line, file, lineno, err, errlen) < 0)
			return -1;
		p += len + (nl ? 1 : 0);
	}
	*t = nt;
	return 0;
}

static char *read_small_file(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;

	if (!f)
		return NULL;
	buf = malloc(THEME_MAX_BYTES + 1);
	if (!buf) {
		fclose(f);
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	n = fread(buf, 1, THEME_MAX_BYTES + 1, f);
	fclose(f);
	if (n > THEME_MAX_BYTES) {
		snprintf(err, errlen, "%s: larger than %d bytes", path, THEME_MAX_BYTES);
		free(buf);
		return NULL;
	}
	if (memchr(buf, '\0', n)) {
		snprintf(err, errlen, "%s: binary data (NUL byte)", path);
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

static bool valid_name(const char *name)
{
	if (!*name || strlen(name) > 48)
		return false;
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
			return false;
	return true;
}

int theme_load(struct theme *t, const char *name, char *err, size_t errlen)
{
	char path[4096], *text = NULL;
	const char *dirs[3];
	char xdg[4000];
	size_t nd = 0;
	int rc;

	theme_init_builtin(t);
	if (!name || !*name)
		name = "default";
	err[0] = '\0';
	if (strchr(name, '/')) {
		snprintf(path, sizeof path, "%s", name);
		text = read_small_file(path, err, errlen);
		if (!text && !err[0])
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
	} else {
		const char *x = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");

		if (!valid_name(name)) {
			snprintf(err, errlen,
				 "theme name '%.60s' is not a name (letters, digits, "
				 "- and _) nor a path",
				 name);
			return -1;
		}
		if (x && *x) {
			snprintf(xdg, sizeof xdg, "%s/faxtop/themes", x);
			dirs[nd++] = xdg;
		} else if (home && *home) {
			snprintf(xdg, sizeof xdg, "%s/.config/faxtop/themes", home);
			dirs[nd++] = xdg;
		}
		dirs[nd++] = FAXTOP_THEMEDIR;
		dirs[nd++] = FAXTOP_SRC_THEMEDIR;
		for (size_t i = 0; i < nd && !text && !err[0]; i++) {
			snprintf(path, sizeof path, "%s/%s.theme", dirs[i], name);
			text = read_small_file(path, err, errlen);
		}
		if (!text && !err[0])
			snprintf(err, errlen, "theme '%s' not found (looked in %s, %s and %s)",
				 name, nd == 3 ? dirs[0] : "-", FAXTOP_THEMEDIR,
				 FAXTOP_SRC_THEMEDIR);
	}
	if (!text)
		return -1;
	rc = theme_parse(t, text, path, err, errlen);
	free(text);
	if (rc == 0) {
		const char *base = strrchr(name, '/');

		snprintf(t->name, sizeof t->name, "%s", base ? base + 1 : name);
	}
	return rc;
}
