#include "interop/int8_folder.h"

#include <stdexcept>

#include "pldr/int8_weights.h"

namespace pldr::interop {

nlohmann::json int8_quantization_config() {
  return {{"quant_method", kInt8Method},
          {"bits", 8},
          {"symmetric", true},
          {"granularity", "per output row"},
          {"scale_suffix", kInt8ScaleSuffix},
          {"modules", "decoder.embedding, attention wq wk wv dense, ffn gluw1 gluw2 gluw3, final_layer"}};
}

bool take_int8_quantization(nlohmann::json& config, const std::string& path) {
  const auto it = config.find("quantization_config");
  if (it == config.end() || it->is_null()) return false;
  if (!it->is_object() || it->value("quant_method", "") != kInt8Method)
    throw std::runtime_error("config " + path + ": quantization_config = " + it->dump() +
                             " is not one this loader reads (only quant_method " + kInt8Method +
                             ", written by pldr quantize)");
  if (it->value("bits", 0) != 8 || it->value("scale_suffix", "") != kInt8ScaleSuffix)
    throw std::runtime_error("config " + path + ": quantization_config " + it->dump() + " differs from " +
                             int8_quantization_config().dump());
  config.erase(it);
  return true;
}

void add_int8_tensors(const PldrModel& model, io::SafetensorsTensors& tensors) {
  for (const auto& [layer, w] : int8_weights(model)) {
    const int8_t* q = w->data();
    tensors[layer + ".weight"] = {"I8", {w->rows(), w->cols()}, std::vector<double>(q, q + w->rows() * w->cols())};
    tensors[layer + kInt8ScaleSuffix] = {"F32", {w->rows()}, w->scales().to_vector<double>()};
  }
}

}  // namespace pldr::interop
