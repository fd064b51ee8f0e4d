/* backend_cl.c - the OpenCL backend (see backend_cl.h, docs/abi.md).
 *
 * Decisions:
 * - One backend = one device, one context, one in-order profiling queue.
 *   Not thread-safe: the cached kernel objects carry their arguments.
 * - Programs are built lazily, one per set of the four W4_ options
 *   (16 slots). A failed build is cached as well, so a broken kernel costs
 *   one build per option set, not one per case.
 * - No watchdog: clFinish blocks until the device is done (a hung kernel
 *   hangs the run; CI timeouts catch it). Its error is reported.
 * - kernel_ms comes from the event's profiling counters; when a driver does
 *   not provide them it falls back to wall time around launch + finish. */
#include "util/regfile.h"
#include "backends/backend_cl.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <CL/cl.h>

#include "backends/backend_cl_priv.h"
#include "util/units.h"
#include "backends/cl_abicheck.h"
#include "backends/cl_errors.h"

/* ---- small helpers ---------------------------------------------------- */

static void set_msg(char *buf, size_t len, const char *fmt, ...) {
    if (!buf || !len) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, len, fmt, ap);
    va_end(ap);
}

/* "clFoo: CL_BAR" into buf (with the number when the code is unknown). */
static void cl_msg(char *buf, size_t len, const char *what, cl_int rc) {
    const char *name = cl_err_name_or_null(rc);
    if (name)
        set_msg(buf, len, "%s: %s", what, name);
    else
        set_msg(buf, len, "%s: unknown OpenCL error %d", what, (int)rc);
}

void clb_res_error(struct bk_result *res, const char *what, cl_int rc) {
    res->status = BK_ERROR;
    cl_msg(res->reason, sizeof res->reason, what, rc);
}

void clb_res_set(struct bk_result *res, bk_status_t st, const char *fmt, ...) {
    res->status = st;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(res->reason, sizeof res->reason, fmt, ap);
    va_end(ap);
}

double clb_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Release failures have no caller to report to (close paths): stderr. */
static void release_check(const char *what, cl_int rc) {
    if (rc == CL_SUCCESS) return;
    char msg[128];
    cl_msg(msg, sizeof msg, what, rc);
    fprintf(stderr, "gptq-harness: warning: %s\n", msg);
}

/* Reads a string property with clGetPlatformInfo / clGetDeviceInfo into buf
 * (truncated to fit). Returns the cl* status. */
static cl_int platform_str(cl_platform_id p, cl_platform_info what, char *buf, size_t len) {
    size_t need = 0;
    cl_int rc = clGetPlatformInfo(p, what, 0, NULL, &need);
    if (rc != CL_SUCCESS) return rc;
    char *tmp = malloc(need + 1);
    if (!tmp) return CL_OUT_OF_HOST_MEMORY;
    rc = clGetPlatformInfo(p, what, need, tmp, NULL);
    tmp[need] = '\0';
    if (rc == CL_SUCCESS) snprintf(buf, len, "%s", tmp);
    free(tmp);
    return rc;
}

static cl_int device_str(cl_device_id d, cl_device_info what, char *buf, size_t len) {
    size_t need = 0;
    cl_int rc = clGetDeviceInfo(d, what, 0, NULL, &need);
    if (rc != CL_SUCCESS) return rc;
    char *tmp = malloc(need + 1);
    if (!tmp) return CL_OUT_OF_HOST_MEMORY;
    rc = clGetDeviceInfo(d, what, need, tmp, NULL);
    tmp[need] = '\0';
    if (rc == CL_SUCCESS) snprintf(buf, len, "%s", tmp);
    free(tmp);
    return rc;
}

/* ---- device enumeration ----------------------------------------------- */

struct dev_entry {
    cl_platform_id platform;
    cl_device_id device;
    unsigned pi, di;
    char name[256];
    char platform_name[256];
};

struct dev_list {
    struct dev_entry e[CLB_MAX_DEVICES];
    unsigned n;
};

static int enum_platform(cl_platform_id p, unsigned pi, struct dev_list *list, char *err,
                         size_t errlen) {
    cl_device_id ids[CLB_MAX_DEVICES];
    cl_uint nd = 0;
    char pname[256] = "";
    cl_int rc = platform_str(p, CL_PLATFORM_NAME, pname, sizeof pname);
    if (rc != CL_SUCCESS) {
        cl_msg(err, errlen, "clGetPlatformInfo(CL_PLATFORM_NAME)", rc);
        return -1;
    }
    rc = clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, CLB_MAX_DEVICES, ids, &nd);
    if (rc == CL_DEVICE_NOT_FOUND) return 0; /* a platform without devices */
    if (rc != CL_SUCCESS) {
        cl_msg(err, errlen, "clGetDeviceIDs", rc);
        return -1;
    }
    if (nd > CLB_MAX_DEVICES) nd = CLB_MAX_DEVICES;
    for (cl_uint d = 0; d < nd && list->n < CLB_MAX_DEVICES; d++) {
        struct dev_entry *e = &list->e[list->n];
        e->platform = p;
        e->device = ids[d];
        e->pi = pi;
        e->di = d;
        snprintf(e->platform_name, sizeof e->platform_name, "%s", pname);
        rc = device_str(ids[d], CL_DEVICE_NAME, e->name, sizeof e->name);
        if (rc != CL_SUCCESS) {
            cl_msg(err, errlen, "clGetDeviceInfo(CL_DEVICE_NAME)", rc);
            return -1;
        }
        list->n++;
    }
    return 0;
}

