#include "config.h"

#include <curses.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <term.h>
#include <termios.h>
#include <unistd.h>

#include "core/base/xalloc.h"
#include "tui/term.h"

static const struct glyphs glyphs_utf8 = {
	.h = "\xE2\x94\x80",
	.v = "\xE2\x94\x82",
	.tl = "\xE2\x94\x8C",
	.tr = "\xE2\x94\x90",
	.bl = "\xE2\x94\x94",
	.br = "\xE2\x94\x98",
	.status = { "?", "\xE2\x97\x8B", "\xE2\x97\x94", "\xE2\x96\xB6", "\xE2\x9C\x94",
		    "\xE2\x9C\x96", "?", "?" },
	.retrying = "\xE2\x86\xBB",
	.inflight = "\xE2\x87\xA1",
	.mark = "\xE2\x97\x8F",
	.terminal = "\xE2\x80\xA0",
	.up = "\xE2\x96\xB2",
	.down = "\xE2\x96\xBC",
	.ellipsis = "\xE2\x80\xA6",
};

static const struct glyphs glyphs_ascii = {
	.h = "-",
	.v = "|",
	.tl = "+",
	.tr = "+",
	.bl = "+",
	.br = "+",
	.status = { "?", ".", "^", ">", "+", "x", "?", "?" },
	.retrying = "~",
	.inflight = "*",
	.mark = "#",
	.terminal = "!",
	.up = "^",
	.down = "v",
	.ellipsis = "~",
};

/* The terminal is one per process, and a fatal-signal handler can reach
 * only statics: these are the state needed to put it back from there. */
static struct termios saved_tio;
static volatile sig_atomic_t emergency_armed;
static char emergency_seq[256];
static size_t emergency_len;
static const int fatal_signals[] = { SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL };
static struct sigaction old_fatal[sizeof fatal_signals / sizeof fatal_signals[0]];

void term_restore_emergency(void)
{
	if (!emergency_armed)
		return;
	emergency_armed = 0;
	if (emergency_len && write(STDOUT_FILENO, emergency_seq, emergency_len) < 0) {
		/* nothing more can be done from here */
	}
	tcsetattr(STDIN_FILENO, TCSANOW, &saved_tio);
}

static void on_fatal(int sig)
{
	term_restore_emergency();
	raise(sig); /* SA_RESETHAND put the default action back */
}

static void append_cap(const char *name)
{
	char *s = tigetstr((char *)name);
	size_t n;

	if (!s || s == (char *)-1)
		return;
	n = strlen(s);
	if (emergency_len + n < sizeof emergency_seq) {
		memcpy(emergency_seq + emergency_len, s, n);
		emergency_len += n;
	}
}

static void arm_emergency(bool mouse)
{
	emergency_len = 0;
	if (mouse) {
		static const char off[] = "\033[?1000l\033[?1002l\033[?1006l";

		memcpy(emergency_seq, off, sizeof off - 1);
		emergency_len = sizeof off - 1;
	}
	append_cap("sgr0");
	append_cap("cnorm");
	append_cap("rmkx");
	append_cap("rmcup");
	for (size_t i = 0; i < sizeof fatal_signals / sizeof fatal_signals[0]; i++) {
		struct sigaction sa;

		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_fatal;
		sa.sa_flags = SA_RESETHAND;
		sigemptyset(&sa.sa_mask);
		sigaction(fatal_signals[i], &sa, &old_fatal[i]);
	}
	emergency_armed = 1;
}

static void disarm_emergency(void)
{
	emergency_armed = 0;
	for (size_t i = 0; i < sizeof fatal_signals / sizeof fatal_signals[0]; i++)
		sigaction(fatal_signals[i], &old_fatal[i], NULL);
}

