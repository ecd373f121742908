#include "train/run_config.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <stdexcept>

#include "train/run_config_paths.h"

namespace pldr {

namespace {

void require(bool ok, const std::string& key, const std::string& rule) {
  if (!ok) throw std::invalid_argument("run config: " + key + " " + rule);
}

// Every key of every section, listed once and used both to read and to write: f(section, key, field).
template <class Config, class F> void for_each_field(Config& c, F&& f) {
  f("optimizer", "lr", c.optimizer.lr);
  f("optimizer", "beta1", c.optimizer.beta1);
  f("optimizer", "beta2", c.optimizer.beta2);
  f("optimizer", "eps", c.optimizer.eps);
  f("optimizer", "weight_decay", c.optimizer.weight_decay);
  f("optimizer", "clip_value", c.optimizer.clip_value);
  f("optimizer", "clip_norm", c.optimizer.clip_norm);
  f("schedule", "warmup_steps", c.schedule.warmup_steps);
  f("schedule", "alpha", c.schedule.alpha);
  f("data", "train", c.data.train);
  f("data", "val", c.data.val);
  f("data", "meta", c.data.meta);
  f("data", "context", c.data.context);
  f("data", "batch_size", c.data.batch_size);
  f("data", "grad_accum", c.data.grad_accum);
  f("data", "packing", c.data.packing);
  f("data", "aggregate_documents", c.data.aggregate_documents);
  f("data", "shuffle", c.data.shuffle);
  f("dag", "A_LM", c.dag[0]);
  f("dag", "Ap", c.dag[1]);
  f("dag", "G_LM", c.dag[2]);
  f("external_G", "file", c.external_G.file);
  f("external_G", "group", c.external_G.group);
  f("training", "steps", c.training.steps);
  f("training", "log_every", c.training.log_every);
  f("training", "eval_every", c.training.eval_every);
  f("training", "eval_batches", c.training.eval_batches);
  f("training", "checkpoint_every", c.training.checkpoint_every);
  f("training", "dtype", c.training.dtype);
  f("training", "precision", c.training.precision);
  f("training", "device", c.training.device);
  f("training", "threads", c.training.threads);
  f("training", "keep_every", c.training.keep_every);
  f("training", "keep_last", c.training.keep_last);
  f("training", "save_at", c.training.save_at);
  f("training", "deductive_stats", c.training.deductive_stats);
  f("training", "shard_optimizer", c.training.shard_optimizer);
}

// Reads one field from a JSON value, checking its type.
template <class T> void read_field(const nlohmann::json& v, const std::string& key, T& field) {
  if constexpr (std::is_same_v<T, bool>) require(v.is_boolean(), key, "must be true or false");
  else if constexpr (std::is_integral_v<T>) require(v.is_number_integer(), key, "must be an integer");
  else if constexpr (std::is_floating_point_v<T>) require(v.is_number(), key, "must be a number");
  else if constexpr (std::is_same_v<T, std::vector<int64_t>>)
    require(v.is_array() && std::all_of(v.begin(), v.end(), [](const auto& e) { return e.is_number_integer(); }), key,
            "must be a list of integers, e.g. [100, 500]");
  else require(v.is_string(), key, "must be a string");
  field = v.get<T>();
}

}  // namespace

void RunConfig::validate() const {
  model.validate();
  require(optimizer.lr > 0, "optimizer.lr", "must be > 0");
  require(optimizer.beta1 >= 0 && optimizer.beta1 < 1, "optimizer.beta1", "must be in [0, 1)");
  require(optimizer.beta2 >= 0 && optimizer.beta2 < 1, "optimizer.beta2", "must be in [0, 1)");
  require(optimizer.eps > 0, "optimizer.eps", "must be > 0");
  require(optimizer.weight_decay >= 0, "optimizer.weight_decay", "must be >= 0");
  require(optimizer.clip_value >= 0, "optimizer.clip_value", "must be >= 0");
  require(optimizer.clip_norm >= 0, "optimizer.clip_norm", "must be >= 0");
  require(schedule.warmup_steps >= 0, "schedule.warmup_steps", "must be >= 0");
  require(schedule.alpha >= 0 && schedule.alpha <= 1, "schedule.alpha", "must be in [0, 1]");
  require(!data.train.empty(), "data.train", "must name a token file (pldr prepare writes one)");
  require(data.context > 0 && data.context < model.max_position_embeddings, "data.context",
          "must be in [1, model.max_position_embeddings)");
  require(data.batch_size > 0, "data.batch_size", "must be > 0");
  require(data.grad_accum > 0, "data.grad_accum", "must be > 0");
  require(data.packing == "pack" || data.packing == "pad" || data.packing == "nopad" ||
              data.packing == "document_pad" || data.packing == "document_nopad",
          "data.packing", "must be pack, pad, nopad, document_pad or document_nopad");
  require(data.aggregate_documents > 0, "data.aggregate_documents", "must be > 0");
  for (double c : dag) require(c >= 0, "dag", "coefficients must be >= 0");
  require(dag == std::array<double, 3>{0, 0, 0} || model.custom_G_type == GType::Learned, "dag",
          "needs a learned G (custom_G_type null)");
  require((model.custom_G_type == GType::External) == !external_G.file.empty(), "external_G.file",
          "must be given exactly when model.custom_G_type is external");
  require(training.steps > 0, "training.steps", "must be > 0");
  require(training.log_every > 0, "training.log_every", "must be > 0");
  require(training.eval_every >= 0, "training.eval_every", "must be >= 0 (0 = no validation)");
  require(training.eval_batches > 0, "training.eval_batches", "must be > 0");
  require(training.checkpoint_every >= 0, "training.checkpoint_every", "must be >= 0 (0 = only at the end)");
  require(training.dtype == "float32" || training.dtype == "float64", "training.dtype", "must be float32 or float64");
  require(training.precision == "float32" || (training.precision == "bf16-mixed" && training.dtype == "float32"),
          "training.precision", "must be float32, or bf16-mixed with training.dtype float32");
  require(training.device == "cpu" || training.device == "cuda", "training.device", "must be cpu or cuda");
  require(training.threads >= 0, "training.threads", "must be >= 0");
  require(training.keep_every >= 0, "training.keep_every", "must be >= 0 (0 = keep none by step)");
  require(training.keep_last >= 0, "training.keep_last", "must be >= 0 (0 = keep none of the last)");
  for (int64_t step : training.save_at) require(step > 0, "training.save_at", "steps must be > 0");
  require(!out_dir.empty(), "out_dir", "must not be empty");
}

RunConfig RunConfig::from_json(const nlohmann::json& j) {
  require(j.is_object(), "(top level)", "must be a JSON object");
  RunConfig c;
  std::set<std::string> known{"model", "tokenizer", "seed", "out_dir"};
  for_each_field(c, [&](const std::string& section, const std::string& key, auto& field) {
    known.insert(section);
    if (!j.contains(section)) return;
    require(j.at(section).is_object(), section, "must be an object");
    if (j.at(section).contains(key)) read_field(j.at(section).at(key), section + "." + key, field);
  });
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& key = it.key();
    const nlohmann::json& v = it.value();
    require(known.count(key) > 0, key, "is not a known key");
    if (key == "model") {
      c.model = PldrConfig::from_json(v);
    } else if (key == "tokenizer" || key == "out_dir") {
      read_field(v, key, key == "tokenizer" ? c.tokenizer : c.out_dir);
    } else if (key == "seed") {
      require(v.is_number_unsigned(), key, "must be a non-negative integer");
      c.seed = v.get<uint64_t>();
    } else {  // a section: every key in it must be one of its fields
      for (auto field = v.begin(); field != v.end(); ++field) {
        bool listed = false;
        for_each_field(c, [&](const std::string& section, const std::string& name, auto&) {
          listed = listed || (section == key && name == field.key());
        });
        require(listed, key + "." + field.key(), "is not a known key");
      }
    }
  }
  c.validate();
  return c;
}

