/* The TUI's pure parts: key names and bindings, the filter language, theme
 * files, layout and columns, formatters, the line editor. */
#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

#include "core/model/event.h"
#include "core/model/model.h"
#include "tests/unit/unit.h"
#include "tui/actions.h"
#include "tui/filter.h"
#include "tui/keymap.h"
#include "tui/layout.h"
#include "tui/theme.h"
#include "tui/widgets/format.h"
#include "tui/widgets/prompt.h"
#include "tui/widgets/scroller.h"

/* ---- keymap ---- */

static void test_key_names(void)
{
	static const struct {
		const char *name;
		int key;
	} ok[] = {
		{ "r", 'r' },
		{ "R", 'R' },
		{ "?", '?' },
		{ "/", '/' },
		{ ":", ':' },
		{ "C-l", 12 },
		{ "c-L", 12 },
		{ "Enter", '\n' },
		{ "esc", 27 },
		{ "Tab", '\t' },
		{ "Space", ' ' },
		{ "S-Tab", TUI_KEY_FN(KEY_BTAB) },
		{ "Up", TUI_KEY_FN(KEY_UP) },
		{ "PgDn", TUI_KEY_FN(KEY_NPAGE) },
		{ "Home", TUI_KEY_FN(KEY_HOME) },
		{ "F5", TUI_KEY_FN(KEY_F(5)) },
		{ "F12", TUI_KEY_FN(KEY_F(12)) },
		{ "\xC3\xA9", 0xE9 },
	};
	static const char *const bad[] = {
		"", "C-", "C-1", "F0", "F13", "Fx", "ab", "Nope", "\x01", "\xC3", "\xFF", "C-ll",
	};
	int k;
	char name[16];

	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		k = -1;
		CU_ASSERT_EQUAL_FATAL(keymap_key_parse(ok[i].name, &k), 0);
		CU_ASSERT_EQUAL(k, ok[i].key);
		/* The canonical name parses back to the same key. */
		keymap_key_name(k, name, sizeof name);
		k = -1;
		CU_ASSERT_EQUAL(keymap_key_parse(name, &k), 0);
		CU_ASSERT_EQUAL(k, ok[i].key);
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		CU_ASSERT_EQUAL(keymap_key_parse(bad[i], &k), -1);
	CU_ASSERT_EQUAL(keymap_key_parse(NULL, &k), -1);
}

static void test_key_from_curses(void)
{
	CU_ASSERT_EQUAL(keymap_key_from_curses('\r', false), TUI_KEY_ENTER);
	CU_ASSERT_EQUAL(keymap_key_from_curses(KEY_ENTER, true), TUI_KEY_ENTER);
	CU_ASSERT_EQUAL(keymap_key_from_curses(0x7F, false), TUI_KEY_FN(KEY_BACKSPACE));
	CU_ASSERT_EQUAL(keymap_key_from_curses(KEY_UP, true), TUI_KEY_FN(KEY_UP));
	CU_ASSERT_EQUAL(keymap_key_from_curses('q', false), 'q');
	/* A function key never collides with a character of the same number. */
	CU_ASSERT_NOT_EQUAL(keymap_key_from_curses(KEY_DOWN, true),
			    keymap_key_from_curses(KEY_DOWN, false));
}

static void test_keymap_defaults(void)
{
	struct keymap *km = keymap_new();
	char err[256], keys[128];

	CU_ASSERT_PTR_NOT_NULL_FATAL(km);
	CU_ASSERT_EQUAL_FATAL(keymap_load_defaults(km, err, sizeof err), 0);
	CU_ASSERT_EQUAL(keymap_lookup(km, 'q'), ACT_QUIT);
	CU_ASSERT_EQUAL(keymap_lookup(km, 'j'), ACT_DOWN);
	CU_ASSERT_EQUAL(keymap_lookup(km, TUI_KEY_FN(KEY_DOWN)), ACT_DOWN);
	CU_ASSERT_EQUAL(keymap_lookup(km, '\n'), ACT_OPEN);
	CU_ASSERT_EQUAL(keymap_lookup(km, 'r'), ACT_RESEND);
	CU_ASSERT_EQUAL(keymap_lookup(km, 'R'), ACT_RESEND_BULK);
	CU_ASSERT_EQUAL(keymap_lookup(km, ' '), ACT_MARK);
	CU_ASSERT_EQUAL(keymap_lookup(km, '/'), ACT_FILTER);
	CU_ASSERT_EQUAL(keymap_lookup(km, 'Z'), ACT_NONE);
	/* Every action but "none" has at least one default key. */
	for (int a = 1; a < ACT_COUNT; a++)
		CU_ASSERT(keymap_keys_for(km, (enum tui_action)a, keys, sizeof keys) > 0);
	CU_ASSERT_EQUAL(keymap_keys_for(km, ACT_DOWN, keys, sizeof keys), 2);
	CU_ASSERT_STRING_EQUAL(keys, "j, Down");
	/* Overriding a default is not a conflict. */
	CU_ASSERT_EQUAL(keymap_message_count(km), 0);
	keymap_free(km);
}

