// float32 square matmul throughput: pldr::matmul ("ours") against OpenBLAS cblas_sgemm on the
// same inputs, in the same process, with the same number of threads.
//
// Counter GFLOP/s = 2 N^3 per iteration over wall-clock time (UseRealTime: both sides run
// multi-threaded, so the main thread's CPU time would be meaningless). "ours" is the public
// pldr::matmul, so each iteration also allocates (and zero-fills) the N x N output tensor;
// cblas_sgemm writes into a buffer allocated once. After the runs a table of ours / OpenBLAS
// per N is printed from the counters the reporter saw.
#include <benchmark/benchmark.h>
#include <cblas.h>

#include <Eigen/Core>
#include <algorithm>
#include <cstdio>
#include <map>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "tensor/ops.h"
#include "tensor/random.h"
#include "tensor/tensor.h"
#ifdef _OPENMP
#include <omp.h>
#endif

// bench/CMakeLists.txt mirrors the PLDR_BLAS option (pldr_tensor's PLDR_USE_BLAS is private).
#if !defined(PLDR_BENCH_OURS_BLAS)
#define PLDR_BENCH_OURS_PATH "unknown (built outside bench/CMakeLists.txt)"
#elif PLDR_BENCH_OURS_BLAS
#define PLDR_BENCH_OURS_PATH "cblas (library built with PLDR_BLAS=ON)"
#else
#define PLDR_BENCH_OURS_PATH "Eigen GEMM (library built with PLDR_BLAS=OFF)"
#endif

namespace {

constexpr const char* kCounter = "GFLOP/s";
const std::vector<int64_t> kSizes = {128, 512, 896, 2048};
constexpr int64_t kTransposedSize = 896;

struct Inputs {
  pldr::Tensor a, b;
};

// Same seeded inputs for every implementation at a given N.
const Inputs& inputs(int64_t n) {
  static std::map<int64_t, Inputs> cache;
  auto it = cache.find(n);
  if (it == cache.end()) {
    pldr::Generator gen(1234 + static_cast<uint64_t>(n));
    Inputs in{gen.normal({n, n}), gen.normal({n, n})};
    it = cache.emplace(n, std::move(in)).first;
  }
  return it->second;
}

void set_flops(benchmark::State& state, int64_t n) {
  state.counters[kCounter] = benchmark::Counter(2.0 * n * n * n * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

void BM_Ours(benchmark::State& state) {
  const int64_t n = state.range(0);
  const Inputs& in = inputs(n);
  for (auto _ : state) {
    pldr::Tensor c = pldr::ops::matmul(in.a, in.b);
    benchmark::DoNotOptimize(c.data<float>());
    benchmark::ClobberMemory();
  }
  set_flops(state, n);
}

// a.transpose(0, 1) is a column-major view; pldr::matmul uses it in place (no copy).
void BM_OursTransposedA(benchmark::State& state) {
  const int64_t n = state.range(0);
  const Inputs& in = inputs(n);
  const pldr::Tensor at = in.a.transpose(0, 1);
  if (at.is_contiguous() || !at.shares_storage(in.a)) {
    state.SkipWithError("transpose(0, 1) is not a strided view");
    return;
  }
  for (auto _ : state) {
    pldr::Tensor c = pldr::ops::matmul(at, in.b);
    benchmark::DoNotOptimize(c.data<float>());
    benchmark::ClobberMemory();
  }
  set_flops(state, n);
}

void BM_OpenBLAS(benchmark::State& state) {
  const int64_t n = state.range(0);
  const Inputs& in = inputs(n);
  std::vector<float> c(static_cast<size_t>(n * n));
  const int ni = static_cast<int>(n);
  for (auto _ : state) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, ni, ni, ni, 1.f, in.a.data<float>(), ni, in.b.data<float>(),
                ni, 0.f, c.data(), ni);
    benchmark::DoNotOptimize(c.data());
    benchmark::ClobberMemory();
  }
  set_flops(state, n);
}

// The same product as BM_OursTransposedA: op(A) = A^T of the row-major buffer.
void BM_OpenBLASTransposedA(benchmark::State& state) {
  const int64_t n = state.range(0);
  const Inputs& in = inputs(n);
  std::vector<float> c(static_cast<size_t>(n * n));
  const int ni = static_cast<int>(n);
  for (auto _ : state) {
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, ni, ni, ni, 1.f, in.a.data<float>(), ni, in.b.data<float>(),
                ni, 0.f, c.data(), ni);
    benchmark::DoNotOptimize(c.data());
    benchmark::ClobberMemory();
  }
  set_flops(state, n);
}

// What pldr::matmul spends on its result alone: a new zero-filled N x N tensor (the page faults
// and memset of a fresh allocation). Reported in the summary as a share of BM_Ours.
void BM_OutputAlloc(benchmark::State& state) {
  const int64_t n = state.range(0);
  for (auto _ : state) {
    pldr::Tensor c = pldr::Tensor::empty({n, n}, pldr::DType::Float32);
    benchmark::DoNotOptimize(c.data<float>());
    benchmark::ClobberMemory();
  }
}

