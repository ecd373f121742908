// PieceTrie: built breadth-first from the sorted keys, so each node's children are contiguous
// and sorted by label (binary search on lookup).
#include "data/spm/piece_trie.h"

#include <algorithm>
#include <deque>

namespace pldr::data::spm {

PieceTrie::PieceTrie(std::vector<std::pair<std::string_view, int32_t>> pieces) {
  std::sort(pieces.begin(), pieces.end());
  nodes_.emplace_back();
  struct Pending {
    size_t begin, end, depth;  // the keys pieces[begin, end) share their first `depth` bytes
    uint32_t node;
  };
  std::deque<Pending> pending{{0, pieces.size(), 0, 0}};
  while (!pending.empty()) {
    auto [begin, end, depth, node] = pending.front();
    pending.pop_front();
    if (begin < end && pieces[begin].first.size() == depth) nodes_[node].id = pieces[begin++].second;
    nodes_[node].first_child = static_cast<uint32_t>(nodes_.size());
    while (begin < end) {
      const char label = pieces[begin].first[depth];
      size_t group_end = begin;
      while (group_end < end && pieces[group_end].first[depth] == label) ++group_end;
      Node child;
      child.label = static_cast<uint8_t>(label);
      pending.push_back({begin, group_end, depth + 1, static_cast<uint32_t>(nodes_.size())});
      nodes_.push_back(child);
      ++nodes_[node].child_count;
      begin = group_end;
    }
  }
}

int64_t PieceTrie::find_child(uint32_t node, uint8_t label) const {
  const Node& parent = nodes_[node];
  const auto first = nodes_.begin() + parent.first_child;
  const auto last = first + parent.child_count;
  const auto it = std::lower_bound(first, last, label, [](const Node& n, uint8_t l) { return n.label < l; });
  return it != last && it->label == label ? it - nodes_.begin() : -1;
}

size_t PieceTrie::longest_prefix(std::string_view text) const {
  size_t longest = 0;
  for_each_prefix(text, [&](size_t length, int32_t) { longest = length; });
  return longest;
}

}  // namespace pldr::data::spm