/* Fills list with every device of every platform. -1 with a message when
 * no platform exists or a query fails. */
static int enum_devices(struct dev_list *list, char *err, size_t errlen) {
    cl_platform_id plats[CLB_MAX_PLATFORMS];
    cl_uint np = 0;
    list->n = 0;
    cl_int rc = clGetPlatformIDs(CLB_MAX_PLATFORMS, plats, &np);
    if (rc == -1001 /* CL_PLATFORM_NOT_FOUND_KHR */ || (rc == CL_SUCCESS && np == 0)) {
        set_msg(err, errlen,
                "no OpenCL platform found (clGetPlatformIDs: %s); install an ICD such as "
                "pocl-opencl-icd, or check /etc/OpenCL/vendors and OCL_ICD_VENDORS",
                rc == CL_SUCCESS ? "0 platforms" : cl_err_name(rc));
        return -1;
    }
    if (rc != CL_SUCCESS) {
        cl_msg(err, errlen, "clGetPlatformIDs", rc);
        return -1;
    }
    if (np > CLB_MAX_PLATFORMS) np = CLB_MAX_PLATFORMS;
    for (cl_uint p = 0; p < np; p++)
        if (enum_platform(plats[p], p, list, err, errlen) != 0) return -1;
    if (list->n == 0) {
        set_msg(err, errlen, "no OpenCL device found on %u platform(s)", (unsigned)np);
        return -1;
    }
    return 0;
}

static void print_device(FILE *out, const struct dev_entry *e) {
    char clc[128] = "?", drv[128] = "?", gm[32], ma[32];
    cl_ulong global_mem = 0, max_alloc = 0;
    cl_uint cu = 0;
    cl_int rc = device_str(e->device, CL_DEVICE_OPENCL_C_VERSION, clc, sizeof clc);
    if (rc == CL_SUCCESS) rc = device_str(e->device, CL_DRIVER_VERSION, drv, sizeof drv);
    if (rc == CL_SUCCESS)
        rc = clGetDeviceInfo(e->device, CL_DEVICE_GLOBAL_MEM_SIZE, sizeof global_mem, &global_mem,
                             NULL);
    if (rc == CL_SUCCESS)
        rc = clGetDeviceInfo(e->device, CL_DEVICE_MAX_MEM_ALLOC_SIZE, sizeof max_alloc, &max_alloc,
                             NULL);
    if (rc == CL_SUCCESS)
        rc = clGetDeviceInfo(e->device, CL_DEVICE_MAX_COMPUTE_UNITS, sizeof cu, &cu, NULL);
    if (rc != CL_SUCCESS) {
        char msg[128];
        cl_msg(msg, sizeof msg, "clGetDeviceInfo", rc);
        fprintf(out, "%u:%u  %s  [platform: %s]  (%s)\n", e->pi, e->di, e->name, e->platform_name,
                msg);
        return;
    }
    fmt_bytes(gm, sizeof gm, (double)global_mem);
    fmt_bytes(ma, sizeof ma, (double)max_alloc);
    fprintf(out,
            "%u:%u  %s\n      platform: %s\n      %s, driver %s\n"
            "      global memory %s, max allocation %s, %u compute units\n",
            e->pi, e->di, e->name, e->platform_name, clc, drv, gm, ma, (unsigned)cu);
}

int clb_list_devices(FILE *out) {
    static struct dev_list list; /* large; listing is not reentrant anyway */
    char err[512];
    if (enum_devices(&list, err, sizeof err) != 0) {
        fprintf(stderr, "gptq-harness: %s\n", err);
        return -1;
    }
    for (unsigned i = 0; i < list.n; i++)
        print_device(out, &list.e[i]);
    return 0;
}

/* ---- device selection ------------------------------------------------- */

/* Case-insensitive substring test. */
static int contains_ci(const char *hay, const char *needle) {
    size_t nl = strlen(needle);
    for (const char *h = hay; *h; h++) {
        size_t i = 0;
        while (i < nl && h[i] && tolower((unsigned char)h[i]) == tolower((unsigned char)needle[i]))
            i++;
        if (i == nl) return 1;
    }
    return nl == 0;
}

/* "P:D" with decimal P and D and nothing else. */
static int parse_pd(const char *s, unsigned *p, unsigned *d) {
    char *end;
    if (!isdigit((unsigned char)s[0])) return 0;
    errno = 0;
    unsigned long pv = strtoul(s, &end, 10);
    if (*end != ':' || !isdigit((unsigned char)end[1]) || errno) return 0;
    unsigned long dv = strtoul(end + 1, &end, 10);
    if (*end != '\0' || errno || pv > 1000000 || dv > 1000000) return 0;
    *p = (unsigned)pv;
    *d = (unsigned)dv;
    return 1;
}

