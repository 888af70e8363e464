/* Copying a fax id: OSC 52 when the terminal says it takes it (terminfo's
 * Ms capability), and a flash with the whole id either way, so it can be
 * copied by hand. Only an id made of the characters mintfax ids use ever
 * reaches the clipboard sequence. */
#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>
#include <term.h>

#include "tui/copy.h"
#include "tui/session.h"
#include "tui/state.h"

bool copy_id_valid(const char *id)
{
	size_t n = id ? strlen(id) : 0;

	if (n == 0 || n > COPY_ID_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = id[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-'))
			return false;
	}
	return true;
}

size_t copy_base64(const char *src, char *dst, size_t len)
{
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t n = strlen(src), o = 0;

	if (len < (n + 2) / 3 * 4 + 1) {
		if (len)
			dst[0] = '\0';
		return 0;
	}
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned char)src[i] << 16;

		if (i + 1 < n)
			v |= (unsigned char)src[i + 1] << 8;
		if (i + 2 < n)
			v |= (unsigned char)src[i + 2];
		dst[o++] = b64[(v >> 18) & 63];
		dst[o++] = b64[(v >> 12) & 63];
		dst[o++] = i + 1 < n ? b64[(v >> 6) & 63] : '=';
		dst[o++] = i + 2 < n ? b64[v & 63] : '=';
	}
	dst[o] = '\0';
	return o;
}

/* Writes the terminal's own clipboard sequence; false when it has none. */
static bool send_osc52(const struct tui *t, const char *id)
{
	char payload[(COPY_ID_MAX + 2) / 3 * 4 + 1];
	char *ms, *seq;

	if (!t->term.active)
		return false;
	ms = tigetstr("Ms");
	if (!ms || ms == (char *)-1)
		return false;
	copy_base64(id, payload, sizeof payload);
	seq = tiparm(ms, "c", payload);
	if (!seq)
		return false;
	putp(seq);
	fflush(stdout);
	return true;
}

void copy_fax_id(struct tui *t, const char *id)
{
	if (!id || !*id) {
		tui_flash(t, true, "no fax selected to copy the id of");
		return;
	}
	if (!copy_id_valid(id)) {
		/* The flash is sanitised when drawn; the clipboard is not. */
		tui_flash(t, true, "%s: not copied, it holds characters a fax id cannot have", id);
		return;
	}
	if (send_osc52(t, id))
		tui_flash(t, false, "%s copied (OSC 52 clipboard)", id);
	else
		tui_flash(t, false, "%s (this terminal takes no OSC 52: copy it from here)", id);
}
