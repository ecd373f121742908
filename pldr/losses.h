// Training objectives (docs/pldr-llm.md §12): masked cross-entropy and accuracy, and the DAG regulariser on
// the deductive outputs A_LM, Ap and G_LM.
#pragma once
#include <array>
#include <vector>

#include "pldr/attention.h"

namespace pldr {

struct LanguageModelLoss {
  ag::Variable loss;         // mean cross-entropy over targets != 0
  Tensor prediction_counts;  // float64 [2] on the logits' device: {correct argmax, targets != 0}
  // Read from prediction_counts, one host read each: the share of targets != 0 equal to the argmax
  // of the logits, and the count of targets != 0. Training reads the counts with the step's other
  // numbers instead (train/step.cpp).
  double accuracy() const;
  int64_t counted() const;
};
// Nothing is read back to the host.
LanguageModelLoss masked_cross_entropy(const ag::Variable& logits, const Tensor& targets, int pad_id = 0);

// d(M) = |log( tr(expm(M ∘ M)) / dk )| per (batch, head) matrix (the NOTEARS acyclicity measure:
// 0 exactly when M ∘ M is the adjacency matrix of a DAG), averaged over layers, batch and heads.
ag::Variable dag_term(const std::vector<ag::Variable>& matrices);

struct DagLoss {
  std::array<double, 3> coefficients{0, 0, 0};  // c_A (A_LM), c_Ap (Ap), c_G (G_LM), each >= 0
  ag::Variable A_LM, Ap, G_LM;                  // the three terms, always computed (reported)
  ag::Variable weighted;                        // Σ c·d over the non-zero coefficients (undefined if none)
};
DagLoss dag_loss(const std::vector<LayerDeductive>& layers, const std::array<double, 3>& coefficients);

}  // namespace pldr
