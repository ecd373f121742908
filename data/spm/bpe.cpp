// BpeModel: merges from a priority queue of candidate pairs; a candidate whose symbols changed
// since it was queued is recognised by their lengths and dropped (the library's rule).
#include "data/spm/bpe.h"

#include <functional>
#include <queue>
#include <unordered_map>

#include "data/spm/utf8.h"

namespace pldr::data::spm {

BpeModel::BpeModel(const Vocabulary& vocabulary, const PieceTrie& user_symbols)
    : vocabulary_(vocabulary), user_symbols_(user_symbols) {}

Segmentation BpeModel::encode(std::string_view normalized) const {
  struct Symbol {
    int64_t prev, next;     // neighbours still in the text, -1 at the ends
    bool frozen;            // a user-defined symbol
    std::string_view text;  // empty once merged into its left neighbour
  };
  struct Pair {
    int64_t left, right;
    float score;
    size_t length;  // of the merged text
  };
  // Highest score first; on equal scores the leftmost.
  auto lower = [](const Pair& a, const Pair& b) {
    return a.score < b.score || (a.score == b.score && a.left > b.left);
  };
  std::priority_queue<Pair, std::vector<Pair>, decltype(lower)> agenda(lower);
  std::unordered_map<std::string_view, std::pair<std::string_view, std::string_view>> unused_merges;

  std::vector<Symbol> symbols;
  for (std::string_view rest = normalized; !rest.empty();) {
    const size_t user = user_symbols_.longest_prefix(rest);
    const size_t length = user > 0 ? user : std::min(one_char_len(rest.front()), rest.size());
    const auto index = static_cast<int64_t>(symbols.size());
    symbols.push_back({index - 1, length == rest.size() ? -1 : index + 1, user > 0, rest.substr(0, length)});
    rest.remove_prefix(length);
  }

  auto queue_pair = [&](int64_t left, int64_t right) {
    if (left < 0 || right < 0 || symbols[left].frozen || symbols[right].frozen) return;
    const std::string_view merged(symbols[left].text.data(), symbols[left].text.size() + symbols[right].text.size());
    const int32_t id = vocabulary_.find_segment_piece(merged);
    if (id < 0) return;
    agenda.push({left, right, vocabulary_.piece(id).score, merged.size()});
    if (vocabulary_.type(id) == PieceType::unused) unused_merges[merged] = {symbols[left].text, symbols[right].text};
  };
  for (size_t i = 1; i < symbols.size(); ++i) queue_pair(static_cast<int64_t>(i) - 1, static_cast<int64_t>(i));

  while (!agenda.empty()) {
    const Pair top = agenda.top();
    agenda.pop();
    Symbol& left = symbols[top.left];
    Symbol& right = symbols[top.right];
    if (left.text.empty() || right.text.empty() || left.text.size() + right.text.size() != top.length) continue;
    left.text = std::string_view(left.text.data(), top.length);
    left.next = right.next;
    if (right.next >= 0) symbols[right.next].prev = top.left;
    right.text = {};
    queue_pair(left.prev, top.left);
    queue_pair(top.left, left.next);
  }

  Segmentation out;
  // A symbol that is an unused piece is split back into the two halves it was merged from.
  std::function<void(std::string_view)> resegment = [&](std::string_view text) {
    const int32_t id = vocabulary_.piece_to_id(text);
    const auto halves = unused_merges.find(text);
    if (vocabulary_.type(id) != PieceType::unused || halves == unused_merges.end()) {
      out.push_back({text, id});
      return;
    }
    resegment(halves->second.first);
    resegment(halves->second.second);
  };
  for (int64_t i = symbols.empty() ? -1 : 0; i >= 0; i = symbols[i].next) resegment(symbols[i].text);
  return out;
}

}  // namespace pldr::data::spm
