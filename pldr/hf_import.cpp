#include "pldr/hf_import.h"

#include <stdexcept>

#include "io/safetensors.h"
#include "tensor/creation.h"

namespace pldr {

void load_safetensors_parameters(PldrModel& model, const std::string& path) {
  const auto tensors = io::read_safetensors(path);
  for (auto& [name, p] : model.named_parameters()) {
    auto it = tensors.find(name);
    if (it == tensors.end()) throw std::runtime_error("safetensors " + path + ": lacks tensor " + name);
    const Shape shape(it->second.shape.begin(), it->second.shape.end());
    if (shape != p.shape())
      throw std::runtime_error("safetensors " + path + ": tensor " + name + " has shape " + to_string(shape) +
                               ", the configuration expects " + to_string(p.shape()));
    p.mutable_value() = from_vector(it->second.values, shape, model.dtype());
  }
}

}  // namespace pldr
