/* backends.h - opens the kernel under test that --kernel names: an OpenCL
 * source file (the default), or "plugin:PATH.so", a native library
 * implementing w4a16.h. Either way the runner sees one struct kernel_backend. */
#ifndef GH_BACKENDS_H
#define GH_BACKENDS_H

#include <stddef.h>

#include "backends/backend_cl.h"
#include "backends/backend_exec.h"
#include "backends/backend_plugin.h"
#include "backends/backend.h"

struct worker;
struct kut_isolated;

struct kernel_under_test {
    struct kernel_backend kb; /* what run_case takes */
    struct cl_backend *cl;    /* in process: exactly one of cl, plugin is set */
    struct plugin_backend *plugin;
    struct exec_backend *exec; /* --kernel exec:CMD or --layer exec:CMD (never in a worker:
                                  the runner is a process of its own) */
    struct worker *worker;     /* isolated: the backend lives in a worker process */
    struct kut_isolated *iso;
    char device[1024];               /* one line: device, platform, driver / plugin name */
    char platform[256], driver[128]; /* OpenCL: the platform and driver ("" for plugins) */
};

/* "layer:exec:CMD" opens CMD as a layer runner (the run command's --layer). */
#define KUT_LAYER_PREFIX "layer:"

/* 1 when kernel names an external runner (exec:CMD or layer:exec:CMD). */
int kut_is_exec(const char *kernel);

#define KUT_DEFAULT_TIMEOUT 300.0 /* seconds a kernel may run before it counts as hung */

/* kernel: the --kernel argument (exec:CMD: an external kernel runner;
 * "layer:" followed by exec:CMD: a layer runner, what --layer gives); device_sel: --device (OpenCL
 * only; a plugin picks its own device and the selection is ignored with a note on stderr). Returns
 * 0, or -1 with a message in err (OpenCL device or kernel file not usable; out of memory). A plugin
 * that does not load is not an error here: its cases report ERROR with the reason
 * (backend_plugin.h), and the reason is printed on stderr now. */
int kut_open(const char *kernel, const char *device_sel, struct kernel_under_test *k, char *err,
             size_t errlen);

/* The same backend in a device worker process (worker.h; an external runner
 * is a process already and is opened as kut_open does, with timeout_s as
 * its watchdog): a kernel that
 * hangs (past timeout_s; <= 0: no watchdog), crashes the process or leaves
 * the device in an error state ends as ERROR for its case and the next case
 * gets a fresh worker. k->cl and k->plugin stay NULL here. */
int kut_open_isolated(const char *kernel, const char *device_sel, double timeout_s,
                      struct kernel_under_test *k, char *err, size_t errlen);
void kut_close(struct kernel_under_test *k);

/* Checks, before anything is opened, that an OpenCL kernel file (any
 * --kernel not starting with "plugin:") is a readable regular file: a
 * mistyped path is a usage error (exit 2), not an ERROR per case. Returns 0,
 * or -1 with a message. */
int kut_check_kernel(const char *kernel, char *err, size_t errlen);

#endif
