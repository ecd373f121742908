// Seeded permutations: the shuffled sample order of a loader epoch. The algorithm is fixed
// (std::seed_seq and std::mt19937_64, both defined exactly by the C++ standard, driving a
// Fisher-Yates shuffle with rejection sampling), so an order depends only on (n, seed, epoch):
// not on the standard library, the platform or the thread count.
#pragma once

#include <cstdint>
#include <vector>

namespace pldr::data {

// A permutation of 0 .. n-1. The engine is seeded from all 128 bits of (seed, epoch); seeding it
// with seed + epoch instead would give runs with seeds 0 and 1 the same orders, one epoch apart.
std::vector<uint64_t> seeded_permutation(uint64_t n, uint64_t seed, uint64_t epoch);

// The order a shuffle buffer of `buffer_size` items gives a stream of n items, as the reference
// shuffles its documents (Hugging Face IterableDataset.shuffle(seed, buffer_size)): the first
// buffer_size items fill the buffer; each later item replaces a uniformly drawn slot, whose item is
// emitted; at the end the buffer is emitted in a seeded random order. An item thus moves at most
// about buffer_size places earlier. buffer_size >= n is a full permutation. Same engine as above,
// so the order depends only on (n, buffer_size, seed); it is not Hugging Face's numpy stream.
std::vector<uint64_t> buffered_shuffle_order(uint64_t n, uint64_t buffer_size, uint64_t seed);

}  // namespace pldr::data
