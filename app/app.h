/* The application: one struct that owns the loop and every component, and
 * the order in which they start and stop. Only app/ knows both the core and
 * the TUI. */
#ifndef FAXTOP_APP_APP_H
#define FAXTOP_APP_APP_H

struct config;

/* Runs faxtop (TUI, --headless or --demo) until quit or SIGINT/SIGTERM.
 * Returns the process exit status; start-up errors are printed to stderr. */
int app_run(struct config *cfg);

#endif
