/* routes.h - the engine loader routes behind adapter_run (adapter.h): vLLM's XPU
 * routes (vllm_xpu.c) and the vllm-xpu-kernels conversion helpers (xpu_kernels.c),
 * each emulating the upstream code it cites, plus the small tools they share.
 * Internal to adapters/. Each route fills t's weight-side fields (b, scale, zp,
 * perm, group_size) of arguments whose activations adapter_run has copied, and
 * returns 0, or -1 with a message. */
#ifndef GH_ROUTES_H
#define GH_ROUTES_H

#include <stddef.h>

#include "adapters/adapter.h"

int route_vllm_xpu(const struct adapter_input *in, struct abi_tensors *t, char *err, size_t errlen);
int route_vllm_xpu_awq(const struct adapter_input *in, struct abi_tensors *t, char *err,
                       size_t errlen);
int route_xpu_kernels(const struct adapter_input *in, struct abi_tensors *t, char *err,
                      size_t errlen);

/* The checkpoint tensor name as a 2-D (or ndim-D) int32/16-bit tensor; NULL
 * with a message naming the route (who) when missing or of another rank. */
const struct tensor *route_need(const struct tensor_set *s, const char *name, int ndim,
                                const char *who, char *err, size_t errlen);
/* A copy of t's data, transposed as PyTorch's .t().contiguous() moves a 2-D
 * tensor when transpose is set; NULL when out of memory. */
void *route_dup(const struct tensor *t, int transpose);
/* Nibble i of word w, and w with nibble i set to v. */
unsigned route_nib(uint32_t w, int i);
uint32_t route_with_nib(uint32_t w, int i, unsigned v);
/* The standard-order value of AWQ qweight [K][N/8] at (k, n): nibble
 * position p with AWQ_ORDER[p] == n % 8 of word (k, n / 8). */
unsigned route_awq_value(const uint32_t *qw, int64_t N, int64_t k, int64_t n);
/* AWQ's qweight [K][N/8], scales and qzeros [G][N/8] from the checkpoint, their
 * shapes checked (int32, K = d->k, N = d->n); 0, or -1 with a message. */
int route_awq_tensors(const struct adapter_input *in, const char *who, const struct tensor **qw,
                      const struct tensor **sc, const struct tensor **qz, char *err, size_t errlen);
/* AWQ's qweight in standard order packed along K: [K/8][N] (GPTQ's layout,
 * what _convert_awq_to_standard_format and AWQUtils.repack both make); NULL
 * when out of memory. */
uint32_t *route_awq_qweight_standard(const struct tensor *qw);

#endif
