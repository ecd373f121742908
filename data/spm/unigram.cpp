// UnigramModel: Viterbi with the best path ending at each byte position, as the library's
// optimized encoder computes it (same float arithmetic, same tie rule: the first best wins).
#include "data/spm/unigram.h"

#include <algorithm>
#include <cfloat>

#include "data/error.h"
#include "data/spm/utf8.h"

namespace pldr::data::spm {
namespace {

constexpr float kUnknownPenalty = 10.0f;

std::vector<std::pair<std::string_view, int32_t>> segment_pieces(const Vocabulary& v) {
  std::vector<std::pair<std::string_view, int32_t>> pieces;
  for (int32_t id = 0; id < v.size(); ++id) {
    const PieceType t = v.type(id);
    if (t == PieceType::normal || t == PieceType::user_defined || t == PieceType::unused)
      pieces.emplace_back(v.piece(id).text, id);
  }
  return pieces;
}

}  // namespace

UnigramModel::UnigramModel(const Vocabulary& vocabulary)
    : vocabulary_(vocabulary), pieces_(segment_pieces(vocabulary)) {
  if (pieces_.empty()) throw DataError("the unigram model has no normal, user-defined or unused piece");
  // The library starts the maximum at FLT_MIN (the smallest positive float), not -FLT_MAX.
  min_score_ = FLT_MAX;
  max_score_ = FLT_MIN;
  for (int32_t id = 0; id < vocabulary.size(); ++id) {
    if (vocabulary.type(id) != PieceType::normal) continue;
    min_score_ = std::min(min_score_, vocabulary.piece(id).score);
    max_score_ = std::max(max_score_, vocabulary.piece(id).score);
  }
}

Segmentation UnigramModel::encode(std::string_view normalized) const {
  struct BestPath {
    int32_t id = -1;
    float score = 0;     // of the best path ending here
    int64_t start = -1;  // where its last piece starts; -1 while no path ends here
  };
  const size_t size = normalized.size();
  const float unknown_score = min_score_ - kUnknownPenalty;
  std::vector<BestPath> best(size + 1);
  // Candidate scores are summed in double where the library's are (its piece score is the common
  // type of a float and the user-defined length * max_score - 0.1, a double), stored as float.
  auto offer = [&](size_t end, size_t start, int32_t id, double score) {
    BestPath& b = best[end];
    if (b.start == -1 || score > b.score) b = {id, static_cast<float>(score), static_cast<int64_t>(start)};
  };

  for (size_t start = 0; start < size;) {
    const float score_so_far = best[start].score;
    const size_t char_length = std::min(one_char_len(normalized[start]), size - start);
    bool covers_one_char = false;
    pieces_.for_each_prefix(normalized.substr(start), [&](size_t length, int32_t id) {
      const PieceType type = vocabulary_.type(id);
      if (type == PieceType::unused) return;
      if (type == PieceType::user_defined) {
        offer(start + length, start, id, static_cast<float>(length) * max_score_ - 0.1 + score_so_far);
      } else {
        offer(start + length, start, id, double{vocabulary_.piece(id).score} + score_so_far);
      }
      covers_one_char |= length == char_length;
    });
    if (!covers_one_char) offer(start + char_length, start, vocabulary_.unknown_id(), unknown_score + score_so_far);
    start += char_length;
  }

  Segmentation out;
  for (size_t end = size; end > 0;) {
    const BestPath& b = best[end];
    const size_t start = static_cast<size_t>(b.start);
    out.push_back({normalized.substr(start, end - start), b.id});
    end = start;
  }
  std::reverse(out.begin(), out.end());
  return out;
}

}  // namespace pldr::data::spm
