#include "config.h"

#include <string.h>

#include "tui/layout.h"

struct want {
	int min, pref;
};

/* Minimum and preferred heights, borders included. */
static const struct want wants[LP_COUNT] = {
	[LP_FAXES] = { 6, 0 }, [LP_ATTEMPTS] = { 5, 8 }, [LP_BALANCE] = { 6, 7 },
	[LP_CODES] = { 4, 8 }, [LP_LOG] = { 4, 10 },
};

static void layout_wide(struct layout *l)
{
	const struct rect b = l->body;
	int left = b.w * 58 / 100, right = b.w - left, need, y;

	l->visible[LP_FAXES] = true;
	l->pane[LP_FAXES] = (struct rect){ b.y, b.x, b.h, left };
	for (int p = LP_ATTEMPTS; p < LP_COUNT; p++)
		l->visible[p] = true;
	/* Drop the lowest-priority panes until the minimums fit. */
	for (int p = LP_COUNT - 1; p > LP_FAXES; p--) {
		need = 0;
		for (int q = LP_ATTEMPTS; q < LP_COUNT; q++)
			if (l->visible[q])
				need += wants[q].min;
		if (need <= b.h)
			break;
		l->visible[p] = false;
	}
	int h[LP_COUNT] = { 0 }, used = 0, last = -1;

	for (int p = LP_ATTEMPTS; p < LP_COUNT; p++) {
		if (!l->visible[p])
			continue;
		h[p] = wants[p].min;
		used += h[p];
		last = p;
	}
	if (last < 0) {
		l->pane[LP_FAXES].w = b.w;
		return;
	}
	for (int p = LP_ATTEMPTS; p < LP_COUNT && used < b.h; p++) {
		if (!l->visible[p] || wants[p].pref <= h[p])
			continue;
		int add = wants[p].pref - h[p];

		if (add > b.h - used)
			add = b.h - used;
		h[p] += add;
		used += add;
	}
	h[last] += b.h - used;
	y = b.y;
	for (int p = LP_ATTEMPTS; p < LP_COUNT; p++) {
		if (!l->visible[p])
			continue;
		l->pane[p] = (struct rect){ y, b.x + left, h[p], right };
		y += h[p];
	}
}

/* Heights of the rows under the list; with `side`, balance and codes share
 * one row. */
static int narrow_below(const struct layout *l, bool side, int *h)
{
	int total = 0;

	for (int q = LP_ATTEMPTS; q < LP_COUNT; q++) {
		h[q] = l->visible[q] ? wants[q].pref : 0;
		if (side && q == LP_CODES && l->visible[LP_BALANCE])
			h[q] = 0;
		if (side && q == LP_BALANCE && l->visible[LP_CODES] && wants[LP_CODES].pref > h[q])
			h[q] = wants[LP_CODES].pref;
		total += h[q];
	}
	return total;
}

static void layout_narrow(struct layout *l)
{
	const struct rect b = l->body;
	bool side = b.w >= 80;
	int h[LP_COUNT], below, y;

	for (int p = LP_FAXES; p < LP_COUNT; p++)
		l->visible[p] = true;
	below = narrow_below(l, side, h);
	for (int p = LP_COUNT - 1; p > LP_FAXES && b.h - below < wants[LP_FAXES].min + 2; p--) {
		l->visible[p] = false;
		below = narrow_below(l, side, h);
	}
	l->pane[LP_FAXES] = (struct rect){ b.y, b.x, b.h - below, b.w };
	y = b.y + b.h - below;
	for (int q = LP_ATTEMPTS; q < LP_COUNT; q++) {
		if (!l->visible[q])
			continue;
		if (side && q == LP_CODES && l->visible[LP_BALANCE]) {
			struct rect bal = l->pane[LP_BALANCE];

			l->pane[q] = (struct rect){ bal.y, bal.x + bal.w, bal.h, b.w - bal.w };
			continue;
		}
		if (side && q == LP_BALANCE && l->visible[LP_CODES])
			l->pane[q] = (struct rect){ y, b.x, h[q], b.w / 2 };
		else
			l->pane[q] = (struct rect){ y, b.x, h[q], b.w };
		y += h[q];
	}
}

