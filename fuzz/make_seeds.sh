#!/usr/bin/env bash
# Writes the fuzzers' seed inputs into fuzz/corpus/<target>/ (committed; rerun after a format
# change). Needs python3 and a built `pldr` (bash scripts/build.sh) for the checkpoint seed.
set -euo pipefail
cd "$(dirname "$0")"
pldr="${PLDR:-../build/apps/pldr}"
rm -rf corpus && mkdir -p corpus/safetensors corpus/checkpoint corpus/token_file corpus/run_config corpus/spm_model
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

# SentencePiece models (sentencepiece_model.proto's wire format), small and without rules: a
# unigram model with a user symbol and an unused piece, and a BPE model with byte fallback.
def varint(v):
    out = b""
    while v >= 0x80:
        out += bytes([0x80 | (v & 0x7F)]); v >>= 7
    return out + bytes([v])
def field(n, payload): return varint(n << 3 | 2) + varint(len(payload)) + payload
def vfield(n, v): return varint(n << 3) + varint(v)
def piece(text, score, kind=1): return field(1, field(1, text.encode()) + varint(2 << 3 | 5) + struct.pack("<f", score) + vfield(3, kind))
space = "\u2581"
specials = piece("<unk>", 0, 2) + piece("<s>", 0, 3) + piece("</s>", 0, 3) + piece("[SEP]", 0, 4)
words = [space, "a", "b", "c", "d", "e", space + "a", "ab", "abc", space + "ab", "cd", "de"]
unigram = specials + b"".join(piece(w, -1.0 - i * 0.5) for i, w in enumerate(words)) + piece("zz", 0, 5)
open("corpus/spm_model/unigram.model", "wb").write(
    unigram + field(2, vfield(3, 1)) + field(3, field(1, b"identity")))
bpe = specials + b"".join(piece("<0x%02X>" % b, 0, 6) for b in range(256)) + b"".join(
    piece(w, -float(i)) for i, w in enumerate(words))
open("corpus/spm_model/bpe.model", "wb").write(
    bpe + field(2, vfield(3, 2) + vfield(35, 1) + vfield(24, 1)) + field(3, field(1, b"identity") + vfield(4, 0)))
PY

cp ../apps/configs/shakespeare.json corpus/run_config/shakespeare.json
"$pldr" convert --hf "$work/micro" -o corpus/checkpoint/micro.h5 > /dev/null
# A model trained as PLDR-LLM's are (nmt_nfkc rules, byte fallback), from a slice of the corpus.
head -c 60000 ../data/corpus/tinyshakespeare.txt > "$work/slice.txt"
"$pldr" tokenizer train "$work/slice.txt" --vocab-size 400 --output "$work/trained" > /dev/null
cp "$work/trained.model" corpus/spm_model/trained.model
echo "seeds written to fuzz/corpus/"
