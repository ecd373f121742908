// Segment: one piece of a segmentation, a slice of the normalized text and its id (the unknown
// id for text the vocabulary lacks), as SentencePiece's models return them before byte fallback.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace pldr::data::spm {

struct Segment {
  std::string_view text;
  int32_t id;
};

using Segmentation = std::vector<Segment>;

}  // namespace pldr::data::spm
