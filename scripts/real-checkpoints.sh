#!/bin/sh
# Real producers' checkpoints for fixtures/real/ (not part of CI: the install is several GB).
#
#   sh scripts/real-checkpoints.sh [install|generate|all] [PRODUCER...]
#
# install:  two virtual environments under .venv-real/ (git-ignored), everything from PyPI,
#           CPU only (the PyPI torch wheel; no GPU is used):
#             new/  torch (newest), GPTQModel 7.7.0, compressed-tensors 0.20.1, transformers
#             old/  torch 2.6.0, AutoGPTQ 0.7.1, AutoAWQ 0.2.9, compressed-tensors 0.12.2
#                   (the last release line that still stores weight_g_idx), transformers 4.51.3
#           Two because the libraries' pins exclude each other (GPTQModel 7.7 needs
#           torch >= 2.14.1 and transformers >= 5.20.2; AutoGPTQ 0.7.1 and AutoAWQ 0.2.9 predate both).
# generate: scripts/real_checkpoints.py in each environment: tiny random Llama models from a
#           transformers config (nothing downloaded), quantized and packed by each library's own
#           code, written to fixtures/real/<producer>/<case>/ (model.safetensors: the library's
#           tensors of the kept layers; expected.safetensors: the library's own dequantization;
#           the library's config.json / quantize_config.json).
# PRODUCER: autogptq gptqmodel ct ct-old autoawq (default: all).
#
# Environment: VENV_DIR (default .venv-real), OUT (default fixtures/real), PIP_ARGS.
set -eu

cd "$(dirname "$0")/.."
VENV_DIR=${VENV_DIR:-.venv-real}
OUT=${OUT:-fixtures/real}
PIP_ARGS=${PIP_ARGS:-}
action=${1:-all}
[ $# -gt 0 ] && shift
producers=${*:-autogptq gptqmodel ct ct-old autoawq}

need_gb=20
avail_kb=$(df -Pk . | awk 'NR == 2 { print $4 }')
if [ "$action" != generate ] && [ "$avail_kb" -lt $((need_gb * 1024 * 1024)) ]; then
    echo "real-checkpoints: need ${need_gb} GB free for the two environments, have $((avail_kb / 1024 / 1024)) GB" >&2
    exit 1
fi

venv() { # venv NAME: create .venv-real/NAME if missing
    if [ ! -x "$VENV_DIR/$1/bin/python" ]; then
        python3 -m venv "$VENV_DIR/$1"
        "$VENV_DIR/$1/bin/pip" install $PIP_ARGS --upgrade pip
    fi
}

install_new() {
    venv new
    # plain PyPI torch (the CUDA wheel; it runs on the CPU here)
    "$VENV_DIR/new/bin/pip" install $PIP_ARGS torch numpy safetensors
    "$VENV_DIR/new/bin/pip" install $PIP_ARGS gptqmodel==7.7.0 compressed-tensors==0.20.1 \
        transformers tokenizers
}

install_old() {
    venv old
    "$VENV_DIR/old/bin/pip" install $PIP_ARGS torch==2.6.0 'numpy<2' safetensors
    # AutoGPTQ's wheel carries CUDA extensions built for another torch: they fail to load and
    # the library falls back to its torch code, which is what is wanted here.
    "$VENV_DIR/old/bin/pip" install $PIP_ARGS torch==2.6.0 'numpy<2' auto-gptq==0.7.1 \
        autoawq==0.2.9 compressed-tensors==0.12.2 transformers==4.51.3 tokenizers \
        accelerate==1.6.0 peft==0.10.0 'datasets<4' 'pyarrow<20' 'pandas<3'
}

generate() { # generate PRODUCER
    case $1 in
        gptqmodel | ct) env=new ;;
        autogptq | ct-old | autoawq) env=old ;;
        *)
            echo "real-checkpoints: unknown producer '$1' (autogptq gptqmodel ct ct-old autoawq)" >&2
            exit 2
            ;;
    esac
    py="$VENV_DIR/$env/bin/python"
    if [ ! -x "$py" ]; then
        echo "real-checkpoints: $VENV_DIR/$env is missing: run 'sh scripts/real-checkpoints.sh install' first" >&2
        exit 1
    fi
    # CPU only, offline: nothing may be fetched from a model hub. GPTQModel sizes its CPU worker
    # pool to half the cores and then asks for 2: on a 2-core machine that is an error without this
    CUDA_VISIBLE_DEVICES= HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HF_DATASETS_OFFLINE=1 \
        PYTHONHASHSEED=0 GPTQMODEL_CPU_WORKERS=2 "$py" scripts/real_checkpoints.py --producer "$1" --out "$OUT"
}

case $action in
    install)
        install_new
        install_old
        ;;
    generate)
        for p in $producers; do generate "$p"; done
        ;;
    all)
        install_new
        install_old
        for p in $producers; do generate "$p"; done
        ;;
    *)
        echo "usage: sh scripts/real-checkpoints.sh [install|generate|all] [PRODUCER...]" >&2
        exit 2
        ;;
esac
