/* Copying a fax id to the terminal's clipboard (OSC 52). */
#ifndef FAXTOP_TUI_COPY_H
#define FAXTOP_TUI_COPY_H

#include <stdbool.h>
#include <stddef.h>

struct tui;

/* Longest id sent to the clipboard. */
#define COPY_ID_MAX 63

/* 1..COPY_ID_MAX characters of [A-Za-z0-9_-]: what fax ids are made of. */
bool copy_id_valid(const char *id);
/* Standard base64 of the string into dst; its length, or 0 (dst "") when
 * dst is too small. */
size_t copy_base64(const char *src, char *dst, size_t len);
/* Sends a valid id by OSC 52 where the terminal takes it, and flashes the
 * whole id in every case (a refusal for an invalid one). */
void copy_fax_id(struct tui *t, const char *id);

#endif