static void test_keymap_config_lines(void)
{
	struct keymap *km = keymap_new();
	char err[256];

	keymap_load_defaults(km, err, sizeof err);
	CU_ASSERT_EQUAL(keymap_parse_line(km, "bind x quit", "cfg:1", err, sizeof err), 0);
	CU_ASSERT_EQUAL(keymap_lookup(km, 'x'), ACT_QUIT);
	CU_ASSERT_EQUAL(keymap_parse_line(km, "  # comment", "cfg:2", err, sizeof err), 0);
	CU_ASSERT_EQUAL(keymap_parse_line(km, "", "cfg:3", err, sizeof err), 0);
	CU_ASSERT_EQUAL(keymap_parse_line(km, "bind q none", "cfg:4", err, sizeof err), 0);
	CU_ASSERT_EQUAL(keymap_lookup(km, 'q'), ACT_NONE);
	CU_ASSERT_EQUAL(keymap_message_count(km), 0);

	CU_ASSERT_EQUAL(keymap_parse_line(km, "bind x help", "cfg:5", err, sizeof err), 0);
	CU_ASSERT_EQUAL(keymap_lookup(km, 'x'), ACT_HELP);
	CU_ASSERT_EQUAL_FATAL(keymap_message_count(km), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(keymap_message_at(km, 0), "cfg:5"));
	CU_ASSERT_PTR_NOT_NULL(strstr(keymap_message_at(km, 0), "cfg:1"));
	CU_ASSERT_PTR_NULL(keymap_message_at(km, 1));

	CU_ASSERT_EQUAL(keymap_parse_line(km, "bind x explode", "cfg:6", err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "cfg:6"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "explode"));
	CU_ASSERT_EQUAL(keymap_lookup(km, 'x'), ACT_HELP);
	CU_ASSERT_EQUAL(keymap_parse_line(km, "bind Hyper-x quit", "cfg:7", err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "unknown key"));
	CU_ASSERT_EQUAL(keymap_parse_line(km, "bind x", "cfg:8", err, sizeof err), -1);
	CU_ASSERT_EQUAL(keymap_parse_line(km, "unbind x", "cfg:9", err, sizeof err), -1);
	CU_ASSERT_EQUAL(keymap_parse_line(km, "bind a b c", "cfg:10", err, sizeof err), -1);
	keymap_free(km);
}

static void test_actions_table(void)
{
	for (int a = 0; a < ACT_COUNT; a++) {
		CU_ASSERT_EQUAL(action_from_name(action_name((enum tui_action)a)), a);
		CU_ASSERT(strlen(action_help((enum tui_action)a)) > 0);
	}
	CU_ASSERT(action_mutates(ACT_RESEND));
	CU_ASSERT(action_mutates(ACT_RESEND_BULK));
	CU_ASSERT_FALSE(action_mutates(ACT_OPEN));
	CU_ASSERT_FALSE(action_mutates(ACT_QUIT));
	CU_ASSERT_EQUAL(action_from_name("Quit"), -1);
	CU_ASSERT_EQUAL(action_from_name(NULL), -1);
}

/* ---- filter ---- */

static struct model_fax *mk_fax(const char *id, enum fax_status st, const char *to,
				const char *code, const char *tagk, const char *tagv)
{
	struct model_fax *mf = calloc(1, sizeof *mf);

	fax_init(&mf->fax);
	mf->fax.id = strdup(id);
	mf->fax.status = st;
	mf->fax.to = to ? strdup(to) : NULL;
	mf->fax.error_code = code ? strdup(code) : NULL;
	if (tagk) {
		mf->fax.tags = calloc(1, sizeof *mf->fax.tags);
		mf->fax.tags[0].key = strdup(tagk);
		mf->fax.tags[0].value = strdup(tagv ? tagv : "");
		mf->fax.n_tags = 1;
	}
	return mf;
}

static void free_fax(struct model_fax *mf)
{
	fax_done(&mf->fax);
	free(mf);
}

static bool matches(const char *expr, const struct model_fax *mf)
{
	struct filter f;
	char err[256];
	bool r;

	filter_init(&f);
	if (filter_parse(&f, expr, err, sizeof err) < 0) {
		CU_FAIL("filter did not parse");
		return false;
	}
	r = filter_match(&f, mf);
	filter_done(&f);
	return r;
}

