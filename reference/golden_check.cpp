#include "reference/golden_check.h"

#include <cmath>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <tuple>

#include "autograd/grad_mode.h"
#include "autograd/ops.h"
#include "io/hdf5_file.h"
#include "optim/adamw.h"
#include "optim/schedule.h"
#include "pldr/generate.h"
#include "pldr/losses.h"
#include "reference/rope_table_fit.h"
#include "tensor/creation.h"
#include "tensor/ops.h"
#include "train/step.h"

namespace pldr::reference {

namespace {

using io::H5File;

// Pass marks. float64: every item within 1e-8 of its magnitude. float32: logits within an absolute
// bound (3.5x the drift the reference itself shows between its float64 and float32 runs, at least
// 1e-4) and identical tokens; the other float32 items are reported, not gated.
struct Tolerances {
  bool float64;
  double logits_abs;  // float32 only
};

Tensor read_tensor(H5File& f, const std::string& path, DType dtype) {
  std::vector<int64_t> shape;
  std::vector<double> values = f.read<double>(path, &shape);
  return from_vector(values, Shape(shape.begin(), shape.end()), dtype);
}

Tensor read_ids(H5File& f, const std::string& path) {
  std::vector<int64_t> shape;
  std::vector<int32_t> values = f.read<int32_t>(path, &shape);
  return from_vector(values, Shape(shape.begin(), shape.end()), DType::Int32);
}

PldrConfig read_config(H5File& f) {
  nlohmann::json j;
  for (const std::string& name : f.attribute_names("config")) {
    if (name == "rope") j[name] = f.read_attribute_string("config", name);
    else if (name == "layer_norm_eps" || name == "rope_theta") j[name] = f.read_attribute_double("config", name);
    else j[name] = f.read_attribute_int("config", name);
  }
  return PldrConfig::from_json(j);
}

void load_parameters(PldrModel& model, H5File& f, const std::string& group, DType dtype) {
  for (auto& [name, p] : model.named_parameters()) {
    const std::string path = group + "/" + name;
    if (!f.exists(path)) throw std::runtime_error("golden file lacks parameter " + path);
    Tensor t = read_tensor(f, path, dtype);
    if (t.shape() != p.shape())
      throw std::runtime_error("golden parameter " + path + " has shape " + to_string(t.shape()) +
                               ", the config gives " + to_string(p.shape()));
    p.mutable_value() = t;
  }
}

class Comparer {
 public:
  Comparer(GoldenReport& report, Tolerances tol) : report_(report), tol_(tol) {}

  // Compare a tensor item; `logits` selects the float32 logits pass mark; `sensitivity` raises the
  // float64 mark for items whose computation amplifies rounding (see check_training).
  void tensor(const std::string& name, const Tensor& ours, const Tensor& reference, bool logits = false,
              double sensitivity = 0) {
    GoldenItem item;
    item.name = name;
    if (ours.shape() != reference.shape()) {
      item.rule = "shape " + to_string(reference.shape()) + " expected, got " + to_string(ours.shape());
      item.max_abs = item.max_rel = INFINITY;
      report_.items.push_back(item);
      return;
    }
    item = measure_difference(name, ours.to_vector<double>(), reference.to_vector<double>());
    if (!item.reference_finite) {
      report_.items.push_back(item);
      return;
    }
    judge(item, logits, sensitivity);
  }

  void scalar(const std::string& name, double ours, double reference) {
    tensor(name, scalar_tensor(ours), scalar_tensor(reference));
  }

  void tokens(const std::string& name, const std::vector<int32_t>& ours, const std::vector<int32_t>& reference) {
    GoldenItem item;
    item.name = name;
    int64_t differing = ours.size() == reference.size() ? 0 : int64_t(std::max(ours.size(), reference.size()));
    for (size_t i = 0; i < std::min(ours.size(), reference.size()); ++i) differing += ours[i] != reference[i];
    item.max_abs = double(differing);
    item.max_rel = reference.empty() ? 0 : double(differing) / double(reference.size());
    item.passed = differing == 0;
    item.rule = "identical";
    report_.items.push_back(item);
  }

