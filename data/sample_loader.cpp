// SampleLoader: epoch orders, rank shards, batches and positions.
#include "data/sample_loader.h"

#include <numeric>
#include <string>

#include "data/error.h"
#include "data/permutation.h"

namespace pldr::data {

SampleLoader::SampleLoader(std::shared_ptr<const TokenSource> tokens, const LoaderOptions& options)
    : options_(options),
      samples_(std::move(tokens), options.mode, options.context + 1, options.eos_id, options.documents_per_aggregate) {
  if (options_.context == 0) throw DataError("sample loader: context must be positive");
  if (options_.batch_size == 0) throw DataError("sample loader: batch size must be positive");
  if (options_.world_size == 0 || options_.rank >= options_.world_size) {
    throw DataError("sample loader: rank " + std::to_string(options_.rank) + " is outside world size " +
                    std::to_string(options_.world_size));
  }
  samples_per_epoch_ = samples_.size() / options_.world_size;
  if (batches_per_epoch() == 0) {
    throw DataError("sample loader: " + std::to_string(samples_.size()) + " samples of " +
                    std::to_string(samples_.sample_length()) + " tokens shared by " +
                    std::to_string(options_.world_size) + " ranks leave " + std::to_string(samples_per_epoch_) +
                    " per rank, fewer than a batch of " + std::to_string(options_.batch_size));
  }
}

void SampleLoader::load_epoch_order(uint64_t epoch) {
  if (order_epoch_ == epoch) return;
  std::vector<uint64_t> all;
  if (options_.shuffle) {
    all = seeded_permutation(samples_.size(), options_.seed, epoch);
  } else {
    all.resize(samples_.size());
    std::iota(all.begin(), all.end(), uint64_t{0});
  }
  // Whole batches: rank r takes batches r, r + W, r + 2W, ... of the epoch's order (W ranks of
  // batch B), so W ranks see, batch for batch, the samples one rank sees with W micro-batches,
  // in the same order. The q = N / (W B) rounds of W batches leave fewer than W B samples; those
  // are dealt one at a time, as with B = 1 (a rank reads them only after a seek into the tail).
  const uint64_t W = options_.world_size, B = options_.batch_size, r = options_.rank;
  const uint64_t whole = samples_.size() / (W * B) * B;  // this rank's samples in whole batches
  order_.resize(samples_per_epoch_);
  for (uint64_t j = 0; j < samples_per_epoch_; ++j)
    order_[j] = all[j < whole ? (j / B * W + r) * B + j % B : whole * W + (j - whole) * W + r];
  order_epoch_ = epoch;
}

void SampleLoader::roll_over() {
  if (position_.index + options_.batch_size > samples_per_epoch_) position_ = {position_.epoch + 1, 0};
}

Batch SampleLoader::next() {
  load_epoch_order(position_.epoch);

  Batch batch;
  batch.batch_size = options_.batch_size;
  batch.sample_length = samples_.sample_length();
  batch.position = position_;
  batch.tokens.resize(batch.batch_size * batch.sample_length);
  for (uint64_t b = 0; b < batch.batch_size; ++b) {
    samples_.read(order_[position_.index + b], batch.tokens.data() + b * batch.sample_length);
  }
  position_.index += options_.batch_size;
  roll_over();
  return batch;
}

void SampleLoader::seek(const LoaderPosition& position) {
  if (position.index > samples_per_epoch_) {
    throw DataError("sample loader: cannot seek to sample " + std::to_string(position.index) + " of epoch " +
                    std::to_string(position.epoch) + ", this rank has " + std::to_string(samples_per_epoch_) +
                    " samples an epoch");
  }
  position_ = position;
  roll_over();
}

}  // namespace pldr::data