static void test_filter_match(void)
{
	struct model_fax *a =
		mk_fax("fax_01AAA", FAX_FAILED, "+12125550100", "busy", "team", "ops");
	struct model_fax *b =
		mk_fax("fax_02BBB", FAX_DELIVERED, "+442071838750", NULL, "team", "sales");
	struct model_fax *c =
		mk_fax("fax_03CCC", FAX_FAILED, "+15555550123", "invalid_number", NULL, NULL);

	CU_ASSERT(matches("", a));
	CU_ASSERT(matches("status:failed", a));
	CU_ASSERT_FALSE(matches("status:failed", b));
	CU_ASSERT(matches("status:delivered,failed", b));
	CU_ASSERT(matches("STATUS:FAILED", c));
	CU_ASSERT(matches("code:busy", a));
	CU_ASSERT(matches("code:BUSY", a));
	CU_ASSERT_FALSE(matches("code:busy", c));
	CU_ASSERT(matches("code:none", b));
	CU_ASSERT(matches("code:busy,invalid_number", c));
	CU_ASSERT(matches("to:+1212", a));
	CU_ASSERT_FALSE(matches("to:+1212", b));
	CU_ASSERT(matches("tag:team=ops", a));
	CU_ASSERT_FALSE(matches("tag:team=ops", b));
	CU_ASSERT(matches("tag:team", b));
	CU_ASSERT_FALSE(matches("tag:team", c));
	CU_ASSERT(matches("status:failed code:busy to:+1212 tag:team=ops", a));
	CU_ASSERT_FALSE(matches("status:failed code:busy to:+1212 tag:team=ops", c));
	CU_ASSERT(matches("!status:delivered", a));
	CU_ASSERT_FALSE(matches("!status:delivered", b));
	CU_ASSERT(matches("02bbb", b));   /* free text, case-insensitive */
	CU_ASSERT(matches("sales", b));   /* tag values are text too */
	CU_ASSERT(matches("invalid", c)); /* and codes */
	CU_ASSERT_FALSE(matches("invalid", a));
	CU_ASSERT(matches("id:fax_03", c));
	CU_ASSERT(matches("\"fax_01\" busy", a));
	free_fax(a);
	free_fax(b);
	free_fax(c);
}

static void test_filter_status_pseudo(void)
{
	struct model_fax *q = mk_fax("fax_q", FAX_QUEUED, NULL, NULL, NULL, NULL);
	struct model_fax *d = mk_fax("fax_d", FAX_DELIVERED, NULL, NULL, NULL, NULL);

	CU_ASSERT(matches("status:active", q));
	CU_ASSERT_FALSE(matches("status:active", d));
	CU_ASSERT_FALSE(matches("status:retrying", q));
	q->retrying = true;
	CU_ASSERT(matches("status:retrying", q));
	CU_ASSERT(matches("status:sending,retrying", q));
	CU_ASSERT_FALSE(matches("status:anomaly", d));
	d->anomalies = 1;
	CU_ASSERT(matches("status:anomaly", d));
	CU_ASSERT(matches("status:failed,anomaly", d));
	CU_ASSERT_FALSE(matches("!status:anomaly", d));
	CU_ASSERT_FALSE(matches("status:anomaly", q));
	free_fax(q);
	free_fax(d);
}

static void test_filter_errors(void)
{
	static const struct {
		const char *expr, *needle;
	} bad[] = {
		{ "status:bogus", "unknown status" },
		{ "colour:red", "unknown field 'colour'" },
		{ "code:", "needs a value" },
		{ "tag:=x", "needs a key" },
		{ "\"unterminated", "unterminated quote" },
		{ "status:,", "needs a value" },
	};
	struct filter f;
	char err[256], big[2048];

	filter_init(&f);
	CU_ASSERT_EQUAL_FATAL(filter_parse(&f, "status:failed", err, sizeof err), 0);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = '\0';
		CU_ASSERT_EQUAL(filter_parse(&f, bad[i].expr, err, sizeof err), -1);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, bad[i].needle));
		/* A bad expression leaves the previous filter in place. */
		CU_ASSERT_STRING_EQUAL(f.expr, "status:failed");
		CU_ASSERT_EQUAL(f.n, 1);
	}
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	CU_ASSERT_EQUAL(filter_parse(&f, big, err, sizeof err), -1);
	memset(big, 0, sizeof big);
	for (int i = 0; i < 40; i++)
		strcat(big, "x ");
	CU_ASSERT_EQUAL(filter_parse(&f, big, err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "too many"));
	CU_ASSERT_EQUAL(filter_parse(&f, "", err, sizeof err), 0);
	CU_ASSERT(filter_empty(&f));
	filter_done(&f);
}

/* ---- themes ---- */

