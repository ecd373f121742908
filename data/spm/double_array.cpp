// DoubleArray: Darts-clone's commonPrefixSearch over a stored array. A unit packs: bits 0-7 the
// label of the edge into it (bit 31 set for a leaf, so no label matches a leaf), bit 8 "has a
// leaf child" (the key ending here has a value), bits 10-31 the offset to its children (shifted
// left 8 more when bit 9 is set); a leaf's low 31 bits are the value. The child for byte c of
// node p is at p ^ offset(p) ^ c, and the leaf of p at p ^ offset(p).
#include "data/spm/double_array.h"

#include "data/error.h"

namespace pldr::data::spm {
namespace {

bool has_leaf(uint32_t unit) { return (unit >> 8) & 1; }
uint32_t value_of(uint32_t unit) { return unit & 0x7FFFFFFFu; }
uint32_t label_of(uint32_t unit) { return unit & (0x80000000u | 0xFFu); }
uint32_t offset_of(uint32_t unit) { return (unit >> 10) << ((unit & (1u << 9)) >> 6); }

}  // namespace

DoubleArray::DoubleArray(std::string_view units) : units_(units.size() / 4) {
  if (units.size() % 4 != 0 || units.empty())
    throw DataError("normalization trie of " + std::to_string(units.size()) + " bytes is not a whole number of units");
  for (size_t i = 0; i < units_.size(); ++i) {
    const auto* b = reinterpret_cast<const unsigned char*>(units.data() + 4 * i);
    units_[i] = uint32_t(b[0]) | uint32_t(b[1]) << 8 | uint32_t(b[2]) << 16 | uint32_t(b[3]) << 24;
  }
}

uint32_t DoubleArray::unit(size_t index) const {
  if (index >= units_.size())
    throw DataError("normalization trie is damaged: unit " + std::to_string(index) + " of " +
                    std::to_string(units_.size()));
  return units_[index];
}

DoubleArray::Match DoubleArray::longest_prefix(std::string_view text) const {
  Match longest{0, 0};
  size_t node = offset_of(unit(0));
  for (size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    node ^= byte;
    const uint32_t u = unit(node);
    if (label_of(u) != byte) break;
    node ^= offset_of(u);
    if (has_leaf(u)) longest = {i + 1, value_of(unit(node))};
  }
  return longest;
}

}  // namespace pldr::data::spm
