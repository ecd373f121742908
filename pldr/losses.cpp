#include "pldr/losses.h"

#include <cmath>
#include <stdexcept>

#include "autograd/grad_mode.h"
#include "autograd/ops.h"
#include "tensor/ops.h"

namespace pldr {

LanguageModelLoss masked_cross_entropy(const ag::Variable& logits, const Tensor& targets, int pad_id) {
  LanguageModelLoss r;
  r.loss = ag::cross_entropy(logits, targets, pad_id);
  r.prediction_counts = ops::count_correct(logits.value(), targets, pad_id);
  return r;
}

double LanguageModelLoss::accuracy() const {
  const std::vector<double> counts = prediction_counts.to_vector<double>();
  return counts[1] > 0 ? counts[0] / counts[1] : 0.0;
}

int64_t LanguageModelLoss::counted() const { return static_cast<int64_t>(prediction_counts.to_vector<double>()[1]); }

ag::Variable dag_term(const std::vector<ag::Variable>& matrices) {
  if (matrices.empty()) throw std::invalid_argument("dag_term: no matrices");
  ag::Variable total;
  for (const ag::Variable& M : matrices) {
    // log(tr expm(M∘M) / dk), computed as log tr expm - log dk without forming the trace, which
    // overflows float32 once the power-law entries grow (e^88).
    const double log_dk = std::log(double(M.shape().back()));
    ag::Variable log_t = ag::log_trace_expm(ag::mul(M, M));              // [B, H]
    ag::Variable d = ag::mean(ag::abs(ag::add_scalar(log_t, -log_dk)));  // mean over batch and heads
    total = total.defined() ? ag::add(total, d) : d;
  }
  return ag::mul_scalar(total, 1.0 / double(matrices.size()));  // every layer has the same B·H count
}

DagLoss dag_loss(const std::vector<LayerDeductive>& layers, const std::array<double, 3>& coefficients) {
  DagLoss r;
  r.coefficients = coefficients;
  std::vector<ag::Variable> a_lm, ap, g_lm;
  for (const LayerDeductive& l : layers) {
    a_lm.push_back(l.A_LM);
    ap.push_back(l.Ap);
    g_lm.push_back(l.G_LM);
  }
  const std::array<std::vector<ag::Variable>*, 3> groups{&a_lm, &ap, &g_lm};
  std::array<ag::Variable*, 3> terms{&r.A_LM, &r.Ap, &r.G_LM};
  for (size_t i = 0; i < 3; ++i) {
    if (coefficients[i] < 0) throw std::invalid_argument("dag_loss: coefficients must be >= 0");
    if (coefficients[i] == 0) {  // reported, but kept off the tape: its gradient is not needed
      ag::NoGradGuard no_grad;
      *terms[i] = dag_term(*groups[i]);
      continue;
    }
    *terms[i] = dag_term(*groups[i]);
    ag::Variable weighted = ag::mul_scalar(*terms[i], coefficients[i]);
    r.weighted = r.weighted.defined() ? ag::add(r.weighted, weighted) : weighted;
  }
  return r;
}

}  // namespace pldr
