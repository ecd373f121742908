// Seeded permutations: Fisher-Yates over std::mt19937_64.
#include "data/permutation.h"

#include <numeric>
#include <random>
#include <stdexcept>
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

std::mt19937_64 seeded_engine(uint64_t seed, uint64_t stream) {
  std::seed_seq seeds{static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32), static_cast<uint32_t>(stream),
                      static_cast<uint32_t>(stream >> 32)};
  return std::mt19937_64(seeds);
}

void shuffle(std::vector<uint64_t>& items, std::mt19937_64& engine) {
  for (uint64_t i = items.size(); i > 1; --i) std::swap(items[i - 1], items[uniform_below(engine, i)]);
}

}  // namespace

std::vector<uint64_t> seeded_permutation(uint64_t n, uint64_t seed, uint64_t epoch) {
  std::vector<uint64_t> order(n);
  std::iota(order.begin(), order.end(), uint64_t{0});
  std::mt19937_64 engine = seeded_engine(seed, epoch);
  shuffle(order, engine);
  return order;
}

std::vector<uint64_t> buffered_shuffle_order(uint64_t n, uint64_t buffer_size, uint64_t seed) {
  if (buffer_size == 0) throw std::invalid_argument("shuffle buffer: the buffer needs at least one slot");
  std::mt19937_64 engine = seeded_engine(seed, UINT64_MAX);  // a stream apart from the epochs' orders
  std::vector<uint64_t> order, buffer;
  order.reserve(n);
  for (uint64_t item = 0; item < n; ++item) {
    if (buffer.size() < buffer_size) {
      buffer.push_back(item);
      continue;
    }
    uint64_t& slot = buffer[uniform_below(engine, buffer_size)];
    order.push_back(slot);
    slot = item;
  }
  shuffle(buffer, engine);
  order.insert(order.end(), buffer.begin(), buffer.end());
  return order;
}

}  // namespace pldr::data