nlohmann::json RunConfig::to_json() const {
  nlohmann::json j{{"model", model.to_json()}, {"tokenizer", tokenizer}, {"seed", seed}, {"out_dir", out_dir}};
  for_each_field(
      *this, [&](const std::string& section, const std::string& key, const auto& field) { j[section][key] = field; });
  return j;
}

nlohmann::json RunConfig::read_json_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read run configuration " + path);
  nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded()) throw std::runtime_error("run configuration " + path + " is not valid JSON");
  resolve_run_config_paths(j, std::filesystem::path(path).parent_path());
  return j;
}

void RunConfig::apply_override(nlohmann::json& j, const std::string& assignment) {
  const size_t eq = assignment.find('=');
  require(eq != std::string::npos && eq > 0, "override '" + assignment + "'", "must look like section.key=value");
  const std::string path = assignment.substr(0, eq), text = assignment.substr(eq + 1);
  nlohmann::json value = nlohmann::json::parse(text, nullptr, false);
  if (value.is_discarded()) value = text;  // a bare string such as a path
  nlohmann::json* node = &j;
  size_t start = 0;
  while (true) {
    const size_t dot = path.find('.', start);
    const std::string part = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    require(!part.empty(), "override '" + assignment + "'", "has an empty key");
    if (dot == std::string::npos) {
      (*node)[part] = value;
      return;
    }
    if (!node->contains(part)) (*node)[part] = nlohmann::json::object();
    node = &(*node)[part];
    start = dot + 1;
  }
}

}  // namespace pldr
