// Packing: cutting a token stream into samples of a fixed length L = context + 1. A sample is
// trained as input = sample[0, L-1) and target = sample[1, L); target id 0 (pad) is ignored by the
// loss. Documents are recovered from the stream as runs of tokens that end with EOS.
//
//   pack:  documents concatenated and cut into consecutive, non-overlapping chunks:
//          sample i = tokens[i*L, (i+1)*L); a tail shorter than L is dropped. This is the
//          reference's pretraining cut (pldr_data_prep.py, padding_type='pack': chunks of
//          MAX_LENGTH with the remainder carried into the next chunk), so the transition from
//          the last token of one sample to the first of the next is never a target.
//   pad:   the reference's 'pad' (pldr_data_prep.py, concat_chunk_batches_pad): documents are taken
//          in aggregates of `documents_per_aggregate` (its BATCH_SIZE x batch_agg_count, 32 x 100 by
//          default), each aggregate concatenated and cut into chunks of L; only the last chunk of
//          each aggregate is short, and it is right-padded with 0.
//   nopad: the reference's 'nopad': the same chunks, the last one of each aggregate kept short
//          (span(i).length < L). Batches here have a fixed shape, so read() still fills it with
//          id 0, which the loss ignores: the tokens trained on are those of pad.
//   document_pad:   each document on its own, truncated to L and right-padded with 0.
//   document_nopad: each document on its own, cut into chunks of L; its short last chunk is dropped.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "data/token_source.h"

namespace pldr::data {

enum class PackMode { pack, pad, nopad, document_pad, document_nopad };

// "pack", "pad", "nopad", "document_pad" or "document_nopad"; DataError naming them otherwise.
PackMode parse_pack_mode(const std::string& name);

// Tokens [begin, begin + length) of the stream; the sample's remaining L - length ids are 0.
struct SampleSpan {
  uint64_t begin = 0;
  uint64_t length = 0;
};

class SampleTable {
 public:
  static constexpr uint64_t kReferenceAggregate = 32 * 100;  // BATCH_SIZE x batch_agg_count defaults

  SampleTable(std::shared_ptr<const TokenSource> tokens, PackMode mode, uint64_t sample_length, int32_t eos_id = 3,
              uint64_t documents_per_aggregate = kReferenceAggregate);

  uint64_t size() const;
  uint64_t sample_length() const { return sample_length_; }
  PackMode mode() const { return mode_; }
  SampleSpan span(uint64_t i) const;
  // Writes sample i, sample_length() ids, to `out`.
  void read(uint64_t i, int32_t* out) const;

 private:
  std::shared_ptr<const TokenSource> tokens_;
  PackMode mode_;
  uint64_t sample_length_;
  std::vector<SampleSpan> spans_;  // every mode but pack, which computes its spans
};

}  // namespace pldr::data
