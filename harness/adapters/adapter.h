/* adapter.h - loader adapters (docs/adapters.md): what an inference engine does
 * between loading a checkpoint and calling the kernel. An adapter reads only
 * the packed checkpoint tensors, the activations and the layer's config (the
 * descriptor); never the logical weights.
 *
 *   reference     the correct conversion for every format and variant (tensor-parallel
 *                 shards included: an act-order row shard, whose groups have uneven row
 *                 counts, goes to the kernel with one group per row).
 *   vllm-xpu      an emulation of vLLM's XPUwNa16LinearKernel.process_weights_after_loading
 *                 (PR #37844; vllm_xpu.c cites the source). Matrices move as PyTorch's
 *                 .t().contiguous() moves them: the content is transposed and laid out
 *                 row-major again.
 *                   need_transpose = qweight.shape[0] != scales.shape[0]
 *                     yes: qweight = qweight.t() (scales untouched)   no: scales = scales.t()
 *                     the op receives qweight.t(), i.e. memory [N][K/8] when right;
 *                   zero points (layer has them): zeros = zeros.t(), used as stored;
 *                     otherwise scalar 8;
 *                   g_idx (layer has it, i.e. act-order): passed through as the op's perm;
 *                   group_size passed through (-1 included).
 *                 zproute: auto = the layer has zero points exactly when the checkpoint is
 *                 asymmetric (vLLM's GPTQ route is symmetric-only; auto with an asymmetric
 *                 GPTQ checkpoint is the hypothetical asymmetric-GPTQ route); zp / nozp
 *                 force it.
 *   vllm-xpu-awq  fmt=awq only: vLLM's _convert_awq_to_standard_format, then the vllm-xpu
 *                 kernel processing above (zero points when zp=asym).
 *   xpu-kernels   gptq-v1, gptq-v2, awq: vllm-xpu-kernels' helpers (xpu_kernels.c):
 *                 GPTQUtils.shuffle for act-order, transpose_onednn_woq_format (GPTQ
 *                 asymmetric zero words + 0x11111111), AWQUtils.repack for AWQ. */
#ifndef GH_ADAPTER_H
#define GH_ADAPTER_H

#include <stddef.h>

#include "adapters/abi.h"
#include "cases/desc.h"
#include "formats/tensor.h"

struct adapter_exec;

struct adapter_input {
    const struct case_desc *d; /* the layer's config */
    const struct tensor_set *ckpt;
    const uint16_t *x;         /* [M][K] activations */
    const uint16_t *bias;      /* [N] or NULL */
    struct adapter_exec *exec; /* adapter=exec: the external runner (adapter_exec.h) */
};

/* adapter_run's result when the adapter's output cannot be the kernel's
 * arguments in a way abi_check cannot see (an external runner returned a
 * tensor of the wrong rank, an empty one, or a perm of the wrong length):
 * the case FAILS like one abi_check refuses. */
#define ADAPTER_CONTRACT_VIOLATED 2

/* Runs the adapter named by d->adapter. Returns 0 with out filled, or -1 with
 * a message (the checkpoint cannot be converted: a tensor missing or
 * malformed; an external runner failed), 1 when an external runner skips
 * the case (the reason in err), or ADAPTER_CONTRACT_VIOLATED (the rule in
 * err). out is zeroed first and owns its buffers (abi_tensors_free); it
 * holds nothing unless 0 is returned. */
int adapter_run(const struct adapter_input *in, struct abi_tensors *out, char *err, size_t errlen);

/* Building blocks, exposed for tests and for the fault catalogue. */
/* Row-major transpose of a rows x cols matrix of elsize-byte elements. */
void adapter_transpose(void *dst, const void *src, int64_t rows, int64_t cols, size_t elsize);

#endif
