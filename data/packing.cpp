// Packing: the sample spans of the pack, pad, nopad, document_pad and document_nopad modes.
#include "data/packing.h"

#include <algorithm>
#include <functional>

#include "data/error.h"

namespace pldr::data {
namespace {

// Calls on_document(begin, length) for each run of tokens that ends with EOS, and for a final
// run without one.
void for_each_stream_document(const TokenSource& tokens, int32_t eos_id,
                              const std::function<void(uint64_t, uint64_t)>& on_document) {
  constexpr uint64_t kChunk = 1 << 16;
  std::vector<int32_t> buffer(kChunk);
  uint64_t document_begin = 0;
  for (uint64_t chunk_begin = 0; chunk_begin < tokens.size(); chunk_begin += kChunk) {
    const uint64_t count = std::min(kChunk, tokens.size() - chunk_begin);
    tokens.read(chunk_begin, count, buffer.data());
    for (uint64_t j = 0; j < count; ++j) {
      if (buffer[j] != eos_id) continue;
      const uint64_t end = chunk_begin + j + 1;
      on_document(document_begin, end - document_begin);
      document_begin = end;
    }
  }
  if (document_begin < tokens.size()) on_document(document_begin, tokens.size() - document_begin);
}

}  // namespace

PackMode parse_pack_mode(const std::string& name) {
  if (name == "pack") return PackMode::pack;
  if (name == "pad") return PackMode::pad;
  if (name == "nopad") return PackMode::nopad;
  if (name == "document_pad") return PackMode::document_pad;
  if (name == "document_nopad") return PackMode::document_nopad;
  throw DataError("packing mode \"" + name +
                  "\": expected \"pack\", \"pad\", \"nopad\", \"document_pad\" or \"document_nopad\"");
}

SampleTable::SampleTable(std::shared_ptr<const TokenSource> tokens, PackMode mode, uint64_t sample_length,
                         int32_t eos_id, uint64_t documents_per_aggregate)
    : tokens_(std::move(tokens)), mode_(mode), sample_length_(sample_length) {
  if (sample_length_ < 2) {
    throw DataError("packing: sample length " + std::to_string(sample_length_) +
                    " is too short, a sample needs at least one input and one target");
  }
  if (documents_per_aggregate < 1) throw DataError("packing: documents_per_aggregate must be at least 1");
  const uint64_t L = sample_length_;
  if (mode_ == PackMode::document_pad) {
    for_each_stream_document(*tokens_, eos_id, [&](uint64_t begin, uint64_t length) {
      spans_.push_back({begin, std::min(length, L)});
    });
  } else if (mode_ == PackMode::document_nopad) {
    for_each_stream_document(*tokens_, eos_id, [&](uint64_t begin, uint64_t length) {
      for (uint64_t k = 0; k < length / L; ++k) spans_.push_back({begin + k * L, L});
    });
  } else if (mode_ == PackMode::pad || mode_ == PackMode::nopad) {
    // Documents are consecutive in the stream, so an aggregate is the range [begin, end).
    uint64_t begin = 0, end = 0, documents = 0;
    auto cut_aggregate = [&]() {
      for (uint64_t at = begin; at < end; at += L) spans_.push_back({at, std::min(L, end - at)});
      begin = end;
      documents = 0;
    };
    for_each_stream_document(*tokens_, eos_id, [&](uint64_t document_begin, uint64_t length) {
      end = document_begin + length;
      if (++documents == documents_per_aggregate) cut_aggregate();
    });
    cut_aggregate();
  }
}

uint64_t SampleTable::size() const {
  return mode_ == PackMode::pack ? tokens_->size() / sample_length_ : spans_.size();
}

SampleSpan SampleTable::span(uint64_t i) const {
  if (i >= size()) {
    throw DataError("packing: sample " + std::to_string(i) + " requested, there are " + std::to_string(size()));
  }
  if (mode_ == PackMode::pack) return {i * sample_length_, sample_length_};
  return spans_[i];
}

void SampleTable::read(uint64_t i, int32_t* out) const {
  const SampleSpan s = span(i);
  tokens_->read(s.begin, s.length, out);
  std::fill(out + s.length, out + sample_length_, 0);
}

}  // namespace pldr::data