/* "0:0 NAME (PLATFORM); 1:0 ..." appended to buf. */
static void append_available(char *buf, size_t len, const struct dev_list *list) {
    size_t used = strlen(buf);
    for (unsigned i = 0; i < list->n && used + 1 < len; i++) {
        const struct dev_entry *e = &list->e[i];
        snprintf(buf + used, len - used, "%s%u:%u %s (%s)", i ? "; " : "", e->pi, e->di, e->name,
                 e->platform_name);
        used = strlen(buf);
    }
}

static const struct dev_entry *select_device(const struct dev_list *list, const char *sel,
                                             char *err, size_t errlen) {
    if (!sel || !*sel) return &list->e[0];
    unsigned p, d;
    int by_index = parse_pd(sel, &p, &d);
    for (unsigned i = 0; i < list->n; i++) {
        const struct dev_entry *e = &list->e[i];
        if (by_index ? (e->pi == p && e->di == d)
                     : (contains_ci(e->name, sel) || contains_ci(e->platform_name, sel)))
            return e;
    }
    set_msg(err, errlen, "no OpenCL device matches '%s'; available: ", sel);
    append_available(err, errlen, list);
    return NULL;
}

/* ---- open / close ----------------------------------------------------- */

static char *read_file(const char *path, size_t *len, char *err, size_t errlen) {
    char whyf[600];
    FILE *f = fopen_regular(path, whyf, sizeof whyf);
    if (!f) {
        set_msg(err, errlen, "cannot read kernel source: %s", whyf);
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n - 1, f);
        if (ferror(f) || n + 1 < cap) break;
        char *bigger = realloc(buf, cap * 2);
        if (!bigger) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = bigger;
        cap *= 2;
    }
    const char *why = !buf ? "out of memory" : ferror(f) ? strerror(errno) : NULL;
    if (why) set_msg(err, errlen, "cannot read kernel source '%s': %s", path, why);
    fclose(f);
    if (why) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

static int query_device(struct cl_backend *b, char *err, size_t errlen) {
    cl_int rc = device_str(b->device, CL_DEVICE_NAME, b->device_name, sizeof b->device_name);
    if (rc != CL_SUCCESS) {
        cl_msg(err, errlen, "clGetDeviceInfo(CL_DEVICE_NAME)", rc);
        return -1;
    }
    rc = device_str(b->device, CL_DRIVER_VERSION, b->driver_version, sizeof b->driver_version);
    if (rc != CL_SUCCESS) {
        cl_msg(err, errlen, "clGetDeviceInfo(CL_DRIVER_VERSION)", rc);
        return -1;
    }
    rc = platform_str(b->platform, CL_PLATFORM_NAME, b->platform_name, sizeof b->platform_name);
    if (rc != CL_SUCCESS) {
        cl_msg(err, errlen, "clGetPlatformInfo(CL_PLATFORM_NAME)", rc);
        return -1;
    }
    rc = clGetDeviceInfo(b->device, CL_DEVICE_MAX_MEM_ALLOC_SIZE, sizeof b->max_alloc,
                         &b->max_alloc, NULL);
    if (rc != CL_SUCCESS) {
        cl_msg(err, errlen, "clGetDeviceInfo(CL_DEVICE_MAX_MEM_ALLOC_SIZE)", rc);
        return -1;
    }
    rc = clGetDeviceInfo(b->device, CL_DEVICE_GLOBAL_MEM_SIZE, sizeof b->global_mem, &b->global_mem,
                         NULL);
    if (rc != CL_SUCCESS) {
        cl_msg(err, errlen, "clGetDeviceInfo(CL_DEVICE_GLOBAL_MEM_SIZE)", rc);
        return -1;
    }
    cl_uint bits = 0;
    rc = clGetDeviceInfo(b->device, CL_DEVICE_MEM_BASE_ADDR_ALIGN, sizeof bits, &bits, NULL);
    if (rc != CL_SUCCESS) {
        cl_msg(err, errlen, "clGetDeviceInfo(CL_DEVICE_MEM_BASE_ADDR_ALIGN)", rc);
        return -1;
    }
    b->base_align = bits >= 8 ? bits / 8 : 1;
    return 0;
}

static int create_context(struct cl_backend *b, char *err, size_t errlen) {
    cl_int rc;
    cl_context_properties props[] = {CL_CONTEXT_PLATFORM, (cl_context_properties)b->platform, 0};
    b->context = clCreateContext(props, 1, &b->device, NULL, NULL, &rc);
    if (rc != CL_SUCCESS || !b->context) {
        b->context = NULL;
        cl_msg(err, errlen, "clCreateContext", rc);
        return -1;
    }
    b->queue = clCreateCommandQueue(b->context, b->device, CL_QUEUE_PROFILING_ENABLE, &rc);
    if (rc != CL_SUCCESS || !b->queue) {
        b->queue = NULL;
        cl_msg(err, errlen, "clCreateCommandQueue", rc);
        return -1;
    }
    return 0;
}

