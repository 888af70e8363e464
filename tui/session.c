/* Session services (session.h): the bottom of tui/. Everything here works on
 * struct tui's session-wide state and calls nothing above it. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/clock.h"
#include "core/base/xalloc.h"
#include "tui/session.h"
#include "tui/state.h"

int64_t tui_now_ms(const struct tui *t)
{
	return clock_now_ms(t ? t->act.clock : NULL);
}

void tui_flash(struct tui *t, bool error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->flash, sizeof t->flash, fmt, ap);
	va_end(ap);
	t->flash_error = error;
	t->flash_until = tui_now_ms(t) + TUI_FLASH_MS;
	t->dirty = true;
}

void tui_need_tick(struct tui *t, int64_t in_ms)
{
	if (in_ms < 0)
		in_ms = 0;
	if (in_ms < t->next_change_ms)
		t->next_change_ms = in_ms;
}

bool tui_is_inflight(const struct tui *t, const char *id)
{
	for (const struct tui_inflight *r = t->inflight; r; r = r->next)
		if (strcmp(r->fax_id, id) == 0)
			return true;
	return false;
}

size_t tui_n_inflight(const struct tui *t)
{
	size_t n = 0;

	for (const struct tui_inflight *r = t->inflight; r; r = r->next)
		n++;
	return n;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

bool tui_is_marked(const struct tui *t, const char *id)
{
	return t->n_marks && bsearch(&id, t->marks, t->n_marks, sizeof *t->marks, cmp_str);
}

void tui_toggle_mark(struct tui *t, const char *id)
{
	char **hit =
		t->n_marks ? bsearch(&id, t->marks, t->n_marks, sizeof *t->marks, cmp_str) : NULL;

	if (hit) {
		free(*hit);
		memmove(hit, hit + 1, (size_t)(t->marks + t->n_marks - hit - 1) * sizeof *hit);
		t->n_marks--;
		return;
	}
	t->marks = xrealloc(t->marks, (t->n_marks + 1) * sizeof *t->marks);
	t->marks[t->n_marks++] = xstrdup(id);
	qsort(t->marks, t->n_marks, sizeof *t->marks, cmp_str);
}

void tui_clear_marks(struct tui *t)
{
	for (size_t i = 0; i < t->n_marks; i++)
		free(t->marks[i]);
	free(t->marks);
	t->marks = NULL;
	t->n_marks = 0;
}

const char *tui_action_unavailable(const struct tui *t, enum tui_action a)
{
	if (!action_mutates(a))
		return NULL;
	if (t->read_only)
		return "read-only mode (--read-only or read-only in the config)";
	if (a == ACT_DISMISS || a == ACT_UNDISMISS)
		return t->act.dismiss && t->act.undismiss
			? NULL
			: "triage decisions are not kept in this mode";
	if (!t->act.resend)
		return "no API connection to send with in this mode";
	return NULL;
}

void tui_request_quit(struct tui *t)
{
	if (t->quitting)
		return;
	t->quitting = true;
	/* The app may take a moment to drain: keys typed meanwhile are not
	 * read, and must not wake the loop over and over. */
	if (t->loop)
		ev_io_stop(t->loop, &t->input_w);
	if (t->act.quit)
		t->act.quit(t->act.ctx);
}

/* Moves the list's selection and scroll to match the rebuilt view: follow
 * mode keeps the newest fax selected, otherwise the selected fax stays
 * selected wherever it moved. */
void tui_sync_selection(struct tui *t)
{
	size_t n = view_count(&t->view), rows, idx;
	bool follow =
		t->sel == 0 && !t->view.paused && t->view.sort == SORT_CREATED && !t->view.reverse;

	if (n == 0) {
		t->sel = t->top = 0;
		t->sel_id[0] = '\0';
		return;
	}
	if (!follow && t->sel_id[0]) {
		idx = view_find(&t->view, t->sel_id, t->sel);
		if (idx != SIZE_MAX)
			t->sel = idx;
	}
	if (t->sel >= n)
		t->sel = n - 1;
	snprintf(t->sel_id, sizeof t->sel_id, "%s",
		 view_at(&t->view, t->sel)->fax.id ? view_at(&t->view, t->sel)->fax.id : "");
	rows = t->layout.pane[LP_FAXES].h > 3 ? (size_t)t->layout.pane[LP_FAXES].h - 3 : 1;
	if (t->sel < t->top)
		t->top = t->sel;
	if (t->sel >= t->top + rows)
		t->top = t->sel - rows + 1;
	if (t->top + rows > n)
		t->top = n > rows ? n - rows : 0;
}

void tui_sync_view(struct tui *t)
{
	view_update(&t->view);
	if (t->view.deferred)
		tui_need_tick(t, (int64_t)(view_retry_in(&t->view) * 1000.0) + 1);
	tui_sync_selection(t);
}

const struct model_fax *tui_selected(const struct tui *t)
{
	if (t->screen == SCREEN_DETAIL)
		return model_get(t->m, t->detail_id);
	return view_count(&t->view) ? view_at(&t->view, t->sel) : NULL;
}

void tui_select(struct tui *t, size_t row)
{
	const struct model_fax *mf;

	t->sel = row;
	mf = view_at(&t->view, row);
	snprintf(t->sel_id, sizeof t->sel_id, "%s", mf && mf->fax.id ? mf->fax.id : "");
}