static void test_theme_colors(void)
{
	short c;
	bool bright;

	CU_ASSERT(theme_color_parse("red", &c) == 0 && c == 1);
	CU_ASSERT(theme_color_parse("bright-red", &c) == 0 && c == 9);
	CU_ASSERT(theme_color_parse("default", &c) == 0 && c == THEME_COLOR_DEFAULT);
	CU_ASSERT(theme_color_parse("-", &c) == 0 && c == THEME_COLOR_DEFAULT);
	CU_ASSERT(theme_color_parse("color203", &c) == 0 && c == 203);
	CU_ASSERT(theme_color_parse("17", &c) == 0 && c == 17);
	CU_ASSERT(theme_color_parse("#ff0000", &c) == 0 && c == 196);
	CU_ASSERT(theme_color_parse("#000000", &c) == 0 && c == 16);
	CU_ASSERT_EQUAL(theme_color_parse("color256", &c), -1);
	CU_ASSERT_EQUAL(theme_color_parse("#ff00", &c), -1);
	CU_ASSERT_EQUAL(theme_color_parse("#gg0000", &c), -1);
	CU_ASSERT_EQUAL(theme_color_parse("purple", &c), -1);

	CU_ASSERT_EQUAL(theme_color_degrade(203, 256, &bright), 203);
	CU_ASSERT_FALSE(bright);
	/* Pure red in the cube falls to bright red on 16, red + bold on 8. */
	CU_ASSERT_EQUAL(theme_color_degrade(196, 16, &bright), 9);
	CU_ASSERT_EQUAL(theme_color_degrade(196, 8, &bright), 1);
	CU_ASSERT(bright);
	CU_ASSERT_EQUAL(theme_color_degrade(4, 8, &bright), 4);
	CU_ASSERT_FALSE(bright);
	CU_ASSERT_EQUAL(theme_color_degrade(4, 2, &bright), THEME_COLOR_DEFAULT);
	CU_ASSERT_EQUAL(theme_color_degrade(THEME_COLOR_DEFAULT, 256, NULL), THEME_COLOR_DEFAULT);
	/* A grey ramp entry lands on one of the greys/whites, never a hue. */
	c = theme_color_degrade(250, 16, NULL);
	CU_ASSERT(c == 7 || c == 8 || c == 15);
}

static void test_theme_parse(void)
{
	struct theme t;
	char err[256];

	theme_init_builtin(&t);
	CU_ASSERT(t.style[ROLE_SELECTED].attrs & THEME_REVERSE);
	CU_ASSERT_EQUAL(theme_parse(&t,
				    "# comment\n\nfax.failed red default bold underline\n"
				    "header #ffffff color24   # trailing comment\n",
				    "x.theme", err, sizeof err),
			0);
	CU_ASSERT_EQUAL(t.style[ROLE_FAX_FAILED].fg, 1);
	CU_ASSERT_EQUAL(t.style[ROLE_FAX_FAILED].bg, THEME_COLOR_DEFAULT);
	CU_ASSERT_EQUAL(t.style[ROLE_FAX_FAILED].attrs, THEME_BOLD | THEME_UNDERLINE);
	CU_ASSERT_EQUAL(t.style[ROLE_HEADER].fg, 231);
	CU_ASSERT_EQUAL(t.style[ROLE_HEADER].bg, 24);
	CU_ASSERT_EQUAL(t.style[ROLE_HEADER].attrs, 0);

	CU_ASSERT_EQUAL(
		theme_parse(&t, "normal default\nbogus.role red\n", "bad.theme", err, sizeof err),
		-1);
	CU_ASSERT_STRING_EQUAL(err, "bad.theme:2: unknown role 'bogus.role'");
	CU_ASSERT_EQUAL(theme_parse(&t, "okay blue\n", "b.theme", err, sizeof err), -1);
	CU_ASSERT_EQUAL(
		theme_parse(&t, "\n\n\nfax.failed red blue green\n", "c.theme", err, sizeof err),
		-1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "c.theme:4:"));
	CU_ASSERT_EQUAL(theme_parse(&t, "fax.failed reddish\n", "d.theme", err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "d.theme:1: 'reddish'"));
	/* A failed parse leaves the theme as it was. */
	CU_ASSERT_EQUAL(t.style[ROLE_FAX_FAILED].fg, 1);
}

static void test_theme_shipped(void)
{
	static const char *const names[] = { "default", "light", "high-contrast", "mono" };
	char err[512];
	struct theme t;

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		err[0] = '\0';
		CU_ASSERT_EQUAL(theme_load(&t, names[i], err, sizeof err), 0);
		if (err[0])
			fprintf(stderr, "%s\n", err);
		CU_ASSERT_STRING_EQUAL(t.name, names[i]);
	}
	/* mono sets no colour anywhere. */
	theme_load(&t, "mono", err, sizeof err);
	for (int r = 0; r < ROLE_COUNT; r++) {
		CU_ASSERT_EQUAL(t.style[r].fg, THEME_COLOR_DEFAULT);
		CU_ASSERT_EQUAL(t.style[r].bg, THEME_COLOR_DEFAULT);
	}
	CU_ASSERT_EQUAL(theme_load(&t, "no-such-theme", err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "not found"));
	CU_ASSERT_EQUAL(theme_load(&t, "../etc/passwd", err, sizeof err), -1);
	CU_ASSERT_EQUAL(theme_load(&t, "bad;name", err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "not a name"));
}

static void test_theme_broken_file(void)
{
	char path[512], err[512];
	struct theme t;
	FILE *f;

	snprintf(path, sizeof path, "%s/broken.theme", unit_tmpdir());
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("normal default default\nfax.failed red\nselected blink-ish\n", f);
	fclose(f);
	CU_ASSERT_EQUAL(theme_load(&t, path, err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "broken.theme:3:"));
	/* The built-in styles are what is left. */
	CU_ASSERT_EQUAL(t.style[ROLE_FAX_FAILED].fg, THEME_COLOR_DEFAULT);
	CU_ASSERT(t.style[ROLE_SELECTED].attrs & THEME_REVERSE);
	snprintf(path, sizeof path, "%s/missing.theme", unit_tmpdir());
	CU_ASSERT_EQUAL(theme_load(&t, path, err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "missing.theme"));
}

