/* units.h - quantities in words for messages. */
#ifndef GH_UNITS_H
#define GH_UNITS_H

#include <stddef.h>

/* bytes as "512 B", "3.2 KiB", "1.5 GiB" (binary units up to TiB). */
void fmt_bytes(char *buf, size_t len, double bytes);

#endif
