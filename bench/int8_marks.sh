#!/usr/bin/env bash
# The three marks of int8 weights (issue 21 part 5; docs/int8.md), measured in one run:
#   (a) validation perplexity (pldr eval --text) of a trained model, float32 against int8 (quantised
#       at load and from the pldr quantize folder);
#   (b) 110M decoding tokens/s, float32 and int8 alternately, REPS times each: medians;
#   (c) peak resident memory (/usr/bin/time -v) of 110M generation, float32 and int8, against the
#       float32 model.safetensors.
# Usage: bench/int8_marks.sh PLDR TRAINED_HF VAL_TEXT HF_110M OUT_DIR [REPS] > report.json
#   TRAINED_HF, HF_110M: float32 Hugging Face folders (pldr export); int8 folders of both are written
#   into OUT_DIR with pldr quantize.
set -euo pipefail
pldr=$1 trained=$2 val=$3 m110=$4 out=$5 reps=${6:-7}
export OMP_WAIT_POLICY=passive
mkdir -p "$out"
[ -d "$out/trained-int8" ] || "$pldr" quantize --hf "$trained" -o "$out/trained-int8" >&2
[ -d "$out/110m-int8" ] || "$pldr" quantize --hf "$m110" -o "$out/110m-int8" >&2

perplexity() { "$pldr" eval "$@" 2>&1 | sed -n 's/.*token perplexity \([0-9.]*\).*/\1/p'; }
tokens_per_s() {
  "$pldr" generate "$@" --ids 2,15,7,99,1000 --max-new-tokens 64 --greedy --ignore-end 2>&1 |
    sed -n 's/.*(\([0-9.]*\) tokens\/s.*/\1/p'
}
peak_kib() {
  /usr/bin/time -v "$pldr" generate "$@" --ids 2,15,7,99,1000 --max-new-tokens 64 --greedy --ignore-end 2>&1 |
    sed -n 's/.*Maximum resident set size (kbytes): \([0-9]*\).*/\1/p'
}

declare -A ppl
for window in 128 512; do
  ppl[f32_$window]=$(perplexity --hf "$trained" --text "$val" --window $window)
  ppl[int8_$window]=$(perplexity --hf "$trained" --weights int8 --text "$val" --window $window)
  ppl[folder_$window]=$(perplexity --hf "$out/trained-int8" --text "$val" --window $window)
done

f32_tps=() int8_tps=()
for ((i = 0; i < reps; ++i)); do
  f32_tps+=("$(tokens_per_s --hf "$m110")")
  int8_tps+=("$(tokens_per_s --hf "$out/110m-int8")")
done
rss_f32=$(peak_kib --hf "$m110") rss_int8=$(peak_kib --hf "$out/110m-int8")
rss_int8_at_load=$(peak_kib --hf "$m110" --weights int8)
file_bytes=$(stat -c %s "$m110/model.safetensors") int8_file_bytes=$(stat -c %s "$out/110m-int8/model.safetensors")

python3 - "$reps" "${f32_tps[*]}" "${int8_tps[*]}" <<PY
import json, statistics, sys
f32 = [float(v) for v in sys.argv[2].split()]; i8 = [float(v) for v in sys.argv[3].split()]
ppl = {k: float(v) for k, v in {"f32_128": "${ppl[f32_128]}", "int8_128": "${ppl[int8_128]}",
       "folder_128": "${ppl[folder_128]}", "f32_512": "${ppl[f32_512]}", "int8_512": "${ppl[int8_512]}",
       "folder_512": "${ppl[folder_512]}"}.items()}
file_bytes = $file_bytes
print(json.dumps({
  "perplexity": {w: {"float32": ppl["f32_" + w], "int8_at_load": ppl["int8_" + w], "int8_folder": ppl["folder_" + w],
                     "int8_over_float32": ppl["folder_" + w] / ppl["f32_" + w]} for w in ("128", "512")},
  "decode_110m": {"float32_tokens_per_s": f32, "int8_tokens_per_s": i8,
                  "float32_median": statistics.median(f32), "int8_median": statistics.median(i8),
                  "int8_over_float32": statistics.median(i8) / statistics.median(f32)},
  "memory_110m": {"float32_safetensors_bytes": file_bytes, "int8_safetensors_bytes": $int8_file_bytes,
                  "peak_rss_kib": {"float32": $rss_f32, "int8_folder": $rss_int8, "int8_at_load": $rss_int8_at_load},
                  "int8_folder_over_file": $rss_int8 * 1024 / file_bytes,
                  "float32_over_file": $rss_f32 * 1024 / file_bytes,
                  "int8_at_load_over_file": $rss_int8_at_load * 1024 / file_bytes}}, indent=2))
PY
