/* The option table and the helpers the two files of the configuration
 * share: options.c holds the table, the defaults, the suggestions, the
 * checks across options and --help; options_parse.c reads the file, the
 * environment and the flags, and calls only down into options.c.
 * Not for use outside core/base/options*.c. */
#ifndef FAXTOP_CORE_OPTIONS_INT_H
#define FAXTOP_CORE_OPTIONS_INT_H

#include <stddef.h>

#include "core/base/options.h"

struct config_def {
	struct config_option pub;
	size_t off;
};

extern const struct config_def config_defs[];
extern const size_t config_n_options;

const struct config_def *config_def_find(const char *name);
/* Outside text made fit for an error message: safe and short. */
const char *config_show(char *buf, size_t len, const char *s);
/* The nearest of the table's names plus `extra`, if near enough to be a
 * plausible typo; NULL if none is. */
const char *config_nearest(const char *name, const char *const *extra);
/* The checks across options, once every source is read. */
int config_validate(const struct config *c, char *err, size_t errlen);

#endif
