// PieceTrie: a byte trie over a vocabulary's pieces, to find every piece that starts a text in
// one pass (the unigram lattice; user-defined symbols, which normalisation leaves alone).
#pragma once

#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

namespace pldr::data::spm {

class PieceTrie {
 public:
  PieceTrie() = default;
  // Keys must be distinct and not empty; the id is what a match reports.
  explicit PieceTrie(std::vector<std::pair<std::string_view, int32_t>> pieces);

  bool empty() const { return nodes_.size() <= 1; }

  // Calls on_match(length, id) for each piece that is a prefix of `text`, shortest first.
  template <typename OnMatch> void for_each_prefix(std::string_view text, OnMatch&& on_match) const {
    uint32_t node = 0;
    for (size_t i = 0; i < text.size() && !nodes_.empty(); ++i) {
      const int64_t child = find_child(node, static_cast<uint8_t>(text[i]));
      if (child < 0) return;
      node = static_cast<uint32_t>(child);
      if (nodes_[node].id >= 0) on_match(i + 1, nodes_[node].id);
    }
  }

  // Bytes of the longest piece that starts `text`, 0 if none.
  size_t longest_prefix(std::string_view text) const;

 private:
  struct Node {
    uint32_t first_child = 0;  // children are nodes_[first_child, first_child + child_count)
    uint32_t child_count = 0;
    int32_t id = -1;  // the piece ending here, or -1
    uint8_t label = 0;
  };

  int64_t find_child(uint32_t node, uint8_t label) const;

  std::vector<Node> nodes_;  // nodes_[0] is the root
};

}  // namespace pldr::data::spm
