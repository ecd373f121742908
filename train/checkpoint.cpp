#include "train/checkpoint.h"

#include <algorithm>
#include <stdexcept>

#include "io/atomic_file.h"
#include "io/hdf5_file.h"
#include "tensor/creation.h"

namespace pldr {

namespace {

using io::H5File;

std::runtime_error problem(const std::string& path, const std::string& what) {
  return std::runtime_error("checkpoint " + path + ": " + what);
}

// Each tensor in its own dtype: nothing is narrowed (bfloat16 as HDF5's 16-bit float, io/hdf5_file.h).
void write_tensor(H5File& f, const std::string& name, const Tensor& t) {
  const Tensor dense = t.to(Device::CPU).contiguous();  // device-neutral: saved from a host copy
  const std::vector<int64_t> shape(t.shape().begin(), t.shape().end());
  dispatch_any(t.dtype(), [&](auto tag) { f.write(name, dense.data<decltype(tag)>(), shape); });
}

// Read straight into the new tensor in its dtype, with no wider copy on the way: loading a model
// costs its parameters and at most one HDF5 chunk besides.
Tensor read_tensor(H5File& f, const std::string& file, const std::string& name, const Shape& expected, DType dtype,
                   Device device) {
  if (!f.is_dataset(name)) throw problem(file, "lacks tensor " + name);
  const std::vector<int64_t> shape = f.shape(name);
  const Shape got(shape.begin(), shape.end());
  if (got != expected)
    throw problem(
        file, "tensor " + name + " has shape " + to_string(got) + ", the configuration expects " + to_string(expected));
  Tensor host = Tensor::uninitialized(got, dtype);
  dispatch_any(dtype, [&](auto tag) { f.read_into(name, host.data<decltype(tag)>(), host.numel()); });
  return host.to(device);
}

// A checkpoint with the optimizer state when there is one.
void write_checkpoint(const std::string& path, const RunConfig& config, const PldrModel& model,
                      const OptimizerState* optimizer, const TrainingState& state) {
  io::write_atomically(path, [&](const std::string& tmp) {
    H5File f = H5File::create(tmp);
    f.write_attribute("/", "format", std::string("pldr-checkpoint"));
    f.write_attribute("/", "format_version", kCheckpointFormatVersion);
    f.write_attribute("/", "step", state.step);
    f.write_attribute("/", "tokens_seen", state.tokens_seen);
    f.write_attribute("/", "data_epoch", static_cast<int64_t>(state.data_epoch));
    f.write_attribute("/", "data_index", static_cast<int64_t>(state.data_index));
    f.write_attribute("/", "tokenizer_identity", state.tokenizer_identity);
    f.write_attribute("/", "world_size", state.world_size);
    f.write_attribute("/", "dtype", std::string(dtype_name(model.dtype())));
    f.write_string_dataset("run_config", config.to_json().dump(2));
    for (const auto& [name, p] : model.named_parameters()) write_tensor(f, "params/" + name, p.value());
    for (size_t l = 0; l < model.predefined_G.size(); ++l)
      write_tensor(f, "predefined_G/layer" + std::to_string(l), model.predefined_G[l]);
    if (optimizer) {
      f.write_attribute("/", "optimizer_steps", optimizer->steps);
      const auto named = model.named_parameters();
      for (const int moment : {0, 1}) {
        if (optimizer->gather) optimizer->gather(moment);
        for (size_t i = 0; i < named.size(); ++i)
          write_tensor(f, std::string(moment == 0 ? "optimizer/m/" : "optimizer/v/") + named[i].first,
                       (moment == 0 ? optimizer->m : optimizer->v)[i]);
      }
    }
    f.flush();
  });
}

}  // namespace

void save_checkpoint(const std::string& path, const RunConfig& config, const PldrModel& model,
                     const optim::AdamW* optimizer, const TrainingState& state) {
  if (!optimizer) return write_checkpoint(path, config, model, nullptr, state);
  if (optimizer->sharded())
    throw std::invalid_argument("save_checkpoint: a sharded AdamW is saved through its gathered OptimizerState");
  auto& opt = const_cast<optim::AdamW&>(*optimizer);
  const OptimizerState whole{opt.steps(), opt.first_moments(), opt.second_moments(), {}};
  write_checkpoint(path, config, model, &whole, state);
}

void save_checkpoint(const std::string& path, const RunConfig& config, const PldrModel& model,
                     const OptimizerState& optimizer, const TrainingState& state) {
  write_checkpoint(path, config, model, &optimizer, state);
}

namespace {

// The configuration and state of an open checkpoint, checked to be one this build reads.
CheckpointHeader read_header(H5File& f, const std::string& path) {
  if (!f.has_attribute("/", "format") || f.read_attribute_string("/", "format") != "pldr-checkpoint")
    throw problem(path, "is an HDF5 file but not a pldr checkpoint (no format attribute)");
  const int64_t version = f.read_attribute_int("/", "format_version");
  if (version != kCheckpointFormatVersion)
    throw problem(path, "has format version " + std::to_string(version) + ", this build reads " +
                            std::to_string(kCheckpointFormatVersion));
  if (!f.is_dataset("run_config")) throw problem(path, "lacks run_config");
  CheckpointHeader h;
  try {
    h.config = RunConfig::from_json(nlohmann::json::parse(f.read_string_dataset("run_config")));
  } catch (const std::exception& e) {
    throw problem(path, std::string("bad run_config: ") + e.what());
  }
  h.state.step = f.read_attribute_int("/", "step");
  h.state.tokens_seen = f.read_attribute_int("/", "tokens_seen");
  h.state.data_epoch = static_cast<uint64_t>(f.read_attribute_int("/", "data_epoch"));
  h.state.data_index = static_cast<uint64_t>(f.read_attribute_int("/", "data_index"));
  h.state.tokenizer_identity = f.read_attribute_string("/", "tokenizer_identity");
  h.state.world_size = f.has_attribute("/", "world_size") ? f.read_attribute_int("/", "world_size") : 1;
  return h;
}

}  // namespace

CheckpointHeader read_checkpoint_header(const std::string& path) {
  H5File f = H5File::open_read(path);
  return read_header(f, path);
}

LoadedCheckpoint load_checkpoint(const std::string& path) {
  H5File f = H5File::open_read(path);
  CheckpointHeader header = read_header(f, path);
  LoadedCheckpoint c;
  c.config = std::move(header.config);
  c.state = std::move(header.state);
  const DType dtype = dtype_from_name(f.read_attribute_string("/", "dtype"));
  {
    const nn::UninitializedParameters unset;  // every parameter is read below
    c.model = std::make_unique<PldrModel>(c.config.model, dtype);
  }
  // Largest first: HDF5 holds a chunk (up to 64 MiB) twice while checking its Fletcher-32 sum, and
  // that transient is then largest while little else is resident.
  auto named = c.model->named_parameters();
  std::stable_sort(named.begin(), named.end(),
                   [](const auto& a, const auto& b) { return a.second.value().numel() > b.second.value().numel(); });
  for (auto& [name, p] : named)
    p.mutable_value() = read_tensor(f, path, "params/" + name, p.shape(), dtype, Device::CPU);
  for (size_t l = 0; l < c.model->predefined_G.size(); ++l)
    c.model->predefined_G[l] = read_tensor(f, path, "predefined_G/layer" + std::to_string(l),
                                           c.model->predefined_G[l].shape(), dtype, Device::CPU);
  return c;
}

void load_optimizer_state(const std::string& path, const PldrModel& model, optim::AdamW& optimizer) {
  H5File f = H5File::open_read(path);
  if (!f.has_attribute("/", "optimizer_steps")) throw problem(path, "holds no optimizer state");
  const auto named = model.named_parameters();
  for (size_t i = 0; i < named.size(); ++i) {
    const Shape& s = named[i].second.shape();
    // Into the optimizer's flat buffers (optim/adamw.h), which stay in place; a sharded one keeps
    // its shard.
    optimizer.load_moments(i, read_tensor(f, path, "optimizer/m/" + named[i].first, s, model.dtype(), model.device()),
                           read_tensor(f, path, "optimizer/v/" + named[i].first, s, model.dtype(), model.device()));
  }
  optimizer.set_steps(f.read_attribute_int("/", "optimizer_steps"));
}

std::vector<Tensor> load_external_G(const std::string& file, const std::string& group, const PldrConfig& config,
                                    DType dtype) {
  H5File f = H5File::open_read(file);
  std::vector<Tensor> G;
  const Shape expected{1, config.num_attention_heads, config.head_dim, config.head_dim};
  for (int64_t l = 0; l < config.num_hidden_layers; ++l) {
    const std::string name = group + "/layer" + std::to_string(l);
    if (!f.is_dataset(name)) throw std::runtime_error("external G " + file + ": lacks " + name);
    std::vector<int64_t> shape;
    const std::vector<double> values = f.read<double>(name, &shape);
    if (Shape(shape.begin(), shape.end()) != expected)
      throw std::runtime_error("external G " + file + ": " + name + " has shape " +
                               to_string(Shape(shape.begin(), shape.end())) + ", the model expects " +
                               to_string(expected));
    G.push_back(from_vector(values, expected, dtype));
  }
  return G;
}

}  // namespace pldr
