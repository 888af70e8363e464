/* Names of an enum's members from its X-macro list.
 *
 * Every enumerable in faxtop is an X-macro list whose rows begin
 * (enum, name, ...). NAME_TABLE defines the table of names and the function
 * that reads it, so the bounds check and the fallback are written once:
 *
 *	NAME_TABLE(triage_names, triage_state_name, enum triage_state,
 *		   TRIAGE_STATE_LIST, TRIAGE_STATE_COUNT, "none")
 *
 * defines `static const char *const triage_names[TRIAGE_STATE_COUNT]` and
 * `const char *triage_state_name(enum triage_state)`, which answers
 * "none" for a value outside the list. An enum without a _COUNT member
 * (one that a switch must cover whole) gives NAME_COUNT(LIST) instead. */
#ifndef FAXTOP_CORE_NAMES_H
#define FAXTOP_CORE_NAMES_H

#define NAME_TABLE_FIRST_(name, ...) name
#define NAME_TABLE_ROW_(e, ...)      [e] = NAME_TABLE_FIRST_(__VA_ARGS__, ~),
#define NAME_COUNT_ROW_(e, ...)      +1
#define NAME_COUNT(LIST)             (0 LIST(NAME_COUNT_ROW_))

#define NAME_TABLE(table, fn, type, LIST, count, fallback)                                  \
	static const char *const table[count] = { LIST(NAME_TABLE_ROW_) };                  \
	const char *fn(type v)                                                              \
	{                                                                                   \
		return (unsigned)v < (unsigned)(count) && table[v] ? table[v] : (fallback); \
	}

#endif
