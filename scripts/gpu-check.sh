#!/usr/bin/env bash
# scripts/gpu-check.sh: every GPU check of the CUDA backend in one command (issue 8), for the GPU
# machine (../shared/GPU.md: no network, no installs). In order, each with its own timeout and
# all under one overall budget; a failing step is reported and the script goes on:
#   1. build with CUDA (Ninja, Release, sm_90) into build-gpu/: only the programs run below (pldr,
#      bench_model_110m and the test binaries that CMake configured), with Ninja's -k 0 so that
#      one that fails to compile leaves the others built
#   2. golden parity: pldr verify-golden --device cuda on tests/data/golden/{tiny,small}.h5,
#      float64 and float32, with CUDA_LAUNCH_BLOCKING=1 (a device fault is then reported at the
#      kernel that made it, not at a later one)
#   3. the benchmark at the paper's 110M shape (bench_model_110m: training tokens/s at batch
#      16 x 1024 float32 AdamW, generation tokens/s batch 1 greedy KV+G after 32 prompt tokens,
#      fraction of the float32 peak), before the tests so that a slow or hanging one cannot starve it
#   4. the CUDA test binaries, one step each (the op-case table on every backend, the device
#      checks of rotary and embedding, the model on the GPU against the CPU, device flags, NCCL);
#      a binary that is not there is a skip that says why (dist_nccl_test exists only when CMake
#      found libnccl)
#   5. a short training of a small model, twice on the GPU (losses bit for bit equal) and on the
#      CPU from the same seed and batches: losses of the first 50 steps, largest relative
#      difference (the issue asks <= 1e-4, float32)
#   6. generation: the same small model's greedy tokens on both devices
#   7. sanitizer: the tiny golden case in float32 under compute-sanitizer's memcheck (from PATH,
#      else /usr/local/cuda/bin; a skip that says so when there is none)
# It prints progress as it goes and a table last. In the output folder it writes the JSON report
# gpu-<stamp>.json and, beside it, gpu-check-<stamp>/ with every log and work file, so that a
# caller on another machine can collect both.
#
#   scripts/gpu-check.sh [--dry-run] [--skip-build] [--budget SECONDS] [--out DIR] [--no-launch-blocking]
#
# --dry-run prints the plan and exits 0 without running anything; --skip-build uses an existing
# build-gpu/ (which must hold pldr and bench_model_110m); --out DIR is the output folder (relative
# to the current folder; default $GPU_CHECK_RESULTS, else bench/results/); --no-launch-blocking
# runs the golden steps without CUDA_LAUNCH_BLOCKING=1. Without a usable GPU (no nvidia-smi, or it
# lists no device) it says so and exits 3 at once, writing nothing. Exit status: 0 when every step
# passed or was skipped, 1 otherwise, 2 for a bad argument.
# Tests point GPU_CHECK_BUILD, GPU_CHECK_NVIDIA_SMI and GPU_CHECK_SANITIZER at stand-ins.
set -uo pipefail
caller_dir=$PWD
cd "$(dirname "$0")/.." || exit 2

budget=420          # seconds for everything; the GPU session has 15 minutes in all
dry_run=0
skip_build=0
launch_blocking=1
out=""
usage="--dry-run, --skip-build, --budget SECONDS, --out DIR, --no-launch-blocking"
while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) dry_run=1 ;;
    --skip-build) skip_build=1 ;;
    --no-launch-blocking) launch_blocking=0 ;;
    --budget|--out)
      [ $# -ge 2 ] || { echo "gpu-check: $1 needs a value ($usage)" >&2; exit 2; }
      if [ "$1" = --budget ]; then budget="$2"; else out="$2"; fi
      shift ;;
    *) echo "gpu-check: unknown argument $1 ($usage)" >&2; exit 2 ;;
  esac
  shift
done

