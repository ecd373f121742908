#!/usr/bin/env bash
# scripts/reproduce.sh ablations --smoke end to end: every ablation trains a few steps and the
# comparison holds one row and one curve per run. Usage: reproduce_smoke_test.sh PLDR OUT_DIR
set -u
root="$(cd "$(dirname "$0")/../.." && pwd)"
pldr=$1 out=$2
fail() { echo "FAIL: $*"; exit 1; }
rm -rf "$out"
PLDR=$pldr ABLATION_DIR=$out bash "$root/scripts/reproduce.sh" ablations --smoke > "$out.log" 2>&1 ||
  fail "reproduce.sh exited $?: $(tail -20 "$out.log")"
[ -s "$out/results.md" ] || fail "no $out/results.md"
for run in learned g_identity g_random v510gi dag_0 dag_0.005 dag_0.02 dag_0.05; do
  grep -q "^| $run | 3 | [0-9]" "$out/results.md" || fail "no row of 3 steps for $run in: $(cat "$out/results.md")"
  grep -q ">$run<" "$out/comparison.svg" || fail "no curve labelled $run in comparison.svg"
done
grep -q "g_learned_paper" "$out/results.md" && fail "the smoke run trained g_learned_paper"
# The learned runs report DAG terms, the predefined-G runs do not.
grep "^| learned " "$out/results.md" | grep -qE '\| [0-9.e+-]+ \|$' || fail "learned has no DAG terms"
grep "^| g_identity " "$out/results.md" | grep -q '| - | - | - |$' || fail "g_identity reports DAG terms"
if PLDR=$pldr bash "$root/scripts/reproduce.sh" nothing > /dev/null 2>&1; then fail "an unknown experiment was accepted"; fi
rm -rf "$out" "$out.log"
echo "reproduce.sh ablations --smoke: ok"
