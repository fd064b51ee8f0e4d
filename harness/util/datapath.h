/* datapath.h - files shipped with the harness (the default kernel, the
 * gnuplot templates): found relative to the current directory when run from
 * the checkout, else next to the executable (<dir of exe>/../REL, i.e.
 * build/../REL). */
#ifndef GH_DATAPATH_H
#define GH_DATAPATH_H

#include <stddef.h>

/* Returns the path of rel that exists (rel itself or one in buf), or rel
 * when neither is readable (the caller's open then names it). */
const char *datapath_find(const char *rel, char *buf, size_t len);

#endif
