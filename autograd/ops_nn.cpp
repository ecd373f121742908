// Softmax, LayerNorm, embedding and cross-entropy: fused ops whose backwards are kernels of
// their own (tensor/ops.h: softmax_back, layer_norm_back, embedding_back, cross_entropy_back).
#include "autograd/ops.h"
#include "tensor/creation.h"
#include "tensor/ops.h"

namespace pldr::ag {

Variable softmax(const Variable& x) { return softmax(x, Tensor()); }

Variable softmax(const Variable& x, const Tensor& mask) {
  Tensor out = ops::softmax(x.value(), mask);
  return record(out, "softmax", {x}, [out](const Tensor& g) { return std::vector<Tensor>{ops::softmax_back(out, g)}; });
}

Variable log_softmax(const Variable& x) {
  Tensor out = ops::log_softmax(x.value());
  return record(out, "log_softmax", {x},
                [out](const Tensor& g) { return std::vector<Tensor>{ops::log_softmax_back(out, g)}; });
}

Variable layer_norm(const Variable& x, const Variable& gamma, const Variable& beta, double eps) {
  LayerNormResult r = ops::layer_norm(x.value(), gamma.value(), beta.value(), eps);
  return record_into(r.y, "layer_norm", {x, gamma, beta},
                     [vx = x.value(), vg = gamma.value(), r](const Tensor& g, const GradTargets& into) {
                       LayerNormGrads d = ops::layer_norm_back(g, vx, r.mean, r.rstd, vg, into[1], into[2]);
                       return std::vector<Tensor>{d.dx, d.dgamma, d.dbeta};
                     });
}

Variable embedding(const Variable& weight, const Tensor& ids) {
  return record_into(ops::embedding(weight.value(), ids), "embedding", {weight},
                     [ids, vocab = weight.size(0)](const Tensor& g, const GradTargets& into) {
                       return std::vector<Tensor>{ops::embedding_back(g, ids, vocab, into[0])};
                     });
}

Variable cross_entropy(const Variable& logits, const Tensor& targets, int ignore_id) {
  ops::CrossEntropyResult r = ops::cross_entropy(logits.value(), targets, ignore_id);
  // The upstream gradient stays a tensor: backward reads nothing back from the device.
  return record(r.loss, "cross_entropy", {logits},
                [v = logits.value(), targets, ignore_id, counted = r.counted](const Tensor& g) {
                  return std::vector<Tensor>{ops::cross_entropy_back(v, targets, ignore_id, counted, g.to(v.dtype()))};
                });
}

}  // namespace pldr::ag
