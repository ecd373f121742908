// What the benchmark programs share to time work: repeated runs after a warm-up, and the median.
#pragma once
#include <algorithm>
#include <chrono>
#include <vector>

namespace pldr::bench {

// Milliseconds of each of `reps` runs of f, after one untimed warm-up run.
template <class F> std::vector<double> run_ms(int reps, F&& f) {
  f();
  std::vector<double> ms;
  for (int i = 0; i < reps; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  return ms;
}

// The median (the mean of the two middle values for an even count); 0 for no values.
inline double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

}  // namespace pldr::bench
