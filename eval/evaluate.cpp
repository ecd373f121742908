#include "eval/evaluate.h"

#include "eval/encode.h"

namespace pldr::eval {

TaskRun evaluate_task(const PldrModel& model, const data::Tokenizer& tokenizer, const Task& task, int64_t limit,
                      const ScoringOptions& options) {
  const size_t count = limit > 0 ? std::min<size_t>(limit, task.documents.size()) : task.documents.size();
  std::vector<Request> requests;
  for (size_t d = 0; d < count; ++d)
    for (size_t c = 0; c < task.documents[d].num_choices(); ++c) {
      auto [context, continuation] = task.documents[d].request(c);
      requests.push_back(encode_pair(tokenizer, context, continuation));
    }
  const std::vector<Score> scores = score(model, requests, options);
  TaskRun run;
  size_t next = 0;
  for (size_t d = 0; d < count; ++d) {
    std::vector<double> lls;
    for (size_t c = 0; c < task.documents[d].num_choices(); ++c) lls.push_back(scores[next++].loglikelihood);
    run.items.push_back(score_item(task.name, task.metric, task.documents[d], std::move(lls)));
  }
  run.result = aggregate(task.name, run.items);
  return run;
}

}  // namespace pldr::eval
