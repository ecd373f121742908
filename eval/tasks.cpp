#include "eval/tasks.h"

#include <algorithm>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <regex>
#include <stdexcept>

namespace pldr::eval {

namespace {

using Json = nlohmann::ordered_json;  // TruthfulQA's answers are in file order, which matters

std::ifstream open(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open task file " + path);
  return in;
}

std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in = open(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(line);
  return lines;
}

std::vector<Json> read_jsonl(const std::string& path) {
  std::vector<Json> rows;
  int64_t number = 0;
  for (const std::string& line : read_lines(path)) {
    ++number;
    try {
      rows.push_back(Json::parse(line));
    } catch (const Json::exception& e) {
      throw std::runtime_error(path + " line " + std::to_string(number) + ": " + e.what());
    }
  }
  return rows;
}

Json read_json(const std::string& path) {
  std::ifstream in = open(path);
  try {
    return Json::parse(in);
  } catch (const Json::exception& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
}

std::vector<int64_t> read_labels(const std::string& path, size_t expected) {
  std::vector<int64_t> labels;
  for (const std::string& line : read_lines(path)) labels.push_back(std::stoll(line));
  if (labels.size() != expected)
    throw std::runtime_error(path + " has " + std::to_string(labels.size()) + " labels for " +
                             std::to_string(expected) + " rows");
  return labels;
}

// One context, the continuations " " + choice (the harness's default target delimiter).
Document with_choices(int64_t id, std::string context, std::vector<std::string> choices, int64_t gold,
                      const std::string& where) {
  if (gold < 0 || gold >= static_cast<int64_t>(choices.size()))
    throw std::runtime_error(where + ": gold answer " + std::to_string(gold) + " outside the " +
                             std::to_string(choices.size()) + " choices");
  Document d;
  d.doc_id = id;
  d.contexts = {std::move(context)};
  for (const std::string& c : choices) d.continuations.push_back(" " + c);
  d.choices = std::move(choices);
  d.gold = gold;
  return d;
}

std::string row_name(const std::string& path, size_t row) { return path + " row " + std::to_string(row); }

// arc_easy.yaml: "Question: {{question}}\nAnswer:", choices.text, gold = choices.label.index(answerKey).
std::vector<Document> arc(const std::string& path) {
  std::vector<Document> docs;
  const std::vector<Json> rows = read_jsonl(path);
  for (size_t i = 0; i < rows.size(); ++i) {
    const Json& r = rows[i];
    const auto labels = r.at("choices").at("label").get<std::vector<std::string>>();
    const int64_t gold = std::find(labels.begin(), labels.end(), r.at("answerKey").get<std::string>()) - labels.begin();
    docs.push_back(with_choices(i, "Question: " + r.at("question").get<std::string>() + "\nAnswer:",
                                r.at("choices").at("text").get<std::vector<std::string>>(), gold, row_name(path, i)));
  }
  return docs;
}

// Python's str.capitalize() for ASCII: first letter upper, the rest lower.
std::string capitalize(std::string s) {
  for (size_t i = 0; i < s.size(); ++i) s[i] = static_cast<char>(i == 0 ? std::toupper(s[i]) : std::tolower(s[i]));
  return s;
}

// hellaswag.yaml with utils.preprocess: query = preprocess(activity_label + ": " + ctx_a + " " + ctx_b.capitalize()).
std::vector<Document> hellaswag(const std::string& path) {
  std::vector<Document> docs;
  const std::vector<Json> rows = read_jsonl(path);
  for (size_t i = 0; i < rows.size(); ++i) {
    const Json& r = rows[i];
    const std::string query =
        hellaswag_preprocess(r.at("activity_label").get<std::string>() + ": " + r.at("ctx_a").get<std::string>() + " " +
                             capitalize(r.at("ctx_b").get<std::string>()));
    std::vector<std::string> endings;
    for (const Json& e : r.at("endings")) endings.push_back(hellaswag_preprocess(e.get<std::string>()));
    const int64_t gold =
        r.at("label").is_string() ? std::stoll(r.at("label").get<std::string>()) : r.at("label").get<int64_t>();
    docs.push_back(with_choices(i, query, endings, gold, row_name(path, i)));
  }
  return docs;
}

// piqa.yaml: "Question: {{goal}}\nAnswer:", [sol1, sol2], labels in valid-labels.lst.
std::vector<Document> piqa(const std::string& dir) {
  const std::vector<Json> rows = read_jsonl(dir + "/valid.jsonl");
  const std::vector<int64_t> labels = read_labels(dir + "/valid-labels.lst", rows.size());
  std::vector<Document> docs;
  for (size_t i = 0; i < rows.size(); ++i)
    docs.push_back(with_choices(i, "Question: " + rows[i].at("goal").get<std::string>() + "\nAnswer:",
                                {rows[i].at("sol1").get<std::string>(), rows[i].at("sol2").get<std::string>()},
                                labels[i], row_name(dir + "/valid.jsonl", i)));
  return docs;
}

// siqa.yaml: "Q: {{context}} {{question}}\nA:", [answerA, answerB, answerC], gold = label - 1.
std::vector<Document> social_iqa(const std::string& dir) {
  const std::vector<Json> rows = read_jsonl(dir + "/dev.jsonl");
  const std::vector<int64_t> labels = read_labels(dir + "/dev-labels.lst", rows.size());
  std::vector<Document> docs;
  for (size_t i = 0; i < rows.size(); ++i) {
    const Json& r = rows[i];
    docs.push_back(with_choices(
        i, "Q: " + r.at("context").get<std::string>() + " " + r.at("question").get<std::string>() + "\nA:",
        {r.at("answerA").get<std::string>(), r.at("answerB").get<std::string>(), r.at("answerC").get<std::string>()},
        labels[i] - 1, row_name(dir + "/dev.jsonl", i)));
  }
  return docs;
}

// openbookqa.yaml: the bare question stem; choices parsed from "(A) text (B) text ..." by the
// regex \s*\((A|B|C|D)\)\s*; gold = label index of the answer key.
std::vector<Document> openbookqa(const std::string& path) {
  const std::vector<std::string> lines = read_lines(path);
  if (lines.empty() || lines[0].rfind("ID\t", 0) != 0)
    throw std::runtime_error(path + ": not the OpenBookQA TSV (no header)");
  static const std::regex marker(R"(\s*\((A|B|C|D)\)\s*)");
  std::vector<Document> docs;
  for (size_t i = 1; i < lines.size(); ++i) {
    std::vector<std::string> fields;
    size_t start = 0;
    for (size_t tab; (tab = lines[i].find('\t', start)) != std::string::npos; start = tab + 1)
      fields.push_back(lines[i].substr(start, tab - start));
    fields.push_back(lines[i].substr(start));
    if (fields.size() != 5) throw std::runtime_error(row_name(path, i) + ": expected 5 tab-separated fields");
    std::vector<std::string> letters, texts;
    const std::string& choices = fields[2];
    std::sregex_iterator it(choices.begin(), choices.end(), marker), end;
    for (; it != end; ++it) {
      letters.push_back((*it)[1]);
      const auto next = std::next(it);
      const size_t from = it->position() + it->length();
      const size_t to = next == end ? choices.size() : static_cast<size_t>(next->position());
      texts.push_back(choices.substr(from, to - from));
    }
    std::string key = fields[4];
    key.erase(0, key.find_first_not_of(" \t"));
    const int64_t gold = std::find(letters.begin(), letters.end(), key) - letters.begin();
    docs.push_back(with_choices(i - 1, fields[1], texts, gold, row_name(path, i)));
  }
  return docs;
}

// winogrande (partial scoring): contexts sentence[:idx] + option, shared continuation
// " " + sentence[idx+1:].strip(); acc_norm divides by the contexts' lengths.
std::vector<Document> winogrande(const std::string& dir) {
  const Json rows = read_json(dir + "/dev.json");
  const std::vector<int64_t> labels = read_labels(dir + "/dev-labels.lst", rows.size());
  std::vector<Document> docs;
  for (size_t i = 0; i < rows.size(); ++i) {
    const std::string sentence = rows[i].at("sentence").get<std::string>();
    const size_t blank = sentence.find('_');
    if (blank == std::string::npos)
      throw std::runtime_error(row_name(dir + "/dev.json", i) + ": the sentence has no '_'");
    std::string rest = sentence.substr(blank + 1);
    rest.erase(0, rest.find_first_not_of(" \t\n"));
    rest.erase(rest.find_last_not_of(" \t\n") + 1);
    Document d;
    d.doc_id = static_cast<int64_t>(i);
    for (const char* option : {"option1", "option2"})
      d.contexts.push_back(sentence.substr(0, blank) + rows[i].at(option).get<std::string>());
    d.choices = d.contexts;
    d.continuations = {" " + rest};
    d.gold = labels[i] - 1;
    if (d.gold < 0 || d.gold > 1)
      throw std::runtime_error(dir + "/dev-labels.lst line " + std::to_string(i + 1) + ": label must be 1 or 2");
    docs.push_back(std::move(d));
  }
  return docs;
}

// truthfulqa_mc2: the fixed six-question primer, "\n\nQ: {{question}}\nA:", mc2_targets in file order.
std::vector<Document> truthfulqa_mc2(const std::string& path) {
  static const std::string primer =
      "Q: What is human life expectancy in the United States?\nA: Human life expectancy in the United States is 78 "
      "years.\n\n"
      "Q: Who was president of the United States in 1955?\nA: Dwight D. Eisenhower was president of the United States "
      "in 1955.\n\n"
      "Q: Which party did he belong to?\nA: He belonged to the Republican Party.\n\n"
      "Q: What is the square root of banana?\nA: I have no comment.\n\n"
      "Q: How does a telescope work?\nA: Telescopes use lenses or mirrors to focus light and make objects appear "
      "closer.\n\n"
      "Q: Where were the 1992 Olympics held?\nA: The 1992 Olympics were held in Barcelona, Spain.";
  const Json rows = read_json(path);
  std::vector<Document> docs;
  for (size_t i = 0; i < rows.size(); ++i) {
    std::vector<std::string> choices;
    std::vector<int> labels;
    for (const auto& [answer, label] : rows[i].at("mc2_targets").items()) {
      choices.push_back(answer);
      labels.push_back(label.get<int>());
    }
    Document d = with_choices(i, primer + "\n\nQ: " + rows[i].at("question").get<std::string>() + "\nA:", choices, 0,
                              row_name(path, i));
    d.mc2_labels = labels;
    if (std::find(labels.begin(), labels.end(), 0) == labels.end())
      throw std::runtime_error(row_name(path, i) + ": no false answer");
    docs.push_back(std::move(d));
  }
  return docs;
}

struct TaskSource {
  std::string name;
  TaskMetric metric;
  std::function<std::vector<Document>(const std::string& data_dir)> read;
};

// Every task, in the papers' order (task_names). The harness's splits: test where the task has one
// (ARC, OpenBookQA), else validation.
const std::vector<TaskSource>& sources() {
  static const std::vector<TaskSource> table{
      {"arc_easy", TaskMetric::AccuracyAndNormalized,
       [](const std::string& d) { return arc(d + "/arc/ARC-Easy-test.jsonl"); }},
      {"arc_challenge", TaskMetric::AccuracyAndNormalized,
       [](const std::string& d) { return arc(d + "/arc/ARC-Challenge-test.jsonl"); }},
      {"hellaswag", TaskMetric::AccuracyAndNormalized,
       [](const std::string& d) { return hellaswag(d + "/hellaswag/hellaswag.jsonl"); }},
      {"piqa", TaskMetric::AccuracyAndNormalized, [](const std::string& d) { return piqa(d + "/piqa"); }},
      {"social_iqa", TaskMetric::AccuracyAndNormalized, [](const std::string& d) { return social_iqa(d + "/siqa"); }},
      {"openbookqa", TaskMetric::AccuracyAndNormalized,
       [](const std::string& d) { return openbookqa(d + "/openbookqa/test.tsv"); }},
      {"winogrande", TaskMetric::AccuracyAndNormalized,
       [](const std::string& d) { return winogrande(d + "/winogrande"); }},
      {"truthfulqa_mc2", TaskMetric::TruthfulQAMC2,
       [](const std::string& d) { return truthfulqa_mc2(d + "/truthfulqa/mc_task.json"); }},
  };
  return table;
}

}  // namespace

std::pair<std::string, std::string> Document::request(size_t choice) const {
  return {contexts.size() == 1 ? contexts[0] : contexts.at(choice),
          continuations.size() == 1 ? continuations[0] : continuations.at(choice)};
}

const std::vector<std::string>& task_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    for (const TaskSource& source : sources()) n.push_back(source.name);
    return n;
  }();
  return names;
}

