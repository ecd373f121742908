#include "nn/layers.h"

#include <stdexcept>
#include <string>

#include "autograd/grad_mode.h"

namespace pldr::nn {

Linear::Linear(int64_t in, int64_t out, bool has_bias, DType dtype) {
  weight = register_parameter("weight", {out, in}, dtype, 0);
  if (has_bias) bias = register_parameter("bias", {out}, dtype, 0);
}

namespace {
// int8 weights have no gradient: a forward that records one would train without them.
void require_inference(const char* layer) {
  if (ag::grad_enabled())
    throw std::logic_error(std::string(layer) +
                           ": int8 weights are for inference only; training needs the float32 weights "
                           "(load without --weights int8), and inference runs under ag::NoGradGuard");
}

void check_int8_shape(const char* layer, const Int8Matrix& w, const Shape& expected) {
  if (Shape{w.rows(), w.cols()} != expected)
    throw std::invalid_argument(std::string(layer) + ": int8 weight " + to_string(Shape{w.rows(), w.cols()}) +
                                " for a weight of shape " + to_string(expected));
}
}  // namespace

ag::Variable Linear::forward(const ag::Variable& x) const {
  if (!int8_) return ag::linear(x, weight, bias);
  require_inference("Linear");
  return ag::Variable(int8_linear(x.value(), *int8_, bias.defined() ? bias.value() : Tensor()));
}

void Linear::use_int8(Int8Matrix w) {
  check_int8_shape("Linear", w, int8_ ? Shape{int8_->rows(), int8_->cols()} : weight.shape());
  int8_ = std::move(w);
  weight = ag::Variable();
  remove_parameter("weight");
}

LayerNorm::LayerNorm(int64_t dim, double eps_, DType dtype) : eps(eps_) {
  weight = register_parameter("weight", {dim}, dtype, 1);
  bias = register_parameter("bias", {dim}, dtype, 0);
}

ag::Variable LayerNorm::forward(const ag::Variable& x) const { return ag::layer_norm(x, weight, bias, eps); }

Embedding::Embedding(int64_t vocab, int64_t dim, DType dtype) {
  weight = register_parameter("weight", {vocab, dim}, dtype, 0);
}

ag::Variable Embedding::forward(const Tensor& ids) const {
  if (!int8_) return ag::embedding(weight, ids);
  require_inference("Embedding");
  return ag::Variable(int8_->gather_rows(ids));
}

void Embedding::use_int8(Int8Matrix w) {
  check_int8_shape("Embedding", w, int8_ ? Shape{int8_->rows(), int8_->cols()} : weight.shape());
  int8_ = std::move(w);
  weight = ag::Variable();
  remove_parameter("weight");
}

GatedLinearUnit::GatedLinearUnit(int64_t dim, int64_t hidden, bool bias, DType dtype)
    : gluw1(dim, hidden, bias, dtype), gluw2(dim, hidden, bias, dtype), gluw3(hidden, dim, bias, dtype) {
  register_module("gluw1", gluw1);
  register_module("gluw2", gluw2);
  register_module("gluw3", gluw3);
}

ag::Variable GatedLinearUnit::forward(const ag::Variable& x) const {
  return gluw3.forward(ag::swiglu(gluw1.forward(x), gluw2.forward(x)));
}

ag::Variable iswiglu(const ag::Variable& z) { return ag::swiglu(z, z); }

}  // namespace pldr::nn
