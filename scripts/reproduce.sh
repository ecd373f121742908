#!/usr/bin/env bash
# The papers' experiments as results, one command each.
#
#   bash scripts/reproduce.sh ablations [--smoke] [section.key=value ...]
#
# ablations: every ablation of scripts/ablation.sh on the bundled corpus (learned, g_identity,
#   g_random, g_learned_paper, v510gi, dag_sweep; their configurations in apps/configs/ablations/),
#   then the runs side by side: runs/ablations/comparison.svg (training and validation loss, bits
#   per character, DAG terms; one curve per run) and runs/ablations/results.md (each run's final
#   numbers). The full version has not been timed on two cores (several runs of 300 steps).
# --smoke: the same pipeline at 3 steps of small batches, without g_learned_paper (the paper's
#   5 x 14 x 64 shape, too large for a smoke test), into runs/ablations_smoke; about 20 s.
# Overrides apply to every training run. ABLATION_DIR and PLDR as for scripts/ablation.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
  echo "usage: bash scripts/reproduce.sh ablations [--smoke] [section.key=value ...]" >&2
  exit 2
}
[ "${1:-}" = ablations ] || usage
shift
smoke=0
if [ "${1:-}" = --smoke ]; then
  smoke=1
  shift
fi

export PLDR=${PLDR:-build/apps/pldr}
if [ ! -x "$PLDR" ]; then bash scripts/build.sh; fi
names=(learned g_identity g_random g_learned_paper v510gi dag_sweep)
overrides=()
if [ "$smoke" = 1 ]; then
  export ABLATION_DIR=${ABLATION_DIR:-runs/ablations_smoke}
  names=(learned g_identity g_random v510gi dag_sweep)
  overrides=(training.steps=3 training.log_every=1 training.eval_every=3 training.eval_batches=1
             training.checkpoint_every=0 data.batch_size=2 data.context=32)
fi
runs=${ABLATION_DIR:-runs/ablations}

for name in "${names[@]}"; do
  echo "== ablation $name"
  bash scripts/ablation.sh "$name" "${overrides[@]}" "$@"
done

# Every run's metrics, named after its folder (v510gi_base is the learned run again: same seed).
metrics=()
for name in "${names[@]}"; do
  case "$name" in
    dag_sweep) for c in ${DAG_COEFFS:-0 0.005 0.02 0.05}; do metrics+=("$runs/dag_$c/metrics.jsonl"); done ;;
    *) metrics+=("$runs/$name/metrics.jsonl") ;;
  esac
done
"$PLDR" plot "${metrics[@]}" -o "$runs/comparison.svg" --table "$runs/results.md"
echo "results: $runs/results.md, curves: $runs/comparison.svg"
cat "$runs/results.md"
