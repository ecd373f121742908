#include "eval/loglikelihood.h"

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <stdexcept>
#include <string>

#include "autograd/grad_mode.h"
#include "tensor/creation.h"
#include "tensor/ops.h"

namespace pldr::eval {

namespace {

// One request cut to max_length: the tokens fed in (all but the last) and where the scored ones start.
struct Window {
  std::vector<int32_t> input;
  int64_t first_scored = 0;  // index in input of the logits that predict the first continuation token
  std::vector<int32_t> targets;
};

Window make_window(const Request& r, int64_t max_length) {
  if (r.context.empty() || r.continuation.empty())
    throw std::invalid_argument("scoring: a request needs a non-empty context and continuation");
  const int64_t cont = static_cast<int64_t>(r.continuation.size());
  if (cont >= max_length)
    throw std::invalid_argument("scoring: a continuation of " + std::to_string(cont) + " tokens does not fit in " +
                                std::to_string(max_length) + " tokens");
  std::vector<int32_t> all = r.context;
  all.insert(all.end(), r.continuation.begin(), r.continuation.end());
  if (static_cast<int64_t>(all.size()) > max_length) all.erase(all.begin(), all.end() - max_length);  // [-max_length:]
  Window w;
  w.input.assign(all.begin(), all.end() - 1);
  w.first_scored = static_cast<int64_t>(all.size()) - cont - 1;
  w.targets = r.continuation;
  return w;
}

// The log-probabilities of `targets` under the rows of logits [n, V] that predict them, summed, and
// whether every target is its row's first argmax (lm-eval's is_greedy). Computed on the logits'
// device: the host reads n log-probabilities and n argmax ids, not n x V values. The gather is the
// embedding kernel on the log-probabilities viewed as [n·V, 1]: row i·V + target_i.
Score score_targets(const Tensor& logits, const int32_t* targets, int64_t n) {
  const Tensor lp = ops::log_softmax(logits.contiguous());
  const int64_t V = lp.shape()[1];
  if (n * V > INT32_MAX)
    throw std::invalid_argument("scoring: " + std::to_string(n) + " x " + std::to_string(V) +
                                " log-probabilities exceed the int32 gather index");
  std::vector<int32_t> flat_index(n);
  for (int64_t i = 0; i < n; ++i) flat_index[i] = static_cast<int32_t>(i * V + targets[i]);
  const Tensor index = from_vector(flat_index, {n}, DType::Int32, lp.device());
  const std::vector<double> picked = ops::embedding(lp.view({n * V, 1}), index).to_vector<double>();
  const std::vector<int32_t> greedy = ops::argmax_last(lp).to_vector<int32_t>();
  Score s;
  for (int64_t i = 0; i < n; ++i) {
    s.loglikelihood += picked[i];
    if (greedy[i] != targets[i]) s.is_greedy = false;
  }
  return s;
}

Score score_row(const Tensor& logits /* [S, V] */, const Window& w) {
  const int64_t n = static_cast<int64_t>(w.targets.size());
  return score_targets(logits.slice(0, w.first_scored, w.first_scored + n), w.targets.data(), n);
}

// The KV+G cache (docs/pldr-llm.md §4.2): the window's tokens up to the one that predicts the first target
// run once, freezing G; each later target is predicted after feeding the target before it.
Score score_with_cache(const PldrModel& model, const Window& w) {
  InferenceCache cache(model.config().num_hidden_layers);
  std::vector<int32_t> step(w.input.begin(), w.input.begin() + w.first_scored + 1);
  Score s;
  for (size_t i = 0; i < w.targets.size(); ++i) {
    const Tensor logits =
        model.forward(from_vector(step, {1, static_cast<int64_t>(step.size())}, DType::Int32, model.device()), &cache)
            .logits.value()
            .select(0, 0);
    const Score token = score_targets(logits.slice(0, logits.shape()[0] - 1, logits.shape()[0]), &w.targets[i], 1);
    s.loglikelihood += token.loglikelihood;
    s.is_greedy = s.is_greedy && token.is_greedy;
    step = {w.targets[i]};
  }
  return s;
}

}  // namespace

int64_t default_max_length(const PldrConfig& config) {
  return std::min<int64_t>(1024, config.max_position_embeddings + 1);
}

std::vector<Score> score(const PldrModel& model, const std::vector<Request>& requests, const ScoringOptions& o) {
  if (o.batch_size < 1) throw std::invalid_argument("scoring: batch size must be at least 1");
  const int64_t max_length = o.max_length == 0 ? default_max_length(model.config()) : o.max_length;
  if (max_length < 2 || max_length > model.config().max_position_embeddings + 1)
    throw std::invalid_argument("scoring: max_length " + std::to_string(max_length) + " outside 2.." +
                                std::to_string(model.config().max_position_embeddings + 1) +
                                " (the model's positions + 1)");
  std::vector<Window> windows;
  windows.reserve(requests.size());
  for (const Request& r : requests) windows.push_back(make_window(r, max_length));
  std::vector<size_t> order(requests.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return windows[a].input.size() > windows[b].input.size(); });

  ag::NoGradGuard no_grad;
  std::vector<Score> scores(requests.size());
  if (o.cache == CacheMode::KVG) {
    for (size_t i = 0; i < order.size(); ++i) {
      scores[order[i]] = score_with_cache(model, windows[order[i]]);
      if (o.progress) o.progress(static_cast<int64_t>(i + 1), static_cast<int64_t>(order.size()));
    }
    return scores;
  }
  const int32_t pad = static_cast<int32_t>(model.config().pad_token_id);
  for (size_t begin = 0; begin < order.size(); begin += o.batch_size) {
    const size_t end = std::min(order.size(), begin + static_cast<size_t>(o.batch_size));
    const int64_t B = static_cast<int64_t>(end - begin);
    const int64_t S = static_cast<int64_t>(windows[order[begin]].input.size());  // the longest of the batch
    std::vector<int32_t> ids(B * S, pad);
    Padding padding;
    padding.is_token.assign(B * S, 0);
    bool padded = false;
    for (int64_t b = 0; b < B; ++b) {
      const std::vector<int32_t>& in = windows[order[begin + b]].input;
      std::copy(in.begin(), in.end(), ids.begin() + b * S);
      std::fill_n(padding.is_token.begin() + b * S, in.size(), 1);
      padded = padded || static_cast<int64_t>(in.size()) < S;
    }
    const ForwardResult r =
        model.forward(from_vector(ids, {B, S}, DType::Int32, model.device()), nullptr, padded ? &padding : nullptr);
    for (int64_t b = 0; b < B; ++b)
      scores[order[begin + b]] = score_row(r.logits.value().select(0, b), windows[order[begin + b]]);
    if (o.progress) o.progress(static_cast<int64_t>(end), static_cast<int64_t>(order.size()));
  }
  return scores;
}

}  // namespace pldr::eval
