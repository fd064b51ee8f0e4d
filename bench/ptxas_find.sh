# ptxas_find.sh - sourced by bench/ocl_candidates.sh and bench/nvptx_regs.sh:
# ptxas_bin prints the ptxas to read registers with: $PTXAS where it is set
# (only that one: an explicit choice is not replaced), else the one on PATH,
# /usr/local/cuda/bin/ptxas or the copy inside Triton's Python package (the
# GPU machine has Triton but no CUDA toolkit on PATH); nothing when none is
# found.
ptxas_bin() {
    if [ -n "${PTXAS:-}" ]; then
        if [ -x "$PTXAS" ]; then echo "$PTXAS"; fi
        return
    fi
    for p in "$(command -v ptxas 2>/dev/null)" /usr/local/cuda/bin/ptxas \
        "$(python3 -c 'import os, triton; print(os.path.join(os.path.dirname(triton.__file__), "backends/nvidia/bin/ptxas"))' 2>/dev/null)"; do
        if [ -n "$p" ] && [ -x "$p" ]; then
            echo "$p"
            return
        fi
    done
}
