#!/usr/bin/env python3
"""Real producers' checkpoints for fixtures/real/ (run by scripts/real-checkpoints.sh).

Each producer builds a tiny random Llama model from a transformers config (nothing is
downloaded; a word-level tokenizer is built locally), quantizes it with the library's own
code, saves it with the library's own writer, and reads it back with the library's own
dequantization. Only two layers are kept in the fixture:

  model.layers.0.self_attn.k_proj   K = 64,  N = 64
  model.layers.0.mlp.down_proj      K = 128, N = 64

fixtures/real/<producer>/<case>/
  model.safetensors     the library's tensors of those layers, unchanged (names, dtypes, bits);
                        __metadata__: the library's own, plus producer/producer_version
  expected.safetensors  per layer <layer>.w: F32 [K][N], the library's own dequantization of its
                        own file (reader.<layer> in __metadata__ names the reader; the values are
                        in the scales' dtype); <layer>.w_alt: a second reader of the same library
                        (reader_alt.<layer>), stored only where it reads differently;
                        <layer>.zeros: I32 [G][N], the true zero points handed to the packer
                        (asymmetric only)
  config.json / quantize_config.json   as the library wrote them

Output rows 1, 7, 10, 20 and 45 of every kept layer are non-negative, so asymmetric quantization
gets zero point 0 there (GPTQ's min is clamped to <= 0): the v1 "Z - 1" cases.
"""

import argparse
import json
import os
import shutil
import sys
import tempfile

import numpy as np
import torch

LAYERS = ("model.layers.0.self_attn.k_proj", "model.layers.0.mlp.down_proj")
Z0_ROWS = (1, 7, 10, 20, 45)
SEED = 20260
HARNESS_NOTE = "made by gptq-harness scripts/real-checkpoints.sh"


# ---------------------------------------------------------------- the tiny model


def llama_config():
    from transformers import LlamaConfig

    return LlamaConfig(
        vocab_size=64,
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=1,
        num_attention_heads=4,
        num_key_value_heads=4,  # k_proj N = 64: AutoAWQ's clipping search needs N % 64 == 0
        max_position_embeddings=64,
        tie_word_embeddings=False,
    )


def build_tokenizer(path):
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab = {"<unk>": 0, "<s>": 1, "</s>": 2}
    for i in range(3, 64):
        vocab["w%d" % i] = i
    tok = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok, unk_token="<unk>", bos_token="<s>", eos_token="</s>", pad_token="</s>"
    )
    fast.save_pretrained(path)
    return fast


def build_model(path):
    """A random Llama with non-negative rows Z0_ROWS in the kept layers, saved (f16) to path."""
    from transformers import LlamaForCausalLM

    torch.manual_seed(SEED)
    cfg = llama_config()
    model = LlamaForCausalLM(cfg)
    gen = torch.Generator().manual_seed(SEED)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.dim() == 2:
                p.copy_(torch.randn(p.shape, generator=gen) * 0.05)
        for name in LAYERS:
            lin = model.get_submodule(name)
            for r in Z0_ROWS:
                if r < lin.weight.shape[0]:
                    lin.weight[r] = lin.weight[r].abs() + 0.02
    model = model.half()
    model.save_pretrained(path, safe_serialization=True)
    build_tokenizer(path)
    return model


def calibration_texts(n=16, length=48):
    rng = np.random.default_rng(SEED)
    return [" ".join("w%d" % t for t in rng.integers(3, 64, size=length)) for _ in range(n)]


def calibration_ids(tokenizer, n=16):
    out = []
    for t in calibration_texts(n):
        enc = tokenizer(t, return_tensors="pt")
        out.append({"input_ids": enc["input_ids"], "attention_mask": enc["attention_mask"]})
    return out


# ---------------------------------------------------------------- writing a case


def load_st(path):
    from safetensors import safe_open

    tensors = {}
    with safe_open(path, framework="pt") as f:
        meta = f.metadata() or {}
        for k in f.keys():
            tensors[k] = f.get_tensor(k)
    return tensors, meta