/* ---- layout ---- */

static bool inside(const struct rect *r, int rows, int cols)
{
	return r->y >= 0 && r->x >= 0 && r->h >= 0 && r->w >= 0 && r->y + r->h <= rows &&
		r->x + r->w <= cols;
}

static bool overlap(const struct rect *a, const struct rect *b)
{
	return a->x < b->x + b->w && b->x < a->x + a->w && a->y < b->y + b->h && b->y < a->y + a->h;
}

static void test_layout_sizes(void)
{
	static const int sizes[][2] = {
		{ 48, 160 }, { 24, 80 }, { 30, 100 },  { 60, 200 }, { 12, 60 },
		{ 10, 40 },  { 8, 30 },  { 100, 300 }, { 16, 139 }, { 16, 140 },
	};

	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		int rows = sizes[i][0], cols = sizes[i][1];
		struct layout l;

		layout_compute(rows, cols, &l);
		CU_ASSERT_FALSE(l.too_small);
		CU_ASSERT(l.visible[LP_FAXES]);
		CU_ASSERT(l.pane[LP_FAXES].h >= 6);
		for (int p = 0; p < LP_COUNT; p++) {
			if (!l.visible[p])
				continue;
			CU_ASSERT(inside(&l.pane[p], rows - 1, cols));
			CU_ASSERT(l.pane[p].h >= 3);
			CU_ASSERT(l.pane[p].y >= l.body.y);
			for (int q = p + 1; q < LP_COUNT; q++)
				if (l.visible[q])
					CU_ASSERT_FALSE(overlap(&l.pane[p], &l.pane[q]));
		}
	}
}

static void test_layout_collapse(void)
{
	struct layout big, small, tiny;

	layout_compute(48, 160, &big);
	CU_ASSERT(big.wide);
	for (int p = 0; p < LP_COUNT; p++)
		CU_ASSERT(big.visible[p]);
	layout_compute(16, 80, &small);
	CU_ASSERT_FALSE(small.wide);
	/* The log goes before the attempts. */
	CU_ASSERT_FALSE(small.visible[LP_LOG]);
	layout_compute(10, 40, &small);
	CU_ASSERT(small.visible[LP_FAXES]);
	CU_ASSERT_FALSE(small.visible[LP_CODES]);
	layout_compute(5, 20, &tiny);
	CU_ASSERT(tiny.too_small);
	layout_compute(0, 0, &tiny);
	CU_ASSERT(tiny.too_small);
	layout_compute(-3, 80, &tiny);
	CU_ASSERT(tiny.too_small);
}

static void test_layout_columns(void)
{
	static const struct col_spec specs[] = {
		{ "a", 2, 2, 0, false },  { "b", 8, 11, 3, false }, { "c", 10, 28, 0, false },
		{ "d", 8, 16, 1, false }, { "e", 6, 24, 6, true },
	};
	int w[5], total, n;

	n = layout_columns(specs, 5, 200, w);
	CU_ASSERT_EQUAL(n, 5);
	total = w[0] + w[1] + w[2] + w[3] + w[4] + 4;
	CU_ASSERT_EQUAL(total, 200); /* the flex column takes the rest */
	CU_ASSERT_EQUAL(w[2], 28);
	CU_ASSERT(w[4] > 24);
	n = layout_columns(specs, 5, 38, w);
	CU_ASSERT_EQUAL(n, 5); /* minimums plus blanks fit exactly */
	n = layout_columns(specs, 5, 36, w);
	/* The lowest priority (e, then b, then d) go first. */
	CU_ASSERT_EQUAL(n, 4);
	CU_ASSERT_EQUAL(w[4], 0);
	CU_ASSERT(w[0] + w[1] + w[2] + w[3] + (n - 1) <= 36);
	n = layout_columns(specs, 5, 24, w);
	CU_ASSERT_EQUAL(n, 3);
	CU_ASSERT_EQUAL(w[1], 0);
	CU_ASSERT(w[3] > 0);
	n = layout_columns(specs, 5, 18, w);
	CU_ASSERT_EQUAL(n, 2);
	CU_ASSERT_EQUAL(w[3], 0);
	n = layout_columns(specs, 5, 8, w);
	CU_ASSERT(w[0] + w[2] + 1 <= 8);
	CU_ASSERT(w[2] >= 1);
}

/* ---- formatters ---- */