 private:
  static Tensor scalar_tensor(double v) { return full({}, v, DType::Float64); }

  void judge(GoldenItem& item, bool logits, double sensitivity) {
    char rule[96];
    if (tol_.float64) {
      const double mark = std::max(1e-8, sensitivity);
      item.passed = item.max_rel <= mark;
      if (sensitivity > 1e-8) std::snprintf(rule, sizeof rule, "rel<=%.3g (the run's sensitivity to 1e-14)", mark);
      else std::snprintf(rule, sizeof rule, "rel<=1e-08");
    } else if (logits) {
      item.passed = item.max_abs <= tol_.logits_abs;
      std::snprintf(rule, sizeof rule, "abs<=%.3g", tol_.logits_abs);
    } else {
      item.passed = true;
      std::snprintf(rule, sizeof rule, "reported only: float32 pass marks are logits and tokens");
    }
    item.rule = rule;
    report_.items.push_back(item);
  }

  GoldenReport& report_;
  Tolerances tol_;
};

Tolerances float32_tolerances(H5File& f, DType dtype) {
  if (dtype == DType::Float64) return {true, 0};
  // The reference's own float32 drift on the logits; our float32 may drift as far again and more.
  const Tensor f64 = read_tensor(f, "forward/logits", DType::Float64);
  const Tensor f32 = read_tensor(f, "forward_f32/logits", DType::Float64);
  double drift = 0;
  const std::vector<double> a = f64.to_vector<double>(), b = f32.to_vector<double>();
  for (size_t i = 0; i < a.size(); ++i) drift = std::max(drift, std::abs(a[i] - b[i]));
  return {false, std::max(1e-4, 3.5 * drift)};
}

void check_forward(H5File& f, PldrModel& model, Comparer& cmp, DType dtype, const Tensor& tokens) {
  const int64_t S = tokens.shape()[1] - 1;
  const Tensor input = tokens.slice(1, 0, S).contiguous().to(model.device());
  const Tensor target = tokens.slice(1, 1, S + 1).contiguous().to(model.device());
  const ForwardResult r = model.forward(input);
  cmp.tensor("forward/logits", r.logits.value(), read_tensor(f, "forward/logits", dtype), true);
  cmp.tensor("forward/hidden", r.hidden.value(), read_tensor(f, "forward/hidden", dtype));
  for (size_t l = 0; l < r.layers.size(); ++l) {
    const LayerDeductive& d = r.layers[l];
    const std::string p = "forward/layer" + std::to_string(l) + "/";
    const std::vector<std::pair<std::string, const ag::Variable*>> outputs{
        {"A", &d.A}, {"A_LM", &d.A_LM}, {"Ap", &d.Ap}, {"G_LM", &d.G_LM}, {"scores", &d.scores}, {"E", &d.E}};
    for (const auto& [name, v] : outputs)
      if (f.exists(p + name)) cmp.tensor(p + name, v->value(), read_tensor(f, p + name, dtype));
  }
  const LanguageModelLoss loss = masked_cross_entropy(r.logits, target);
  cmp.scalar("forward/loss", loss.loss.item(), f.read_attribute_double("forward", "loss"));
  cmp.scalar("forward/accuracy", loss.accuracy(), f.read_attribute_double("forward", "accuracy"));

  // Gradients of the plain loss.
  loss.loss.backward();
  for (auto& [name, p] : model.named_parameters()) {
    const std::string path = "grads/" + name;
    if (f.exists(path)) cmp.tensor(path, p.grad(), read_tensor(f, path, dtype));
    p.zero_grad();
  }

  // The DAG-regularised loss and its gradients (a fresh pass: the graph above is spent).
  if (!f.exists("dag")) return;
  const std::vector<double> c = f.read_attribute_doubles("dag", "coeffs");
  if (c.size() != 3) throw std::runtime_error("golden dag/coeffs must hold 3 values");
  const ForwardResult r2 = model.forward(input);
  const LanguageModelLoss ce = masked_cross_entropy(r2.logits, target);
  const DagLoss dag = dag_loss(r2.layers, {c[0], c[1], c[2]});
  const ag::Variable total = dag.weighted.defined() ? ag::add(ce.loss, dag.weighted) : ce.loss;
  cmp.scalar("dag/ce", ce.loss.item(), f.read_attribute_double("dag", "ce"));
  cmp.scalar("dag/dag_A_LM", dag.A_LM.item(), f.read_attribute_double("dag", "dag_A_LM"));
  cmp.scalar("dag/dag_Ap", dag.Ap.item(), f.read_attribute_double("dag", "dag_Ap"));
  cmp.scalar("dag/dag_G_LM", dag.G_LM.item(), f.read_attribute_double("dag", "dag_G_LM"));
  cmp.scalar("dag/total", total.item(), f.read_attribute_double("dag", "total"));
  total.backward();
  for (auto& [name, p] : model.named_parameters()) {
    const std::string path = "dag/grads/" + name;
    if (f.exists(path)) cmp.tensor(path, p.grad(), read_tensor(f, path, dtype));
    p.zero_grad();
  }
}

struct TrainingRun {
  std::vector<double> losses, lrs;
  std::vector<std::pair<std::string, Tensor>> params_after;
};

// The file's training steps: AdamW after clipping every gradient element, the reference's schedule.
// `perturbation` scales the starting parameters by (1 + perturbation).
TrainingRun run_training(H5File& f, PldrModel& model, double perturbation) {
  auto attr = [&](const char* name) { return f.read_attribute_double("train", name); };
  if (perturbation != 0)
    for (ag::Variable& p : model.parameters()) p.mutable_value() = ops::mul_scalar(p.value(), 1.0 + perturbation);
  const std::vector<double> betas = f.read_attribute_doubles("train", "betas");
  optim::AdamW adamw(model.parameters(), {betas.at(0), betas.at(1), attr("eps"), attr("wd")});
  const optim::WarmupCosine schedule{attr("lr"), int64_t(attr("warmup")), int64_t(attr("total")), attr("alpha")};
  const Tensor batches = read_ids(f, "train/batches");
  const int64_t steps = batches.shape()[0];
  StepSettings settings;
  settings.clip_value = attr("clip");
  TrainingRun run;
  for (int64_t s = 0; s < steps; ++s) {
    run.lrs.push_back(schedule.lr(s));
    run.losses.push_back(
        train_step(model, adamw, {example_from_tokens(batches.select(0, s))}, run.lrs.back(), settings).loss);
  }
  for (const auto& [name, p] : model.named_parameters()) run.params_after.emplace_back(name, p.value());
  return run;
}

double max_relative_difference(const Tensor& a, const Tensor& b) {
  const std::vector<double> x = a.to_vector<double>(), y = b.to_vector<double>();
  double diff = 0, scale = 0;
  for (size_t i = 0; i < x.size(); ++i)
    diff = std::max(diff, std::abs(x[i] - y[i])), scale = std::max(scale, std::abs(y[i]));
  return scale > 0 ? diff / scale : diff;
}

// Training items. A few AdamW steps on a small random PLDR-LLM can be chaotic (A_LM near its 1e-9
// floor, real powers): rounding alone then moves the end point far more than 1e-8. So in float64
// each item's pass mark is also at least its own sensitivity: how far the same run ends when the
// starting parameters are scaled by 1 + 1e-14, a perturbation of the size of accumulated rounding.
void check_training(H5File& f, const std::function<std::unique_ptr<PldrModel>()>& fresh_model, Comparer& cmp,
                    DType dtype) {
  if (!f.exists("train")) return;
  const TrainingRun run = run_training(f, *fresh_model(), 0.0);
  std::optional<TrainingRun> perturbed;
  if (dtype == DType::Float64) perturbed = run_training(f, *fresh_model(), 1e-14);
  auto sensitivity = [&](const Tensor& ours, const Tensor& nudged) {
    return perturbed ? max_relative_difference(nudged, ours) : 0.0;
  };
  const Shape n{static_cast<int64_t>(run.losses.size())};
  const Tensor losses = from_vector(run.losses, n);
  cmp.tensor("train/losses", losses, read_tensor(f, "train/losses", DType::Float64), false,
             perturbed ? sensitivity(losses, from_vector(perturbed->losses, n)) : 0.0);
  cmp.tensor("train/lr", from_vector(run.lrs, n), read_tensor(f, "train/lr", DType::Float64));
  for (size_t i = 0; i < run.params_after.size(); ++i) {
    const auto& [name, value] = run.params_after[i];
    const std::string path = "train/params_after/" + name;
    if (!f.exists(path)) continue;
    cmp.tensor(path, value, read_tensor(f, path, dtype), false,
               perturbed ? sensitivity(value, perturbed->params_after[i].second) : 0.0);
  }
}

void check_generation(H5File& f, const PldrModel& model, Comparer& cmp, DType dtype) {
  if (!f.exists("generate/prompt")) return;
  const std::vector<int32_t> prompt = f.read<int32_t>("generate/prompt");
  const PldrConfig& c = model.config();
  for (const std::string mode : {"kvg_cache", "no_cache", "identity_G"}) {
    const std::string group = "generate/" + mode;
    if (!f.exists(group)) continue;
    const std::vector<int32_t> expected = f.read<int32_t>(group + "/tokens");
    GenerationOptions o;
    o.max_new_tokens = static_cast<int64_t>(expected.size());
    o.sampling.greedy = true;
    o.stop_at_eos = false;  // the reference runs a fixed number of steps
    o.keep_step_logits = true;
    o.cache = mode == "no_cache" ? CacheMode::None : CacheMode::KVG;
    if (mode == "identity_G") {
      const Tensor identity = ops::eye(c.head_dim, dtype)
                                  .expand({1, c.num_attention_heads, c.head_dim, c.head_dim})
                                  .contiguous()
                                  .to(model.device());
      o.fixed_G.assign(c.num_hidden_layers, identity);
    }
    const GenerationResult g = generate(model, prompt, o);
    cmp.tokens(group + "/tokens", g.tokens, expected);
    std::vector<double> flat;
    for (const auto& row : g.step_logits) flat.insert(flat.end(), row.begin(), row.end());
    const int64_t steps = static_cast<int64_t>(g.step_logits.size());
    cmp.tensor(group + "/step_logits", from_vector(flat, {steps, c.vocab_size}),
               read_tensor(f, group + "/step_logits", dtype), true);
  }
}

// Compares the table recovered from the file with the computed one: they must be identical, entry
// for entry (the fit rounds an exact least-squares solution to float32).
void check_rope_table(GoldenReport& report, const RopeTable& fitted, const RopeTable& computed) {
  for (const auto& [name, a, b] :
       {std::tuple{"rope_table/cos", &fitted.cos, &computed.cos}, {"rope_table/sin", &fitted.sin, &computed.sin}}) {
    GoldenItem item;
    item.name = name;
    int64_t differing = 0;
    for (size_t i = 0; i < a->size(); ++i) {
      differing += (*a)[i] != (*b)[i];
      item.max_abs = std::max(item.max_abs, double(std::abs((*a)[i] - (*b)[i])));
    }
    item.max_rel = item.max_abs;
    item.passed = differing == 0;
    item.rule = "the table fitted from layer 0 is identical to the computed reference table (" +
                std::to_string(differing) + " of " + std::to_string(a->size()) + " entries differ)";
    report.items.push_back(item);
  }
}

void install_rope_table(PldrModel& model, const RopeTable& table) {
  for (auto& layer : model.decoder.dec_layers) layer->mha1.rotary.set_table(table.cos, table.sin);
}

}  // namespace

GoldenItem measure_difference(const std::string& name, const std::vector<double>& ours,
                              const std::vector<double>& reference) {
  GoldenItem item;
  item.name = name;
  double scale = 0;
  for (size_t i = 0; i < reference.size(); ++i) {
    if (!std::isfinite(reference[i])) {
      item.reference_finite = false;
      item.reference_value = reference[i];
      item.our_value = ours[i];
      item.max_abs = item.max_rel = std::abs(ours[i] - reference[i]);
      item.rule = "reference not finite: not comparable";
      return item;
    }
    const double d = std::abs(ours[i] - reference[i]);
    item.max_abs = std::isnan(d) ? INFINITY : std::max(item.max_abs, d);
    scale = std::max(scale, std::abs(reference[i]));
  }
  item.max_rel = scale > 0 ? item.max_abs / scale : item.max_abs;
  return item;
}

bool GoldenReport::passed() const {
  if (items.empty()) return false;
  for (const GoldenItem& i : items)
    if (i.reference_finite && !i.passed) return false;
  return true;
}

nlohmann::json GoldenReport::to_json() const {
  nlohmann::json j;
  j["file"] = file;
  j["dtype"] = dtype_name(dtype);
  nlohmann::json list = nlohmann::json::array();
  int64_t failed = 0, not_finite = 0;
  // JSON has no inf or NaN: such values are written as strings ("inf", "-inf", "nan").
  auto number = [](double v) {
    return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(std::isnan(v) ? "nan" : v > 0 ? "inf" : "-inf");
  };
  for (const GoldenItem& i : items) {
    nlohmann::json e{
        {"name", i.name}, {"max_abs", number(i.max_abs)}, {"max_rel", number(i.max_rel)}, {"rule", i.rule}};
    if (i.reference_finite) {
      e["passed"] = i.passed;
      failed += !i.passed;
    } else {
      e["status"] = "reference not finite";
      e["reference"] = number(i.reference_value);
      e["ours"] = number(i.our_value);
      ++not_finite;
    }
    list.push_back(e);
  }
  j["items"] = list;
  j["checked"] = items.size() - not_finite;
  j["failed"] = failed;
  j["reference_not_finite"] = not_finite;
  j["passed"] = passed();
  return j;
}

GoldenReport verify_golden(const std::string& path, DType dtype, const GoldenOptions& options, Device device) {
  GoldenReport report{path, dtype, {}};
  H5File f = H5File::open_read(path);
  for (const char* required : {"config", "params", "inputs/tokens", "forward/logits"})
    if (!f.exists(required)) throw std::runtime_error(path + " is not a golden file: it lacks '" + required + "'");
  const PldrConfig config = read_config(f);
  Comparer cmp(report, float32_tolerances(f, dtype));
  const Tensor tokens = read_ids(f, "inputs/tokens");
  // The reference precomputes its table for max_seq_len positions at once (the lane grouping of its
  // vectorised cos/sin runs over that whole buffer).
  RopeTable rope = reference_rope_table(config, config.max_position_embeddings, options.lanes);
  if (options.rope == RopeTableSource::Fitted) {
    PldrModel model(config, DType::Float64);
    load_parameters(model, f, "params", DType::Float64);
    const int64_t S = tokens.shape()[1] - 1;
    const RopeTable fitted =
        fit_rope_table(model, tokens.slice(1, 0, S).contiguous(), read_tensor(f, "forward/layer0/G_LM", DType::Float64),
                       read_tensor(f, "forward/layer0/scores", DType::Float64));
    RopeTable computed = rope;
    computed.positions = S;
    computed.cos.resize(S * computed.half);
    computed.sin.resize(S * computed.half);
    check_rope_table(report, fitted, computed);
    rope = fitted;
  }
  {
    PldrModel model(config, dtype);
    load_parameters(model, f, "params", dtype);
    install_rope_table(model, rope);
    model.to(device);
    check_forward(f, model, cmp, dtype, tokens);
    check_generation(f, model, cmp, dtype);
  }
  auto fresh_model = [&]() {  // training starts again from the file's parameters
    auto model = std::make_unique<PldrModel>(config, dtype);
    load_parameters(*model, f, "params", dtype);
    install_rope_table(*model, rope);
    model->to(device);
    return model;
  };
  check_training(f, fresh_model, cmp, dtype);
  return report;
}

}  // namespace pldr::reference