def quantized_files(d):
    files = sorted(x for x in os.listdir(d) if x.endswith(".safetensors"))
    if not files:
        raise SystemExit("real_checkpoints: no .safetensors written in %s" % d)
    return [os.path.join(d, x) for x in files]


def write_case(out_dir, producer, version, case, qdir, expected, extra_meta, notes):
    """Copy the kept layers' tensors from the library's files in qdir, write expected.safetensors."""
    from safetensors.torch import save_file

    os.makedirs(out_dir, exist_ok=True)
    tensors = {}
    lib_meta = {}
    for f in quantized_files(qdir):
        t, m = load_st(f)
        lib_meta.update(m)
        for k, v in t.items():
            if any(k.startswith(layer + ".") for layer in LAYERS):
                tensors[k] = v.contiguous()
    if not tensors:
        raise SystemExit("real_checkpoints: %s/%s: none of the kept layers in the library's file" % (producer, case))
    meta = dict(lib_meta)
    meta["producer"] = producer
    meta["producer_version"] = version
    meta["harness_note"] = HARNESS_NOTE + ": the tensors of %s, copied unchanged from the library's file" % ", ".join(LAYERS)
    save_file(tensors, os.path.join(out_dir, "model.safetensors"), metadata=meta)

    exp_meta = {
        "format": "gptq-harness-real-expected/1",
        "producer": producer,
        "producer_version": version,
        "case": case,
        "layers": ",".join(LAYERS),
        "torch": torch.__version__.split("+")[0],
        "notes": notes,
    }
    try:
        import transformers

        exp_meta["transformers"] = transformers.__version__
    except ImportError:
        pass
    exp_meta.update(extra_meta)
    exp = {}
    for k, v in expected.items():
        if v.dtype.is_floating_point:
            v = v.float()
        exp[k] = v.contiguous()
    save_file(exp, os.path.join(out_dir, "expected.safetensors"), metadata=exp_meta)
    for cfg in ("config.json", "quantize_config.json"):
        src = os.path.join(qdir, cfg)
        if os.path.exists(src):
            shutil.copyfile(src, os.path.join(out_dir, cfg))
    size = sum(os.path.getsize(os.path.join(out_dir, x)) for x in os.listdir(out_dir))
    print("real_checkpoints: %s/%s: %d tensors, %d expected, %.1f KB" % (producer, case, len(tensors), len(exp), size / 1024.0))


def identity_dequant(qlinear, k, dtype=torch.float16):
    """The layer's own forward on the identity: row k of the output is weight row k ([K][N])."""
    x = torch.eye(k, dtype=dtype)
    with torch.no_grad():
        y = qlinear(x)
    bias = getattr(qlinear, "bias", None)
    if bias is not None:
        y = y - bias.to(y.dtype)
    return y.float()


def count_z0(zeros):
    return int((zeros == 0).sum())


# ---------------------------------------------------------------- AutoGPTQ 0.7.1


