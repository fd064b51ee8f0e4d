/* backends.c - choose and open the kernel under test (see backends.h). */
#include "backends/backends.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "backends/worker.h"
#include "formats/runner_proto.h"
#include "util/regfile.h"

static void cl_run(void *self, const struct abi_tensors *t, uint16_t *out, size_t guard,
                   struct bk_result *res) {
    clb_run(self, t, out, guard, res);
}

static void plugin_run(void *self, const struct abi_tensors *t, uint16_t *out, size_t guard,
                       struct bk_result *res) {
    plb_run(self, t, out, guard, res);
}

static int open_plugin(const char *path, const char *device_sel, struct kernel_under_test *k,
                       char *err, size_t errlen) {
    if (device_sel && device_sel[0])
        fprintf(stderr, "gptq-harness run: note: --device '%s' is ignored for plugins\n",
                device_sel);
    k->plugin = plb_open(path);
    if (!k->plugin) {
        snprintf(err, errlen, "out of memory opening plugin %s", path);
        return -1;
    }
    if (plb_loaded(k->plugin))
        snprintf(k->device, sizeof k->device, "%s", plb_name(k->plugin));
    else {
        snprintf(k->device, sizeof k->device, "none (plugin %s not loaded)", path);
        fprintf(stderr, "gptq-harness run: %s; every case is an ERROR\n", plb_error(k->plugin));
    }
    k->kb.self = k->plugin;
    k->kb.run = plugin_run;
    return 0;
}

/* exec:CMD (kernel role) or layer:exec:CMD (layer role): the runner is its
 * own process, with its own watchdog (timeout_s), so it never goes into a
 * worker. */
static int open_exec(const char *kernel, const char *device_sel, double timeout_s,
                     struct kernel_under_test *k, char *err, size_t errlen) {
    const int layer = strncmp(kernel, KUT_LAYER_PREFIX, strlen(KUT_LAYER_PREFIX)) == 0;
    const char *cmd = kernel + (layer ? strlen(KUT_LAYER_PREFIX) : 0) + strlen(RP_EXEC_PREFIX);
    if (!cmd[0]) {
        snprintf(err, errlen, "no command after '%s'", RP_EXEC_PREFIX);
        return -1;
    }
    if (device_sel && device_sel[0])
        fprintf(stderr, "gptq-harness run: note: --device '%s' is ignored for external runners\n",
                device_sel);
    k->exec = exb_open(cmd, layer, timeout_s);
    if (!k->exec) {
        snprintf(err, errlen, "out of memory opening the runner");
        return -1;
    }
    snprintf(k->device, sizeof k->device, "%s runner %s", layer ? "layer" : "kernel",
             exb_name(k->exec));
    k->kb.self = k->exec;
    k->kb.run = exb_run;
    if (layer) k->kb.run_layer = exb_run_layer;
    return 0;
}

int kut_is_exec(const char *kernel) {
    return strncmp(kernel, RP_EXEC_PREFIX, strlen(RP_EXEC_PREFIX)) == 0 ||
           strncmp(kernel, KUT_LAYER_PREFIX RP_EXEC_PREFIX,
                   strlen(KUT_LAYER_PREFIX RP_EXEC_PREFIX)) == 0;
}

static int open_any(const char *kernel, const char *device_sel, double timeout_s,
                    struct kernel_under_test *k, char *err, size_t errlen) {
    memset(k, 0, sizeof *k);
    if (kut_is_exec(kernel)) return open_exec(kernel, device_sel, timeout_s, k, err, errlen);
    const size_t plen = strlen(PLUGIN_PREFIX);
    if (strncmp(kernel, PLUGIN_PREFIX, plen) == 0)
        return open_plugin(kernel + plen, device_sel, k, err, errlen);
    k->cl = clb_open(device_sel, kernel, err, errlen);
    if (!k->cl) return -1;
    snprintf(k->device, sizeof k->device, "%s (%s, driver %s)", clb_device_name(k->cl),
             clb_platform_name(k->cl), clb_driver_version(k->cl));
    snprintf(k->platform, sizeof k->platform, "%s", clb_platform_name(k->cl));
    snprintf(k->driver, sizeof k->driver, "%s", clb_driver_version(k->cl));
    k->kb.self = k->cl;
    k->kb.run = cl_run;
    return 0;
}

int kut_open(const char *kernel, const char *device_sel, struct kernel_under_test *k, char *err,
             size_t errlen) {
    return open_any(kernel, device_sel, KUT_DEFAULT_TIMEOUT, k, err, errlen);
}

/* What the worker's child opens. */
struct kut_isolated {
    const char *kernel, *device_sel;
    struct kernel_under_test inner;
};

static int iso_open(void *arg, struct kernel_backend *kb, char *info, size_t infolen, char *err,
                    size_t errlen) {
    struct kut_isolated *iso = arg;
    if (kut_open(iso->kernel, iso->device_sel, &iso->inner, err, errlen) != 0) return -1;
    *kb = iso->inner.kb;
    /* device, platform and driver, tab-separated (split by the parent) */
    snprintf(info, infolen, "%.300s\t%.60s\t%.30s", iso->inner.device, iso->inner.platform,
             iso->inner.driver);
    return 0;
}

static void iso_close(void *arg, struct kernel_backend *kb) {
    struct kut_isolated *iso = arg;
    (void)kb;
    kut_close(&iso->inner);
}

int kut_open_isolated(const char *kernel, const char *device_sel, double timeout_s,
                      struct kernel_under_test *k, char *err, size_t errlen) {
    if (kut_is_exec(kernel)) return open_any(kernel, device_sel, timeout_s, k, err, errlen);
    memset(k, 0, sizeof *k);
    k->iso = calloc(1, sizeof *k->iso);
    if (!k->iso) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    k->iso->kernel = kernel;
    k->iso->device_sel = device_sel;
    k->worker = worker_start(iso_open, iso_close, k->iso, timeout_s, k->device, sizeof k->device,
                             err, errlen);
    if (!k->worker) {
        free(k->iso);
        k->iso = NULL;
        return -1;
    }
    char *tab = strchr(k->device, '\t');
    if (tab) {
        *tab++ = 0;
        char *tab2 = strchr(tab, '\t');
        if (tab2) {
            *tab2++ = 0;
            snprintf(k->driver, sizeof k->driver, "%s", tab2);
        }
        snprintf(k->platform, sizeof k->platform, "%s", tab);
    }
    k->kb.self = k->worker;
    k->kb.run = worker_run;
    return 0;
}

void kut_close(struct kernel_under_test *k) {
    if (!k) return;
    worker_stop(k->worker);
    free(k->iso);
    clb_close(k->cl);
    plb_close(k->plugin);
    exb_close(k->exec);
    memset(k, 0, sizeof *k);
}

int kut_check_kernel(const char *kernel, char *err, size_t errlen) {
    if (strncmp(kernel, PLUGIN_PREFIX, strlen(PLUGIN_PREFIX)) == 0) return 0;
    if (kut_is_exec(kernel)) return 0;
    char why[600];
    FILE *f = fopen_regular(kernel, why, sizeof why);
    if (!f) {
        snprintf(err, errlen, "cannot read kernel: %s", why);
        return -1;
    }
    fclose(f);
    return 0;
}
