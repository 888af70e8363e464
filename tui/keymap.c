#include "config.h"

#include <ctype.h>
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/base/xalloc.h"
#include "tui/keymap.h"

/* Written in the user's language on purpose: the defaults are proof that
 * the config syntax can express everything. */
static const char default_bindings[] = "# faxtop default key bindings\n"
				       "bind q quit\n"
				       "bind ? help\n"
				       "bind F1 help\n"
				       "bind k up\n"
				       "bind Up up\n"
				       "bind j down\n"
				       "bind Down down\n"
				       "bind PgUp page-up\n"
				       "bind C-b page-up\n"
				       "bind PgDn page-down\n"
				       "bind C-f page-down\n"
				       "bind Home home\n"
				       "bind g home\n"
				       "bind End end\n"
				       "bind G end\n"
				       "bind Tab next-pane\n"
				       "bind S-Tab prev-pane\n"
				       "bind Enter open\n"
				       "bind Right open\n"
				       "bind Esc back\n"
				       "bind Left back\n"
				       "bind / filter\n"
				       "bind f search\n"
				       "bind n search-next\n"
				       "bind N search-prev\n"
				       "bind s sort\n"
				       "bind S sort-reverse\n"
				       "bind p pause\n"
				       "bind Space mark\n"
				       "bind u unmark-all\n"
				       "bind r resend\n"
				       "bind R resend-bulk\n"
				       "bind b bulk-pause\n"
				       "bind X bulk-cancel\n"
				       "bind d dismiss\n"
				       "bind D undismiss\n"
				       "bind U next-unresolved\n"
				       "bind : command\n"
				       "bind J raw\n"
				       "bind o original\n"
				       "bind O next-resend\n"
				       "bind y copy-id\n"
				       "bind F failures\n"
				       "bind C-l redraw\n"
				       "# in the dialogs\n"
				       "bind Enter resend.confirm\n"
				       "bind Tab resend.next-field\n"
				       "bind Down resend.next-field\n"
				       "bind S-Tab resend.prev-field\n"
				       "bind Up resend.prev-field\n"
				       "bind Esc resend.cancel\n"
				       "bind Enter bulk.start\n"
				       "bind y bulk.start\n"
				       "bind Esc bulk.cancel\n"
				       "bind n bulk.cancel\n"
				       "bind i bulk.include-done\n"
				       "bind t bulk.skip-terminal\n"
				       "bind Enter quit.yes\n"
				       "bind y quit.yes\n"
				       "bind Esc quit.no\n"
				       "bind n quit.no\n"
				       "bind s quit.send-rest\n"
				       "bind d quit.drop-rest\n";

static const struct {
	const char *name;
	int key;
} named_keys[] = {
	{ "Enter", TUI_KEY_ENTER },
	{ "Return", TUI_KEY_ENTER },
	{ "Esc", TUI_KEY_ESC },
	{ "Escape", TUI_KEY_ESC },
	{ "Tab", '\t' },
	{ "Space", ' ' },
	{ "S-Tab", TUI_KEY_FN(KEY_BTAB) },
	{ "BTab", TUI_KEY_FN(KEY_BTAB) },
	{ "Backspace", TUI_KEY_FN(KEY_BACKSPACE) },
	{ "Up", TUI_KEY_FN(KEY_UP) },
	{ "Down", TUI_KEY_FN(KEY_DOWN) },
	{ "Left", TUI_KEY_FN(KEY_LEFT) },
	{ "Right", TUI_KEY_FN(KEY_RIGHT) },
	{ "PgUp", TUI_KEY_FN(KEY_PPAGE) },
	{ "PageUp", TUI_KEY_FN(KEY_PPAGE) },
	{ "PgDn", TUI_KEY_FN(KEY_NPAGE) },
	{ "PageDown", TUI_KEY_FN(KEY_NPAGE) },
	{ "Home", TUI_KEY_FN(KEY_HOME) },
	{ "End", TUI_KEY_FN(KEY_END) },
	{ "Insert", TUI_KEY_FN(KEY_IC) },
	{ "Delete", TUI_KEY_FN(KEY_DC) },
};

struct binding {
	int key;
	enum tui_action action;
	char where[96];
};

struct keymap {
	struct binding *b;
	size_t n, cap;
	char **msgs;
	size_t n_msgs;
};