struct cl_backend *clb_open(const char *sel, const char *kernel_path, char *err, size_t errlen) {
    set_msg(err, errlen, "%s", "");
    if (!kernel_path || !*kernel_path) {
        set_msg(err, errlen, "no kernel source file given");
        return NULL;
    }
    if (!sel || !*sel) sel = getenv(CLB_ENV_DEVICE);
    struct dev_list *list = malloc(sizeof *list);
    struct cl_backend *b = calloc(1, sizeof *b);
    if (!list || !b) {
        set_msg(err, errlen, "out of memory");
        free(list);
        free(b);
        return NULL;
    }
    const struct dev_entry *e = NULL;
    if (enum_devices(list, err, errlen) == 0) e = select_device(list, sel, err, errlen);
    if (e) {
        b->platform = e->platform;
        b->device = e->device;
    }
    free(list);
    if (!e) {
        free(b);
        return NULL;
    }
    b->kernel_path = strdup(kernel_path);
    b->source = read_file(kernel_path, &b->source_len, err, errlen);
    if (!b->kernel_path || !b->source || query_device(b, err, errlen) != 0 ||
        create_context(b, err, errlen) != 0) {
        if (!b->kernel_path) set_msg(err, errlen, "out of memory");
        clb_close(b);
        return NULL;
    }
    return b;
}

static void prog_release(struct clb_prog *p) {
    if (p->kernel) release_check("clReleaseKernel", clReleaseKernel(p->kernel));
    if (p->program) release_check("clReleaseProgram", clReleaseProgram(p->program));
    free(p->log);
    memset(p, 0, sizeof *p);
}

void clb_close(struct cl_backend *b) {
    if (!b) return;
    for (int i = 0; i < CLB_NPROG; i++)
        prog_release(&b->progs[i]);
    if (b->queue) release_check("clReleaseCommandQueue", clReleaseCommandQueue(b->queue));
    if (b->context) release_check("clReleaseContext", clReleaseContext(b->context));
    free(b->source);
    free(b->kernel_path);
    free(b);
}

const char *clb_device_name(const struct cl_backend *b) {
    return b ? b->device_name : "";
}
const char *clb_driver_version(const struct cl_backend *b) {
    return b ? b->driver_version : "";
}
const char *clb_platform_name(const struct cl_backend *b) {
    return b ? b->platform_name : "";
}

/* ---- program build (lazy, cached per option set) ----------------------- */

static int prog_index(const struct abi_tensors *t) {
    return (t->dt == DT_BF16 ? 1 : 0) | (t->zp ? 2 : 0) | (t->perm ? 4 : 0) | (t->bias ? 8 : 0);
}

/* The ABI's -D options, and -I the kernel file's directory so that a kernel
 * may #include files next to it (left out when the directory's name holds
 * characters a build-option string cannot carry safely). */
static void prog_options(const struct cl_backend *b, int idx, char *buf, size_t len) {
    int n =
        snprintf(buf, len,
                 "-DW4_BF16=%d -DW4_HAS_ZP=%d -DW4_HAS_PERM=%d -DW4_HAS_BIAS=%d " CLAB_BUILD_OPTION,
                 idx & 1, (idx >> 1) & 1, (idx >> 2) & 1, (idx >> 3) & 1);
    const char *slash = strrchr(b->kernel_path, '/');
    size_t dlen = slash ? (size_t)(slash - b->kernel_path) : 1;
    const char *dir = slash ? b->kernel_path : ".";
    if (slash && dlen == 0) dlen = 1; /* "/k.cl": the root */
    for (size_t i = 0; i < dlen; i++)
        if (isspace((unsigned char)dir[i]) || dir[i] == '"' || dir[i] == '\\') return;
    if (n > 0 && (size_t)n < len) snprintf(buf + n, len - (size_t)n, " -I%.*s", (int)dlen, dir);
}

/* The device's build log (malloc'd; when it cannot be had, a line saying
 * why), or NULL when out of memory. */
static char *build_log(cl_program prog, cl_device_id dev) {
    size_t need = 0;
    char *log = NULL;
    cl_int rc = clGetProgramBuildInfo(prog, dev, CL_PROGRAM_BUILD_LOG, 0, NULL, &need);
    if (rc == CL_SUCCESS && (log = malloc(need + 1)) != NULL) {
        rc = clGetProgramBuildInfo(prog, dev, CL_PROGRAM_BUILD_LOG, need, log, NULL);
        log[need] = '\0';
    }
    if (rc != CL_SUCCESS) {
        free(log);
        log = malloc(128);
        if (log) cl_msg(log, 128, "clGetProgramBuildInfo(CL_PROGRAM_BUILD_LOG)", rc);
    }
    return log;
}

/* The first non-empty lines of log, joined by " | ", at most len-1 chars. */
static void first_lines(const char *log, char *buf, size_t len) {
    size_t used = 0;
    int lines = 0;
    buf[0] = '\0';
    for (const char *p = log; p && *p && lines < 4 && used + 1 < len;) {
        const char *eol = strchr(p, '\n');
        size_t n = eol ? (size_t)(eol - p) : strlen(p);
        while (n && (p[n - 1] == '\r' || p[n - 1] == ' '))
            n--;
        if (n) {
            int w = snprintf(buf + used, len - used, "%s%.*s", lines ? " | " : "", (int)n, p);
            used = (w < 0 || (size_t)w >= len - used) ? len - 1 : used + (size_t)w;
            lines++;
        }
        p = eol ? eol + 1 : p + strlen(p);
    }
    if (!lines) snprintf(buf, len, "(empty build log)");
}

