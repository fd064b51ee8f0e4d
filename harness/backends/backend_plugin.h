/* backend_plugin.h - the native-kernel backend: a shared library that
 * implements the C contract of w4a16.h, loaded with dlopen and run on the
 * host copies of the runner's buffers (same poison, guard and input checks as
 * the OpenCL backend). */
#ifndef GH_BACKEND_PLUGIN_H
#define GH_BACKEND_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#include "adapters/abi.h"
#include "backends/backend.h"

/* The --kernel prefix that selects this backend: plugin:PATH.so */
#define PLUGIN_PREFIX "plugin:"

struct plugin_backend;

/* Loads the library at path (a path without '/' goes through the dynamic
 * loader's search, e.g. LD_LIBRARY_PATH). A library that cannot be used
 * (dlopen fails, a required symbol is missing, the ABI version differs)
 * still gives a backend: plb_loaded() is 0, plb_error() says why, and every
 * plb_run reports ERROR with that reason, so a sweep reports each case.
 * Returns NULL only when out of memory. */
struct plugin_backend *plb_open(const char *path);

int plb_loaded(const struct plugin_backend *b);
const char *plb_error(const struct plugin_backend *b); /* "" when loaded */
/* The plugin's w4a16_name(), or "native plugin" when it exports none. */
const char *plb_name(const struct plugin_backend *b);

/* Runs one case: copies t's tensors and out (with `guard` elements before
 * and after it, backend.h) into buffers of this run's own, fills struct
 * w4a16_args with them and calls w4a16_gemm; then brings the output and its
 * guard zones back into out and compares the input copies with t
 * (res->mc; late writes as backend_plugin.c describes). kernel_ms: what the
 * plugin reported, else the wall time of the call. t must pass abi_check. */
void plb_run(struct plugin_backend *b, const struct abi_tensors *t, uint16_t *out, size_t guard,
             struct bk_result *res);

void plb_close(struct plugin_backend *b);

#endif