def gen_autogptq(out_root, tmp):
    import auto_gptq
    import auto_gptq.modeling._base as agbase
    import auto_gptq.modeling._utils as agutils
    from auto_gptq import BaseQuantizeConfig
    from auto_gptq.modeling.llama import LlamaGPTQForCausalLM
    from auto_gptq.nn_modules.qlinear import qlinear_cuda, qlinear_cuda_old
    from transformers import AutoTokenizer, LlamaForCausalLM

    version = auto_gptq.__version__
    # AutoGPTQ moves each layer to "cuda:0" to quantize it and has no CPU switch; its GPTQ and
    # packing code run unchanged on the CPU device put in that constant's place.
    agbase.CUDA_0 = torch.device("cpu")
    # fasterquant() calls torch.cuda.synchronize() for its timing log: a no-op without a GPU
    torch.cuda.synchronize = lambda *a, **k: None

    class TwoLayers(LlamaGPTQForCausalLM):  # AutoGPTQ's documented way to choose the modules
        inside_layer_modules = [["self_attn.k_proj"], ["mlp.down_proj"]]

    captured = {}
    orig_pack = agbase.pack_model

    def recording_pack(model, quantizers, *a, **kw):
        for name, (_q, scale, zero, g_idx) in quantizers.items():
            lin = model.get_submodule(name)
            captured[name] = {
                "zeros": zero.detach().t().to(torch.int32).clone(),  # [G][N]
            }
        return orig_pack(model, quantizers, *a, **kw)

    agbase.pack_model = recording_pack

    src = os.path.join(tmp, "autogptq-src")
    build_model(src)
    tok = AutoTokenizer.from_pretrained(src)
    cases = [
        ("v1-sym-g32", dict(bits=4, group_size=32, desc_act=False, sym=True)),
        ("v1-asym-g32-z0", dict(bits=4, group_size=32, desc_act=False, sym=False)),
        ("v1-sym-g32-act", dict(bits=4, group_size=32, desc_act=True, sym=True)),
        ("v1-asym-g32-act-z0", dict(bits=4, group_size=32, desc_act=True, sym=False)),
        ("v1-asym-gm1-z0", dict(bits=4, group_size=-1, desc_act=False, sym=False)),
        ("v1-sym-g128", dict(bits=4, group_size=128, desc_act=False, sym=True)),
    ]
    for case, kw in cases:
        captured.clear()
        qcfg = BaseQuantizeConfig(damp_percent=0.01, true_sequential=True, **kw)
        hf = LlamaForCausalLM.from_pretrained(src, torch_dtype=torch.float16)
        model = TwoLayers(hf, False, qcfg)
        model.quantize(calibration_ids(tok), use_triton=False, cache_examples_on_gpu=False)
        qdir = os.path.join(tmp, "autogptq-" + case)
        model.save_quantized(qdir, use_safetensors=True)
        # read back with the library's own loader on the CPU
        from auto_gptq import AutoGPTQForCausalLM

        q = AutoGPTQForCausalLM.from_quantized(
            qdir, device="cpu", use_safetensors=True, use_triton=False, disable_exllama=True, disable_exllamav2=True
        )
        expected = {}
        readers = {}
        for name in LAYERS:
            ql = q.model.get_submodule(name)
            k = ql.infeatures
            # the class from_quantized picked on the CPU, then the other torch reader of the
            # same library on the same buffers
            other = qlinear_cuda if type(ql).__module__.endswith("qlinear_cuda_old") else qlinear_cuda_old
            alt = other.QuantLinear(
                bits=4, group_size=kw["group_size"], infeatures=k, outfeatures=ql.outfeatures, bias=False
            )
            for b in ("qweight", "qzeros", "scales", "g_idx"):
                getattr(alt, b).copy_(getattr(ql, b))
            alt.eval()
            got = []
            for mod in (ql, alt):
                cls = type(mod).__module__.split(".")[-1] + ".QuantLinear"
                try:
                    got.append((cls, identity_dequant(mod, k)))
                except Exception as e:  # the library cannot read its own layer: say so
                    readers["reader_error." + name] = "%s: %s" % (cls, str(e).splitlines()[0])
            if not got:
                raise SystemExit("real_checkpoints: autogptq/%s: no AutoGPTQ reader reads %s" % (case, name))
            expected[name + ".w"] = got[0][1]
            readers["reader." + name] = got[0][0]
            # the alternative only where it reads differently, and not with act-order:
            # qlinear_cuda_old ignores g_idx (groups are k / group_size), which is why AutoGPTQ
            # picks qlinear_cuda for desc_act
            if len(got) > 1 and not kw["desc_act"]:
                readers["reader_alt." + name] = got[1][0]
                if not torch.equal(got[1][1], got[0][1]):
                    expected[name + ".w_alt"] = got[1][1]
            if not kw["sym"]:
                expected[name + ".zeros"] = captured[name]["zeros"]
        z0 = sum(count_z0(captured[n]["zeros"]) for n in LAYERS) if not kw["sym"] else 0
        if case.endswith("-z0") and z0 == 0:
            raise SystemExit("real_checkpoints: autogptq/%s: no zero point 0 occurred" % case)
        write_case(
            os.path.join(out_root, "autogptq", case),
            "auto-gptq",
            version,
            case,
            qdir,
            expected,
            dict(readers, true_zero_points_0=str(z0)),
            "quantized by AutoGPTQ's GPTQ (BaseGPTQForCausalLM.quantize), packed by its QuantLinear.pack, "
            "saved by save_quantized; w = AutoGPTQ.from_quantized(device=cpu) on the identity; "
            "w_alt = the other torch QuantLinear of AutoGPTQ on the same buffers (where it reads "
            "differently); zeros = the zero points handed to the packer",
        )