static void test_format(void)
{
	char b[64];
	int64_t next;

	fmt_cents(1234, "USD", b, sizeof b);
	CU_ASSERT_STRING_EQUAL(b, "$12.34");
	fmt_cents(-50, NULL, b, sizeof b);
	CU_ASSERT_STRING_EQUAL(b, "-$0.50");
	fmt_cents(100005, "EUR", b, sizeof b);
	CU_ASSERT_STRING_EQUAL(b, "1000.05 EUR");
	fmt_cents(INT64_MIN, NULL, b, sizeof b);
	CU_ASSERT_STRING_EQUAL(b, "-$92233720368547758.08");
	fmt_duration(850, b, sizeof b);
	CU_ASSERT_STRING_EQUAL(b, "850ms");
	fmt_duration(42150, b, sizeof b);
	CU_ASSERT_STRING_EQUAL(b, "42.1s");
	fmt_duration(185000, b, sizeof b);
	CU_ASSERT_STRING_EQUAL(b, "3m05s");
	fmt_duration(-1, b, sizeof b);
	CU_ASSERT_STRING_EQUAL(b, "-");
	fmt_seconds(12000, b, sizeof b);
	CU_ASSERT_STRING_EQUAL(b, "3h20m");
	fmt_seconds(-1, b, sizeof b);
	CU_ASSERT_STRING_EQUAL(b, "-");
	next = fmt_age(12300, b, sizeof b);
	CU_ASSERT_STRING_EQUAL(b, "12s");
	CU_ASSERT_EQUAL(next, 700);
	next = fmt_age(125000, b, sizeof b);
	CU_ASSERT_STRING_EQUAL(b, "2m");
	CU_ASSERT_EQUAL(next, 55000);
	fmt_age(500, b, sizeof b);
	CU_ASSERT_STRING_EQUAL(b, "now");
	fmt_age(3 * 86400000LL, b, sizeof b);
	CU_ASSERT_STRING_EQUAL(b, "3d");
	setenv("TZ", "UTC", 1);
	tzset();
	fmt_when(1747173600000LL, 1747173600000LL + 3600000, b, sizeof b);
	CU_ASSERT_STRING_EQUAL(b, "22:00:00");
	fmt_when(1747173600000LL, 1747173600000LL + 3 * 86400000LL, b, sizeof b);
	CU_ASSERT_STRING_EQUAL(b, "05-13 22:00");
	fmt_when(TS_NONE, 0, b, sizeof b);
	CU_ASSERT_STRING_EQUAL(b, "-");
	fmt_timestamp(1747173600000LL, b, sizeof b);
	CU_ASSERT_STRING_EQUAL(b, "2025-05-13 22:00:00");
}

static void test_sparkline(void)
{
	int64_t up[] = { 0, 1, 2, 3, 4, 5, 6, 7 }, flat[] = { 5, 5, 5 };
	char b[128];

	fmt_sparkline(up, 8, 8, false, b, sizeof b);
	CU_ASSERT_STRING_EQUAL(b, " .:-=+*#");
	fmt_sparkline(up, 8, 4, false, b, sizeof b);
	CU_ASSERT_EQUAL(strlen(b), 4);
	CU_ASSERT_EQUAL(b[3], '#'); /* the newest value is at the right */
	fmt_sparkline(flat, 3, 10, false, b, sizeof b);
	CU_ASSERT_STRING_EQUAL(b, "---");
	fmt_sparkline(up, 8, 8, true, b, sizeof b);
	CU_ASSERT_EQUAL(strlen(b), 24);
	CU_ASSERT_EQUAL(memcmp(b, "\xE2\x96\x81", 3), 0);
	fmt_sparkline(up, 0, 8, true, b, sizeof b);
	CU_ASSERT_STRING_EQUAL(b, "");
	fmt_sparkline(up, 8, 8, true, b, 7); /* never overruns */
	CU_ASSERT_EQUAL(strlen(b), 6);
}

/* ---- line editor ---- */

static void type(struct prompt *p, const char *s)
{
	for (; *s; s++)
		prompt_key(p, (unsigned char)*s);
}

/* A pre-filled prompt is replaced by the first typed character, kept by an
 * editing key; Up and Down walk the history and bring back what was being
 * typed; Tab completes words. */
