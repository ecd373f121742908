#!/usr/bin/env bash
# scripts/gpu-check.sh without a GPU: --dry-run prints the plan in the order the steps run; no
# device means exit 3 at once, writing nothing; with a stand-in nvidia-smi and a stand-in build
# (shell scripts that note their calls in $calls), the steps run in order, a missing test binary
# and a missing compute-sanitizer are skips that say why, a failing test fails the run, and the
# report and every log land in the --out folder (or $GPU_CHECK_RESULTS), nothing in TMPDIR.
set -u
script="$(cd "$(dirname "$0")/../.." && pwd)/scripts/gpu-check.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# The plan: every step, in this order.
out=$("$script" --dry-run) || fail "--dry-run exited $?"
last=0
for step in build golden bench-110m cuda-tests train generate sanitizer report logs; do
  line=$(grep -n "^  $step " <<< "$out" | head -1 | cut -d: -f1)
  [ -n "$line" ] || fail "the plan lacks $step: $out"
  [ "$line" -gt "$last" ] || fail "the plan has $step out of order: $out"
  last=$line
done
grep -q "CUDA_LAUNCH_BLOCKING=1 .*verify-golden" <<< "$out" || fail "the plan's golden steps are not launch-blocking: $out"
grep -q "CUDA_LAUNCH_BLOCKING=0 " <<< "$("$script" --dry-run --no-launch-blocking)" || fail "--no-launch-blocking is not in the plan"

# No GPU: exit 3, and nothing written.
out=$(GPU_CHECK_NVIDIA_SMI="$work/absent" "$script" --out "$work/no-gpu" 2>&1); rc=$?
[ "$rc" = 3 ] || fail "without a GPU: exit $rc, wanted 3: $out"
grep -q "no GPU" <<< "$out" || fail "without a GPU: no reason given: $out"
[ ! -e "$work/no-gpu" ] || fail "without a GPU: it created the output folder"

# The stand-ins: one script acting each program by its name. dist_nccl_test is left out, as in
# a build configured without libnccl; train_model_cuda_test fails.
mkdir -p "$work/bin" "$work/tmp" "$work/build/apps" "$work/build/bench" "$work/build/tests/"{tensor,train,pldr,apps,dist}
cat > "$work/bin/stand-in" <<'EOF'
#!/bin/sh
name=$(basename "$0")
echo "$name CUDA_LAUNCH_BLOCKING=${CUDA_LAUNCH_BLOCKING:-unset} $*" >> "$GPU_CHECK_TEST_CALLS"
case "$name" in
  pldr) echo '{"checked": 2, "failed": 0, "items": [{"name": "logits", "passed": true}]}' ;;
  bench_model_110m)
    while [ $# -gt 1 ]; do [ "$1" = -o ] && out=$2; shift; done
    echo '{"train": {"losses": [2.5, 2.25], "tokens_per_s": 1000, "ms_per_step": 10, "fraction_of_peak": 0.5},
           "generate": {"tokens": [5, 6], "tokens_per_s": 100}}' > "$out" ;;
  train_model_cuda_test) echo "[  FAILED  ] ModelCuda.LossesMatchTheCpu"; exit 1 ;;
  compute-sanitizer) echo "========= ERROR SUMMARY: 0 errors" ;;
  *) echo "[       OK ] StandIn.Passes" ;;
esac
EOF
chmod +x "$work/bin/stand-in"
for f in apps/pldr bench/bench_model_110m tests/tensor/tensor_op_cases_test tests/tensor/tensor_device_ops_test \
         tests/train/train_model_cuda_test tests/pldr/pldr_model_test tests/apps/apps_device_flag_test; do
  ln -s "$work/bin/stand-in" "$work/build/$f"
done
ln -s "$work/bin/stand-in" "$work/bin/compute-sanitizer"
printf 'NCCL_INCLUDE_DIR:PATH=/usr/local/cuda/include\nNCCL_LIBRARY:FILEPATH=NCCL_LIBRARY-NOTFOUND\n' > "$work/build/CMakeCache.txt"
printf '#!/bin/sh\necho "Stand-in GPU, 580.00, 1 MiB"\n' > "$work/bin/nvidia-smi"
chmod +x "$work/bin/nvidia-smi"
stand_ins=(GPU_CHECK_NVIDIA_SMI="$work/bin/nvidia-smi" GPU_CHECK_BUILD="$work/build" TMPDIR="$work/tmp")

# 1: --out relative to the current folder, no compute-sanitizer.
export GPU_CHECK_TEST_CALLS="$work/calls-1"
out=$(cd "$work" && env "${stand_ins[@]}" GPU_CHECK_SANITIZER="$work/absent" "$script" --skip-build --budget 60 --out out 2>&1); rc=$?
[ "$rc" = 1 ] || fail "with a failing test: exit $rc, wanted 1: $out"
steps=(build golden-tiny-float64 golden-tiny-float32 golden-small-float64 golden-small-float32 bench-110m
  test-tensor_op_cases test-tensor_device_ops test-train_model_cuda test-pldr_model test-apps_device_flag test-dist_nccl
  train-repeats train-vs-cpu generate-vs-cpu sanitizer)
