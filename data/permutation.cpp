// Seeded permutations: Fisher-Yates over std::mt19937_64.
#include "data/permutation.h"

#include <numeric>
#include <random>
#include <utility>

namespace pldr::data {
namespace {

// Uniform in [0, n), n > 0: draws above the largest multiple of n are rejected, so there is no
// modulo bias (std::uniform_int_distribution would do this too, but its algorithm is unspecified).
uint64_t uniform_below(std::mt19937_64& engine, uint64_t n) {
  const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  uint64_t draw = engine();
  while (draw >= limit) draw = engine();
  return draw % n;
}

}  // namespace

std::vector<uint64_t> seeded_permutation(uint64_t n, uint64_t seed, uint64_t epoch) {
  std::vector<uint64_t> order(n);
  std::iota(order.begin(), order.end(), uint64_t{0});
  std::seed_seq seeds{static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32),
                      static_cast<uint32_t>(epoch), static_cast<uint32_t>(epoch >> 32)};
  std::mt19937_64 engine(seeds);
  for (uint64_t i = n; i > 1; --i) std::swap(order[i - 1], order[uniform_below(engine, i)]);
  return order;
}

}  // namespace pldr::data