# ---------------------------------------------------------------- GPTQModel


def gen_gptqmodel(out_root, tmp):
    import gptqmodel
    from gptqmodel import BACKEND, GPTQModel, QuantizeConfig

    version = gptqmodel.__version__
    src = os.path.join(tmp, "gptqmodel-src")
    build_model(src)
    # skip every linear but the two kept ones (GPTQModel's own negative "dynamic" match)
    skip = {r"-:.*\.(q_proj|v_proj|o_proj|gate_proj|up_proj)$": {}}
    cases = [
        ("v1-sym-g32", dict(group_size=32, desc_act=False, sym=True, format="gptq")),
        ("v1-asym-g32-z0", dict(group_size=32, desc_act=False, sym=False, format="gptq")),
        # GPTQModel's default group-aware reordering needs groups: off for g = -1
        ("v1-asym-gm1-z0", dict(group_size=-1, desc_act=False, sym=False, format="gptq", act_group_aware=False)),
        ("v1-asym-g32-act-z0", dict(group_size=32, desc_act=True, sym=False, format="gptq")),
        ("v2-sym-g64-act", dict(group_size=64, desc_act=True, sym=True, format="gptq_v2")),
        ("v2-asym-g32-z0", dict(group_size=32, desc_act=False, sym=False, format="gptq_v2")),
    ]
    for case, kw in cases:
        qcfg = QuantizeConfig(bits=4, dynamic=skip, damp_percent=0.01, device="cpu", **kw)
        model = GPTQModel.load(src, qcfg, dtype=torch.float16)
        model.quantize(calibration_texts(), batch_size=1, backend=BACKEND.TORCH)
        qdir = os.path.join(tmp, "gptqmodel-" + case)
        model.save(qdir)
        del model
        # read back with the library's own loader (its torch kernel, on the CPU)
        q = GPTQModel.load(qdir, device="cpu", backend=BACKEND.TORCH, dtype=torch.float16)
        expected = {}
        meta = {}
        z0 = 0
        for name in LAYERS:
            ql = q.model.get_submodule(name)
            k = ql.in_features
            expected[name + ".w"] = identity_dequant(ql, k, dtype=ql.scales.dtype)
            meta["reader." + name] = type(ql).__module__ + "." + type(ql).__name__
            if not kw["sym"]:
                # the loaded module holds v2 zeros (stored = Z) whatever the file's format:
                # GPTQModel converts v1 on load by adding 0x11111111 to each word
                words = ql.qzeros.to(torch.int64) & 0xFFFFFFFF
                z = torch.stack([(words >> (4 * i)) & 0xF for i in range(8)], dim=-1)
                z = z.reshape(words.shape[0], -1).to(torch.int32)
                expected[name + ".zeros"] = z
                z0 += count_z0(z)
        if case.endswith("-z0") and z0 == 0:
            raise SystemExit("real_checkpoints: gptqmodel/%s: no zero point 0 occurred" % case)
        meta["true_zero_points_0"] = str(z0)
        write_case(
            os.path.join(out_root, "gptqmodel", case),
            "gptqmodel",
            version,
            case,
            qdir,
            expected,
            meta,
            "quantized by GPTQModel.quantize (GPTQ, CPU, torch backend) with every linear but the kept "
            "two skipped through its dynamic config, saved by its save(); w = GPTQModel.load(device=cpu, "
            "backend=torch) on the identity; zeros = the loaded module's zero points (GPTQModel's own "
            "reading of the file)",
        )
        del q


