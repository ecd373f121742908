// SampleLoader: batches of samples (packing.h) in a seeded, shuffled, sharded order, epoch after
// epoch, with a position a checkpoint can store and seek() can restore exactly.
//
// Epoch e visits the N samples in the order seeded_permutation(N, seed, e) (the identity order
// when shuffle is off). Every rank computes the same order, cuts it into batches and takes every
// world_size-th batch from its rank on (rank r of W: batches r, r + W, ...), so W ranks of batch B
// read, batch for batch, what one rank reads with W micro-batches of B. Shards are disjoint and
// each rank gets N / world_size samples an epoch (the last N % world_size positions of the order are
// left out; the fewer than W·B after the last whole round of batches are dealt one position per
// rank in turn). A rank's samples are batched in order; a last partial batch is left out, and the
// next batch starts the next epoch.
//
// Shapes: B batch size, L = context + 1 sample length.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "data/packing.h"
#include "data/token_source.h"

namespace pldr::data {

struct LoaderOptions {
  uint64_t context = 1024;  // samples have context + 1 tokens
  uint64_t batch_size = 1;
  PackMode mode = PackMode::pack;
  int32_t eos_id = 3;                                                   // document separator, for every mode but pack
  uint64_t documents_per_aggregate = SampleTable::kReferenceAggregate;  // pad and nopad (packing.h)
  bool shuffle = true;
  uint64_t seed = 0;
  uint32_t rank = 0;
  uint32_t world_size = 1;
};

// Where the next batch starts: `index` samples of this rank's share of `epoch` are consumed.
struct LoaderPosition {
  uint64_t epoch = 0;
  uint64_t index = 0;
  bool operator==(const LoaderPosition&) const = default;
};

struct Batch {
  uint64_t batch_size = 0;      // B
  uint64_t sample_length = 0;   // L
  LoaderPosition position;      // where this batch started
  std::vector<int32_t> tokens;  // (B, L) row-major
};

class SampleLoader {
 public:
  // DataError if an option is invalid or a rank's share of an epoch is smaller than a batch.
  SampleLoader(std::shared_ptr<const TokenSource> tokens, const LoaderOptions& options);

  Batch next();

  // Always the start of a full batch: an epoch's leftover shorter than a batch is skipped.
  LoaderPosition position() const { return position_; }
  // DataError if position.index is beyond this rank's share of an epoch.
  void seek(const LoaderPosition& position);

  uint64_t samples_per_epoch() const { return samples_per_epoch_; }  // this rank's share
  uint64_t batches_per_epoch() const { return samples_per_epoch_ / options_.batch_size; }
  const SampleTable& samples() const { return samples_; }
  const LoaderOptions& options() const { return options_; }

 private:
  void load_epoch_order(uint64_t epoch);
  void roll_over();  // to the next epoch when the rest of this one is shorter than a batch

  LoaderOptions options_;
  SampleTable samples_;
  uint64_t samples_per_epoch_ = 0;
  LoaderPosition position_;
  uint64_t order_epoch_ = UINT64_MAX;  // the epoch `order_` belongs to
  std::vector<uint64_t> order_;        // this rank's sample indices for order_epoch_
};

}  // namespace pldr::data