/* Decodes exactly one UTF-8 code point spanning the whole string. */
static int one_codepoint(const char *s, int *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	int n, c;

	if (u[0] < 0x80) {
		n = 1;
		c = u[0];
	} else if ((u[0] & 0xE0) == 0xC0) {
		n = 2;
		c = u[0] & 0x1F;
	} else if ((u[0] & 0xF0) == 0xE0) {
		n = 3;
		c = u[0] & 0x0F;
	} else if ((u[0] & 0xF8) == 0xF0) {
		n = 4;
		c = u[0] & 0x07;
	} else {
		return -1;
	}
	for (int i = 1; i < n; i++) {
		if ((u[i] & 0xC0) != 0x80)
			return -1;
		c = (c << 6) | (u[i] & 0x3F);
	}
	if (u[n] != '\0' || c < 0x20 || c == 0x7F || c > 0x10FFFF)
		return -1;
	*cp = c;
	return 0;
}

int keymap_key_parse(const char *name, int *key)
{
	if (!name || !*name)
		return -1;
	if (one_codepoint(name, key) == 0)
		return 0;
	for (size_t i = 0; i < sizeof named_keys / sizeof named_keys[0]; i++) {
		if (strcasecmp(name, named_keys[i].name) == 0) {
			*key = named_keys[i].key;
			return 0;
		}
	}
	if ((name[0] == 'C' || name[0] == 'c') && name[1] == '-' && name[2] && !name[3]) {
		int c = tolower((unsigned char)name[2]);

		if (c < 'a' || c > 'z')
			return -1;
		*key = c & 0x1F;
		return 0;
	}
	if ((name[0] == 'F' || name[0] == 'f') && isdigit((unsigned char)name[1])) {
		char *end;
		long n = strtol(name + 1, &end, 10);

		if (*end || n < 1 || n > 12)
			return -1;
		*key = TUI_KEY_FN(KEY_F((int)n));
		return 0;
	}
	return -1;
}

void keymap_key_name(int key, char *buf, size_t len)
{
	if (!len)
		return;
	for (size_t i = 0; i < sizeof named_keys / sizeof named_keys[0]; i++) {
		if (named_keys[i].key == key) {
			snprintf(buf, len, "%s", named_keys[i].name);
			return;
		}
	}
	if (key >= TUI_KEY_FN(KEY_F(1)) && key <= TUI_KEY_FN(KEY_F(12))) {
		snprintf(buf, len, "F%d", key - TUI_KEY_FN(KEY_F(0)));
	} else if (key >= 1 && key <= 26) {
		snprintf(buf, len, "C-%c", 'a' + key - 1);
	} else if (key > 0x20 && key < 0x7F) {
		snprintf(buf, len, "%c", key);
	} else if (key >= 0xA0 && key <= 0x10FFFF) {
		char u[5] = { 0 };

		if (key < 0x800) {
			u[0] = (char)(0xC0 | (key >> 6));
			u[1] = (char)(0x80 | (key & 0x3F));
		} else if (key < 0x10000) {
			u[0] = (char)(0xE0 | (key >> 12));
			u[1] = (char)(0x80 | ((key >> 6) & 0x3F));
			u[2] = (char)(0x80 | (key & 0x3F));
		} else {
			u[0] = (char)(0xF0 | (key >> 18));
			u[1] = (char)(0x80 | ((key >> 12) & 0x3F));
			u[2] = (char)(0x80 | ((key >> 6) & 0x3F));
			u[3] = (char)(0x80 | (key & 0x3F));
		}
		snprintf(buf, len, "%s", u);
	} else {
		snprintf(buf, len, "?");
	}
}

int keymap_key_from_curses(int ch, bool is_fn)
{
	if (is_fn) {
		if (ch == KEY_ENTER)
			return TUI_KEY_ENTER;
		return TUI_KEY_FN(ch);
	}
	if (ch == '\r')
		return TUI_KEY_ENTER;
	if (ch == 0x7F || ch == 0x08)
		return TUI_KEY_FN(KEY_BACKSPACE);
	return ch;
}

struct keymap *keymap_new(void)
{
	return xcalloc(1, sizeof(struct keymap));
}

void keymap_free(struct keymap *km)
{
	if (!km)
		return;
	for (size_t i = 0; i < km->n_msgs; i++)
		free(km->msgs[i]);
	free(km->msgs);
	free(km->b);
	free(km);
}

static void add_message(struct keymap *km, const char *msg)
{
	km->msgs = xrealloc(km->msgs, (km->n_msgs + 1) * sizeof *km->msgs);
	km->msgs[km->n_msgs++] = xstrdup(msg);
}