static void prog_fail(struct clb_prog *p, const char *opts, const char *what, cl_int rc,
                      char *log) {
    char head[BK_REASON_MAX];
    if (rc == CL_BUILD_PROGRAM_FAILURE)
        first_lines(log, head, sizeof head);
    else
        cl_msg(head, sizeof head, what, rc);
    set_msg(p->reason, sizeof p->reason, "kernel build failed (options %s%s): %s", opts,
            strstr(opts, " -I") ? ""
                                : "; no -I for the kernel's directory: its name holds a space, "
                                  "a quote or a backslash",
            head);
    p->log = log;
    p->state = PROG_FAILED;
    if (p->kernel) release_check("clReleaseKernel", clReleaseKernel(p->kernel));
    if (p->program) release_check("clReleaseProgram", clReleaseProgram(p->program));
    p->kernel = NULL;
    p->program = NULL;
}

/* The kernel built but does not fit the ABI (why: a sentence). The build
 * log goes with it (a line saying it is empty when it is), so that the
 * console prints the refusal once per build configuration, as a failed
 * build, and every later case of it as a bare ERROR line. */
static void prog_reject(struct clb_prog *p, cl_device_id dev, const char *why) {
    char *log = build_log(p->program, dev);
    set_msg(p->reason, sizeof p->reason, "kernel does not fit the ABI (docs/abi.md): %s", why);
    p->state = PROG_FAILED;
    if (log && !log[strspn(log, " \t\r\n")]) {
        free(log);
        log = NULL;
    }
    p->log = log ? log : strdup("(the build log is empty: the program built)");
    if (p->kernel) release_check("clReleaseKernel", clReleaseKernel(p->kernel));
    release_check("clReleaseProgram", clReleaseProgram(p->program));
    p->kernel = NULL;
    p->program = NULL;
}

/* "#line 1 \"PATH\"\n" put before the source, so that the build log names
 * the user's file rather than the runtime's copy of it (PoCL compiles a
 * file in its cache); "" when PATH holds a quote, a backslash or a control
 * character, which the directive cannot carry. */
static void line_directive(const char *path, char *buf, size_t len) {
    buf[0] = '\0';
    for (const char *c = path; *c; c++)
        if (*c == '"' || *c == '\\' || (unsigned char)*c < 0x20) return;
    int n = snprintf(buf, len, "#line 1 \"%s\"\n", path);
    if (n < 0 || (size_t)n >= len) buf[0] = '\0';
}

static void prog_build(struct cl_backend *b, struct clb_prog *p, const char *opts) {
    cl_int rc;
    char line[4200];
    line_directive(b->kernel_path, line, sizeof line);
    const char *src[2] = {line, b->source};
    const size_t lens[2] = {strlen(line), b->source_len};
    p->program = clCreateProgramWithSource(b->context, 2, src, lens, &rc);
    if (rc != CL_SUCCESS || !p->program) {
        p->program = NULL;
        prog_fail(p, opts, "clCreateProgramWithSource", rc, NULL);
        return;
    }
    rc = clBuildProgram(p->program, 1, &b->device, opts, NULL, NULL);
    if (rc != CL_SUCCESS) {
        prog_fail(p, opts, "clBuildProgram", rc, build_log(p->program, b->device));
        return;
    }
    char why[BK_REASON_MAX];
    p->kernel = clCreateKernel(p->program, CLB_KERNEL_NAME, &rc);
    if (rc == CL_INVALID_KERNEL_NAME) {
        p->kernel = NULL;
        clab_missing_kernel(p->program, CLB_KERNEL_NAME, why, sizeof why);
        prog_reject(p, b->device, why);
        return;
    }
    if (rc != CL_SUCCESS || !p->kernel) {
        p->kernel = NULL;
        prog_fail(p, opts, "clCreateKernel(" CLB_KERNEL_NAME ")", rc,
                  build_log(p->program, b->device));
        return;
    }
    cl_uint nargs = 0;
    rc = clGetKernelInfo(p->kernel, CL_KERNEL_NUM_ARGS, sizeof nargs, &nargs, NULL);
    if (rc != CL_SUCCESS) {
        prog_fail(p, opts, "clGetKernelInfo(CL_KERNEL_NUM_ARGS)", rc, NULL);
        return;
    }
    if (nargs != 12) {
        snprintf(why, sizeof why,
                 CLB_KERNEL_NAME " declares %u argument(s); the ABI passes 12: a, b, scale, zp, "
                                 "perm, bias, out, M, N, K, group_size, zp_scalar",
                 nargs);
        prog_reject(p, b->device, why);
        return;
    }
    if (clab_check_args(p->kernel, why, sizeof why)) {
        prog_reject(p, b->device, why);
        return;
    }
    if (clab_check_local(p->kernel, b->device, why, sizeof why)) {
        prog_reject(p, b->device, why);
        return;
    }
    size_t wg[3] = {0, 0, 0};
    rc = clGetKernelWorkGroupInfo(p->kernel, b->device, CL_KERNEL_COMPILE_WORK_GROUP_SIZE,
                                  sizeof wg, wg, NULL);
    if (rc != CL_SUCCESS) {
        prog_fail(p, opts, "clGetKernelWorkGroupInfo(CL_KERNEL_COMPILE_WORK_GROUP_SIZE)", rc, NULL);
        return;
    }
    if (wg[0] && wg[2] != 1) {
        snprintf(why, sizeof why,
                 "reqd_work_group_size(%zu, %zu, %zu): the launch is two-dimensional (N, M), so "
                 "the third size must be 1",
                 wg[0], wg[1], wg[2]);
        prog_reject(p, b->device, why);
        return;
    }
    p->lx = wg[0];
    p->ly = wg[1] ? wg[1] : 1;
    p->state = PROG_OK;
}