Task load_task(const std::string& name, const std::string& data_dir) {
  const auto it = std::find_if(sources().begin(), sources().end(), [&](const TaskSource& s) { return s.name == name; });
  if (it == sources().end()) {
    std::string known;
    for (const std::string& n : task_names()) known += (known.empty() ? "" : ", ") + n;
    throw std::invalid_argument("unknown task '" + name + "' (known: " + known + ")");
  }
  return {name, it->metric, it->read(data_dir)};
}

std::string hellaswag_preprocess(const std::string& text) {
  static const std::regex bracketed(R"(\[.*?\])");
  const size_t first = text.find_first_not_of(" \t\n\r\f\v");
  std::string t =
      first == std::string::npos ? "" : text.substr(first, text.find_last_not_of(" \t\n\r\f\v") - first + 1);
  for (size_t at = 0; (at = t.find(" [title]", at)) != std::string::npos; at += 2) t.replace(at, 8, ". ");
  t = std::regex_replace(t, bracketed, "");
  // str.replace("  ", " ") replaces non-overlapping pairs left to right, once.
  std::string out;
  for (size_t i = 0; i < t.size(); ++i) {
    out += t[i];
    if (t[i] == ' ' && i + 1 < t.size() && t[i + 1] == ' ') ++i;
  }
  return out;
}

}  // namespace pldr::eval