int keymap_bind(struct keymap *km, const char *key, const char *action, const char *where,
		char *err, size_t errlen)
{
	int k, a;
	struct binding *b = NULL;

	if (!where)
		where = "?";
	if (keymap_key_parse(key, &k) < 0) {
		snprintf(err, errlen,
			 "%s: unknown key '%s' (try a character, C-x, F1..F12, "
			 "Enter, Esc, Tab, Space, Up, PgDn, Home, ...)",
			 where, key ? key : "");
		return -1;
	}
	a = action_from_name(action);
	if (a < 0) {
		snprintf(err, errlen, "%s: unknown action '%s' (see the help screen, '?')", where,
			 action ? action : "");
		return -1;
	}
	/* A key is bound once per mode: a dialog's Enter is not the list's. */
	for (size_t i = 0; i < km->n; i++)
		if (km->b[i].key == k && action_mode(km->b[i].action) == action_mode(a))
			b = &km->b[i];
	if (b) {
		if (b->action != (enum tui_action)a && strcmp(b->where, "default") != 0) {
			char msg[320];

			snprintf(msg, sizeof msg,
				 "%s: key %s bound to %s conflicts with %s at %s; "
				 "%s wins",
				 where, key, action, action_name(b->action), b->where, action);
			add_message(km, msg);
		}
	} else {
		if (km->n == km->cap) {
			size_t cap = km->cap ? km->cap * 2 : 64;
			struct binding *nb = realloc(km->b, cap * sizeof *nb);

			if (!nb) {
				snprintf(err, errlen, "%s: out of memory", where);
				return -1;
			}
			km->b = nb;
			km->cap = cap;
		}
		b = &km->b[km->n++];
		b->key = k;
	}
	b->action = (enum tui_action)a;
	snprintf(b->where, sizeof b->where, "%s", where);
	return 0;
}

int keymap_parse_line(struct keymap *km, const char *line, const char *where, char *err,
		      size_t errlen)
{
	char buf[256], *save = NULL, *w[4];
	int n = 0;

	if (strlen(line) >= sizeof buf) {
		snprintf(err, errlen, "%s: line too long", where);
		return -1;
	}
	strcpy(buf, line);
	for (char *tok = strtok_r(buf, " \t\r\n", &save); tok && n < 4;
	     tok = strtok_r(NULL, " \t\r\n", &save))
		w[n++] = tok;
	if (n == 0 || w[0][0] == '#')
		return 0;
	if (strcmp(w[0], "bind") != 0 || n != 3) {
		snprintf(err, errlen, "%s: expected 'bind KEY ACTION'", where);
		return -1;
	}
	return keymap_bind(km, w[1], w[2], where, err, errlen);
}

int keymap_load_defaults(struct keymap *km, char *err, size_t errlen)
{
	const char *p = default_bindings;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char line[128];

		if (len >= sizeof line)
			len = sizeof line - 1;
		memcpy(line, p, len);
		line[len] = '\0';
		if (keymap_parse_line(km, line, "default", err, errlen) < 0)
			return -1;
		p += len + (nl ? 1 : 0);
	}
	return 0;
}

enum tui_action keymap_lookup_mode(const struct keymap *km, enum tui_mode mode, int key)
{
	for (size_t i = 0; i < km->n; i++)
		if (km->b[i].key == key && action_mode(km->b[i].action) == mode)
			return km->b[i].action;
	return ACT_NONE;
}

enum tui_action keymap_lookup(const struct keymap *km, int key)
{
	return keymap_lookup_mode(km, MODE_MAIN, key);
}

size_t keymap_keys_for(const struct keymap *km, enum tui_action a, char *buf, size_t len)
{
	size_t n = 0, off = 0;

	if (len)
		buf[0] = '\0';
	for (size_t i = 0; i < km->n; i++) {
		char name[16];
		int w;

		if (km->b[i].action != a)
			continue;
		keymap_key_name(km->b[i].key, name, sizeof name);
		if (off < len) {
			w = snprintf(buf + off, len - off, "%s%s", n ? ", " : "", name);
			if (w > 0)
				off += (size_t)w;
		}
		n++;
	}
	return n;
}

void keymap_add_message(struct keymap *km, const char *msg)
{
	add_message(km, msg);
}

size_t keymap_message_count(const struct keymap *km)
{
	return km->n_msgs;
}

const char *keymap_message_at(const struct keymap *km, size_t idx)
{
	return idx < km->n_msgs ? km->msgs[idx] : NULL;
}
