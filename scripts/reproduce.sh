#!/usr/bin/env bash
# The papers' experiments as results, one command each.
#
#   bash scripts/reproduce.sh ablations [--smoke | --report-only] [section.key=value ...]
#
# ablations: every ablation of scripts/ablation.sh on the bundled corpus, once per seed (SEEDS,
#   default "1 2 3"; the run configuration's seed sets the initialisation and the data order):
#   learned, g_identity, g_random, v510gi (from the learned run of the same seed), the DAG sweep
#   at DAG_COEFFS (default "0.005 0.02 0.05"; the learned run is coefficient 0) and, after every
#   seed of those, g_learned_paper (the paper's 5 x 14 x 64 shape, the costliest). Each trained
#   model then gets the G-cache invariance check (`pldr invariance` on the prompts of
#   apps/configs/ablations/invariance_prompts.txt, invariance.json beside its metrics). Results:
#   runs/ablations/comparison.svg (every run overlaid), runs/ablations/results.md (each run's
#   final numbers) and runs/ablations/summary.md (per variant: mean and spread over the seeds; the
#   folder is ABLATION_DIR when set);
#   then docs/results/ablations.md is rewritten above its "<!-- written by hand below -->" line and
#   the chart copied to docs/results/ablations.svg.
# --smoke: the same pipeline at 3 steps of small batches and one seed, without g_learned_paper,
#   into runs/ablations_smoke, leaving docs/ alone; about 30 s.
# --report-only: no training; the invariance checks, tables, chart and docs/results/ablations.md
#   from the runs already there (a run that is missing is named in the report as not run).
# Overrides apply to every training run. PLDR names the tool (default build/apps/pldr).
set -euo pipefail
# The whole script is one block, read before it runs: editing or updating the file during a long
# run (git pull) cannot change what the running shell reads next.
{
cd "$(dirname "$0")/.."

usage() {
  echo "usage: bash scripts/reproduce.sh ablations [--smoke | --report-only] [section.key=value ...]" >&2
  exit 2
}
[ "${1:-}" = ablations ] || usage
invocation="$*"
shift
smoke=0 train=1
case "${1:-}" in
  --smoke) smoke=1; shift ;;
  --report-only) train=0; shift ;;
esac

export PLDR=${PLDR:-build/apps/pldr}
if [ ! -x "$PLDR" ]; then bash scripts/build.sh; fi
runs=${ABLATION_DIR:-runs/ablations}
read -r -a seeds <<< "${SEEDS:-1 2 3}"
small=(learned g_identity g_random v510gi dag_sweep)
large=(g_learned_paper)
overrides=()
if [ "$smoke" = 1 ]; then
  runs=${ABLATION_DIR:-runs/ablations_smoke}
  read -r -a seeds <<< "${SEEDS:-1}"
  large=()
  overrides=(training.steps=3 training.log_every=1 training.eval_every=3 training.eval_batches=1
             training.checkpoint_every=0 data.batch_size=2 data.context=32)
fi
export DAG_COEFFS=${DAG_COEFFS:-0.005 0.02 0.05}
export ABLATION_DATA=$runs
started=$(date +%s)

run_ablation() {  # name seed: one ablation into $runs/seed<seed>/
  local dir=$runs/seed$2
  echo "== ablation $1, seed $2"
  ABLATION_DIR=$dir V510GI_BASE=$dir/learned bash scripts/ablation.sh "$1" seed="$2" "${overrides[@]}" "${@:3}"
}
if [ "$train" = 1 ]; then
  for seed in "${seeds[@]}"; do
    for name in "${small[@]}"; do run_ablation "$name" "$seed" "$@"; done
  done
  for seed in "${seeds[@]}"; do
    for name in "${large[@]}"; do run_ablation "$name" "$seed" "$@"; done
  done
fi
trained=$(($(date +%s) - started))

# Every run's folder (runs named <variant>/seed<k> in the tables and the chart).
folders=()
for seed in "${seeds[@]}"; do
  for name in "${small[@]}" "${large[@]}"; do
    case "$name" in
      dag_sweep) for c in $DAG_COEFFS; do folders+=("$runs/seed$seed/dag_$c"); done ;;
      *) folders+=("$runs/seed$seed/$name") ;;
    esac
  done
done
metrics=() missing=()
for f in "${folders[@]}"; do
  if [ ! -f "$f/checkpoint.h5" ]; then
    missing+=("${f#"$runs"/}")
    continue
  fi
  "$PLDR" invariance --checkpoint "$f/checkpoint.h5" --prompts apps/configs/ablations/invariance_prompts.txt \
    -o "$f/invariance.json" > /dev/null
  metrics+=("$f/metrics.jsonl")
done
"$PLDR" plot "${metrics[@]}" -o "$runs/comparison.svg" --table "$runs/results.md" --summary "$runs/summary.md"
echo "results: $runs/summary.md, $runs/results.md, curves: $runs/comparison.svg"
cat "$runs/summary.md"
[ "$smoke" = 1 ] && exit 0

# docs/results/ablations.md: the measured part above the hand-written discussion, which is kept.
doc=docs/results/ablations.md
marker="<!-- written by hand below -->"
mkdir -p docs/results
cp "$runs/comparison.svg" docs/results/ablations.svg
{
  echo "# The papers' ablations on Tiny Shakespeare"
  echo
  echo "Written by \`bash scripts/reproduce.sh $invocation\` on $(date -u +%Y-%m-%d) on $(nproc) cores"
  echo "($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), commit $(git rev-parse --short HEAD 2> /dev/null || echo unknown):"
  if [ "$train" = 1 ]; then
    echo "${#seeds[@]} seeds (${seeds[*]}), $((trained / 60)) min of training and $(( ($(date +%s) - started - trained) / 60 )) min of invariance checks."
  else
    echo "${#seeds[@]} seeds (${seeds[*]}); the report of runs trained earlier (\`--report-only\`): each run's training time is in the tables."
  fi
  if [ ${#missing[@]} -gt 0 ]; then echo "Not run: ${missing[*]}."; fi
  echo "Configurations: \`apps/configs/ablations/\`; DAG coefficients $DAG_COEFFS (the same for A_LM, Ap and G_LM)."
  echo
  echo "## Per variant, over the seeds"
  echo
  cat "$runs/summary.md"
  echo
  echo "## Every run"
  echo
  cat "$runs/results.md"
  echo
  echo "![every run overlaid](ablations.svg)"
  echo
  echo "$marker"
  if [ -f "$doc" ] && grep -qF "$marker" "$doc"; then sed -n "/$marker/,\$p" "$doc" | tail -n +2; fi
} > "$doc.tmp"
mv "$doc.tmp" "$doc"
echo "wrote $doc and docs/results/ablations.svg"
exit
}