# ---------------------------------------------------------------- compressed-tensors


def ct_calibrate(module, args, gs, act_rng=None):
    """compressed-tensors' own calculate_qparams on the module's min/max per group (RTN, as
    llm-compressor's observers feed it); with act_rng a GPTQ-style act-order g_idx."""
    from compressed_tensors.quantization.utils import calculate_qparams

    w = module.weight.detach().float()  # [N][K]
    n, k = w.shape
    g_idx = None
    if gs is None:  # channel
        mins, maxs = w.min(dim=1, keepdim=True)[0], w.max(dim=1, keepdim=True)[0]
    else:
        if act_rng is not None:
            perm = torch.from_numpy(act_rng.permutation(k))
            g_idx = torch.empty(k, dtype=torch.int32)
            g_idx[perm] = (torch.arange(k) // gs).to(torch.int32)
        else:
            g_idx = (torch.arange(k) // gs).to(torch.int32)
        G = k // gs
        mins = torch.stack([w[:, g_idx == j].min(dim=1)[0] for j in range(G)], dim=1)
        maxs = torch.stack([w[:, g_idx == j].max(dim=1)[0] for j in range(G)], dim=1)
    scale, zp = calculate_qparams(mins, maxs, args)
    module.weight_scale.data.copy_(scale.to(module.weight_scale.dtype))
    if hasattr(module, "weight_zero_point"):
        module.weight_zero_point.data.copy_(zp.to(module.weight_zero_point.dtype))
    if act_rng is not None:
        module.weight_g_idx.data.copy_(g_idx)
    return zp


def gen_ct_common(out_root, tmp, old):
    import compressed_tensors
    from compressed_tensors.compressors import ModelCompressor
    from compressed_tensors.quantization import (
        QuantizationArgs,
        QuantizationConfig,
        QuantizationScheme,
        QuantizationStatus,
        apply_quantization_config,
    )
    from transformers import LlamaForCausalLM

    version = compressed_tensors.__version__
    producer_dir = "ct-old" if old else "ct"
    src = os.path.join(tmp, producer_dir + "-src")
    build_model(src)
    if old:  # 0.12: act-order (weight_g_idx) is still stored
        cases = [
            ("pack-sym-g32-act", dict(symmetric=True, strategy="group", group_size=32, actorder="group")),
            ("pack-asym-g32-act-z0", dict(symmetric=False, strategy="group", group_size=32, actorder="group")),
        ]
    else:
        cases = [
            ("pack-sym-g32", dict(symmetric=True, strategy="group", group_size=32)),
            ("pack-asym-g64-z0", dict(symmetric=False, strategy="group", group_size=64)),
            ("pack-sym-channel", dict(symmetric=True, strategy="channel")),
            ("pack-asym-channel-z0", dict(symmetric=False, strategy="channel")),
        ]
    for case, kw in cases:
        model = LlamaForCausalLM.from_pretrained(src, torch_dtype=torch.bfloat16)
        args = QuantizationArgs(num_bits=4, type="int", **kw)
        scheme = QuantizationScheme(targets=["re:.*self_attn.k_proj$", "re:.*mlp.down_proj$"], weights=args)
        qcfg = QuantizationConfig(config_groups={"group_0": scheme}, ignore=["lm_head"])
        apply_quantization_config(model, qcfg)
        rng = np.random.default_rng(SEED + 1) if kw.get("actorder") else None
        zeros = {}
        for name in LAYERS:
            zp = ct_calibrate(model.get_submodule(name), model.get_submodule(name).quantization_scheme.weights,
                              kw.get("group_size"), rng)
            if not kw["symmetric"]:
                zeros[name] = zp.to(torch.int32).t().contiguous() + 8  # stored unsigned: [G][N]
        for _, m in model.named_modules():
            if hasattr(m, "quantization_status"):
                m.quantization_status = QuantizationStatus.FROZEN
        compressor = ModelCompressor.from_pretrained_model(model, quantization_format="pack-quantized")
        compressor.compress_model(model)
        qdir = os.path.join(tmp, producer_dir + "-" + case)
        model.save_pretrained(qdir, safe_serialization=True)
        compressor.update_config(qdir)
        # read back: the library's own decompression of the stored tensors
        tensors = {}
        for f in quantized_files(qdir):
            tensors.update(load_st(f)[0])
        expected = {}
        meta = {}
        z0 = 0
        for name in LAYERS:
            sd = {k[len(name) + 1:]: v for k, v in tensors.items() if k.startswith(name + ".")}
            wargs = model.get_submodule(name).quantization_scheme.weights
            if old:
                from compressed_tensors.compressors.quantized_compressors.pack_quantized import unpack_from_int32
                from compressed_tensors.quantization.lifecycle.forward import dequantize

                shape = torch.Size(sd["weight_shape"].tolist())
                zp = sd.get("weight_zero_point")
                if zp is not None:
                    # 0.12's decompress_weight raises "Decompression of packed zero points is
                    # currently not supported" here; its own lines after that raise are used
                    zp = unpack_from_int32(zp, 4, torch.Size((shape[0], sd["weight_scale"].shape[-1])), packed_dim=0)
                w = dequantize(x_q=unpack_from_int32(sd["weight_packed"], 4, shape), scale=sd["weight_scale"],
                               zero_point=zp, g_idx=sd.get("weight_g_idx"))
                meta["reader." + name] = "compressed_tensors unpack_from_int32 + dequantize (g_idx)"
            else:
                from compressed_tensors.compressors.pack_quantized.base import PackedQuantizationCompressor

                w = PackedQuantizationCompressor.decompress(sd, model.get_submodule(name).quantization_scheme)["weight"]
                meta["reader." + name] = "compressed_tensors PackedQuantizationCompressor.decompress"
            expected[name + ".w"] = w.float().t().contiguous()
            if name in zeros:
                expected[name + ".zeros"] = zeros[name]
                z0 += count_z0(zeros[name])
            del wargs
        if case.endswith("-z0") and z0 == 0:
            raise SystemExit("real_checkpoints: %s/%s: no zero point 0 occurred" % (producer_dir, case))
        meta["true_zero_points_0"] = str(z0)
        write_case(
            os.path.join(out_root, producer_dir, case),
            "compressed-tensors",
            version,
            case,
            qdir,
            expected,
            meta,
            "bf16 model; compressed-tensors' apply_quantization_config + calculate_qparams on each "
            "group's min/max (RTN; act-order: a random GPTQ-style g_idx), ModelCompressor("
            "pack-quantized).compress_model, save_pretrained + update_config; w = the library's own "
            "decompression of the saved tensors",
        )


def gen_ct(out_root, tmp):
    gen_ct_common(out_root, tmp, old=False)


def gen_ct_old(out_root, tmp):
    gen_ct_common(out_root, tmp, old=True)


# ---------------------------------------------------------------- AutoAWQ 0.2.9


def gen_autoawq(out_root, tmp):
    import awq
    from awq import AutoAWQForCausalLM
    from awq.modules.linear.gemm import WQLinear_GEMM
    from awq.utils.packing_utils import dequantize_gemm
    from transformers import AutoTokenizer

    version = awq.__version__
    captured = {}
    orig_from_linear = WQLinear_GEMM.from_linear.__func__

    def recording_from_linear(cls, linear, w_bit, group_size, init_only=False, scales=None, zeros=None):
        if zeros is not None:
            captured[linear.weight.shape] = zeros.detach().to(torch.int32).cpu().clone()  # [G][N]
        return orig_from_linear(cls, linear, w_bit, group_size, init_only, scales, zeros)

    WQLinear_GEMM.from_linear = classmethod(recording_from_linear)

    src = os.path.join(tmp, "autoawq-src")
    build_model(src)
    tok = AutoTokenizer.from_pretrained(src)
    # samples longer than max_calib_seq_len are dropped by AutoAWQ, hence 24 tokens each.
    # AutoAWQ's GEMM packer needs zero points (zero_point=False fails in from_linear), so AWQ
    # checkpoints are asymmetric
    # q_group_size=-1 fails in its scale search ("only one dimension can be inferred")
    cases = [("gemm-asym-g32-z0", 32), ("gemm-asym-g64-z0", 64)]
    # every linear of the one decoder layer is quantized: AWQ's scale search scales q/k/v (and
    # gate/up) together and needs them all; the fixture keeps two
    for case, gs in cases:
        captured.clear()
        model = AutoAWQForCausalLM.from_pretrained(src, torch_dtype=torch.float16, device_map="cpu")
        qcfg = {"zero_point": True, "q_group_size": gs, "w_bit": 4, "version": "GEMM"}
        model.quantize(tok, quant_config=qcfg, calib_data=calibration_texts(32, length=24), max_calib_samples=32,
                       max_calib_seq_len=32, n_parallel_calib_samples=8)
        qdir = os.path.join(tmp, "autoawq-" + case)
        model.save_quantized(qdir, safetensors=True)
        tensors = {}
        for f in quantized_files(qdir):
            tensors.update(load_st(f)[0])
        expected = {}
        meta = {}
        z0 = 0
        for name in LAYERS:
            qw, qz, sc = (tensors[name + "." + t] for t in ("qweight", "qzeros", "scales"))
            k = qw.shape[0]
            g = gs if gs > 0 and gs <= k else k
            if k % g:  # AutoAWQ's own reader cannot repeat scales over a partial group either
                meta["reader_error." + name] = "group size %d does not divide K = %d" % (gs, k)
            expected[name + ".w"] = dequantize_gemm(qw, qz, sc, 4, g).float()
            meta["reader." + name] = "awq.utils.packing_utils.dequantize_gemm"
            zt = captured.get(torch.Size((qw.shape[1] * 8, k)))
            if zt is not None:
                expected[name + ".zeros"] = zt
                z0 += count_z0(zt)
        if case.endswith("-z0") and z0 == 0:
            raise SystemExit("real_checkpoints: autoawq/%s: no zero point 0 occurred" % case)
        meta["true_zero_points_0"] = str(z0)
        write_case(
            os.path.join(out_root, "autoawq", case),
            "autoawq",
            version,
            case,
            qdir,
            expected,
            meta,
            "quantized by AutoAWQForCausalLM.quantize (AWQ scale search + clipping, CPU), packed by "
            "WQLinear_GEMM.from_linear, saved by save_quantized; w = awq.utils.packing_utils."
            "dequantize_gemm on the saved tensors; zeros = the zero points handed to from_linear",
        )
        del model


# ---------------------------------------------------------------- entry


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--producer", required=True)
    ap.add_argument("--out", default="fixtures/real")
    args = ap.parse_args()
    gens = {
        "autogptq": gen_autogptq,
        "gptqmodel": gen_gptqmodel,
        "ct": gen_ct,
        "ct-old": gen_ct_old,
        "autoawq": gen_autoawq,
    }
    if args.producer not in gens:
        raise SystemExit("real_checkpoints: unknown producer %s" % args.producer)
    torch.set_num_threads(2)
    tmp = tempfile.mkdtemp(prefix="real-ckpt-")
    try:
        gens[args.producer](args.out, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
