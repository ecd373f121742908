#!/usr/bin/env bash
# scripts/gpu-check.sh without a GPU: --dry-run prints the plan; no device means exit 3 at once;
# with a stand-in nvidia-smi and no build, every step is reported (failed or skipped), the table
# is printed, the JSON report is written, and the exit status is 1.
set -u
script="$(cd "$(dirname "$0")/../.." && pwd)/scripts/gpu-check.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

out=$("$script" --dry-run) || fail "--dry-run exited $?"
for step in build cuda-tests golden train generate bench-110m report; do
  grep -q "^  $step " <<< "$out" || fail "the plan lacks $step: $out"
done

out=$(GPU_CHECK_NVIDIA_SMI="$work/absent" "$script" 2>&1); rc=$?
[ "$rc" = 3 ] || fail "without a GPU: exit $rc, wanted 3: $out"
grep -q "no GPU" <<< "$out" || fail "without a GPU: no reason given: $out"

printf '#!/bin/sh\necho "Stand-in GPU, 580.00, 1 MiB"\n' > "$work/nvidia-smi"
chmod +x "$work/nvidia-smi"
out=$(TMPDIR="$work" GPU_CHECK_NVIDIA_SMI="$work/nvidia-smi" GPU_CHECK_BUILD="$work/no-build" GPU_CHECK_RESULTS="$work/results" \
  "$script" --skip-build --budget 60 2>&1); rc=$?
[ "$rc" = 1 ] || fail "with failing steps: exit $rc, wanted 1: $out"
for row in "build  *skipped" "cuda-tests  *fail" "golden-tiny-float64  *skipped" "golden-small-float32  *skipped" \
           "train-vs-cpu  *skipped" "train-repeats  *skipped" "bench-110m  *skipped" "total  *FAIL"; do
  grep -q "^$row" <<< "$out" || fail "the table lacks '$row': $out"
done
report=$(ls "$work"/results/gpu-*.json 2>/dev/null | head -1)
[ -n "$report" ] || fail "no JSON report written: $out"
python3 - "$report" <<'PY' || fail "bad report $(cat "$report")"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["gpu"].startswith("Stand-in GPU"), r["gpu"]
steps = {s["step"]: s["status"] for s in r["steps"]}
assert steps["cuda-tests"] == "fail" and steps["bench-110m"] == "skipped", steps
assert len(steps) == 10, steps
PY
echo "gpu-check.sh: dry run, no-GPU exit and failure reporting all as expected"