/* The built program for t's option set, or NULL with res set to BK_ERROR. */
struct clb_prog *clb_get_prog(struct cl_backend *b, const struct abi_tensors *t,
                              struct bk_result *res) {
    const int idx = prog_index(t);
    struct clb_prog *p = &b->progs[idx];
    if (p->state == PROG_UNBUILT) {
        char opts[4400];
        prog_options(b, idx, opts, sizeof opts);
        const double t0 = clb_now_ms();
        prog_build(b, p, opts);
        res->build_ms = clb_now_ms() - t0;
    }
    if (p->state == PROG_OK) return p;
    clb_res_set(res, BK_ERROR, "%s", p->reason);
    res->log = p->log ? strdup(p->log) : NULL;
    return NULL;
}

/* ---- one run ----------------------------------------------------------- */

const char *const clb_buf_names[NBUF] = {"a", "b", "scale", "zp", "perm", "bias", "out"};

/* Host pointers and byte sizes; absent tensors become one zero element. */
void clb_plan_buffers(const struct abi_tensors *t, uint16_t *out, size_t guard,
                      struct run_bufs *rb) {
    static const uint32_t dummy = 0;
    memset(rb, 0, sizeof *rb);
    rb->host[BUF_A] = t->a;
    rb->bytes[BUF_A] = (size_t)(t->M * t->K) * sizeof(uint16_t);
    rb->host[BUF_B] = t->b;
    rb->bytes[BUF_B] = (size_t)t->b_words * sizeof(uint32_t);
    rb->host[BUF_SCALE] = t->scale;
    rb->bytes[BUF_SCALE] = (size_t)t->scale_elems * sizeof(uint16_t);
    rb->host[BUF_ZP] = t->zp ? (const void *)t->zp : &dummy;
    rb->bytes[BUF_ZP] = t->zp ? (size_t)t->zp_words * sizeof(uint32_t) : sizeof(uint32_t);
    rb->host[BUF_PERM] = t->perm ? (const void *)t->perm : &dummy;
    rb->bytes[BUF_PERM] = t->perm ? (size_t)t->K * sizeof(int32_t) : sizeof(int32_t);
    rb->host[BUF_BIAS] = t->bias ? (const void *)t->bias : &dummy;
    rb->bytes[BUF_BIAS] = t->bias ? (size_t)t->N * sizeof(uint16_t) : sizeof(uint16_t);
    rb->host[BUF_OUT] = out - guard;
    rb->out_bytes = (size_t)(t->M * t->N) * sizeof(uint16_t);
    rb->out_origin = guard * sizeof(uint16_t);
    rb->bytes[BUF_OUT] = rb->out_bytes + 2 * rb->out_origin;
}

/* BK_SKIP when a buffer or the total exceeds the device's limits. */
static int precheck_sizes(const struct cl_backend *b, const struct run_bufs *rb,
                          struct bk_result *res) {
    char need[32], have[32];
    double total = 0;
    for (int i = 0; i < NBUF; i++) {
        total += (double)rb->bytes[i];
        if ((cl_ulong)rb->bytes[i] > b->max_alloc) {
            fmt_bytes(need, sizeof need, (double)rb->bytes[i]);
            fmt_bytes(have, sizeof have, (double)b->max_alloc);
            clb_res_set(res, BK_SKIP, "%s needs %s > device max allocation %s", clb_buf_names[i],
                        need, have);
            return -1;
        }
    }
    if (total > (double)b->global_mem) {
        fmt_bytes(need, sizeof need, total);
        fmt_bytes(have, sizeof have, (double)b->global_mem);
        clb_res_set(res, BK_SKIP, "buffers need %s in total > device global memory %s", need, have);
        return -1;
    }
    return 0;
}