build="${GPU_CHECK_BUILD:-build-gpu}"          # tests point these elsewhere
results="${out:-${GPU_CHECK_RESULTS:-$PWD/bench/results}}"
[[ "$results" = /* ]] || results="$caller_dir/$results"
pldr="$build/apps/pldr"
bench="$build/bench/bench_model_110m"
stamp=$(date -u +%Y-%m-%dT%H%M%SZ)
report="$results/gpu-$stamp.json"
work="$results/gpu-check-$stamp"               # the logs and work files, beside the report
nvidia_smi="${GPU_CHECK_NVIDIA_SMI:-nvidia-smi}"
sanitizer="${GPU_CHECK_SANITIZER:-$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)}"
start=$(date +%s)

# The GPU tests: GoogleTest binaries under the build folder (their GPU tests skip, naming why,
# without one), each a path and its arguments; the file name is the CMake target.
cuda_tests=("tests/tensor/tensor_op_cases_test --gtest_filter=*EveryOtherBackendMatchesTheCpu*"
  "tests/tensor/tensor_device_ops_test --gtest_filter=DevicePlumbing.*"
  "tests/train/train_model_cuda_test" "tests/pldr/pldr_model_test --gtest_filter=ModelDevice.*"
  "tests/apps/apps_device_flag_test" "tests/dist/dist_nccl_test")  # NCCL: world size 1 on one GPU
# Their GPU-only tests: with a GPU seen by nvidia-smi, one of these skipping (the build cannot use
# the GPU) is a failure.
gpu_only_tests='^\[  SKIPPED \] (ModelCuda|DeviceFlag.CommandsRunOnTheGpu|NcclGroup|DevicePlumbing.RotaryAndEmbeddingNameBothDevices)'
needed_targets=(pldr bench_model_110m)
for entry in "${cuda_tests[@]}"; do
  path=${entry%% *}
  needed_targets+=("${path##*/}")
done
# A small model for the CPU/GPU comparisons: seconds on either device.
small_model=(model.vocab_size=512 model.hidden_size=64 model.num_attention_heads=2 model.head_dim=32
  model.num_hidden_layers=2 model.intermediate_size=96 model.A_dff=32 model.num_reslayerA=2 model.num_denseA=2
  model.max_position_embeddings=128)
small_run=(--batch 4 --seq 64 --steps 50 --warmup 0 --gen-tokens 16 --prompt-tokens 8 --gen-runs 1)
bench_110m_run=(--device cuda --dtype float32 --batch 16 --seq 1024 --steps 5 --warmup 2 --gen-tokens 64 --prompt-tokens 32
  --gen-runs 3 --peak-tflops 67)
sanitizer_run=(--tool memcheck --error-exitcode 1 "$pldr" verify-golden tests/data/golden/tiny.h5 --device cuda --dtype float32)

plan() {
  local test_lines="" entry
  for entry in "${cuda_tests[@]}"; do test_lines+="               $build/$entry"$'\n'; done
  local sanitizer_line="$sanitizer ${sanitizer_run[*]}"
  [ -x "$sanitizer" ] || sanitizer_line="skipped: no compute-sanitizer at $sanitizer"
  cat <<EOF
gpu-check plan (budget ${budget}s), in this order:
  build        cmake -S . -B $build -G Ninja -DCMAKE_BUILD_TYPE=Release -DPLDR_CUDA=ON
               cmake --build $build --target <those CMake configured of: ${needed_targets[*]}> -- -k 0
  golden       CUDA_LAUNCH_BLOCKING=$launch_blocking $pldr verify-golden tests/data/golden/{tiny,small}.h5 --device cuda --dtype {float64,float32}
  bench-110m   $bench ${bench_110m_run[*]}
  cuda-tests   one step each; a binary that is not there is skipped, naming why:
${test_lines}  train        $bench --device {cuda,cuda,cpu} ${small_run[*]} ${small_model[*]}
               (GPU losses bit for bit equal run to run; GPU vs CPU rel <= 1e-4)
  generate     greedy tokens of the same runs compared
  sanitizer    $sanitizer_line
  report       $report
  logs         $work/
EOF
}

if [ "$dry_run" = 1 ]; then plan; exit 0; fi

gpu_name=$("$nvidia_smi" --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | head -1)
if [ -z "$gpu_name" ]; then
  echo "gpu-check: no GPU: '$nvidia_smi' is missing or lists no device; nothing to check here (try --dry-run)" >&2
  exit 3
fi
mkdir -p "$work" || { echo "gpu-check: cannot create $work" >&2; exit 2; }
echo "gpu-check: $gpu_name; budget ${budget}s; report $report, logs in $work/"

names=() statuses=() seconds=() details=()
record() {  # name status seconds detail
  names+=("$1") statuses+=("$2") seconds+=("$3") details+=("$4")
  printf 'gpu-check: [%s] %s (%ss) %s\n' "$2" "$1" "$3" "$4"
}
remaining() { echo $((budget - ($(date +%s) - start))); }
# run_step NAME LIMIT LOG COMMAND...: runs under min(LIMIT, what is left of the budget); sets $rc
# and $took; the output goes to LOG (its tail is shown on failure).
run_step() {
  local name=$1 limit=$2 log=$3
  shift 3
  local left
  left=$(remaining)
  [ "$left" -lt "$limit" ] && limit=$left
  if [ "$limit" -le 5 ]; then rc=124; took=0; echo "gpu-check: $name: no time left in the budget" > "$log"; return; fi
  echo "gpu-check: $name (up to ${limit}s) ..."
  local t0
  t0=$(date +%s)
  timeout --kill-after=5 "$limit" "$@" > "$log" 2>&1
  rc=$?
  took=$(($(date +%s) - t0))
  if [ "$rc" -ne 0 ]; then tail -n 15 "$log" | sed 's/^/    /'; fi
}
status_of() { case "$1" in 0) echo pass ;; 124|137) echo timeout ;; *) echo fail ;; esac; }
# The targets CMake configured in $build: Ninja's "NAME: phony" lines of its help, or Make's "... NAME".
configured_targets() {
  cmake --build "$build" --target help 2>/dev/null | sed -nE -e 's/^([A-Za-z0-9_.+-]+): phony$/\1/p' \
    -e 's/^\.\.\. ([A-Za-z0-9_.+-]+)( .*)?$/\1/p'
}
# Why the binary of test target $1 is not in $build: the reason its step is skipped.
why_missing() {
  if grep -qxF "$1" <<< "$configured"; then
    echo "not built: see the build log"
  elif [ "$1" = dist_nccl_test ] && grep -qE '^NCCL_(LIBRARY|INCLUDE_DIR):[A-Z]+=.*NOTFOUND' "$build/CMakeCache.txt" 2>/dev/null; then
    echo "libnccl not found at configure time"
  else
    echo "not a target of $build/"
  fi
}

