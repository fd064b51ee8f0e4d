/* nondeterministic.c - a kernel whose bits depend on timing, as a race's do:
 * each output is the sum of three partial sums over thirds of K, added in an
 * order taken from the clock (nanoseconds) when the call starts. Every run is
 * right within the real-data tolerance, but the bits differ between runs
 * (float addition is not associative): `run --repeat N` must catch it, and a
 * single run must not. Reuses the CPU plugin's helpers (its entry points are
 * renamed on inclusion). */
#define w4a16_gemm cpu_gemm
#define w4a16_name cpu_name
#include "../../plugins/cpu/w4a16_cpu.c"
#undef w4a16_gemm
#undef w4a16_name

#include <time.h>

W4A16_EXPORT int w4a16_gemm(const struct w4a16_args *p) {
    int rc = w4a16_check_args(p, "nondeterministic");
    if (rc != 0) return rc;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    const unsigned long tick = (unsigned long)ts.tv_nsec ^ (unsigned long)ts.tv_sec;
    const int64_t K = p->K, t1 = K / 3, t2 = 2 * K / 3;
    float *af = malloc((size_t)(p->M * K) * sizeof *af), *w = malloc((size_t)K * sizeof *w);
    if (!af || !w) {
        free(af);
        free(w);
        return fail(3, "out of memory");
    }
    widen_activations(p, af);
    for (int32_t n = 0; n < p->N; n++) {
        dequant_column(p, n, w);
        for (int64_t m = 0; m < p->M; m++) {
            float part[3] = {0, 0, 0};
            for (int64_t k = 0; k < K; k++)
                part[k < t1 ? 0 : k < t2 ? 1 : 2] += af[m * K + k] * w[k];
            const unsigned o = (unsigned)((tick + (unsigned long)(m * p->N + n)) % 3);
            float acc = (part[o] + part[(o + 1) % 3]) + part[(o + 2) % 3];
            if (p->bias) acc += load_dt(p->dtype, p->bias[n]);
            p->out[m * p->N + n] = store_dt(p->dtype, acc);
        }
    }
    free(af);
    free(w);
    return 0;
}
