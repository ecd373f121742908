#include "eval/gcache_invariance.h"

#include <Eigen/Dense>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "autograd/grad_mode.h"
#include "tensor/creation.h"

namespace pldr::eval {

namespace {

// Head h's dk x dk matrix of a [1, H, dk, dk] tensor, as float64.
std::vector<std::vector<double>> heads_of(const Tensor& t) {
  const int64_t H = t.shape()[1], n = t.shape()[2] * t.shape()[3];
  const std::vector<double> all = t.to_vector<double>();
  std::vector<std::vector<double>> heads;
  for (int64_t h = 0; h < H; ++h) heads.emplace_back(all.begin() + h * n, all.begin() + (h + 1) * n);
  return heads;
}

MatrixDifference difference(const std::vector<double>& uncached, const std::vector<double>& cached) {
  MatrixDifference d;
  double sum = 0;
  for (size_t i = 0; i < cached.size(); ++i) {
    const double e = uncached[i] - cached[i];
    sum += e * e;
    d.max_abs = std::max(d.max_abs, std::abs(e));
  }
  d.rmse = std::sqrt(sum / double(cached.size()));
  return d;
}

GenerationOptions greedy(int64_t steps, CacheMode cache) {
  GenerationOptions o;
  o.max_new_tokens = steps;
  o.sampling.greedy = true;
  o.stop_at_eos = false;  // every prompt runs the same number of steps
  o.cache = cache;
  return o;
}

Tensor as_ids(const std::vector<int32_t>& tokens) {
  return from_vector(tokens, {1, static_cast<int64_t>(tokens.size())});
}

PromptInvariance run_prompt(const PldrModel& model, const std::vector<int32_t>& prompt, int64_t steps) {
  const PldrConfig& c = model.config();
  PromptInvariance r;
  r.prompt = prompt;
  r.tokens_cached = generate(model, prompt, greedy(steps, CacheMode::KVG)).tokens;
  r.tokens_uncached = generate(model, prompt, greedy(steps, CacheMode::None)).tokens;

  // What the G-cache freezes: the first (prompt) call's A, A_LM and G_LM per layer, read from its
  // deductive outputs (a predefined G fills no G-cache: its G, and zeros for A and A_LM).
  const ForwardResult first = model.forward(as_ids(prompt));
  std::vector<std::vector<std::vector<double>>> A, A_LM, G_LM;  // [layer][head][dk*dk]
  for (const LayerDeductive& l : first.layers) {
    A.push_back(heads_of(l.A.value()));
    A_LM.push_back(heads_of(l.A_LM.value()));
    G_LM.push_back(heads_of(l.G_LM.value()));
    std::vector<Determinant> dets;
    for (const auto& g : G_LM.back()) dets.push_back(determinant_lu(g, c.head_dim));
    r.det_G_LM_cached.push_back(dets);
  }
  // Without the cache, step s recomputes everything over the prompt and the first s tokens.
  std::vector<int32_t> sequence = prompt;
  for (int64_t s = 0; s < steps; ++s) {
    const ForwardResult f = model.forward(as_ids(sequence));
    std::vector<std::vector<HeadStep>> layers;
    for (size_t l = 0; l < f.layers.size(); ++l) {
      const auto a = heads_of(f.layers[l].A.value()), alm = heads_of(f.layers[l].A_LM.value()),
                 g = heads_of(f.layers[l].G_LM.value());
      std::vector<HeadStep> heads;
      for (size_t h = 0; h < g.size(); ++h)
        heads.push_back({difference(a[h], A[l][h]), difference(alm[h], A_LM[l][h]), difference(g[h], G_LM[l][h]),
                         determinant_lu(g[h], c.head_dim)});
      layers.push_back(std::move(heads));
    }
    r.steps.push_back(std::move(layers));
    sequence.push_back(r.tokens_uncached[s]);
  }
  return r;
}

nlohmann::json number(double v) {
  return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(std::isnan(v) ? "nan" : v > 0 ? "inf" : "-inf");
}

nlohmann::json to_json(const MatrixDifference& d) { return {{"rmse", d.rmse}, {"max_abs", d.max_abs}}; }

nlohmann::json to_json(const Determinant& d) {
  return {{"det", d.text()}, {"log10_abs", number(d.log10_abs)}, {"sign", d.sign}};
}

}  // namespace

std::string Determinant::text() const {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.15g", value);
  return buf;
}

Determinant determinant_lu(const std::vector<double>& matrix, int64_t n) {
  if (static_cast<int64_t>(matrix.size()) != n * n)
    throw std::invalid_argument("determinant: expected an n x n matrix");
  const Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>> m(matrix.data(), n, n);
  const Eigen::PartialPivLU<Eigen::MatrixXd> lu(m);
  const Eigen::MatrixXd& u = lu.matrixLU();
  Determinant d;
  d.sign = static_cast<int>(lu.permutationP().determinant());
  for (int64_t i = 0; i < n; ++i) {
    const double pivot = u(i, i);
    if (pivot == 0 || !std::isfinite(pivot)) {
      d.sign = 0;
      d.log10_abs = pivot == 0 ? -INFINITY : NAN;
      d.value = pivot == 0 ? 0.0 : NAN;
      return d;
    }
    if (pivot < 0) d.sign = -d.sign;
    d.log10_abs += std::log10(std::abs(pivot));
  }
  d.value = d.sign * std::pow(10.0, d.log10_abs);
  if (n == 0) d.value = 1, d.sign = 1;
  return d;
}

InvarianceReport gcache_invariance(const PldrModel& model, const std::vector<std::vector<int32_t>>& prompts,
                                   const InvarianceOptions& options) {
  if (prompts.empty()) throw std::invalid_argument("invariance: no prompts");
  if (options.max_new_tokens < 1) throw std::invalid_argument("invariance: max_new_tokens must be at least 1");
  ag::NoGradGuard no_grad;
  InvarianceReport report;
  for (const std::vector<int32_t>& p : prompts) {
    if (p.empty()) throw std::invalid_argument("invariance: an empty prompt");
    report.prompts.push_back(run_prompt(model, p, options.max_new_tokens));
  }
  if (options.eval_scores)
    report.eval = {{"kvg_cache", options.eval_scores(model, CacheMode::KVG)},
                   {"no_cache", options.eval_scores(model, CacheMode::None)}};
  return report;
}

std::vector<std::vector<double>> InvarianceReport::mean_rmse(const std::string& which) const {
  auto pick = [&](const HeadStep& h) -> const MatrixDifference& {
    if (which == "A") return h.A;
    if (which == "A_LM") return h.A_LM;
    if (which == "G_LM") return h.G_LM;
    throw std::invalid_argument("invariance: no output '" + which + "' (A, A_LM or G_LM)");
  };
  const auto& first = prompts.at(0).steps;
  std::vector<std::vector<double>> mean(first.at(0).size(), std::vector<double>(first.size(), 0.0));
  for (const PromptInvariance& p : prompts)
    for (size_t s = 0; s < p.steps.size(); ++s)
      for (size_t l = 0; l < p.steps[s].size(); ++l)
        for (const HeadStep& h : p.steps[s][l])
          mean[l][s] += pick(h).rmse / double(prompts.size() * p.steps[s][l].size());
  return mean;
}

nlohmann::json InvarianceReport::to_json() const {
  nlohmann::json j, list = nlohmann::json::array();
  bool identical = true;
  MatrixDifference worst_A, worst_A_LM, worst_G_LM;
  auto widen = [](MatrixDifference& w, const MatrixDifference& d) {
    w.rmse = std::max(w.rmse, d.rmse), w.max_abs = std::max(w.max_abs, d.max_abs);
  };
  for (const PromptInvariance& p : prompts) {
    nlohmann::json e{{"prompt", p.prompt},
                     {"tokens_cached", p.tokens_cached},
                     {"tokens_uncached", p.tokens_uncached},
                     {"tokens_identical", p.tokens_cached == p.tokens_uncached}};
    identical = identical && p.tokens_cached == p.tokens_uncached;
    nlohmann::json dets = nlohmann::json::array();
    for (const auto& layer : p.det_G_LM_cached) {
      nlohmann::json heads = nlohmann::json::array();
      for (const Determinant& d : layer) heads.push_back(eval::to_json(d));
      dets.push_back(heads);
    }
    e["det_G_LM_cached"] = dets;
    nlohmann::json steps = nlohmann::json::array();
    for (size_t s = 0; s < p.steps.size(); ++s) {
      nlohmann::json layers = nlohmann::json::array();
      for (const auto& layer : p.steps[s]) {
        nlohmann::json heads = nlohmann::json::array();
        for (const HeadStep& h : layer) {
          heads.push_back({{"A", eval::to_json(h.A)},
                           {"A_LM", eval::to_json(h.A_LM)},
                           {"G_LM", eval::to_json(h.G_LM)},
                           {"det_G_LM", eval::to_json(h.det_G_LM)}});
          widen(worst_A, h.A), widen(worst_A_LM, h.A_LM), widen(worst_G_LM, h.G_LM);
        }
        layers.push_back({{"heads", heads}});
      }
      steps.push_back({{"step", s}, {"tokens_seen", p.prompt.size() + s}, {"layers", layers}});
    }
    e["steps"] = steps;
    list.push_back(e);
  }
  j["prompts"] = list;
  j["summary"] = {
      {"tokens_identical", identical},
      {"worst",
       {{"A", eval::to_json(worst_A)}, {"A_LM", eval::to_json(worst_A_LM)}, {"G_LM", eval::to_json(worst_G_LM)}}}};
  if (!eval.is_null()) j["eval"] = eval;
  return j;
}

}  // namespace pldr::eval