int clb_create_buffers(struct cl_backend *b, struct run_bufs *rb, struct bk_result *res) {
    for (int i = 0; i < NBUF; i++) {
        cl_int rc;
        cl_mem_flags fl = (i == BUF_OUT ? CL_MEM_READ_WRITE : CL_MEM_READ_ONLY);
        /* COPY_HOST_PTR uploads now: inputs, and out's poison + guard. */
        rb->mem[i] = clCreateBuffer(b->context, fl | CL_MEM_COPY_HOST_PTR, rb->bytes[i],
                                    (void *)rb->host[i], &rc);
        if (rc != CL_SUCCESS || !rb->mem[i]) {
            char what[64];
            snprintf(what, sizeof what, "clCreateBuffer(%s)", clb_buf_names[i]);
            rb->mem[i] = NULL;
            clb_res_error(res, what, rc);
            return -1;
        }
    }
    if (rb->out_origin == 0) return 0;
    /* The kernel sees the output only; the guard zones around it stay in
     * the parent buffer, where a stray write lands and is seen. */
    if (rb->out_origin % b->base_align != 0) {
        clb_res_set(res, BK_ERROR,
                    "the device's base-address alignment (%u bytes) does not divide the guard "
                    "zone (%zu bytes): no sub-buffer for out",
                    (unsigned)b->base_align, rb->out_origin);
        return -1;
    }
    cl_buffer_region reg = {rb->out_origin, rb->out_bytes};
    cl_int rc;
    rb->kout = clCreateSubBuffer(rb->mem[BUF_OUT], CL_MEM_READ_WRITE, CL_BUFFER_CREATE_TYPE_REGION,
                                 &reg, &rc);
    if (rc != CL_SUCCESS || !rb->kout) {
        rb->kout = NULL;
        clb_res_error(res, "clCreateSubBuffer(out)", rc);
        return -1;
    }
    return 0;
}

int clb_set_args(cl_kernel k, const struct abi_tensors *t, const struct run_bufs *rb,
                 struct bk_result *res) {
    const cl_int ints[5] = {(cl_int)t->M, (cl_int)t->N, (cl_int)t->K, (cl_int)t->group_size,
                            (cl_int)t->zp_scalar};
    cl_uint arg = 0;
    for (int i = 0; i < NBUF; i++, arg++) {
        const cl_mem *m = i == BUF_OUT && rb->kout ? &rb->kout : &rb->mem[i];
        cl_int rc = clSetKernelArg(k, arg, sizeof(cl_mem), m);
        if (rc != CL_SUCCESS) {
            char what[64];
            snprintf(what, sizeof what, "clSetKernelArg(%u: %s)", (unsigned)arg, clb_buf_names[i]);
            clb_res_error(res, what, rc);
            return -1;
        }
    }
    static const char *const names[5] = {"M", "N", "K", "group_size", "zp_scalar"};
    for (int i = 0; i < 5; i++, arg++) {
        cl_int rc = clSetKernelArg(k, arg, sizeof(cl_int), &ints[i]);
        if (rc != CL_SUCCESS) {
            char what[96];
            snprintf(what, sizeof what, "clSetKernelArg(%u: int %s)", (unsigned)arg, names[i]);
            clb_res_error(res, what, rc);
            return -1;
        }
    }
    return 0;
}

size_t clb_round_up(size_t v, size_t to) {
    return (v + to - 1) / to * to;
}

/* Device time of a finished event in ms; -1 when not available. */
double clb_event_ms(cl_event ev) {
    cl_ulong t0 = 0, t1 = 0;
    if (clGetEventProfilingInfo(ev, CL_PROFILING_COMMAND_START, sizeof t0, &t0, NULL) !=
            CL_SUCCESS ||
        clGetEventProfilingInfo(ev, CL_PROFILING_COMMAND_END, sizeof t1, &t1, NULL) != CL_SUCCESS ||
        t1 < t0)
        return -1.0;
    return (double)(t1 - t0) / 1e6;
}

/* Waits for the queue and checks the kernel's execution status. */
int clb_wait_kernel(struct cl_backend *b, cl_event ev, struct bk_result *res) {
    cl_int rc = clFinish(b->queue);
    if (rc != CL_SUCCESS) {
        clb_res_error(res, "clFinish", rc);
        return -1;
    }
    cl_int exec = CL_COMPLETE;
    rc = clGetEventInfo(ev, CL_EVENT_COMMAND_EXECUTION_STATUS, sizeof exec, &exec, NULL);
    if (rc != CL_SUCCESS) {
        clb_res_error(res, "clGetEventInfo(CL_EVENT_COMMAND_EXECUTION_STATUS)", rc);
        return -1;
    }
    if (exec < 0) {
        clb_res_error(res, "kernel execution status", exec);
        return -1;
    }
    return 0;
}

/* Launches, waits and times the kernel. */
static int launch(struct cl_backend *b, const struct clb_prog *p, const struct abi_tensors *t,
                  struct bk_result *res) {
    size_t global[2] = {(size_t)t->N, (size_t)t->M}, local[2] = {p->lx, p->ly};
    if (p->lx) {
        global[0] = clb_round_up(global[0], p->lx);
        global[1] = clb_round_up(global[1], p->ly);
    }
    cl_event ev = NULL;
    const double w0 = clb_now_ms();
    cl_int rc = clEnqueueNDRangeKernel(b->queue, p->kernel, 2, NULL, global, p->lx ? local : NULL,
                                       0, NULL, &ev);
    if (rc != CL_SUCCESS) {
        clb_res_error(res, "clEnqueueNDRangeKernel", rc);
        return -1;
    }
    int ok = clb_wait_kernel(b, ev, res) == 0;
    if (ok) {
        const double ms = clb_event_ms(ev);
        res->kernel_ms = ms >= 0 ? ms : clb_now_ms() - w0;
    }
    rc = clReleaseEvent(ev);
    if (ok && rc != CL_SUCCESS) {
        clb_res_error(res, "clReleaseEvent", rc);
        ok = 0;
    }
    return ok ? 0 : -1;
}

