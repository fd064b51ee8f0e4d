/* adapter.h - loader adapters (docs/adapters.md): what an inference engine does
 * between loading a checkpoint and calling the kernel. An adapter reads only
 * the packed checkpoint tensors, the activations and the layer's config (the
 * descriptor); never the logical weights.
 *
 *   reference  the correct conversion for every format and variant.
 *   vllm-xpu   an emulation of vLLM's XPUwNa16LinearKernel.process_weights_after_loading
 *              (PR #37844). Matrices move as PyTorch's .t().contiguous() moves them:
 *              the content is transposed and laid out row-major again.
 *                need_transpose = qweight.shape[0] != scales.shape[0]
 *                  yes: qweight = qweight.t() (scales untouched)   no: scales = scales.t()
 *                  the op receives qweight.t(), i.e. memory [N][K/8] when right;
 *                zero points (layer has them): zeros = zeros.t(), used as stored;
 *                  otherwise scalar 8;
 *                g_idx (layer has it, i.e. act-order): passed through as the op's perm;
 *                group_size passed through (-1 included).
 *              zproute: auto = the layer has zero points exactly when the checkpoint is
 *              asymmetric (vLLM's GPTQ route is symmetric-only; auto with an asymmetric GPTQ
 *              checkpoint is the hypothetical asymmetric-GPTQ route); zp / nozp force it. */
#ifndef GH_ADAPTER_H
#define GH_ADAPTER_H

#include <stddef.h>

#include "adapters/abi.h"
#include "cases/desc.h"
#include "formats/tensor.h"

struct adapter_input {
    const struct case_desc *d; /* the layer's config */
    const struct tensor_set *ckpt;
    const uint16_t *x;    /* [M][K] activations */
    const uint16_t *bias; /* [N] or NULL */
};

/* Runs the adapter named by d->adapter. Returns 0 with out filled, or -1 with
 * a message (the checkpoint cannot be converted: a tensor missing or
 * malformed). out is zeroed first and owns its buffers (abi_tensors_free). */
int adapter_run(const struct adapter_input *in, struct abi_tensors *out, char *err, size_t errlen);

/* Building blocks, exposed for tests and for the fault catalogue. */
/* Row-major transpose of a rows x cols matrix of elsize-byte elements. */
void adapter_transpose(void *dst, const void *src, int64_t rows, int64_t cols, size_t elsize);

#endif
