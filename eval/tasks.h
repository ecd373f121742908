// The zero-shot multiple-choice tasks of the PLDR-LLM papers (the fork's pldrllm_zeroshot group),
// read from their original files (eval/data, README there) and turned into requests with
// lm-evaluation-harness's prompt formats.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace pldr::eval {

enum class TaskMetric {
  AccuracyAndNormalized,  // acc and acc_norm over the choices' summed log-likelihoods
  TruthfulQAMC2           // the probability mass of the true answers (lm-eval's process_results_mc2)
};

// One item. Either one context and a continuation per choice, or (WinoGrande's partial scoring)
// a context per choice and one shared continuation. Continuations carry the harness's target
// delimiter " ".
struct Document {
  int64_t doc_id = 0;  // the row's index in its file
  std::vector<std::string> contexts;
  std::vector<std::string> continuations;
  std::vector<std::string> choices;  // the harness's doc_to_choice strings: acc_norm divides by their length
  int64_t gold = 0;                  // index of the right choice (AccuracyAndNormalized)
  std::vector<int> mc2_labels;       // 1 true / 0 false per choice (TruthfulQAMC2)

  size_t num_choices() const { return choices.size(); }
  std::pair<std::string, std::string> request(size_t choice) const;  // (context, continuation)
};

struct Task {
  std::string name;
  TaskMetric metric;
  std::vector<Document> documents;
};

// arc_easy, arc_challenge, hellaswag, piqa, social_iqa, openbookqa, winogrande, truthfulqa_mc2.
const std::vector<std::string>& task_names();

// Reads a task from data_dir (the layout of eval/data); errors name the file and line.
Task load_task(const std::string& name, const std::string& data_dir);

// HellaSwag's text cleaning (harness utils.preprocess): strip, " [title]" -> ". ", drop "[...]",
// "  " -> " ".
std::string hellaswag_preprocess(const std::string& text);

}  // namespace pldr::eval