/* Counts the elements of input i whose device copy (dev) differs from what
 * was uploaded (rb->host[i]) into res->mc. */
static void diff_input(const struct run_bufs *rb, int i, const unsigned char *dev,
                       struct bk_result *res) {
    const size_t es = i == BUF_B || i == BUF_ZP || i == BUF_PERM ? 4 : 2;
    const unsigned char *host = rb->host[i];
    for (size_t e = 0; e < rb->bytes[i] / es; e++)
        if (memcmp(dev + e * es, host + e * es, es) != 0 && res->mc.changed[i]++ == 0)
            res->mc.first[i] = (int64_t)e;
}

/* Reads back out with its guard zones, and every input: an input that no
 * longer holds what was uploaded was written by the kernel (or by a stray
 * write past the guard zones that landed there). */
static int read_back(struct cl_backend *b, const struct run_bufs *rb, uint16_t *out,
                     struct bk_result *res) {
    cl_int rc = clEnqueueReadBuffer(b->queue, rb->mem[BUF_OUT], CL_TRUE, 0, rb->bytes[BUF_OUT],
                                    (unsigned char *)out - rb->out_origin, 0, NULL, NULL);
    if (rc != CL_SUCCESS) {
        clb_res_error(res, "clEnqueueReadBuffer(out)", rc);
        return -1;
    }
    size_t most = 0;
    for (int i = 0; i < BUF_OUT; i++)
        most = rb->bytes[i] > most ? rb->bytes[i] : most;
    unsigned char *dev = malloc(most);
    if (!dev) {
        clb_res_set(res, BK_ERROR, "out of memory reading the inputs back");
        return -1;
    }
    for (int i = 0; i < BUF_OUT && rc == CL_SUCCESS; i++) {
        rc =
            clEnqueueReadBuffer(b->queue, rb->mem[i], CL_TRUE, 0, rb->bytes[i], dev, 0, NULL, NULL);
        if (rc == CL_SUCCESS)
            diff_input(rb, i, dev, res);
        else {
            char what[64];
            snprintf(what, sizeof what, "clEnqueueReadBuffer(%s)", clb_buf_names[i]);
            clb_res_error(res, what, rc);
        }
    }
    free(dev);
    res->mc.inputs_checked = rc == CL_SUCCESS;
    return rc == CL_SUCCESS ? 0 : -1;
}

void clb_release_buffers(struct run_bufs *rb, struct bk_result *res) {
    if (rb->kout) {
        cl_int rc = clReleaseMemObject(rb->kout);
        rb->kout = NULL;
        if (rc != CL_SUCCESS && res->status == BK_OK) clb_res_error(res, "clReleaseMemObject", rc);
    }
    for (int i = 0; i < NBUF; i++) {
        if (!rb->mem[i]) continue;
        cl_int rc = clReleaseMemObject(rb->mem[i]);
        rb->mem[i] = NULL;
        if (rc != CL_SUCCESS && res->status == BK_OK) clb_res_error(res, "clReleaseMemObject", rc);
    }
}

/* Checks what clb_run needs besides abi_check. */
static int precheck_args(const struct cl_backend *b, const struct abi_tensors *t,
                         const uint16_t *out, struct bk_result *res) {
    char err[BK_REASON_MAX];
    if (!b || !t || !out) {
        clb_res_set(res, BK_ERROR, "clb_run: %s is NULL", !b ? "backend" : !t ? "tensors" : "out");
        return -1;
    }
    if (abi_check(t, err, sizeof err) != 0) {
        clb_res_set(res, BK_ERROR, "not launched, ABI check failed: %s", err);
        return -1;
    }
    return 0;
}

void clb_run(struct cl_backend *b, const struct abi_tensors *t, uint16_t *out, size_t guard,
             struct bk_result *res) {
    if (!res) return;
    /* res->log is not freed here: callers clear results (bk_result_clear). */
    res->status = BK_OK;
    res->reason[0] = '\0';
    res->log = NULL;
    res->kernel_ms = 0.0;
    res->build_ms = 0.0;
    memset(&res->mc, 0, sizeof res->mc);
    if (precheck_args(b, t, out, res) != 0) return;

    struct run_bufs rb;
    clb_plan_buffers(t, out, guard, &rb);
    if (precheck_sizes(b, &rb, res) != 0) return;
    struct clb_prog *p = clb_get_prog(b, t, res);
    if (!p) return;
    if (clb_create_buffers(b, &rb, res) == 0 && clb_set_args(p->kernel, t, &rb, res) == 0 &&
        launch(b, p, t, res) == 0)
        read_back(b, &rb, out, res);
    clb_release_buffers(&rb, res);
}