static void test_prompt_prefill_history_complete(void)
{
	struct prompt p;
	struct prompt_history h = { .n = 0 };
	const char *cands[] = { "status:", "code:", "to:", "tag:", "id:" };
	const char *st[] = { "status:failed", "status:delivered", "status:queued" };

	prompt_open(&p, "status:failed", NULL);
	type(&p, "code:busy");
	CU_ASSERT_STRING_EQUAL(p.buf, "code:busy");
	prompt_open(&p, "status:failed", NULL);
	prompt_key(&p, TUI_KEY_FN(KEY_END));
	type(&p, " to:+1");
	CU_ASSERT_STRING_EQUAL(p.buf, "status:failed to:+1");
	prompt_open(&p, "status:failed", NULL);
	prompt_key(&p, TUI_KEY_FN(KEY_BACKSPACE));
	type(&p, "d");
	CU_ASSERT_STRING_EQUAL(p.buf,
			       "status:faile"
			       "d");

	prompt_history_add(&h, "status:failed");
	prompt_history_add(&h, "");
	prompt_history_add(&h, "code:busy");
	prompt_history_add(&h, "code:busy");
	CU_ASSERT_EQUAL_FATAL(h.n, 2);
	prompt_open(&p, "", &h);
	type(&p, "to:");
	CU_ASSERT_EQUAL(prompt_key(&p, TUI_KEY_FN(KEY_UP)), PROMPT_CONTINUE);
	CU_ASSERT_STRING_EQUAL(p.buf, "code:busy");
	prompt_key(&p, TUI_KEY_FN(KEY_UP));
	CU_ASSERT_STRING_EQUAL(p.buf, "status:failed");
	prompt_key(&p, TUI_KEY_FN(KEY_UP));
	CU_ASSERT_STRING_EQUAL(p.buf, "status:failed");
	prompt_key(&p, TUI_KEY_FN(KEY_DOWN));
	prompt_key(&p, TUI_KEY_FN(KEY_DOWN));
	CU_ASSERT_STRING_EQUAL(p.buf, "to:");
	/* a recalled entry is edited, not replaced */
	prompt_key(&p, TUI_KEY_FN(KEY_UP));
	type(&p, " x");
	CU_ASSERT_STRING_EQUAL(p.buf, "code:busy x");
	/* without a history Up is not the editor's */
	prompt_open(&p, "", NULL);
	CU_ASSERT_EQUAL(prompt_key(&p, TUI_KEY_FN(KEY_UP)), PROMPT_IGNORED);
	for (int i = 0; i < PROMPT_HISTORY + 5; i++) {
		char e[16];

		snprintf(e, sizeof e, "id:%d", i);
		prompt_history_add(&h, e);
	}
	CU_ASSERT_EQUAL(h.n, PROMPT_HISTORY);
	CU_ASSERT_STRING_EQUAL(h.items[PROMPT_HISTORY - 1], "id:54");
	prompt_history_free(&h);

	prompt_open(&p, "", NULL);
	type(&p, "!st");
	CU_ASSERT_EQUAL(prompt_complete(&p, cands, 5), 1);
	CU_ASSERT_STRING_EQUAL(p.buf, "!status:");
	CU_ASSERT_EQUAL(prompt_complete(&p, st, 3), 3);
	CU_ASSERT_STRING_EQUAL(p.buf, "!status:");
	type(&p, "F");
	CU_ASSERT_EQUAL(prompt_complete(&p, st, 3), 1);
	CU_ASSERT_STRING_EQUAL(p.buf, "!status:failed ");
	type(&p, "t");
	CU_ASSERT_EQUAL(prompt_complete(&p, cands, 5), 2); /* to: tag: */
	CU_ASSERT_STRING_EQUAL(p.buf, "!status:failed t");
	type(&p, "o");
	prompt_complete(&p, cands, 5);
	CU_ASSERT_STRING_EQUAL(p.buf, "!status:failed to:");
	CU_ASSERT_EQUAL(prompt_complete(&p, st, 3), 0);
	/* in the middle of the text */
	prompt_open(&p, "", NULL);
	type(&p, "co x");
	prompt_key(&p, TUI_KEY_FN(KEY_LEFT));
	prompt_key(&p, TUI_KEY_FN(KEY_LEFT));
	prompt_complete(&p, cands, 5);
	CU_ASSERT_STRING_EQUAL(p.buf, "code: x");
}

static void test_prompt(void)
{
	struct prompt p;

	prompt_set(&p, "");
	type(&p, "status:faild");
	prompt_key(&p, TUI_KEY_FN(KEY_LEFT));
	prompt_key(&p, 'e');
	CU_ASSERT_STRING_EQUAL(p.buf, "status:failed");
	prompt_key(&p, TUI_KEY_FN(KEY_END));
	prompt_key(&p, 23); /* C-w */
	CU_ASSERT_STRING_EQUAL(p.buf, "");
	prompt_set(&p, "to:+1");
	prompt_key(&p, 0xE9); /* é: two bytes */
	CU_ASSERT_STRING_EQUAL(p.buf, "to:+1\xC3\xA9");
	prompt_key(&p, TUI_KEY_FN(KEY_BACKSPACE));
	CU_ASSERT_STRING_EQUAL(p.buf, "to:+1");
	prompt_key(&p, TUI_KEY_FN(KEY_HOME));
	prompt_key(&p, TUI_KEY_FN(KEY_DC));
	CU_ASSERT_STRING_EQUAL(p.buf, "o:+1");
	CU_ASSERT_EQUAL(prompt_key(&p, 27), PROMPT_CANCEL);
	CU_ASSERT_EQUAL(prompt_key(&p, '\n'), PROMPT_DONE);
	CU_ASSERT_EQUAL(prompt_key(&p, '\t'), PROMPT_IGNORED);
	CU_ASSERT_EQUAL(prompt_key(&p, 0x9B), PROMPT_IGNORED); /* C1 CSI never inserted */
	CU_ASSERT_STRING_EQUAL(p.buf, "o:+1");
	/* Full buffer: more keys are dropped, never overflow. */
	for (int i = 0; i < PROMPT_MAX * 2; i++)
		prompt_key(&p, 0x20AC);
	CU_ASSERT(p.len < PROMPT_MAX);
	CU_ASSERT_EQUAL(strlen(p.buf), p.len);
	/* A truncated initial text never keeps half a character. */
	{
		char big[PROMPT_MAX + 8];

		memset(big, 'a', sizeof big);
		memcpy(big + PROMPT_MAX - 2, "\xE2\x82\xAC", 3);
		big[sizeof big - 1] = '\0';
		prompt_set(&p, big);
		CU_ASSERT_EQUAL(p.len, PROMPT_MAX - 2);
	}
}

