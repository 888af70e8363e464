/* The one catalog of error codes: fax failure codes (docs/CONTRACT.md#failure-codes, #assumptions) and the
 * synchronous API errors (docs/CONTRACT.md#api-errors). Unknown codes are kept verbatim and classed
 * "unknown". */
#ifndef FAXTOP_CORE_ERRORS_H
#define FAXTOP_CORE_ERRORS_H

#include <stdbool.h>

enum fax_code_class {
	CODE_RETRYABLE,
	CODE_TERMINAL,
	CODE_UNKNOWN,
};

struct fax_code_info {
	const char *code; /* lowercase wire value */
	enum fax_code_class cls;
	const char *meaning; /* one line */
	const char *action;  /* suggested operator action */
};

/* Case-insensitive look-up. For an unknown code returns a static entry with
 * cls CODE_UNKNOWN and generic text (its code field is NULL). */
const struct fax_code_info *errors_fax_code(const char *code);
const char *errors_class_name(enum fax_code_class cls); /* "retryable" … */
bool errors_fax_code_terminal(const char *code);
/* Iterates the catalog: returns NULL past the end. */
const struct fax_code_info *errors_fax_code_at(unsigned idx);

struct api_error_info {
	int http_status;
	const char *error;  /* machine code, e.g. "insufficient_balance" */
	const char *action; /* e.g. "top_up_balance" */
	bool retryable;
	const char *meaning;
	const char *advice; /* one line for the operator */
};
const struct api_error_info *errors_api(const char *error); /* NULL if unknown */
const struct api_error_info *errors_api_at(unsigned idx);
/* For an error code not in the catalog: is this HTTP status worth retrying
 * (429, 408 and 5xx)? */
bool errors_http_retryable(int http_status);

#endif
