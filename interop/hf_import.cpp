#include "interop/hf_import.h"

#include <bit>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "interop/hf_config_keys.h"
#include "interop/int8_folder.h"
#include "io/safetensors.h"
#include "pldr/int8_weights.h"

namespace pldr::interop {

namespace {

namespace fs = std::filesystem;

// A parameter from its stored tensor. A float32 tensor for a float32 model is used where it lies
// in the mapping: no copy, no allocation. The CPU kernels assume no alignment beyond the
// element's (Eigen maps unaligned, and views at any offset reach them already), and writers pad
// the header so that the data start is 8-aligned with float32 offsets multiples of 4; a file that
// is not is converted instead. Anything else is converted once, straight into the new tensor,
// with the casts from_vector makes, so the values are the same bits as before.
Tensor parameter_from(const io::SafetensorsView& v, const Shape& shape, DType dtype) {
  if (dtype == DType::Float32 && v.dtype == "F32" && std::endian::native == std::endian::little &&
      reinterpret_cast<uintptr_t>(v.data) % alignof(float) == 0) {
    // The mapping is private and writable (io/safetensors.h): a write would copy the page.
    auto storage = std::make_shared<Storage>(const_cast<unsigned char*>(v.data), size_t(v.count) * sizeof(float),
                                             Device::CPU, v.mapping);
    return Tensor(std::move(storage), dtype, shape, contiguous_strides(shape), 0);
  }
  Tensor t = Tensor::uninitialized(shape, dtype);
  dispatch_any(dtype, [&](auto tag) {
    using T = decltype(tag);
    T* out = t.data<T>();
    for (uint64_t i = 0; i < v.count; ++i) out[i] = static_cast<T>(v.value(i));
  });
  return t;
}

// The tensor `name` of the file(s), which must have shape `expected`; `source` names them in errors.
const io::SafetensorsView& find_tensor(const io::SafetensorsViews& tensors, const std::string& name,
                                       const Shape& expected, const std::string& source) {
  auto it = tensors.find(name);
  if (it == tensors.end()) throw std::runtime_error("safetensors " + source + ": lacks tensor " + name);
  const Shape shape(it->second.shape.begin(), it->second.shape.end());
  if (shape != expected)
    throw std::runtime_error("safetensors " + source + ": tensor " + name + " has shape " + to_string(shape) +
                             ", the configuration expects " + to_string(expected));
  return it->second;
}

// The int8 weights of the layers int8_layer_names lists: read where they lie in the mapping when
// stored int8 (interop/int8_folder.h), else quantised from the stored floats one layer at a time,
// each float matrix's pages released once read, so that the float weights are never all resident.
void assign_int8_weights(PldrModel& model, const io::SafetensorsViews& tensors, bool stored_int8,
                         const std::string& source) {
  set_int8_weights(model, [&](const std::string& layer, const Shape& shape) {
    const io::SafetensorsView& w = find_tensor(tensors, layer + ".weight", shape, source);
    if (!stored_int8) {
      Int8Matrix q = Int8Matrix::quantize(parameter_from(w, shape, DType::Float32));
      io::release_pages(w);
      return q;
    }
    if (w.dtype != "I8")
      throw std::runtime_error("safetensors " + source + ": tensor " + layer + ".weight is " + w.dtype +
                               ", an int8 folder stores it I8");
    const Shape scale_shape{shape[0]};
    const Tensor scales = parameter_from(find_tensor(tensors, layer + kInt8ScaleSuffix, scale_shape, source),
                                         scale_shape, DType::Float32);
    auto values =
        std::make_shared<Storage>(const_cast<unsigned char*>(w.data), size_t(w.count), Device::CPU, w.mapping);
    return Int8Matrix(std::move(values), scales, shape[0], shape[1]);
  });
}

// Sets the tensors the model needs from the file(s); `source` names them in errors.
void assign_parameters(PldrModel& model, const io::SafetensorsViews& tensors, const std::string& source) {
  auto find = [&](const std::string& name, const Shape& expected) -> const io::SafetensorsView& {
    return find_tensor(tensors, name, expected, source);
  };
  for (auto& [name, p] : model.named_parameters())
    p.mutable_value() = parameter_from(find(name, p.shape()), p.shape(), model.dtype());
  if (model.predefined_G.empty()) return;

  // Predefined G (docs/pldr-llm.md §4.4): [L, 3, 1, H, dk, dk] holding [A, A_LM, G] per layer.
  const PldrConfig& c = model.config();
  const int64_t L = c.num_hidden_layers, H = c.num_attention_heads, dk = c.head_dim;
  const auto& status = find("decoder.past_G_values_status", {L});
  for (int64_t l = 0; l < L; ++l)
    if (status.value(uint64_t(l)) == 0)
      throw std::runtime_error("safetensors " + source + ": decoder.past_G_values_status[" + std::to_string(l) +
                               "] is false: custom_G_type " + g_type_name(c.custom_G_type) +
                               " needs G set in every layer");
  const Shape buffer_shape{L, 3, 1, H, dk, dk};
  const Tensor buffer = parameter_from(find("decoder.past_G_values", buffer_shape), buffer_shape, model.dtype());
  for (int64_t l = 0; l < L; ++l) model.predefined_G[l] = buffer.select(0, l).select(0, 2);  // [1, H, dk, dk]
}

nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("config " + path + ": cannot be opened");
  nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.is_object()) throw std::runtime_error("config " + path + ": is not a JSON object");
  return j;
}

}  // namespace

