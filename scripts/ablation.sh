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
# Overrides apply to every training of the ablation, e.g. training.steps=20 for a quick look.
# ABLATION_DIR (default runs/ablations) is where the shared data and the runs go; PLDR names the tool.
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
configs=apps/configs/ablations
mkdir -p "$runs"

# Shared data: tokenizer and token files, made once.
if [ ! -f "$runs/data.meta.json" ]; then
  "$pldr" tokenizer train data/corpus/tinyshakespeare.txt --vocab-size 2048 --output "$runs/tokenizer"
  "$pldr" prepare data/corpus/tinyshakespeare.txt --tokenizer "$runs/tokenizer.model" --output "$runs/data" --val-fraction 0.1 --quiet
fi

# The shared data of $runs, whatever folder the configurations name.
data=(data.train="$runs/data.train.tok" data.val="$runs/data.val.tok" data.meta="$runs/data.meta.json"
      tokenizer="$runs/tokenizer.model")

train_and_plot() {  # config, out_dir, overrides...
  local config=$1 out=$2
  shift 2
  "$pldr" train --config "$config" out_dir="$out" "${data[@]}" "$@"
  "$pldr" plot "$out/metrics.jsonl" -o "$out/curves.svg"
  echo "curves: $out/curves.svg"
}

case "$name" in
  learned|g_identity|g_random|g_learned_paper)
    train_and_plot "$configs/$name.json" "$runs/$name" "$@"
    ;;
  v510gi)
    train_and_plot "$configs/learned.json" "$runs/v510gi_base" "$@"
    "$pldr" inspect --checkpoint "$runs/v510gi_base/checkpoint.h5" --prompt "ROMEO:" -o "$runs/v510gi_base/deductive.h5"
    "$pldr" transfer --checkpoint "$runs/v510gi_base/checkpoint.h5" --G "$runs/v510gi_base/deductive.h5" --group G_LM \
      -o "$runs/v510gi_transfer.h5" --out-dir "$runs/v510gi"
    "$pldr" train --resume "$runs/v510gi_transfer.h5"
    "$pldr" plot "$runs/v510gi/metrics.jsonl" -o "$runs/v510gi/curves.svg"
    echo "curves: $runs/v510gi_base/curves.svg (learned G), $runs/v510gi/curves.svg (its G fixed)"
    ;;
  dag_sweep)
    for c in ${DAG_COEFFS:-0 0.005 0.02 0.05}; do
      train_and_plot "$configs/dag.json" "$runs/dag_$c" dag.A_LM="$c" dag.Ap="$c" dag.G_LM="$c" "$@"
    done
    ;;
esac