// Console output as usual, plus the GFLOP/s of every run, keyed by "family/N:<n>". With
// --benchmark_repetitions the median of the repetitions is used.
class CollectingReporter : public benchmark::ConsoleReporter {
 public:
  static bool failed(const Run& run) {
#if PLDR_BENCH_RUN_SKIPPED
    return static_cast<bool>(run.skipped);  // Google Benchmark >= 1.8: an enum, NotSkipped = 0
#else
    return run.error_occurred;
#endif
  }

  CollectingReporter() : benchmark::ConsoleReporter(OO_Tabular) {}

  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      if (failed(run) || run.run_type != Run::RT_Iteration) continue;
      const std::string key = run.run_name.function_name + "/" + run.run_name.args;
      seconds_[key].push_back(run.real_accumulated_time / static_cast<double>(run.iterations));
      auto it = run.counters.find(kCounter);
      if (it != run.counters.end()) values_[key].push_back(it->second.value);
    }
    ConsoleReporter::ReportRuns(runs);
  }

  // Median GFLOP/s / seconds per iteration of a family at N; negative when it did not run.
  double gflops(const std::string& family, int64_t n) const { return median(values_, family, n); }
  double seconds(const std::string& family, int64_t n) const { return median(seconds_, family, n); }

 private:
  using Table = std::map<std::string, std::vector<double>>;
  static double median(const Table& t, const std::string& family, int64_t n) {
    auto it = t.find(family + "/N:" + std::to_string(n));  // ArgName("N")
    if (it == t.end() || it->second.empty()) return -1;
    std::vector<double> v = it->second;
    std::sort(v.begin(), v.end());
    const size_t m = v.size() / 2;
    return v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
  }
  Table values_, seconds_;
};

void print_ratio_row(const CollectingReporter& rep, const char* label, const char* ours, const char* blas, int64_t n) {
  const double o = rep.gflops(ours, n), b = rep.gflops(blas, n);
  if (o < 0 && b < 0) return;
  char os[32] = "n/a", bs[32] = "n/a", rs[32] = "n/a";
  if (o >= 0) std::snprintf(os, sizeof os, "%.1f", o);
  if (b >= 0) std::snprintf(bs, sizeof bs, "%.1f", b);
  if (o >= 0 && b > 0) std::snprintf(rs, sizeof rs, "%.2f", o / b);
  std::printf("%-16s %6lld %12s %14s %10s\n", label, static_cast<long long>(n), os, bs, rs);
}

}  // namespace

BENCHMARK(BM_Ours)->ArgName("N")->Arg(128)->Arg(512)->Arg(896)->Arg(2048)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_OursTransposedA)->ArgName("N")->Arg(kTransposedSize)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_OutputAlloc)->ArgName("N")->Arg(896)->Arg(2048)->UseRealTime()->Unit(benchmark::kMillisecond);
// OpenBLAS last: its worker threads keep spinning for a while after a call and would steal a
// core from the OpenMP threads of a run that followed.
BENCHMARK(BM_OpenBLAS)
    ->ArgName("N")
    ->Arg(128)
    ->Arg(512)
    ->Arg(896)
    ->Arg(2048)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_OpenBLASTransposedA)->ArgName("N")->Arg(kTransposedSize)->UseRealTime()->Unit(benchmark::kMillisecond);

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

#ifdef _OPENMP
  const int threads = omp_get_max_threads();
#else
  const int threads = 1;
#endif
  openblas_set_num_threads(threads);

  std::printf("ours:     pldr::matmul via %s; OpenMP threads %d, Eigen::nbThreads() %d, Eigen SIMD %s\n",
              PLDR_BENCH_OURS_PATH, threads, Eigen::nbThreads(), Eigen::SimdInstructionSetsInUse());
#if defined(PLDR_BENCH_OURS_BLAS) && PLDR_BENCH_OURS_BLAS
  std::printf("          (this build's matmul is itself cblas_sgemm: both columns measure OpenBLAS)\n");
#endif
  std::printf("OpenBLAS: cblas_sgemm, openblas_set_num_threads(%d) -> openblas_get_num_threads() %d; %s, core %s\n",
              threads, openblas_get_num_threads(), openblas_get_config(), openblas_get_corename());
  std::printf("hardware threads: %u. Both sides use the same thread count (%d).\n\n",
              std::thread::hardware_concurrency(), threads);
  std::fflush(stdout);

  CollectingReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();

  std::printf("\nfloat32 square matmul, GFLOP/s (2 N^3 per product, wall clock), %d threads each\n", threads);
  std::printf("%-16s %6s %12s %14s %10s\n", "case", "N", "ours", "OpenBLAS", "ours/BLAS");
  for (int64_t n : kSizes) print_ratio_row(reporter, "A x B", "BM_Ours", "BM_OpenBLAS", n);
  print_ratio_row(reporter, "A^T x B (view)", "BM_OursTransposedA", "BM_OpenBLASTransposedA", kTransposedSize);
  for (int64_t n : {int64_t(896), int64_t(2048)}) {
    const double alloc = reporter.seconds("BM_OutputAlloc", n), ours = reporter.seconds("BM_Ours", n);
    if (alloc >= 0 && ours > 0)
      std::printf("ours at N=%lld includes its output allocation: %.3f ms of %.3f ms (%.1f%%)\n",
                  static_cast<long long>(n), alloc * 1e3, ours * 1e3, 100 * alloc / ours);
  }
  return 0;
}
