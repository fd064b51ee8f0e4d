/* backend_cl_priv.h - internals shared by the OpenCL backend's files
 * (backend_cl.c: devices, programs, one checked run; backend_cl_perf.c:
 * timing and device peaks). Not for use outside the backend. */
#ifndef GH_BACKEND_CL_PRIV_H
#define GH_BACKEND_CL_PRIV_H

#include <CL/cl.h>

#include "adapters/abi.h"
#include "backends/backend.h"

#define CLB_NPROG 16
#define CLB_KERNEL_NAME "w4a16_gemm"
#define CLB_ENV_DEVICE "GPTQ_HARNESS_DEVICE"
#define CLB_MAX_PLATFORMS 16
#define CLB_MAX_DEVICES 64

enum { PROG_UNBUILT = 0, PROG_OK, PROG_FAILED };

struct clb_prog {
    int state;
    cl_program program;
    cl_kernel kernel;
    size_t lx, ly;              /* reqd_work_group_size, or 0 */
    char reason[BK_REASON_MAX]; /* when PROG_FAILED */
    char *log;                  /* build log when PROG_FAILED */
};

struct cl_backend {
    cl_platform_id platform;
    cl_device_id device;
    cl_context context;
    cl_command_queue queue;
    char *source;
    size_t source_len;
    char *kernel_path;
    char device_name[256];
    char platform_name[256];
    char driver_version[128];
    cl_ulong max_alloc;
    cl_ulong global_mem;
    cl_uint base_align; /* CL_DEVICE_MEM_BASE_ADDR_ALIGN in bytes (a sub-buffer's origin) */
    struct clb_prog progs[CLB_NPROG];
};

enum { BUF_A, BUF_B, BUF_SCALE, BUF_ZP, BUF_PERM, BUF_BIAS, BUF_OUT, NBUF };
extern const char *const clb_buf_names[NBUF];

/* One run's device buffers. out's buffer holds the guard zones around the
 * output; the kernel gets kout, a sub-buffer that starts at the output
 * (out_origin bytes in), when there are guard zones. */
struct run_bufs {
    const void *host[NBUF];
    size_t bytes[NBUF];
    cl_mem mem[NBUF];
    cl_mem kout;       /* NULL: the kernel gets mem[BUF_OUT] */
    size_t out_origin; /* bytes before the output in mem[BUF_OUT] */
    size_t out_bytes;  /* the output's own bytes (M*N elements) */
};

void clb_res_error(struct bk_result *res, const char *what, cl_int rc);
void clb_res_set(struct bk_result *res, bk_status_t st, const char *fmt, ...);
double clb_now_ms(void);
/* The built program for t's option set, or NULL with res set to BK_ERROR. */
struct clb_prog *clb_get_prog(struct cl_backend *b, const struct abi_tensors *t,
                              struct bk_result *res);
/* out: element 0 of the output, with `guard` elements before and after it. */
void clb_plan_buffers(const struct abi_tensors *t, uint16_t *out, size_t guard,
                      struct run_bufs *rb);
int clb_create_buffers(struct cl_backend *b, struct run_bufs *rb, struct bk_result *res);
int clb_set_args(cl_kernel k, const struct abi_tensors *t, const struct run_bufs *rb,
                 struct bk_result *res);
size_t clb_round_up(size_t v, size_t to);
double clb_event_ms(cl_event ev);
int clb_wait_kernel(struct cl_backend *b, cl_event ev, struct bk_result *res);
void clb_release_buffers(struct run_bufs *rb, struct bk_result *res);

/* ---- timing helpers (backend_cl_timing.c) ------------------------------ */

#define CLB_MAX_SETS 64 /* input sets rotated over at most */

double clb_median(double *v, int n);                                       /* sorts v */
void clb_summarize(double *v, int n, double *med, double *lo, double *hi); /* sorts v */
/* err = "what: CL_ERROR_NAME". */
void clb_err(char *err, size_t len, const char *what, cl_int rc);
/* How many copies of set_bytes to rotate over so that together they exceed
 * the device caches (512 MiB; 2 to CLB_MAX_SETS, within half the memory). */
int clb_sets_for(const struct cl_backend *b, double set_bytes);
/* Back-to-back batches of CLB_STREAM_PER for `repeats` launches (>= 3). */
int clb_stream_batches(int repeats);

/* Enqueues launch number i (no wait); its event goes to *ev unless ev is
 * NULL. 0, or -1 with a message. */
typedef int (*clb_enqueue_fn)(void *ctx, int i, cl_event *ev, char *err, size_t errlen);

/* Runs `batches` batches of `per` launches and drains the queue after each
 * batch, checking the execution status. per == 1: one[j] = device time of
 * launch j (ms), one at a time. per > 1: the launches of a batch are enqueued
 * back to back and only the first and the last carry an event (an event per
 * launch costs the host more than a short kernel takes); stream[j] = batch
 * j's span from the first launch's start to the last one's end, divided by
 * `per`. 0, or -1 with a message. */
int clb_time_launches(struct cl_backend *b, clb_enqueue_fn fn, void *ctx, int batches, int per,
                      double *one, double *stream, char *err, size_t errlen);

/* What clb_time_phases measured (ms). */
struct clb_phases {
    double median, min, max; /* one launch at a time */
    double stream;           /* back to back, per launch: median over the batches */
    int stream_launches;
};

/* The timing every perf figure uses: `warmups` launches (one per input set),
 * then `repeats` launches one at a time, then clb_stream_batches(repeats)
 * batches of CLB_STREAM_PER back to back. 0, or -1 with a message. */
int clb_time_phases(struct cl_backend *b, clb_enqueue_fn fn, void *ctx, int warmups, int repeats,
                    struct clb_phases *ph, char *err, size_t errlen);

/* A one-dimensional helper kernel; launch i sets argument 0 to
 * bufs[i % nbufs] when nbufs > 0 (the other arguments are set once). */
struct clb_simple {
    cl_command_queue queue;
    cl_program prog;
    cl_kernel kernel;
    size_t global, local; /* local 0: the runtime's choice */
    const cl_mem *bufs;
    int nbufs;
};
/* Builds kernel `name` from src; 0, or -1 with a message (nothing held). */
int clb_build_simple(struct cl_backend *b, const char *src, const char *name, struct clb_simple *s,
                     char *err, size_t errlen);
void clb_release_simple(struct clb_simple *s);
int clb_simple_enqueue(void *ctx, int i, cl_event *ev, char *err, size_t errlen); /* ctx: simple */

/* backend_cl_peaks.c: times a read-only kernel over `bytes` (rotated over
 * copies like the case's inputs), `repeats` launches one at a time and
 * back to back: the most a kernel that must read that much can show. */
int clb_measure_read(struct cl_backend *b, double bytes, int repeats, double *one_ms,
                     double *stream_ms, char *err, size_t errlen);

#endif
