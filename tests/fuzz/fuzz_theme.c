/* Theme files and key bindings from text (tui/theme.h, tui/keymap.h): the
 * input is a theme file for theme_parse(), and each of its lines is also a
 * config `bind` line for keymap_parse_line() and each word a key name and a
 * colour word.
 *
 * Invariants: a refused theme leaves the theme as it was and says why; an
 * accepted one holds colours in 0..255 or the default and only known
 * attributes; a colour degraded for 256, 16, 8 or 2 colours fits that
 * terminal; a key name that parses prints back to a name that parses to the
 * same key. */
#include <config.h>

#include <stdbool.h>

#include "tui/keymap.h"
#include "tui/theme.h"
#include "tests/fuzz/fuzz.h"

#define FUZZ_THEME_ATTRS                                                                         \
	(THEME_BOLD | THEME_DIM | THEME_UNDERLINE | THEME_REVERSE | THEME_ITALIC | THEME_BLINK | \
	 THEME_STANDOUT)

static void fuzz_check_color(short c, const char *what)
{
	fuzz_check(c == THEME_COLOR_DEFAULT || (c >= 0 && c <= 255), "%s colour %d", what, c);
}

static void fuzz_words(char *line)
{
	char *save = NULL;

	for (char *w = strtok_r(line, " \t\r", &save); w; w = strtok_r(NULL, " \t\r", &save)) {
		short c;
		int key;

		if (theme_color_parse(w, &c) == 0) {
			fuzz_check_color(c, "parsed");
			for (int n = 0; n < 4; n++) {
				static const int ncolors[] = { 256, 16, 8, 2 };
				bool bright = false;
				short d = theme_color_degrade(c, ncolors[n], &bright);

				fuzz_check(d == THEME_COLOR_DEFAULT || (d >= 0 && d < ncolors[n]),
					   "colour %d degraded to %d for %d colours", c, d,
					   ncolors[n]);
			}
		}
		if (keymap_key_parse(w, &key) == 0) {
			char name[64];
			int again;

			keymap_key_name(key, name, sizeof name);
			fuzz_check(fuzz_terminated(name, sizeof name), "key name unterminated");
			fuzz_check(strcmp(name, "?") == 0 ||
					   (keymap_key_parse(name, &again) == 0 && again == key),
				   "key '%s' = %d prints as '%s', which does not parse back", w,
				   key, name);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_strndup(data, size);
	struct theme t, before;
	struct keymap *km;
	char err[512], *save = NULL;

	theme_init_builtin(&t);
	before = t;
	err[0] = '\0';
	if (theme_parse(&t, text, "fuzz.theme", err, sizeof err) == 0) {
		for (int r = 0; r < ROLE_COUNT; r++) {
			fuzz_check_color(t.style[r].fg, theme_role_name((enum tui_role)r));
			fuzz_check_color(t.style[r].bg, theme_role_name((enum tui_role)r));
			fuzz_check((t.style[r].attrs & ~(unsigned)FUZZ_THEME_ATTRS) == 0,
				   "unknown attribute bits %#x", t.style[r].attrs);
		}
	} else {
		fuzz_check(err[0] != '\0' && fuzz_terminated(err, sizeof err),
			   "theme refused without a message");
		fuzz_check(memcmp(&t, &before, sizeof t) == 0,
			   "a refused theme changed the styles");
	}

	km = keymap_new();
	if (!km)
		abort();
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		err[0] = '\0';
		if (keymap_parse_line(km, line, "fuzz:1", err, sizeof err) != 0)
			fuzz_check(err[0] != '\0', "bind line refused without a message");
		theme_role_from_name(line);
		fuzz_words(line);
	}
	keymap_free(km);
	free(text);
	return 0;
}
