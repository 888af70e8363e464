/* `faxsim load`: sends N distinct, correctly signed events to a webhook URL
 * over C keep-alive connections as fast as the receiver takes them (or at
 * --rate per second), then reports the achieved rate, latency percentiles
 * and the count of non-2xx answers. */
#ifndef FAXTOP_SIM_LOAD_H
#define FAXTOP_SIM_LOAD_H

#include <stddef.h>
#include <stdint.h>

/* Entry point of the subcommand; argv[0] is "load". Returns the exit status. */
int load_main(int argc, char **argv);

/* Percentile p (0..100) of n sorted values, nearest-rank. */
double load_percentile(const double *sorted, size_t n, double p);

#endif
