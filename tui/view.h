/* The fax list as the user sees it: filtered, sorted, optionally paused.
 *
 * With no filter and the default order the view is the model's creation
 * index read backwards, so nothing is copied and drawing costs only the
 * visible rows. A filter or another sort builds an index of pointers,
 * rebuilt only when the model generation moves. Pointers are valid until
 * the next view_update(). */
#ifndef FAXTOP_TUI_VIEW_H
#define FAXTOP_TUI_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/model/model.h"
#include "tui/filter.h"

/* X(enum, name, newest/largest first by default) */
#define VIEW_SORT_LIST(X)                  \
	X(SORT_CREATED, "created", true)   \
	X(SORT_UPDATED, "updated", true)   \
	X(SORT_STATUS, "status", false)    \
	X(SORT_TO, "to", false)            \
	X(SORT_ATTEMPTS, "attempts", true) \
	X(SORT_CODE, "code", false)

enum view_sort {
/* clang-format off */
#define X(e, name, desc) e,
	VIEW_SORT_LIST(X)
#undef X
	SORT_COUNT
	/* clang-format on */
};

struct view {
	const struct model *m;
	struct filter filter;
	enum view_sort sort;
	bool reverse;
	bool paused;
	int64_t pause_created; /* newest fax shown while paused */
	char pause_id[64];
	size_t n_new; /* faxes hidden because they came after the pause */

	bool indexed;
	const struct model_fax **rows;
	size_t n, cap;
	size_t fast_n; /* unindexed: how many rows */

	struct model_code_count codes[64];
	size_t n_codes;

	uint64_t gen;
	const struct triage *tr;     /* state: terms; its changes rebuild too */
	bool stale;                  /* a setting changed: rebuild at once */
	bool deferred;               /* the model changed, the rebuild waits (duty cycle) */
	double built_at, build_cost; /* monotonic seconds */
};

/* Share of the time an index rebuild may take when the model keeps
 * changing. */
#define VIEW_BUILD_DUTY 0.2

const char *view_sort_name(enum view_sort s);

void view_init(struct view *v, const struct model *m);
void view_done(struct view *v);
/* 0, or -1 with err (the old filter stays). "" clears. */
int view_set_filter(struct view *v, const char *expr, char *err, size_t errlen);
void view_set_sort(struct view *v, enum view_sort s, bool reverse);
void view_set_paused(struct view *v, bool paused);
/* Rebuilds when the model changed or a setting did. Returns true if it did.
 * A costly index may be kept a little longer (deferred) while the model
 * changes; view_retry_in() says in how many seconds to try again (-1: not
 * deferred). */
bool view_update(struct view *v);
double view_retry_in(const struct view *v);

size_t view_count(const struct view *v);
const struct model_fax *view_at(const struct view *v, size_t i);
/* Row of the fax with this id, looking at `hint` first; SIZE_MAX if absent. */
size_t view_find(const struct view *v, const char *id, size_t hint);

#endif
