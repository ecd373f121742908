#include "eval/metrics.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "eval/encode.h"

namespace pldr::eval {

size_t argmax(const std::vector<double>& values) {
  return std::max_element(values.begin(), values.end()) - values.begin();
}

ItemResult score_item(const std::string& task, TaskMetric metric, const Document& doc,
                      std::vector<double> loglikelihoods) {
  if (loglikelihoods.size() != doc.num_choices())
    throw std::invalid_argument(task + " item " + std::to_string(doc.doc_id) + ": " +
                                std::to_string(loglikelihoods.size()) + " scores for " +
                                std::to_string(doc.num_choices()) + " choices");
  ItemResult r{task, doc.doc_id, std::move(loglikelihoods), {}, doc.gold, doc.mc2_labels, 0, std::nullopt};
  for (const std::string& c : doc.choices) r.lengths.push_back(code_points(c));
  if (metric == TaskMetric::TruthfulQAMC2) {
    // process_results_mc2: the true answers are those before the first label 0 (file order);
    // p_i = exp(ll_i) normalised over all answers, computed relative to the largest ll.
    const size_t split = std::find(doc.mc2_labels.begin(), doc.mc2_labels.end(), 0) - doc.mc2_labels.begin();
    const double top = r.loglikelihoods[argmax(r.loglikelihoods)];
    double all = 0, truthful = 0;
    for (size_t i = 0; i < r.loglikelihoods.size(); ++i) {
      const double p = std::exp(r.loglikelihoods[i] - top);
      all += p;
      if (i < split) truthful += p;
    }
    r.acc = truthful / all;
    return r;
  }
  std::vector<double> normalized;
  for (size_t i = 0; i < r.loglikelihoods.size(); ++i) normalized.push_back(r.loglikelihoods[i] / double(r.lengths[i]));
  r.acc = argmax(r.loglikelihoods) == static_cast<size_t>(doc.gold) ? 1.0 : 0.0;
  r.acc_norm = argmax(normalized) == static_cast<size_t>(doc.gold) ? 1.0 : 0.0;
  return r;
}

Mean mean_with_stderr(const std::vector<double>& values) {
  Mean m;
  const double n = double(values.size());
  if (values.empty()) return m;
  for (double v : values) m.value += v / n;
  if (values.size() < 2) return m;
  double squares = 0;
  for (double v : values) squares += (v - m.value) * (v - m.value);
  m.stderr_ = std::sqrt(squares / (n - 1)) / std::sqrt(n);
  return m;
}

TaskResult aggregate(const std::string& task, const std::vector<ItemResult>& items) {
  TaskResult t{task, static_cast<int64_t>(items.size()), {}, std::nullopt};
  std::vector<double> acc, acc_norm;
  for (const ItemResult& i : items) {
    acc.push_back(i.acc);
    if (i.acc_norm) acc_norm.push_back(*i.acc_norm);
  }
  t.acc = mean_with_stderr(acc);
  if (!acc_norm.empty()) t.acc_norm = mean_with_stderr(acc_norm);
  return t;
}

}  // namespace pldr::eval