table=$(sed -n '/^step  *status/,/^total /p' <<< "$out")
[ "$(cut -d' ' -f1 <<< "$table" | tr '\n' ' ')" = "step ${steps[*]} total " ] || fail "the table's steps or their order: $out"
for row in "build  *skipped" "golden-small-float32  *pass" "bench-110m  *pass" "test-tensor_op_cases  *pass" \
           "test-train_model_cuda  *fail" "test-dist_nccl  *skipped .* no dist_nccl_test (libnccl not found at configure time)" \
           "train-vs-cpu  *pass" "sanitizer  *skipped .* no compute-sanitizer at $work/absent" "total  *FAIL"; do
  grep -q "^$row" <<< "$table" || fail "the table lacks '$row': $out"
done
# The programs ran in the steps' order: golden, the 110M benchmark, the tests, the small runs.
order=$(cut -d' ' -f1 "$work/calls-1" | uniq -c | awk '{print $2 "x" $1}' | tr '\n' ' ')
[ "$order" = "pldrx4 bench_model_110mx1 tensor_op_cases_testx1 tensor_device_ops_testx1 train_model_cuda_testx1 \
pldr_model_testx1 apps_device_flag_testx1 bench_model_110mx3 " ] || fail "the programs ran in this order: $order"
[ "$(grep -c '^pldr CUDA_LAUNCH_BLOCKING=1 verify-golden' "$work/calls-1")" = 4 ] || fail "golden not launch-blocking: $(cat "$work/calls-1")"
reports=("$work"/out/gpu-*.json)
report=${reports[0]}
[ -f "$report" ] || fail "no JSON report in --out: $out"
logs=${report%.json}; logs=${logs/\/gpu-/\/gpu-check-}
for f in golden-tiny-float64.json bench-110m.log bench-110m.json test-tensor_op_cases.log test-train_model_cuda.log \
         small-cuda.json small-cpu.json steps.tsv; do
  [ -f "$logs/$f" ] || fail "no $f in $logs: $(ls -R "$work/out")"
done
[ -z "$(ls -A "$work/tmp")" ] || fail "work files in TMPDIR: $(ls -A "$work/tmp")"
python3 - "$report" "${steps[@]}" <<'PY' || fail "bad report $(cat "$report")"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["gpu"].startswith("Stand-in GPU"), r["gpu"]
assert [s["step"] for s in r["steps"]] == sys.argv[2:], r["steps"]
steps = {s["step"]: s for s in r["steps"]}
assert steps["test-train_model_cuda"]["status"] == "fail", steps
assert steps["test-dist_nccl"]["status"] == "skipped", steps
assert steps["test-dist_nccl"]["detail"] == "no dist_nccl_test (libnccl not found at configure time)", steps
assert steps["sanitizer"]["status"] == "skipped", steps
assert r["golden_launch_blocking"] is True and r["bench_110m"]["train"]["fraction_of_peak"] == 0.5, r
PY

# 2: GPU_CHECK_RESULTS as the output folder, a compute-sanitizer, --no-launch-blocking.
export GPU_CHECK_TEST_CALLS="$work/calls-2"
out=$(env "${stand_ins[@]}" GPU_CHECK_SANITIZER="$work/bin/compute-sanitizer" GPU_CHECK_RESULTS="$work/results" \
  "$script" --skip-build --budget 60 --no-launch-blocking 2>&1)
grep -q "^sanitizer  *pass .*ERROR SUMMARY: 0 errors" <<< "$out" || fail "the sanitizer step: $out"
grep -q "^compute-sanitizer .* --tool memcheck --error-exitcode 1 $work/build/apps/pldr verify-golden tests/data/golden/tiny.h5 --device cuda --dtype float32$" \
  "$work/calls-2" || fail "compute-sanitizer's arguments: $(cat "$work/calls-2")"
[ "$(grep -c '^pldr CUDA_LAUNCH_BLOCKING=0 verify-golden' "$work/calls-2")" = 4 ] || fail "--no-launch-blocking: $(cat "$work/calls-2")"
ls "$work"/results/gpu-*.json > /dev/null 2>&1 || fail "no report in GPU_CHECK_RESULTS: $out"
ls "$work"/results/gpu-check-*/sanitizer.log > /dev/null 2>&1 || fail "no sanitizer log in GPU_CHECK_RESULTS: $out"

# 3: --skip-build with no build at all fails the build step and skips what needs its programs.
out=$(GPU_CHECK_NVIDIA_SMI="$work/bin/nvidia-smi" GPU_CHECK_BUILD="$work/no-build" GPU_CHECK_SANITIZER="$work/absent" \
  "$script" --skip-build --budget 60 --out "$work/out-3" 2>&1); rc=$?
[ "$rc" = 1 ] || fail "without a build: exit $rc, wanted 1: $out"
for row in "build  *fail .*no $work/no-build/apps/pldr $work/no-build/bench/bench_model_110m" "golden-tiny-float64  *skipped" \
           "bench-110m  *skipped" "test-pldr_model  *skipped .*no pldr_model_test (not a target of $work/no-build/)" \
           "train-vs-cpu  *skipped"; do
  grep -q "^$row" <<< "$out" || fail "without a build, the table lacks '$row': $out"
done
echo "gpu-check.sh: plan order, no-GPU exit, --out and its logs, step order, named skips and failures all as expected"