void layout_compute(int rows, int cols, struct layout *l)
{
	layout_compute_banners(rows, cols, 0, l);
}

void layout_compute_banners(int rows, int cols, int banners, struct layout *l)
{
	int head, room;

	memset(l, 0, sizeof *l);
	if (rows < 1 || cols < 1) {
		l->too_small = true;
		return;
	}
	head = rows >= 12 ? LAYOUT_HEADER_ROWS : 1;
	/* Banners come before the panes, but the list keeps its minimum. */
	room = rows - head - 1 - wants[LP_FAXES].min;
	l->banner_rows = banners < room ? banners : room > 0 ? room : 0;
	l->header = (struct rect){ 0, 0, head + l->banner_rows, cols };
	l->footer = (struct rect){ rows - 1, 0, 1, cols };
	l->body = (struct rect){ l->header.h, 0, rows - l->header.h - 1, cols };
	if (cols < LAYOUT_MIN_COLS || l->body.h < wants[LP_FAXES].min) {
		l->too_small = true;
		return;
	}
	l->wide = cols >= 140;
	if (l->wide)
		layout_wide(l);
	else
		layout_narrow(l);
}

void layout_fit_attempts(struct layout *l, int inner)
{
	struct rect *a = &l->pane[LP_ATTEMPTS];
	int spare = a->h - 2 - inner;

	if (l->too_small || !l->visible[LP_ATTEMPTS] || inner < 1 || spare <= 0)
		return;
	a->h -= spare;
	if (!l->wide) {
		/* The list is right above: it grows, the attempts pane moves down. */
		l->pane[LP_FAXES].h += spare;
		a->y += spare;
		return;
	}
	for (int p = LP_ATTEMPTS + 1; p < LP_COUNT; p++) {
		if (!l->visible[p])
			continue;
		l->pane[p].y -= spare;
		l->pane[p].h += spare;
		return;
	}
	a->h += spare; /* nothing below to take the rows */
}

int layout_columns(const struct col_spec *specs, int n, int width, int *widths)
{
	int total, visible;

	for (int i = 0; i < n; i++)
		widths[i] = specs[i].min;
	for (;;) {
		int worst = -1;

		total = 0;
		visible = 0;
		for (int i = 0; i < n; i++) {
			if (!widths[i])
				continue;
			total += widths[i];
			visible++;
			if (specs[i].prio > 0 && (worst < 0 || specs[i].prio >= specs[worst].prio))
				worst = i;
		}
		total += visible > 0 ? visible - 1 : 0;
		if (total <= width || worst < 0)
			break;
		widths[worst] = 0;
	}
	if (total > width) {
		/* Only must-show columns remain: squeeze the last one. */
		for (int i = n - 1; i >= 0 && total > width; i--) {
			if (!widths[i])
				continue;
			int cut = total - width;

			if (cut > widths[i] - 1)
				cut = widths[i] - 1;
			widths[i] -= cut;
			total -= cut;
		}
	}
	/* Grow toward preferred widths, most important first. */
	for (int prio = 0; prio < 100 && total < width; prio++) {
		for (int i = 0; i < n && total < width; i++) {
			if (!widths[i] || specs[i].prio != prio || specs[i].pref <= widths[i])
				continue;
			int add = specs[i].pref - widths[i];

			if (add > width - total)
				add = width - total;
			widths[i] += add;
			total += add;
		}
	}
	/* What is left is shared by the flexible columns, the first ones
	 * taking the remainder. */
	int nflex = 0;

	for (int i = 0; i < n; i++)
		nflex += widths[i] && specs[i].flex;
	for (int i = 0, k = 0; i < n && nflex && total < width; i++) {
		if (!widths[i] || !specs[i].flex)
			continue;
		int share = (width - total) / (nflex - k) + ((width - total) % (nflex - k) ? 1 : 0);

		widths[i] += share;
		total += share;
		k++;
	}
	return visible;
}
