#!/usr/bin/env bash
# scripts/reproduce.sh ablations --smoke end to end: every ablation trains a few steps with two
# seeds, each model gets its G-cache invariance report, and the comparison holds one row per run,
# one row per variant in the summary and one legend entry per variant in the chart.
# Usage: reproduce_smoke_test.sh PLDR OUT_DIR
set -u
root="$(cd "$(dirname "$0")/../.." && pwd)"
pldr=$1 out=$2
fail() { echo "FAIL: $*"; exit 1; }
rm -rf "$out"
SEEDS="1 2" PLDR=$pldr ABLATION_DIR=$out bash "$root/scripts/reproduce.sh" ablations --smoke > "$out.log" 2>&1 ||
  fail "reproduce.sh exited $?: $(tail -20 "$out.log")"
[ -s "$out/results.md" ] || fail "no $out/results.md"
for run in learned g_identity g_random v510gi dag_0.005 dag_0.02 dag_0.05; do
  for seed in 1 2; do
    grep -q "^| $run/seed$seed | 3 | [0-9]" "$out/results.md" || fail "no row of 3 steps for $run/seed$seed in: $(cat "$out/results.md")"
    [ -s "$out/seed$seed/$run/invariance.json" ] || fail "no invariance report for $run/seed$seed"
  done
  grep -q "^| $run | 2 | 3 | [0-9.]* ± [0-9.e-]* |" "$out/summary.md" || fail "no row of 2 seeds for $run in: $(cat "$out/summary.md")"
  [ "$(grep -c ">$run<" "$out/comparison.svg")" -ge 1 ] || fail "no legend entry $run in comparison.svg"
done
grep -q "g_learned_paper" "$out/results.md" && fail "the smoke run trained g_learned_paper"
# The learned runs report DAG terms, the predefined-G runs do not; a predefined G is the same with
# and without the G-cache.
grep "^| learned/seed1 " "$out/results.md" | grep -qE '\| [0-9.e+-]+ \|$' || fail "learned has no DAG terms"
grep "^| g_identity/seed1 " "$out/results.md" | grep -q '| - | - | - |$' || fail "g_identity reports DAG terms"
grep "^| g_identity " "$out/summary.md" | grep -q '| 2 of 2 | 0 |$' || fail "g_identity is not G-cache invariant"
if PLDR=$pldr bash "$root/scripts/reproduce.sh" nothing > /dev/null 2>&1; then fail "an unknown experiment was accepted"; fi
rm -rf "$out" "$out.log"
echo "reproduce.sh ablations --smoke: ok"
