/* The scroller (scroller.h): one set of rules for every scrolling view. */
#include "config.h"

#include "tui/widgets/scroller.h"

bool scroller_action(struct scroller *sc, enum tui_action a, int page)
{
	switch (a) {
	case ACT_UP:
		sc->off -= sc->off > 0;
		break;
	case ACT_DOWN:
		sc->off++;
		break;
	case ACT_PAGE_UP:
		sc->off = sc->off > page ? sc->off - page : 0;
		break;
	case ACT_PAGE_DOWN:
		sc->off += page;
		break;
	case ACT_HOME:
		sc->off = 0;
		break;
	case ACT_END:
		sc->off = sc->end;
		break;
	default:
		return false;
	}
	if (sc->off > sc->max)
		sc->off = sc->max;
	if (sc->off < 0)
		sc->off = 0;
	return true;
}

int scroller_clamp(int want, int n, int rows)
{
	int max = n > rows ? n - rows : 0;

	return want < 0 ? 0 : want > max ? max : want;
}

void scroller_set_extent(struct scroller *sc, int n, int rows)
{
	sc->max = sc->end = n > rows ? n - rows : 0;
}

void scroller_show(struct scroller *sc, int line, int rows)
{
	if (line < sc->off)
		sc->off = line;
	else if (line >= sc->off + rows)
		sc->off = line - rows + 1;
}

bool scroller_move_sel(size_t *sel, size_t n, size_t page, enum tui_action a)
{
	switch (a) {
	case ACT_UP:
		*sel -= *sel > 0;
		return true;
	case ACT_DOWN:
		if (*sel + 1 < n)
			(*sel)++;
		return true;
	case ACT_PAGE_UP:
		*sel = *sel > page ? *sel - page : 0;
		return true;
	case ACT_PAGE_DOWN:
		*sel = *sel + page < n ? *sel + page : n ? n - 1 : 0;
		return true;
	case ACT_HOME:
		*sel = 0;
		return true;
	case ACT_END:
		*sel = n ? n - 1 : 0;
		return true;
	default:
		return false;
	}
}
