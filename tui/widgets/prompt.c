#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "tui/keymap.h"
#include "tui/widgets/prompt.h"

void prompt_set(struct prompt *p, const char *text)
{
	snprintf(p->buf, sizeof p->buf, "%s", text ? text : "");
	p->len = strlen(p->buf);
	/* A truncated copy may end inside a character: drop the partial one. */
	if (p->len > 0 && ((unsigned char)p->buf[p->len - 1] & 0x80)) {
		size_t s = p->len - 1, need;
		unsigned char lead;

		while (s > 0 && ((unsigned char)p->buf[s] & 0xC0) == 0x80)
			s--;
		lead = (unsigned char)p->buf[s];
		need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
		if (p->len - s < need)
			p->len = s;
	}
	p->buf[p->len] = '\0';
	p->cur = p->len;
}

static size_t prev_char(const struct prompt *p, size_t at)
{
	if (at == 0)
		return 0;
	at--;
	while (at > 0 && ((unsigned char)p->buf[at] & 0xC0) == 0x80)
		at--;
	return at;
}

static size_t next_char(const struct prompt *p, size_t at)
{
	if (at >= p->len)
		return p->len;
	at++;
	while (at < p->len && ((unsigned char)p->buf[at] & 0xC0) == 0x80)
		at++;
	return at;
}

static void cut(struct prompt *p, size_t from, size_t to)
{
	memmove(p->buf + from, p->buf + to, p->len - to + 1);
	p->len -= to - from;
	p->cur = from;
}

static void insert(struct prompt *p, int cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		if (cp >= 0xD800 && cp <= 0xDFFF)
			return;
		u[0] = (char)(0xE0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		u[0] = (char)(0xF0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	if (p->len + n >= sizeof p->buf)
		return;
	memmove(p->buf + p->cur + n, p->buf + p->cur, p->len - p->cur + 1);
	memcpy(p->buf + p->cur, u, n);
	p->len += n;
	p->cur += n;
}

enum prompt_result prompt_key(struct prompt *p, int key)
{
	switch (key) {
	case TUI_KEY_ENTER:
		return PROMPT_DONE;
	case TUI_KEY_ESC:
	case 7: /* C-g */
		return PROMPT_CANCEL;
	case TUI_KEY_FN(KEY_BACKSPACE):
		cut(p, prev_char(p, p->cur), p->cur);
		return PROMPT_CONTINUE;
	case TUI_KEY_FN(KEY_DC):
	case 4: /* C-d */
		cut(p, p->cur, next_char(p, p->cur));
		return PROMPT_CONTINUE;
	case TUI_KEY_FN(KEY_LEFT):
	case 2: /* C-b */
		p->cur = prev_char(p, p->cur);
		return PROMPT_CONTINUE;
	case TUI_KEY_FN(KEY_RIGHT):
	case 6: /* C-f */
		p->cur = next_char(p, p->cur);
		return PROMPT_CONTINUE;
	case TUI_KEY_FN(KEY_HOME):
	case 1: /* C-a */
		p->cur = 0;
		return PROMPT_CONTINUE;
	case TUI_KEY_FN(KEY_END):
	case 5: /* C-e */
		p->cur = p->len;
		return PROMPT_CONTINUE;
	case 21: /* C-u */
		cut(p, 0, p->cur);
		return PROMPT_CONTINUE;
	case 11: /* C-k */
		p->buf[p->cur] = '\0';
		p->len = p->cur;
		return PROMPT_CONTINUE;
	case 23: { /* C-w: the word before the cursor */
		size_t s = p->cur;

		while (s > 0 && p->buf[s - 1] == ' ')
			s--;
		while (s > 0 && p->buf[s - 1] != ' ')
			s--;
		cut(p, s, p->cur);
		return PROMPT_CONTINUE;
	}
	default:
		break;
	}
	if (key >= 0x20 && key != 0x7F && !(key >= 0x80 && key < 0xA0) && key <= 0x10FFFF) {
		insert(p, key);
		return PROMPT_CONTINUE;
	}
	return PROMPT_IGNORED;
}
