#!/usr/bin/env bash
# Runs the teaching example for a few steps and checks what it prints: the loss falls, a sample is
# generated, the deductive outputs of layer 0 are finite numbers; bad input fails with a message.
# Usage: check.sh TRAIN_TINY_BINARY [STEPS]
set -uo pipefail
binary=$1 steps=${2:-40}
fail() { echo "example.train_tiny: $1" >&2; exit 1; }

out=$(OMP_NUM_THREADS=${OMP_NUM_THREADS:-1} "$binary" "$steps") || fail "exited with $? after $steps steps"
echo "$out"
first=$(grep -m1 '^step' <<<"$out" | awk '{print $4}')
last=$(grep '^step' <<<"$out" | tail -1 | awk '{print $4}')
[[ -n $first && -n $last ]] || fail "no loss lines"
awk -v a="$first" -v b="$last" 'BEGIN { exit !(b < a - 0.5) }' || fail "the loss did not fall by 0.5: $first -> $last"
grep -q "^step *$steps " <<<"$out" || fail "no line for the last step $steps"
grep -q '^generated 80 characters after "ROMEO:"' <<<"$out" || fail "no sample of 80 characters"
grep -q '^deductive outputs of layer 0' <<<"$out" || fail "no deductive outputs"
for name in 'A (metric' 'A_LM' 'Ap =' 'G_LM' 'pw (learned'; do
  block=$(grep -A4 "^  $name" <<<"$out" | tail -4)
  [[ $(wc -l <<<"$block") == 4 ]] || fail "no 4x4 block for $name"
  grep -qiE 'nan|inf' <<<"$block" && fail "non-finite values in $name"
done

# Bad input: a clear message and a non-zero exit.
if err=$("$binary" zero 2>&1); then fail "STEPS=zero was accepted"; fi
grep -q "STEPS must be" <<<"$err" || fail "unclear message for STEPS=zero: $err"
if err=$("$binary" 5 /nonexistent/text 2>&1); then fail "a missing text file was accepted"; fi
grep -q "cannot read" <<<"$err" || fail "unclear message for a missing text: $err"
echo "example.train_tiny: ok (loss $first -> $last)"
