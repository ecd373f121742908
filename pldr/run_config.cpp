#include "pldr/run_config.h"

#include <stdexcept>

namespace pldr {

namespace {

void require(bool ok, const std::string& key, const std::string& rule) {
  if (!ok) throw std::invalid_argument("run config: " + key + " " + rule);
}

// Reads the keys of one section into fields, rejecting unknown keys and wrong types.
class Section {
 public:
  Section(const nlohmann::json& j, std::string name) : j_(j), name_(std::move(name)) {
    require(j.is_object(), name_, "must be an object");
  }
  template <class T> void read(const char* key, T& field) {
    seen_.push_back(key);
    if (!j_.contains(key)) return;
    const nlohmann::json& v = j_.at(key);
    const std::string full = name_ + "." + key;
    if constexpr (std::is_same_v<T, bool>) require(v.is_boolean(), full, "must be true or false");
    else if constexpr (std::is_integral_v<T>) require(v.is_number_integer(), full, "must be an integer");
    else if constexpr (std::is_floating_point_v<T>) require(v.is_number(), full, "must be a number");
    else require(v.is_string(), full, "must be a string");
    field = v.get<T>();
  }
  void done() const {
    for (auto it = j_.begin(); it != j_.end(); ++it)
      require(std::find(seen_.begin(), seen_.end(), it.key()) != seen_.end(), name_ + "." + it.key(), "is not a known key");
  }

 private:
  const nlohmann::json& j_;
  std::string name_;
  std::vector<std::string> seen_;
};

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
  require(data.packing == "pack" || data.packing == "pad" || data.packing == "nopad", "data.packing", "must be pack, pad or nopad");
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
  require(training.threads >= 0, "training.threads", "must be >= 0");
  require(!out_dir.empty(), "out_dir", "must not be empty");
}

RunConfig RunConfig::from_json(const nlohmann::json& j) {
  require(j.is_object(), "(top level)", "must be a JSON object");
  RunConfig c;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& key = it.key();
    const nlohmann::json& v = it.value();
    if (key == "model") {
      c.model = PldrConfig::from_json(v);
    } else if (key == "optimizer") {
      Section s(v, key);
      s.read("lr", c.optimizer.lr);
      s.read("beta1", c.optimizer.beta1);
      s.read("beta2", c.optimizer.beta2);
      s.read("eps", c.optimizer.eps);
      s.read("weight_decay", c.optimizer.weight_decay);
      s.read("clip_value", c.optimizer.clip_value);
      s.read("clip_norm", c.optimizer.clip_norm);
      s.done();
    } else if (key == "schedule") {
      Section s(v, key);
      s.read("warmup_steps", c.schedule.warmup_steps);
      s.read("alpha", c.schedule.alpha);
      s.done();
    } else if (key == "data") {
      Section s(v, key);
      s.read("train", c.data.train);
      s.read("val", c.data.val);
      s.read("meta", c.data.meta);
      s.read("context", c.data.context);
      s.read("batch_size", c.data.batch_size);
      s.read("grad_accum", c.data.grad_accum);
      s.read("packing", c.data.packing);
      s.read("shuffle", c.data.shuffle);
      s.done();
    } else if (key == "dag") {
      Section s(v, key);
      s.read("A_LM", c.dag[0]);
      s.read("Ap", c.dag[1]);
      s.read("G_LM", c.dag[2]);
      s.done();
    } else if (key == "external_G") {
      Section s(v, key);
      s.read("file", c.external_G.file);
      s.read("group", c.external_G.group);
      s.done();
    } else if (key == "training") {
      Section s(v, key);
      s.read("steps", c.training.steps);
      s.read("log_every", c.training.log_every);
      s.read("eval_every", c.training.eval_every);
      s.read("eval_batches", c.training.eval_batches);
      s.read("checkpoint_every", c.training.checkpoint_every);
      s.read("dtype", c.training.dtype);
      s.read("threads", c.training.threads);
      s.done();
    } else if (key == "tokenizer") {
      require(v.is_string(), key, "must be a string");
      c.tokenizer = v.get<std::string>();
    } else if (key == "seed") {
      require(v.is_number_unsigned(), key, "must be a non-negative integer");
      c.seed = v.get<uint64_t>();
    } else if (key == "out_dir") {
      require(v.is_string(), key, "must be a string");
      c.out_dir = v.get<std::string>();
    } else {
      require(false, key, "is not a known key");
    }
  }
  c.validate();
  return c;
}

nlohmann::json RunConfig::to_json() const {
  return {{"model", model.to_json()},
          {"optimizer",
           {{"lr", optimizer.lr}, {"beta1", optimizer.beta1}, {"beta2", optimizer.beta2}, {"eps", optimizer.eps},
            {"weight_decay", optimizer.weight_decay}, {"clip_value", optimizer.clip_value}, {"clip_norm", optimizer.clip_norm}}},
          {"schedule", {{"warmup_steps", schedule.warmup_steps}, {"alpha", schedule.alpha}}},
          {"data",
           {{"train", data.train}, {"val", data.val}, {"meta", data.meta}, {"context", data.context},
            {"batch_size", data.batch_size}, {"grad_accum", data.grad_accum}, {"packing", data.packing},
            {"shuffle", data.shuffle}}},
          {"dag", {{"A_LM", dag[0]}, {"Ap", dag[1]}, {"G_LM", dag[2]}}},
          {"external_G", {{"file", external_G.file}, {"group", external_G.group}}},
          {"training",
           {{"steps", training.steps}, {"log_every", training.log_every}, {"eval_every", training.eval_every},
            {"eval_batches", training.eval_batches}, {"checkpoint_every", training.checkpoint_every},
            {"dtype", training.dtype}, {"threads", training.threads}}},
          {"tokenizer", tokenizer},
          {"seed", seed},
          {"out_dir", out_dir}};
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
