#include "pldr/int8_weights.h"

#include <stdexcept>

namespace pldr {

namespace {

// Calls f(name, layer) for every int8 layer, layer an nn::Linear or nn::Embedding (both have
// weight, use_int8 and int8_weight).
template <class Model, class F> void for_each_int8_layer(Model& model, F&& f) {
  f("decoder.embedding", model.decoder.embedding);
  for (size_t l = 0; l < model.decoder.dec_layers.size(); ++l) {
    auto& layer = *model.decoder.dec_layers[l];
    const std::string prefix = "decoder.dec_layers." + std::to_string(l) + ".";
    f(prefix + "mha1.wq", layer.mha1.wq);
    f(prefix + "mha1.wk", layer.mha1.wk);
    f(prefix + "mha1.wv", layer.mha1.wv);
    f(prefix + "mha1.dense", layer.mha1.dense);
    f(prefix + "ffn.gluw1", layer.ffn.gluw1);
    f(prefix + "ffn.gluw2", layer.ffn.gluw2);
    f(prefix + "ffn.gluw3", layer.ffn.gluw3);
  }
  f("final_layer", model.final_layer);
}

// The activations stay float32 (int8_linear), so the model is float32 on the CPU.
void require_cpu(const PldrModel& model, const char* what) {
  if (model.device() != Device::CPU)
    throw std::invalid_argument(std::string(what) + ": int8 weights run on the CPU only, the model is on " +
                                device_name(model.device()));
}

}  // namespace

std::vector<std::string> int8_layer_names(const PldrConfig& config) {
  std::vector<std::string> names{"decoder.embedding"};
  for (int64_t l = 0; l < config.num_hidden_layers; ++l)
    for (const char* layer : {"mha1.wq", "mha1.wk", "mha1.wv", "mha1.dense", "ffn.gluw1", "ffn.gluw2", "ffn.gluw3"})
      names.push_back("decoder.dec_layers." + std::to_string(l) + "." + layer);
  names.push_back("final_layer");
  return names;
}

void quantize_to_int8(PldrModel& model) {
  require_cpu(model, "quantize");
  if (model.dtype() != DType::Float32)
    throw std::invalid_argument(std::string("quantize: int8 weights need a float32 model, this one is ") +
                                dtype_name(model.dtype()));
  for_each_int8_layer(model, [](const std::string&, auto& layer) {
    if (!layer.int8_weight()) layer.use_int8(Int8Matrix::quantize(layer.weight.value()));
  });
}

void set_int8_weights(PldrModel& model,
                      const std::function<Int8Matrix(const std::string& name, const Shape& shape)>& weight) {
  require_cpu(model, "int8 weights");
  for_each_int8_layer(model, [&](const std::string& name, auto& layer) {
    const Shape shape =
        layer.int8_weight() ? Shape{layer.int8_weight()->rows(), layer.int8_weight()->cols()} : layer.weight.shape();
    layer.use_int8(weight(name, shape));
  });
}

bool has_int8_weights(const PldrModel& model) { return model.final_layer.int8_weight() != nullptr; }

std::vector<std::pair<std::string, const Int8Matrix*>> int8_weights(const PldrModel& model) {
  std::vector<std::pair<std::string, const Int8Matrix*>> out;
  if (!has_int8_weights(model)) return out;
  for_each_int8_layer(model,
                      [&](const std::string& name, const auto& layer) { out.emplace_back(name, layer.int8_weight()); });
  return out;
}

}  // namespace pldr
