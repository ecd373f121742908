#!/usr/bin/env bash
# Writes the fuzzers' seed inputs into fuzz/corpus/<target>/ (committed; rerun after a format
# change). Needs python3 and a built `pldr` (bash scripts/build.sh) for the checkpoint seed.
set -euo pipefail
cd "$(dirname "$0")"
pldr="${PLDR:-../build/apps/pldr}"
rm -rf corpus && mkdir -p corpus/safetensors corpus/checkpoint corpus/token_file corpus/run_config
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 - "$work" <<'PY'
import json, random, struct, sys
work = sys.argv[1]
random.seed(1)

def safetensors(path, tensors):  # tensors: name -> (dtype, shape, raw bytes)
    header, data = {}, b""
    for name, (dtype, shape, raw) in sorted(tensors.items()):
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    open(path, "wb").write(struct.pack("<Q", len(text)) + text + data)

def f32(n):
    return struct.pack("<%df" % n, *[random.gauss(0, 1) for _ in range(n)])

# Every dtype the reader knows, small.
safetensors("corpus/safetensors/dtypes.safetensors", {
    "f32": ("F32", [2, 2], f32(4)), "f64": ("F64", [1], struct.pack("<d", 0.1)),
    "f16": ("F16", [2], struct.pack("<2H", 0x3c00, 0x7c00)), "bf16": ("BF16", [2], struct.pack("<2H", 0x3f80, 0x4049)),
    "i64": ("I64", [1], struct.pack("<q", -7)), "i32": ("I32", [2], struct.pack("<2i", 1, -1)),
    "i16": ("I16", [1], struct.pack("<h", 3)), "i8": ("I8", [1], b"\xff"), "u8": ("U8", [1], b"\x07"),
    "bool": ("BOOL", [2], b"\x01\x00"), "empty": ("F32", [0, 3], b""), "scalar": ("F32", [], f32(1)),
})

# A micro PLDR-LLM as a Hugging Face folder (for the checkpoint seed and the config seeds).
V, d, H, dk, dff, Adff, L = 8, 4, 1, 4, 4, 2, 1
config = {"model_type": "pldrllm", "vocab_size": V, "hidden_size": d, "num_attention_heads": H, "head_dim": dk,
          "num_hidden_layers": L, "intermediate_size": dff, "A_dff": Adff, "num_reslayerA": 1, "num_denseA": 1,
          "max_position_embeddings": 16, "reference_rope": False, "custom_G_type": None}
shapes = {"decoder.embedding.weight": [V, d], "decoder.layernorm1.weight": [d], "decoder.layernorm1.bias": [d],
          "final_layer.weight": [V, d], "final_layer.bias": [V]}
p = "decoder.dec_layers.0."
for w in ["wq", "wk", "wv", "dense"]:
    shapes[p + "mha1." + w + ".weight"], shapes[p + "mha1." + w + ".bias"] = [d, d], [d]
for t in ["Wlst", "blst", "pwlst", "alst", "balst"]:
    shapes[p + "mha1.plgatt_layer." + t] = [H, dk, dk]
shapes[p + "mha1.layernorm1.weight"] = shapes[p + "mha1.layernorm1.bias"] = [dk]
q = p + "mha1.reslayerAs.0."
shapes[q + "denseAs.0.gluw1.weight"] = shapes[q + "denseAs.0.gluw2.weight"] = [Adff, dk]
shapes[q + "denseAs.0.gluw1.bias"] = shapes[q + "denseAs.0.gluw2.bias"] = [Adff]
shapes[q + "denseAs.0.gluw3.weight"], shapes[q + "denseAs.0.gluw3.bias"] = [dk, Adff], [dk]
shapes[q + "layernormA.weight"] = shapes[q + "layernormA.bias"] = [dk]
shapes[p + "ffn.gluw1.weight"] = shapes[p + "ffn.gluw2.weight"] = [dff, d]
shapes[p + "ffn.gluw1.bias"] = shapes[p + "ffn.gluw2.bias"] = [dff]
shapes[p + "ffn.gluw3.weight"], shapes[p + "ffn.gluw3.bias"] = [d, dff], [d]
for n in ["layernorm1", "layernorm2"]:
    shapes[p + n + ".weight"] = shapes[p + n + ".bias"] = [d]
tensors = {}
for name, shape in shapes.items():
    n = 1
    for s in shape: n *= s
    tensors[name] = ("F32", shape, f32(n))
import os
os.makedirs(work + "/micro", exist_ok=True)
safetensors(work + "/micro/model.safetensors", tensors)
json.dump(config, open(work + "/micro/config.json", "w"))
json.dump(config, open("corpus/run_config/hf_config.json", "w"), indent=1)

# Token files: 16-bit and 32-bit tokens.
def token_file(path, vocab, width, tokens):
    body = struct.pack("<%d%s" % (len(tokens), "H" if width == 16 else "I"), *tokens)
    open(path, "wb").write(b"PLDRTOK\0" + struct.pack("<IIQI", 1, vocab, len(tokens), width) + b"\0" * 4 + body)
token_file("corpus/token_file/u16.tok", 50, 16, [3, 7, 49, 0, 2])
token_file("corpus/token_file/u32.tok", 70000, 32, [69999, 1, 2])
PY

cp ../apps/configs/shakespeare.json corpus/run_config/shakespeare.json
"$pldr" convert --hf "$work/micro" -o corpus/checkpoint/micro.h5 > /dev/null
echo "seeds written to fuzz/corpus/"
