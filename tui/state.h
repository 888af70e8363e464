/* The TUI's private state, shared by the files of tui/ and nothing else.
 * (tui.h is the public face; this is the inside of struct tui.) */
#ifndef FAXTOP_TUI_STATE_H
#define FAXTOP_TUI_STATE_H

#include <ev.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/model/model.h"
#include "tui/keymap.h"
#include "tui/layout.h"
#include "tui/panes/instance.h"
#include "tui/term.h"
#include "tui/theme.h"
#include "tui/worklist.h"
#include "tui/tui.h"
#include "tui/view.h"
#include "tui/widgets/prompt.h"

/* The resend estimate: mintfax does not publish a price, so the dialogs use
 * this documented assumption and say so. */
#define TUI_EST_CENTS_PER_PAGE 7
/* Bulk resends: at most this many in flight, one started per tick. */
#define TUI_BULK_PARALLEL 2
#define TUI_BULK_INTERVAL 0.5
#define TUI_FLASH_MS      6000
/* Filter as you type up to this many faxes; beyond, on Enter only. */
#define TUI_LIVE_FILTER_MAX 200000

enum tui_screen { SCREEN_MAIN, SCREEN_DETAIL, SCREEN_HELP, SCREEN_FAILURES, SCREEN_COUNT };
enum tui_prompt_kind {
	PROMPT_NONE,
	PROMPT_FILTER,
	PROMPT_SEARCH,
	PROMPT_COMMAND,
	PROMPT_DISMISS,
	PROMPT_KIND_COUNT
};
enum tui_dialog_kind { DLG_NONE, DLG_RESEND, DLG_BULK, DLG_QUIT };

struct tui_dialog {
	enum tui_dialog_kind kind;
	char fax_id[64];
	char code[64];
	bool terminal;
	struct prompt to, max_attempts;
	char orig_to[64];
	int focus;                 /* 0: destination, 1: max attempts */
	bool confirm_same;         /* second confirmation showing */
	bool confirm_again;        /* "another fax" confirmation showing */
	struct resend_prior prior; /* the fax's earlier resend, named in the dialog */
	char error[256];
	int pages;
	/* bulk: candidates, and what the operator chose to leave out */
	struct tui_bulk_item *items;
	size_t n_items, n_inflight; /* in flight: never sent again, only counted */
	bool include_done;          /* also those already resent or dismissed */
	bool skip_terminal;         /* leave out terminal codes to the same number */
};

/* A fax a bulk run may resend. */
struct tui_bulk_item {
	char *id;
	bool resent; /* has a resend already (again needed) */
	bool dismissed;
	bool terminal; /* a terminal code: the same number fails again */
	int pages;
};

struct tui_inflight {
	struct tui_inflight *next;
	struct tui *t; /* NULL once the TUI is gone: the record frees itself */
	char fax_id[64];
	bool bulk;
};

struct tui_bulk {
	char **ids;
	bool *again; /* per id: resent already, a new fax was chosen */
	size_t n, next, ok, failed, dropped;
	bool running;
	bool paused;     /* no new request starts; those on the way finish */
	bool quit_after; /* quit once the last one is answered */
};

/* The header's unresolved count, taken again when the model or triage moved. */
struct tui_triage_count {
	bool valid;
	uint64_t gen, tgen;
	int64_t at_ms;
	size_t n;
};

struct tui {
	struct ev_loop *loop;
	const struct model *m;
	const struct config *cfg;
	struct tui_actions act;
	struct log *log;
	bool read_only;

	struct tui_term term;
	struct theme theme;
	struct keymap *km;
	struct view view;
	struct filter search;
	bool has_search;

	ev_io input_w;
	ev_signal winch_w;
	ev_prepare render_w;
	ev_timer frame_w; /* defers a frame to respect fps */
	ev_timer tick_w;  /* wakes up when a displayed clock changes */
	ev_timer bulk_w;
	double frame_interval;
	double last_frame;
	bool dirty;
	bool full_redraw;
	uint64_t drawn_gen;
	int64_t next_change_ms; /* collected while drawing: soonest text change */

	struct layout layout;
	struct rect clip; /* drawing is confined to this area */
	enum tui_screen screen, help_return;
	enum layout_pane focus;
	size_t sel, top;
	char sel_id[64];
	char detail_id[64]; /* the fax the detail screen shows */
	/* The pane instances (panes/panes.c): the main screen's by layout
	 * slot, the whole-body screens by screen (none for the main one). */
	struct pane pane[LP_COUNT];
	struct pane screen_pane[SCREEN_COUNT];

	enum tui_prompt_kind prompt_kind;
	struct prompt prompt;
	char prompt_orig[PROMPT_MAX]; /* restored when a filter prompt is cancelled */
	struct prompt_history history[PROMPT_KIND_COUNT]; /* by prompt kind */

	struct tui_dialog dlg;
	char triage_id[64]; /* the case a dismiss prompt is for */
	struct tui_triage_count unresolved;

	char flash[320];
	bool flash_error;
	int64_t flash_until;

	char **marks; /* sorted fax ids */
	size_t n_marks;

	struct tui_inflight *inflight; /* this TUI's requests, for their answers */
	struct tui_bulk bulk;
	struct tui_export *export; /* a running :export, or NULL */

	struct tui_status status;
	uint64_t health_key;  /* from act.health_key: a change redraws at once */
	unsigned banner_mask; /* banners shown, for alert-bell */
	FILE *frame_log;      /* FAXTOP_FRAME_LOG: a line per frame, for bench/ */
	bool quitting;
	int input_idle; /* readable-but-empty wake-ups in a row */
};

/* Frees what the session holds (not t itself): resends still on the way
 * are detached, a running export abandoned. tui_free() ends with it; so do
 * tests that assemble a struct tui by hand. */
void tui_state_done(struct tui *t);

#endif
