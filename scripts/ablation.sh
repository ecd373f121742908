#!/usr/bin/env bash
# The papers' ablations, one command each, on the bundled Tiny Shakespeare corpus. Every run writes
# runs/ablations/<run>/ (metrics.jsonl, checkpoints) and its curves with `pldr plot`.
#
#   bash scripts/ablation.sh NAME [section.key=value ...]
#
#   learned          the baseline: G_LM learned by the metric learner
#   g_identity       predefined G = I in every layer (plain scaled dot-product attention)
#   g_random         predefined G ~ N(0, 1), fixed
#   g_learned_paper  predefined G = the G_LM the pretrained PLDRv51-110M-1 infers (paper_G_LM.h5);
#                    the paper's model shape (5 layers, 14 heads of 64), no metric learner
#   v510gi           the baseline trained, its G_LM inferred on a prompt (pldr inspect), then its
#                    weights without the metric learner trained on, run on that fixed G
#                    (pldr transfer + pldr train --resume)
#   dag_sweep        the DAG-regularised loss at coefficients DAG_COEFFS (default "0 0.005 0.02 0.05"),
#                    the same for A_LM, Ap and G_LM
#
# Overrides apply to every training of the ablation, e.g. training.steps=20 for a quick look;
# --overwrite trains again into runs that exist. ABLATION_DIR (default runs/ablations) is where the
# runs go, ABLATION_DATA (default ABLATION_DIR) the shared tokenizer and token files; PLDR names the
# tool. V510GI_BASE=DIR makes v510gi start from the trained learned run in DIR instead of training
# its own (scripts/reproduce.sh passes the learned run of the same seed). Each ablation ends with a chart overlaying its
# runs ($ABLATION_DIR/compare_<name>.svg; against the learned baseline when that run exists).
set -euo pipefail
cd "$(dirname "$0")/.."

name=${1:-}
shift || true
case "$name" in
  learned|g_identity|g_random|g_learned_paper|v510gi|dag_sweep) ;;
  *) echo "usage: bash scripts/ablation.sh learned|g_identity|g_random|g_learned_paper|v510gi|dag_sweep [key=value ...]" >&2; exit 2 ;;
esac

pldr=${PLDR:-build/apps/pldr}
if [ ! -x "$pldr" ]; then bash scripts/build.sh; fi
runs=${ABLATION_DIR:-runs/ablations}
shared=${ABLATION_DATA:-$runs}
configs=apps/configs/ablations
mkdir -p "$runs" "$shared"

# Shared data: tokenizer and token files, made once.
if [ ! -f "$shared/data.meta.json" ]; then
  "$pldr" tokenizer train data/corpus/tinyshakespeare.txt --vocab-size 2048 --output "$shared/tokenizer"
  "$pldr" prepare data/corpus/tinyshakespeare.txt --tokenizer "$shared/tokenizer.model" --output "$shared/data" --val-fraction 0.1 --quiet
fi

# The shared data, whatever folder the configurations name.
data=(data.train="$shared/data.train.tok" data.val="$shared/data.val.tok" data.meta="$shared/data.meta.json"
      tokenizer="$shared/tokenizer.model")

train_and_plot() {  # config, out_dir, overrides...
  local config=$1 out=$2
  shift 2
  "$pldr" train --config "$config" out_dir="$out" "${data[@]}" "$@"
  "$pldr" plot "$out/metrics.jsonl" -o "$out/curves.svg"
  echo "curves: $out/curves.svg"
}

compare() {  # name, metrics files...: one chart overlaying the runs
  local name=$1
  shift
  "$pldr" plot "$@" -o "$runs/compare_$name.svg"
  echo "comparison: $runs/compare_$name.svg"
}

case "$name" in
  learned|g_identity|g_random|g_learned_paper)
    train_and_plot "$configs/$name.json" "$runs/$name" "$@"
    if [ "$name" != learned ] && [ -f "$runs/learned/metrics.jsonl" ]; then
      compare "$name" "$runs/learned/metrics.jsonl" "$runs/$name/metrics.jsonl"
    fi
    ;;
  v510gi)
    base=${V510GI_BASE:-$runs/v510gi_base}
    if [ -z "${V510GI_BASE:-}" ]; then train_and_plot "$configs/learned.json" "$base" "$@"; fi
    "$pldr" inspect --checkpoint "$base/checkpoint.h5" --prompt "ROMEO:" -o "$base/deductive.h5"
    "$pldr" transfer --checkpoint "$base/checkpoint.h5" --G "$base/deductive.h5" --group G_LM \
      -o "$runs/v510gi_transfer.h5" --out-dir "$runs/v510gi"
    "$pldr" train --resume "$runs/v510gi_transfer.h5"
    "$pldr" plot "$runs/v510gi/metrics.jsonl" -o "$runs/v510gi/curves.svg"
    echo "curves: $base/curves.svg (learned G), $runs/v510gi/curves.svg (its G fixed)"
    compare v510gi "$base/metrics.jsonl" "$runs/v510gi/metrics.jsonl"
    ;;
  dag_sweep)
    sweep=()
    for c in ${DAG_COEFFS:-0 0.005 0.02 0.05}; do
      train_and_plot "$configs/dag.json" "$runs/dag_$c" dag.A_LM="$c" dag.Ap="$c" dag.G_LM="$c" "$@"
      sweep+=("$runs/dag_$c/metrics.jsonl")
    done
    compare dag_sweep "${sweep[@]}"
    ;;
esac