/* The scroller every scrolling view shares: moves stay within 0..max, End
 * goes to end (the detail screen's End shows a last page while Down goes on
 * to the last line), and a selection is kept in view. */
static void test_scroller(void)
{
	struct scroller sc = { 0 };
	size_t sel = 0;

	scroller_set_extent(&sc, 10, 4); /* 10 lines in 4 rows */
	CU_ASSERT_EQUAL(sc.max, 6);
	CU_ASSERT_EQUAL(sc.end, 6);
	CU_ASSERT_TRUE(scroller_action(&sc, ACT_UP, 3));
	CU_ASSERT_EQUAL(sc.off, 0);
	scroller_action(&sc, ACT_DOWN, 3);
	CU_ASSERT_EQUAL(sc.off, 1);
	scroller_action(&sc, ACT_PAGE_DOWN, 3);
	CU_ASSERT_EQUAL(sc.off, 4);
	scroller_action(&sc, ACT_PAGE_DOWN, 3);
	CU_ASSERT_EQUAL(sc.off, 6); /* held at max */
	scroller_action(&sc, ACT_PAGE_UP, 4);
	CU_ASSERT_EQUAL(sc.off, 2);
	scroller_action(&sc, ACT_HOME, 3);
	CU_ASSERT_EQUAL(sc.off, 0);
	scroller_action(&sc, ACT_END, 3);
	CU_ASSERT_EQUAL(sc.off, 6);
	CU_ASSERT_FALSE(scroller_action(&sc, ACT_OPEN, 3));
	sc = (struct scroller){ .off = 0, .max = 9, .end = 7 };
	scroller_action(&sc, ACT_END, 3);
	CU_ASSERT_EQUAL(sc.off, 7);
	scroller_action(&sc, ACT_PAGE_DOWN, 3);
	CU_ASSERT_EQUAL(sc.off, 9);
	scroller_set_extent(&sc, 3, 4); /* fits: nowhere to go */
	scroller_action(&sc, ACT_DOWN, 3);
	CU_ASSERT_EQUAL(sc.off, 0);
	sc.off = 5;
	scroller_show(&sc, 2, 4);
	CU_ASSERT_EQUAL(sc.off, 2);
	scroller_show(&sc, 9, 4);
	CU_ASSERT_EQUAL(sc.off, 6);
	scroller_show(&sc, 7, 4);
	CU_ASSERT_EQUAL(sc.off, 6);
	CU_ASSERT_EQUAL(scroller_clamp(-3, 10, 4), 0);
	CU_ASSERT_EQUAL(scroller_clamp(99, 10, 4), 6);
	CU_ASSERT_TRUE(scroller_move_sel(&sel, 5, 2, ACT_END));
	CU_ASSERT_EQUAL(sel, 4);
	scroller_move_sel(&sel, 5, 2, ACT_DOWN);
	CU_ASSERT_EQUAL(sel, 4);
	scroller_move_sel(&sel, 5, 3, ACT_PAGE_UP);
	CU_ASSERT_EQUAL(sel, 1);
	scroller_move_sel(&sel, 0, 3, ACT_PAGE_DOWN);
	CU_ASSERT_EQUAL(sel, 0);
}

static const struct unit_test tests[] = {
	{ "scroller: moves, limits, keeping a line in view", test_scroller },
	{ "key names parse and print", test_key_names },
	{ "curses keys fold into the key space", test_key_from_curses },
	{ "default bindings", test_keymap_defaults },
	{ "config bind lines, conflicts, errors", test_keymap_config_lines },
	{ "action table", test_actions_table },
	{ "filter terms match", test_filter_match },
	{ "filter status pseudo-values", test_filter_status_pseudo },
	{ "filter errors keep the old filter", test_filter_errors },
	{ "theme colours and degradation", test_theme_colors },
	{ "theme parsing", test_theme_parse },
	{ "shipped themes load", test_theme_shipped },
	{ "broken theme file names file:line", test_theme_broken_file },
	{ "layout fits every size", test_layout_sizes },
	{ "layout collapses by priority", test_layout_collapse },
	{ "column layout", test_layout_columns },
	{ "formatters", test_format },
	{ "sparkline", test_sparkline },
	{ "line editor", test_prompt },
	{ "prompt: pre-filled, history, completion", test_prompt_prefill_history_complete },
	{ NULL, NULL },
};

UNIT_SUITE(tui, NULL, NULL, tests);
