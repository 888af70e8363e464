/* The SQL fragments made from the faxes table's column list
 * (store_faxcols.h). */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>

#include "core/store/store_faxcols.h"

const char *const store_faxcol_names[FAX_COLUMN_COUNT] = {
#define X(column, kind, member) [FAXCOL_##column] = #column,
	FAX_COLUMN_LIST(X)
#undef X
};

const char *store_faxcols_sql(char *buf, size_t len, enum store_faxcols_part part, char ph)
{
	size_t off = 0;

	buf[0] = '\0';
	for (int i = 0; i < FAX_COLUMN_COUNT; i++) {
		const char *name = store_faxcol_names[i];
		const char *sep = off ? ", " : "";
		int n;

		if (part == FAXCOLS_NAMES)
			n = snprintf(buf + off, len - off, "%s%s", sep, name);
		else if (part == FAXCOLS_VALUES)
			n = snprintf(buf + off, len - off, "%s%c%d", sep, ph, i + 1);
		else if (i == FAXCOL_id)
			continue; /* the key never changes, so its index is not touched */
		else
			n = snprintf(buf + off, len - off, "%s%s = excluded.%s", sep, name, name);
		if (n < 0 || (size_t)n >= len - off)
			abort();
		off += (size_t)n;
	}
	return buf;
}
