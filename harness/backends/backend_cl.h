/* backend_cl.h - the OpenCL backend: device selection, program build (with the
 * ABI's -D options, cached per option set within a run), buffers and launch of
 * the kernel `w4a16_gemm` (docs/abi.md). Every cl* return code is checked and
 * reported by name. */
#ifndef GH_BACKEND_CL_H
#define GH_BACKEND_CL_H

#include <stdio.h>

#include "adapters/abi.h"
#include "backends/backend.h"

struct cl_backend;

/* Prints every platform and device with its P:D index, name, version, global
 * memory and max allocation. Returns 0, or -1 with a message on stderr when
 * no OpenCL platform is found. */
int clb_list_devices(FILE *out);

/* Opens the device chosen by sel: NULL or "" -> $GPTQ_HARNESS_DEVICE, else
 * the first device; "P:D" -> by index; anything else -> the first device
 * whose name (or platform name) contains sel, case-insensitive.
 * kernel_path: the .cl file (read now; built lazily per option set).
 * Returns NULL with a message in err. */
struct cl_backend *clb_open(const char *sel, const char *kernel_path, char *err, size_t errlen);

/* Runs one case. out[0 .. M*N) is the output, with `guard` elements before
 * and after it (backend.h); the whole buffer (poison and guard zones) is
 * uploaded into one device buffer, the kernel gets a sub-buffer that starts
 * at the output, and the whole buffer is read back, so untouched elements
 * and writes into the guard zones can be seen. Every input is read back too
 * and compared with what was uploaded (res->mc). t must pass abi_check. */
void clb_run(struct cl_backend *b, const struct abi_tensors *t, uint16_t *out, size_t guard,
             struct bk_result *res);

const char *clb_device_name(const struct cl_backend *b);
const char *clb_driver_version(const struct cl_backend *b);
const char *clb_platform_name(const struct cl_backend *b);
void clb_close(struct cl_backend *b);

/* ---- performance (backend_cl_perf.c) ---------------------------------- */

#define CLB_STREAM_PER 50 /* launches per back-to-back batch */

struct clb_perf {
    double median_ms, min_ms, max_ms; /* kernel time from profiling events, one launch at a time */
    double stream_ms;    /* per launch when launches follow each other: median over batches of
                            (last launch's end - first launch's start) / launches */
    int stream_launches; /* launches timed back to back */
    double read_ms, read_stream_ms; /* a read-only kernel over `bytes`, the same two ways; 0: not
                                       measured (read_err says why) */
    char read_err[160];
    int sets; /* input sets rotated (caches cannot flatter) */
    int repeats;
    double bytes; /* minimal traffic of one launch: every input read once, out written once */
    double flops; /* 2*M*N*K */
};

struct clb_peaks {
    double copy_gbs;        /* device buffer copy, bytes read + written per second / 1e9 */
    double fma_gflops;      /* FMA-bound kernel */
    double floor_ms;        /* an empty launch (one work-group), one at a time: median */
    double floor_stream_ms; /* the same, per launch, launched back to back */
};

/* Times t's kernel: `repeats` launches one at a time after a warm-up of one
 * launch per set, then max(3, repeats / 50) batches of 50 launches back to back,
 * rotating over enough copies of the inputs that their total exceeds the
 * device caches (512 MiB, within memory limits); then a read-only kernel
 * over the same number of bytes, the same two ways (the ceiling at this
 * size). t must pass abi_check.
 * Returns 0, or -1 with a message. */
int clb_time(struct cl_backend *b, const struct abi_tensors *t, int repeats, struct clb_perf *r,
             char *err, size_t errlen);

/* Measures the device's memory bandwidth (a large buffer copy) and float
 * FMA throughput (an FMA-bound kernel), median of 5 runs each, and the time
 * the profiling events give an empty launch. */
int clb_measure_peaks(struct cl_backend *b, struct clb_peaks *pk, char *err, size_t errlen);

#endif
