#include "config.h"

#include <ctype.h>
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/base/xalloc.h"
#include "tui/keymap.h"
#include "tui/widgets/prompt.h"

static void set_text(struct prompt *p, const char *text);

void prompt_open(struct prompt *p, const char *text, const struct prompt_history *hist)
{
	set_text(p, text);
	p->fresh = p->len > 0;
	p->hist = hist;
	p->hist_pos = hist ? hist->n : 0;
	p->draft[0] = '\0';
}

void prompt_history_add(struct prompt_history *h, const char *text)
{
	if (!text || !*text || (h->n && strcmp(h->items[h->n - 1], text) == 0))
		return;
	if (h->n == PROMPT_HISTORY) {
		free(h->items[0]);
		memmove(h->items, h->items + 1, (h->n - 1) * sizeof *h->items);
		h->n--;
	}
	h->items[h->n++] = xstrdup(text);
}

void prompt_history_free(struct prompt_history *h)
{
	for (size_t i = 0; i < h->n; i++)
		free(h->items[i]);
	h->n = 0;
}

/* Up (dir -1) and Down (+1) through the history; the text being typed is
 * kept and comes back past the newest entry. */
static void history_step(struct prompt *p, int dir)
{
	const struct prompt_history *h = p->hist;

	if (!h || (dir < 0 && p->hist_pos == 0) || (dir > 0 && p->hist_pos >= h->n))
		return;
	if (p->hist_pos == h->n)
		snprintf(p->draft, sizeof p->draft, "%s", p->buf);
	p->hist_pos = dir < 0 ? p->hist_pos - 1 : p->hist_pos + 1;
	set_text(p, p->hist_pos == h->n ? p->draft : h->items[p->hist_pos]);
}

const char *prompt_word(const struct prompt *p, size_t *len)
{
	size_t s = p->cur;

	while (s > 0 && p->buf[s - 1] != ' ')
		s--;
	if (p->buf[s] == '!' && s < p->cur)
		s++;
	*len = p->cur - s;
	return p->buf + s;
}

size_t prompt_complete(struct prompt *p, const char *const *cands, size_t n)
{
	size_t wl, matches = 0, common = 0, at;
	const char *word = prompt_word(p, &wl), *first = NULL;
	char add[PROMPT_MAX];

	for (size_t i = 0; i < n; i++) {
		if (!cands[i] || strncasecmp(cands[i], word, wl) != 0)
			continue;
		if (!first) {
			first = cands[i];
			common = strlen(first);
		} else {
			size_t k = 0;

			while (k < common && cands[i][k] &&
			       tolower((unsigned char)cands[i][k]) ==
				       tolower((unsigned char)first[k]))
				k++;
			common = k;
		}
		matches++;
	}
	p->fresh = false;
	if (!matches || common < wl)
		return matches;
	snprintf(add, sizeof add, "%.*s%s", (int)(common - wl), first + wl,
		 matches == 1 && first[common - 1] != ':' ? " " : "");
	at = (size_t)(word - p->buf);
	if (p->len - wl + strlen(first) + 2 >= sizeof p->buf)
		return matches;
	/* The typed part takes the candidate's case. */
	memcpy(p->buf + at, first, wl);
	memmove(p->buf + p->cur + strlen(add), p->buf + p->cur, p->len - p->cur + 1);
	memcpy(p->buf + p->cur, add, strlen(add));
	p->len += strlen(add);
	p->cur += strlen(add);
	return matches;
}

static void set_text(struct prompt *p, const char *text)
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

void prompt_set(struct prompt *p, const char *text)
{
	set_text(p, text);
	p->fresh = false;
	p->hist = NULL;
	p->hist_pos = 0;
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
	bool fresh = p->fresh;

	p->fresh = false;
	switch (key) {
	case TUI_KEY_FN(KEY_UP):
		history_step(p, -1);
		return p->hist ? PROMPT_CONTINUE : PROMPT_IGNORED;
	case TUI_KEY_FN(KEY_DOWN):
		history_step(p, 1);
		return p->hist ? PROMPT_CONTINUE : PROMPT_IGNORED;
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
		if (fresh)
			cut(p, 0, p->len);
		insert(p, key);
		return PROMPT_CONTINUE;
	}
	return PROMPT_IGNORED;
}
