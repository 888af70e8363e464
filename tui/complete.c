/* Tab in the filter, search and command prompts: completes command names,
 * the filter language's field names, statuses and the error codes the
 * model holds. Several matches are completed as far as they agree and
 * listed in a flash message. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "tui/command.h"
#include "tui/complete.h"
#include "tui/session.h"
#include "tui/state.h"

#define COMPLETE_MAX_CODES 64

static const char *const fields[] = { "status:", "code:", "to:", "tag:", "id:" };
static const char *const statuses[] = {
	"status:queued", "status:submitted", "status:in_progress", "status:delivered",
	"status:failed", "status:retrying",  "status:active",      "status:anomaly",
};
static const char *const formats[] = { "csv", "json" };

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* The command prompt's first word (first_word), or the word a command takes
 * after it. false when the rest is a filter expression (filter, search),
 * completed like the filter prompt. */
static bool complete_command(struct tui *t, bool first_word)
{
	const char *b = t->prompt.buf;
	size_t first = strcspn(b, " ");

	const char *cands[SORT_COUNT > 16 ? SORT_COUNT : 16];
	size_t n = 0;

	if (first_word) {
		/* The command table's names, not its aliases. */
		for (size_t i = 0; i < tui_cmd_count() && n < N(cands); i++)
			if (tui_cmd_at(i)->usage)
				cands[n++] = tui_cmd_at(i)->name;
		prompt_complete(&t->prompt, cands, n);
		return true;
	}
	if (!strncmp(b, "sort ", 5)) {
		for (int s = 0; s < SORT_COUNT; s++)
			cands[n++] = view_sort_name((enum view_sort)s);
		prompt_complete(&t->prompt, cands, n);
		return true;
	}
	if (!strncmp(b, "export ", 7)) {
		prompt_complete(&t->prompt, formats, N(formats));
		return true;
	}
	/* filter EXPR and search EXPR complete like the prompts */
	return !(first == 6 && (!strncmp(b, "filter", 6) || !strncmp(b, "search", 6)));
}

/* Candidates for a word of the filter language. */
static size_t complete_filter(struct tui *t, const char *word, size_t wl, const char **cands,
			      char (*store)[80], size_t max)
{
	struct model_code_count codes[COMPLETE_MAX_CODES];
	size_t n = 0, nc;

	if (wl >= 7 && !strncmp(word, "status:", 7)) {
		for (size_t i = 0; i < N(statuses) && n < max; i++)
			cands[n++] = statuses[i];
		return n;
	}
	if (wl >= 5 && !strncmp(word, "code:", 5)) {
		nc = model_error_codes(t->m, codes, COMPLETE_MAX_CODES);
		if (nc > COMPLETE_MAX_CODES)
			nc = COMPLETE_MAX_CODES;
		for (size_t i = 0; i < nc && n + 1 < max; i++) {
			snprintf(store[n], sizeof store[n], "code:%s", codes[i].code);
			cands[n] = store[n];
			n++;
		}
		cands[n++] = "code:none";
		return n;
	}
	for (size_t i = 0; i < N(fields) && n < max; i++)
		cands[n++] = fields[i];
	return n;
}

void tui_complete(struct tui *t)
{
	const char *cands[COMPLETE_MAX_CODES + 8];
	char store[COMPLETE_MAX_CODES + 8][80];
	char list[256];
	size_t wl, n, matches, o = 0;
	const char *word = prompt_word(&t->prompt, &wl);

	if (t->prompt_kind == PROMPT_COMMAND &&
	    complete_command(t, !memchr(t->prompt.buf, ' ', (size_t)(word - t->prompt.buf))))
		return;
	n = complete_filter(t, word, wl, cands, store, N(cands));
	matches = prompt_complete(&t->prompt, cands, n);
	if (matches == 0) {
		tui_flash(t, true, "nothing to complete '%.*s' with", (int)(wl < 40 ? wl : 40),
			  word);
		return;
	}
	if (matches == 1)
		return;
	/* Several: say which, so the next letters can be chosen. */
	word = prompt_word(&t->prompt, &wl);
	for (size_t i = 0; i < n && o + 2 < sizeof list; i++)
		if (!strncasecmp(cands[i], word, wl))
			o += (size_t)snprintf(list + o, sizeof list - o, " %s", cands[i]);
	tui_flash(t, false, "%zu completions:%s", matches, list);
}