# 1. build: only the targets run below
configured=""
if [ "$skip_build" = 1 ]; then
  configured=$(configured_targets)
  absent=()
  for f in "$pldr" "$bench"; do [ -x "$f" ] || absent+=("$f"); done
  if [ ${#absent[@]} = 0 ]; then record build skipped 0 "--skip-build: using $build/"
  else record build fail 0 "--skip-build: no ${absent[*]}"; fi
else
  run_step build 200 "$work/configure.log" cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DPLDR_CUDA=ON
  took_configure=$took
  took=0
  if [ "$rc" -ne 0 ]; then
    detail="configure failed; log: $work/configure.log"
  else
    configured=$(configured_targets)
    wanted=() unconfigured=()
    for t in "${needed_targets[@]}"; do
      if grep -qxF "$t" <<< "$configured"; then wanted+=("$t"); else unconfigured+=("$t"); fi
    done
    if [ ${#wanted[@]} = 0 ]; then
      rc=1
    else
      run_step build $((200 - took_configure)) "$work/build.log" cmake --build "$build" -j "$(nproc)" --target "${wanted[@]}" -- -k 0
    fi
    detail="${#wanted[@]} targets${unconfigured[*]:+ (not configured: ${unconfigured[*]})}; logs: $work/{configure,build}.log"
  fi
  record build "$(status_of $rc)" "$((took_configure + took))" "$detail"
fi
have_pldr=0; [ -x "$pldr" ] && have_pldr=1
have_bench=0; [ -x "$bench" ] && have_bench=1

# 2. verify-golden on the GPU
for file in tiny small; do
  for dtype in float64 float32; do
    name="golden-$file-$dtype"
    if [ "$have_pldr" = 0 ]; then record "$name" skipped 0 "no $pldr"; continue; fi
    run_step "$name" 60 "$work/$name.json" env CUDA_LAUNCH_BLOCKING="$launch_blocking" \
      "$pldr" verify-golden "tests/data/golden/$file.h5" --device cuda --dtype "$dtype"
    detail=$(python3 - "$work/$name.json" 2>/dev/null <<'EOF' || echo "no report"
import json, sys
text = open(sys.argv[1]).read()  # the JSON report, then verify-golden's summary line (stderr)
r, _ = json.JSONDecoder().raw_decode(text[text.index("{"):])
bad = [i["name"] for i in r["items"] if not i["passed"]][:3]
print(f"{r['checked']} items, {r['failed']} failed {' '.join(bad)}")
EOF
)
    record "$name" "$(status_of $rc)" "$took" "$detail"
  done
done

# 3. the 110M benchmark
if [ "$have_bench" = 0 ]; then
  record bench-110m skipped 0 "no $bench"
else
  run_step bench-110m 200 "$work/bench-110m.log" "$bench" "${bench_110m_run[@]}" -o "$work/bench-110m.json"
  detail=$(python3 - "$work/bench-110m.json" 2>/dev/null <<'EOF' || echo "no report"
import json, sys
r = json.load(open(sys.argv[1]))
t, g = r["train"], r["generate"]
print(f"train {t['tokens_per_s']:.0f} tok/s ({t['ms_per_step']:.1f} ms/step, {t['fraction_of_peak']:.1%} of 67 TFLOP/s fp32),"
      f" generate {g['tokens_per_s']:.1f} tok/s (reference: 64100 and 283)")
EOF
)
  record bench-110m "$(status_of $rc)" "$took" "$detail"
fi

# 4. the CUDA test binaries, one step each
for entry in "${cuda_tests[@]}"; do
  read -r -a words <<< "$entry"  # the binary's path, then its arguments
  target=${words[0]##*/}
  name="test-${target%_test}"
  if [ ! -x "$build/${words[0]}" ]; then record "$name" skipped 0 "no $target ($(why_missing "$target"))"; continue; fi
  run_step "$name" 90 "$work/$name.log" "$build/${words[0]}" "${words[@]:1}"
  # nvidia-smi saw a GPU, so a GPU test that skips (the build cannot use it) is a failure too.
  [ "$rc" -eq 0 ] && grep -qE "$gpu_only_tests" "$work/$name.log" && rc=1
  record "$name" "$(status_of $rc)" "$took" "$(grep -c '^\[       OK' "$work/$name.log") ok, \
$(grep -c '^\[  SKIPPED \]' "$work/$name.log") skipped, $(grep -c '^\[  FAILED  \] [A-Z]' "$work/$name.log") failed"
done

# 5-6. a small training and generation, GPU against CPU
if [ "$have_bench" = 0 ]; then
  record train-repeats skipped 0 "no $bench"
  record train-vs-cpu skipped 0 "no $bench"
  record generate-vs-cpu skipped 0 "no $bench"
else
  run_step train-cuda 60 "$work/train-cuda.log" "$bench" --device cuda "${small_run[@]}" "${small_model[@]}" -o "$work/small-cuda.json"
  rc_cuda=$rc; took_cuda=$took
  run_step train-cuda-again 60 "$work/train-cuda-again.log" "$bench" --device cuda "${small_run[@]}" "${small_model[@]}" \
    -o "$work/small-cuda-again.json"
  if [ "$rc" -ne 0 ]; then
    record train-repeats "$(status_of $rc)" "$took" "the second GPU run failed"
  else
    read -r repeat_status repeat_detail < <(python3 - "$work/small-cuda.json" "$work/small-cuda-again.json" <<'EOF'
import json, sys
a, b = (json.load(open(p))["train"]["losses"] for p in sys.argv[1:3])
same = sum(x == y for x, y in zip(a, b))
print("pass" if a == b else "fail", f"{same} of {len(a)} losses bit for bit equal in two GPU runs")
EOF
)
    record train-repeats "${repeat_status:-fail}" "$took" "${repeat_detail:-comparison failed}"
  fi
  run_step train-cpu 90 "$work/train-cpu.log" "$bench" --device cpu "${small_run[@]}" "${small_model[@]}" -o "$work/small-cpu.json"
  rc_cpu=$rc
  if [ "$rc_cuda" -ne 0 ] || [ "$rc_cpu" -ne 0 ]; then
    record train-vs-cpu "$(status_of $((rc_cuda != 0 ? rc_cuda : rc_cpu)))" "$took_cuda" "a run failed (cuda rc $rc_cuda, cpu rc $rc_cpu)"
    record generate-vs-cpu skipped 0 "no runs to compare"
  else
    read -r train_status train_detail < <(python3 - "$work/small-cuda.json" "$work/small-cpu.json" <<'EOF'
import json, sys
g, c = (json.load(open(p)) for p in sys.argv[1:3])
lg, lc = g["train"]["losses"], c["train"]["losses"]
rel = max(abs(a - b) / abs(b) for a, b in zip(lg, lc))
print("pass" if rel <= 1e-4 else "fail",
      f"{len(lg)} steps, max rel diff {rel:.3g} (first {lg[0]:.6f} vs {lc[0]:.6f}, last {lg[-1]:.6f} vs {lc[-1]:.6f});"
      f" cuda {g['train']['tokens_per_s']:.0f} tok/s, cpu {c['train']['tokens_per_s']:.0f} tok/s")
EOF
)
    record train-vs-cpu "${train_status:-fail}" "$took_cuda" "${train_detail:-comparison failed}"
    read -r gen_status gen_detail < <(python3 - "$work/small-cuda.json" "$work/small-cpu.json" <<'EOF'
import json, sys
g, c = (json.load(open(p))["generate"]["tokens"] for p in sys.argv[1:3])
same = sum(a == b for a, b in zip(g, c))
print("pass" if g == c else "fail", f"{same} of {len(c)} greedy tokens identical")
EOF
)
    record generate-vs-cpu "${gen_status:-fail}" 0 "${gen_detail:-comparison failed}"
  fi
fi

# 7. the tiny golden case under compute-sanitizer's memcheck: an out-of-bounds or misaligned
# device access fails the step (--error-exitcode 1) and is named in the log.
if [ ! -x "$sanitizer" ]; then
  record sanitizer skipped 0 "no compute-sanitizer at $sanitizer"
elif [ "$have_pldr" = 0 ]; then
  record sanitizer skipped 0 "no $pldr"
else
  run_step sanitizer 90 "$work/sanitizer.log" "$sanitizer" "${sanitizer_run[@]}"
  detail=$(grep -m1 'ERROR SUMMARY' "$work/sanitizer.log" | sed 's/^=* *//')
  record sanitizer "$(status_of $rc)" "$took" "${detail:-no error summary}; log: $work/sanitizer.log"
fi

# The table and the JSON report.
total=$(($(date +%s) - start))
echo
printf '%-24s %-8s %6s  %s\n' step status seconds detail
failed=0
for i in "${!names[@]}"; do
  printf '%-24s %-8s %6s  %s\n' "${names[$i]}" "${statuses[$i]}" "${seconds[$i]}" "${details[$i]}"
  case "${statuses[$i]}" in pass|skipped) ;; *) failed=1 ;; esac
done
printf '%-24s %-8s %6s\n' total "$([ $failed = 0 ] && echo pass || echo FAIL)" "$total"

steps_file="$work/steps.tsv"
: > "$steps_file"
for i in "${!names[@]}"; do printf '%s\t%s\t%s\t%s\n' "${names[$i]}" "${statuses[$i]}" "${seconds[$i]}" "${details[$i]}" >> "$steps_file"; done
python3 - "$steps_file" "$work" "$gpu_name" "$stamp" "$total" "$launch_blocking" > "$report.tmp" <<'EOF' && mv "$report.tmp" "$report" && echo "gpu-check: wrote $report"
import json, os, sys, subprocess
steps_file, work, gpu, stamp, total, launch_blocking = sys.argv[1:7]
steps = []
for line in open(steps_file):
    name, status, secs, detail = line.rstrip("\n").split("\t", 3)
    steps.append({"step": name, "status": status, "seconds": int(secs), "detail": detail})
def load(name):
    path = os.path.join(work, name)
    try:
        return json.load(open(path))
    except Exception:
        return None
commit = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip() or None
print(json.dumps({"gpu": gpu, "date": stamp, "commit": commit, "seconds": int(total), "logs": work,
                  "golden_launch_blocking": launch_blocking == "1", "steps": steps,
                  "bench_110m": load("bench-110m.json"), "small_cuda": load("small-cuda.json"),
                  "small_cpu": load("small-cpu.json")}, indent=2))
EOF
exit $failed
