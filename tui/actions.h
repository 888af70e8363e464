/* Every action a key can trigger: one X-macro gives the enum, the name used
 * in `bind KEY ACTION`, whether it changes anything outside the TUI (and so
 * disappears in read-only mode), its handler (act_HANDLER in dispatch.c)
 * and the help text. */
#ifndef FAXTOP_TUI_ACTIONS_H
#define FAXTOP_TUI_ACTIONS_H

#include <stdbool.h>

/* X(enum, name, mutates, handler, help) */
#define TUI_ACTION_LIST(X)                                                                        \
	X(ACT_NONE, "none", 0, none, "do nothing (unbinds a key)")                                \
	X(ACT_QUIT, "quit", 0, quit, "quit (asks first while resends are in flight)")             \
	X(ACT_HELP, "help", 0, help, "show this help")                                            \
	X(ACT_UP, "up", 0, navigate, "move up")                                                   \
	X(ACT_DOWN, "down", 0, navigate, "move down")                                             \
	X(ACT_PAGE_UP, "page-up", 0, navigate, "move up one page")                                \
	X(ACT_PAGE_DOWN, "page-down", 0, navigate, "move down one page")                          \
	X(ACT_HOME, "home", 0, navigate, "go to the top (newest)")                                \
	X(ACT_END, "end", 0, navigate, "go to the bottom (oldest)")                               \
	X(ACT_NEXT_PANE, "next-pane", 0, focus, "focus the next pane")                            \
	X(ACT_PREV_PANE, "prev-pane", 0, focus, "focus the previous pane")                        \
	X(ACT_OPEN, "open", 0, open, "open the selected fax (refreshes it)")                      \
	X(ACT_BACK, "back", 0, back, "go back / close / clear the filter")                        \
	X(ACT_FILTER, "filter", 0, filter,                                                        \
	  "filter: text status:failed code:busy to:+1212 tag:k=v")                                \
	X(ACT_SEARCH, "search", 0, search, "search (same language); n/N jump between matches")    \
	X(ACT_SEARCH_NEXT, "search-next", 0, search_jump, "jump to the next search match")        \
	X(ACT_SEARCH_PREV, "search-prev", 0, search_jump, "jump to the previous search match")    \
	X(ACT_SORT, "sort", 0, sort, "sort by the next column")                                   \
	X(ACT_SORT_REVERSE, "sort-reverse", 0, sort_reverse, "reverse the sort order")            \
	X(ACT_PAUSE, "pause", 0, pause, "pause / follow the newest faxes")                        \
	X(ACT_MARK, "mark", 0, mark, "mark / unmark the selected fax")                            \
	X(ACT_UNMARK_ALL, "unmark-all", 0, unmark_all, "clear every mark")                        \
	X(ACT_RESEND, "resend", 1, resend, "resubmit the selected failed fax")                    \
	X(ACT_RESEND_BULK, "resend-bulk", 1, resend_bulk,                                         \
	  "resubmit marked faxes, or every failed fax in the filter")                             \
	X(ACT_BULK_PAUSE, "bulk-pause", 0, bulk_pause, "pause / resume a running bulk resend")    \
	X(ACT_BULK_CANCEL, "bulk-cancel", 0, bulk_cancel,                                         \
	  "cancel a running bulk resend (those on the way finish)")                               \
	X(ACT_DISMISS, "dismiss", 1, dismiss,                                                     \
	  "dismiss the selected failure: no action needed (asks for a note)")                     \
	X(ACT_UNDISMISS, "undismiss", 1, undismiss, "undo the dismissal of the selected failure") \
	X(ACT_NEXT_UNRESOLVED, "next-unresolved", 0, next_unresolved,                             \
	  "jump to the next unresolved failure")                                                  \
	X(ACT_COMMAND, "command", 0, command,                                                     \
	  "the : command line (its commands are listed at the top of help)")                      \
	X(ACT_RAW, "raw", 0, raw, "toggle the raw JSON of the fax (detail screen)")               \
	X(ACT_ORIGINAL, "original", 0, chain,                                                     \
	  "open the fax this one was resent from (detail screen)")                                \
	X(ACT_NEXT_RESEND, "next-resend", 0, chain,                                               \
	  "open the next fax in its resend chain (detail screen)")                                \
	X(ACT_COPY_ID, "copy-id", 0, copy_id,                                                     \
	  "copy the fax id (OSC 52 clipboard) and show it in full")                               \
	X(ACT_FAILURES, "failures", 0, failures,                                                  \
	  "failures of the last hour and day by destination and code")                            \
	X(ACT_REDRAW, "redraw", 0, redraw, "redraw the whole screen")

/* Where a key is read: the screens, or an open dialog. Each mode has its
 * own bindings, so a key means one thing per mode. */
enum tui_mode { MODE_MAIN, MODE_RESEND, MODE_BULK, MODE_QUIT, MODE_COUNT };

/* The keys of the dialogs, bound like the others (`bind y bulk.start`).
 * The resend dialog's fields take the keys not bound in its mode.
 * X(enum, mode, name, help) */
#define TUI_DIALOG_ACTION_LIST(X)                                                           \
	X(ACT_RESEND_CONFIRM, MODE_RESEND, "resend.confirm",                                \
	  "send (a terminal code or an earlier resend asks once more)")                     \
	X(ACT_RESEND_NEXT_FIELD, MODE_RESEND, "resend.next-field", "the next field")        \
	X(ACT_RESEND_PREV_FIELD, MODE_RESEND, "resend.prev-field", "the previous field")    \
	X(ACT_RESEND_CANCEL, MODE_RESEND, "resend.cancel",                                  \
	  "back from a confirmation to editing, else close without sending")                \
	X(ACT_BULK_START, MODE_BULK, "bulk.start", "start sending")                         \
	X(ACT_BULK_CLOSE, MODE_BULK, "bulk.cancel", "close without sending")                \
	X(ACT_BULK_INCLUDE_DONE, MODE_BULK, "bulk.include-done",                            \
	  "include / skip the faxes resent or dismissed already")                           \
	X(ACT_BULK_SKIP_TERMINAL, MODE_BULK, "bulk.skip-terminal",                          \
	  "skip / include terminal codes to the same number")                               \
	X(ACT_QUIT_YES, MODE_QUIT, "quit.yes", "quit anyway (no bulk resend left to send)") \
	X(ACT_QUIT_NO, MODE_QUIT, "quit.no", "stay")                                        \
	X(ACT_QUIT_SEND_REST, MODE_QUIT, "quit.send-rest",                                  \
	  "send the rest of the bulk resend, then quit")                                    \
	X(ACT_QUIT_DROP_REST, MODE_QUIT, "quit.drop-rest",                                  \
	  "drop the rest of the bulk resend and quit")

enum tui_action {
#define X(e, name, mutates, fn, help) e,
	TUI_ACTION_LIST(X)
#undef X
		ACT_COUNT, /* the screens' actions end here */
			   /* clang-format off */
#define X(e, mode, name, help) e,
	TUI_DIALOG_ACTION_LIST(X)
#undef X
	ACT_ALL_COUNT
			   /* clang-format on */
};

const char *action_name(enum tui_action a);
const char *action_help(enum tui_action a);
bool action_mutates(enum tui_action a);
/* The mode an action is bound in (MODE_MAIN for the screens' actions). */
enum tui_mode action_mode(enum tui_action a);
/* "resend dialog", for help. */
const char *mode_title(enum tui_mode m);
/* Exact name, the dialogs' included; -1 if unknown. */
int action_from_name(const char *name);

#endif