int term_start(struct tui_term *tm, bool mouse, char *err, size_t errlen)
{
	const char *cs, *nc;
	SCREEN *scr;

	memset(tm, 0, sizeof *tm);
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		snprintf(err, errlen,
			 "the TUI needs a terminal on stdin and stdout "
			 "(use --headless otherwise)");
		return -1;
	}
	/* Only LC_CTYPE: curses needs the character set, and touching
	 * LC_NUMERIC would change how the rest of faxtop prints numbers. */
	setlocale(LC_CTYPE, "");
	cs = nl_langinfo(CODESET);
	tm->utf8 = cs && (strcasecmp(cs, "UTF-8") == 0 || strcasecmp(cs, "utf8") == 0);
	tm->g = tm->utf8 ? &glyphs_utf8 : &glyphs_ascii;
	if (tcgetattr(STDIN_FILENO, &saved_tio) < 0) {
		snprintf(err, errlen, "cannot read the terminal settings");
		return -1;
	}
	scr = newterm(NULL, stdout, stdin);
	if (!scr) {
		const char *term = getenv("TERM");

		snprintf(err, errlen, "cannot start the terminal (TERM=%.40s unknown?)",
			 term ? term : "(unset)");
		return -1;
	}
	set_term(scr);
	tm->screen = scr;
	tm->active = true;
	cbreak();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	leaveok(stdscr, TRUE);
	nc = getenv("NO_COLOR");
	if (has_colors() && !(nc && *nc)) {
		start_color();
		use_default_colors();
		tm->color = COLORS >= 8;
		tm->ncolors = COLORS;
	}
	if (mouse) {
		mousemask(BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON4_PRESSED | BUTTON5_PRESSED,
			  NULL);
		mouseinterval(0);
	}
	arm_emergency(mouse);
	/* Dying of an exhausted heap restores the terminal first, so the
	 * message that follows is seen and the shell is usable. */
	xalloc_set_fatal_hook(term_restore_emergency);
	getmaxyx(stdscr, tm->rows, tm->cols);
	return 0;
}

void term_stop(struct tui_term *tm)
{
	if (!tm->active)
		return;
	xalloc_set_fatal_hook(NULL);
	disarm_emergency();
	mousemask(0, NULL);
	curs_set(1);
	endwin();
	delscreen((SCREEN *)tm->screen);
	tm->screen = NULL;
	tm->active = false;
	fflush(stdout);
}

static attr_t to_curses_attrs(unsigned a)
{
	static const struct {
		unsigned ours;
		attr_t curses;
	} map[] = {
		{ THEME_BOLD, A_BOLD },           { THEME_DIM, A_DIM },
		{ THEME_UNDERLINE, A_UNDERLINE }, { THEME_REVERSE, A_REVERSE },
		{ THEME_ITALIC, A_ITALIC },       { THEME_BLINK, A_BLINK },
		{ THEME_STANDOUT, A_STANDOUT },
	};
	attr_t r = A_NORMAL;

	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (a & map[i].ours)
			r |= map[i].curses;
	return r;
}

void term_apply_theme(struct tui_term *tm, const struct theme *th)
{
	for (int r = 0; r < ROLE_COUNT; r++) {
		const struct theme_style *s = &th->style[r];
		attr_t a = to_curses_attrs(s->attrs);

		if (tm->color && r + 1 < COLOR_PAIRS) {
			bool bright_fg, bright_bg;
			short fg = theme_color_degrade(s->fg, tm->ncolors, &bright_fg);
			short bg = theme_color_degrade(s->bg, tm->ncolors, &bright_bg);

			/* Bright black (grey) on 8 colours would be bold black,
			 * invisible on many dark terminals: plain text instead. */
			if (bright_fg && fg == COLOR_BLACK && tm->ncolors < 16) {
				fg = -1;
				bright_fg = false;
			}
			init_pair((short)(r + 1), fg, bg);
			a |= COLOR_PAIR(r + 1);
			if (bright_fg)
				a |= A_BOLD;
		} else if (s->bg != THEME_COLOR_DEFAULT && !(s->attrs & THEME_REVERSE)) {
			/* Without colour a background is the only thing that made
			 * this role stand out: keep it visible. */
			a |= A_REVERSE;
		}
		tm->role_attr[r] = a;
	}
}

void term_resize(struct tui_term *tm)
{
	struct winsize ws;

	if (!tm->active)
		return;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
		resize_term(ws.ws_row, ws.ws_col);
	getmaxyx(stdscr, tm->rows, tm->cols);
}

void term_set_title(struct tui_term *tm, const char *title)
{
	const char *term = getenv("TERM");
	char buf[160];
	size_t n = 0;

	if (!tm->active || !term ||
	    (strncmp(term, "xterm", 5) != 0 && strncmp(term, "screen", 6) != 0 &&
	     strncmp(term, "tmux", 4) != 0 && strncmp(term, "rxvt", 4) != 0))
		return;
	/* Our own words only; keep printable ASCII so no byte can end the
	 * sequence early. */
	for (const char *p = title; *p && n < sizeof buf - 1; p++)
		buf[n++] = *p >= 0x20 && *p < 0x7f ? *p : '?';
	buf[n] = '\0';
	fprintf(stdout, "\033]2;%s\007", buf);
	fflush(stdout);
}