PldrConfig hf_config_from_json(const nlohmann::json& hf, std::vector<std::string>* ignored_keys) {
  nlohmann::json j = hf;
  const std::vector<std::string> ignored = remove_foreign_hf_keys(j);
  if (ignored_keys) *ignored_keys = ignored;
  // The HF class fills these when null (docs/pldr-llm.md §1).
  const auto integer = [&](const char* key, int64_t fallback) {
    const auto it = j.find(key);
    if (it == j.end() || it->is_null()) return fallback;
    if (!it->is_number_integer()) throw std::invalid_argument(std::string("config: ") + key + " must be an integer");
    return it->get<int64_t>();
  };
  const int64_t heads = integer("num_attention_heads", PldrConfig{}.num_attention_heads);
  const int64_t head_dim = integer("head_dim", PldrConfig{}.head_dim);
  if (j.contains("hidden_size") && j["hidden_size"].is_null()) j["hidden_size"] = heads * head_dim;
  if (j.contains("intermediate_size") && j["intermediate_size"].is_null())
    j["intermediate_size"] = heads * head_dim * 4 * 2 / 3;
  return PldrConfig::from_json(j);
}

namespace {
// The configuration in `j`, read from `path` with its quantization_config taken out: errors name
// the file and the field.
PldrConfig config_of_file(const nlohmann::json& j, const std::string& path, std::vector<std::string>* ignored_keys) {
  try {
    return hf_config_from_json(j, ignored_keys);
  } catch (const std::exception& e) {
    std::string what = e.what();  // "config: <field> ..." from the validation
    if (what.rfind("config: ", 0) == 0) what.erase(0, 8);
    throw std::runtime_error("config " + path + ": " + what);
  }
}
}  // namespace

PldrConfig read_hf_config(const std::string& path, std::vector<std::string>* ignored_keys) {
  nlohmann::json j = read_json(path);
  take_int8_quantization(j, path);
  return config_of_file(j, path, ignored_keys);
}

void load_safetensors_parameters(PldrModel& model, const std::string& path) {
  assign_parameters(model, io::map_safetensors(path), path);
}

HfModel load_hf_folder(const std::string& dir, DType dtype, Weights weights) {
  if (!fs::is_directory(dir)) throw std::runtime_error("Hugging Face folder " + dir + ": is not a folder");
  const fs::path folder(dir);
  const std::string config_path = (folder / "config.json").string();
  nlohmann::json config = read_json(config_path);
  const bool stored_int8 = take_int8_quantization(config, config_path);
  if (stored_int8 && weights == Weights::Float)
    throw std::runtime_error("Hugging Face folder " + dir +
                             ": holds int8 weights (pldr quantize wrote it), so float32 weights cannot be loaded "
                             "from it; load the folder it was quantised from, or ask for int8 weights");
  const bool int8 = stored_int8 || weights == Weights::Int8;
  if (int8 && dtype != DType::Float32)
    throw std::runtime_error(std::string("Hugging Face folder ") + dir + ": int8 weights run in float32, not " +
                             dtype_name(dtype));
  HfModel m;
  {
    const nn::UninitializedParameters unset;  // assign_parameters sets every parameter or throws
    m.model = std::make_unique<PldrModel>(config_of_file(config, config_path, &m.ignored_keys), dtype);
  }
  const fs::path single = folder / "model.safetensors", index = folder / "model.safetensors.index.json";
  if (!fs::exists(single) && !fs::exists(index))
    throw std::runtime_error("Hugging Face folder " + dir +
                             ": has neither model.safetensors nor model.safetensors.index.json");
  const std::string source = fs::exists(single) ? single.string() : index.string();
  const io::SafetensorsViews tensors =
      fs::exists(single) ? io::map_safetensors(single.string()) : io::map_sharded_safetensors(index.string());
  if (int8) assign_int8_weights(*m.model, tensors, stored_int8, source);
  assign_parameters(*m.model, tensors, source);
  if (fs::exists(folder / "tokenizer.model")) m.tokenizer_path = (folder / "tokenizer.model").string();
  return m;
}

}  // namespace pldr::interop
