// pldr_model_open and the calls about a model as a whole: its parameters, info, features, free.
#include <filesystem>

#include "apps/c_api/model_handle.h"
#include "apps/c_api/status.h"
#include "interop/hf_import.h"
#include "tensor/backend.h"
#include "tensor/threads.h"
#if PLDR_C_API_CHECKPOINTS
#include "train/checkpoint.h"
#endif

namespace pldr::capi {

const pldr_model& checked(const pldr_model* model, const char* function) {
  require_pointer(model, function, "model");
  return *model;
}

pldr_model& checked(pldr_model* model, const char* function) {
  require_pointer(model, function, "model");
  return *model;
}

void check_token_ids(const int32_t* ids, size_t n_ids, int64_t vocab_size, const char* function) {
  for (size_t i = 0; i < n_ids; ++i)
    if (ids[i] < 0 || ids[i] >= vocab_size)
      throw Error(PLDR_ERR_INVALID_ARGUMENT, std::string(function) + ": token id " + std::to_string(ids[i]) +
                                                 " at index " + std::to_string(i) + " is outside the vocabulary [0, " +
                                                 std::to_string(vocab_size) + ")");
}

namespace {

// The device, checked before anything loads: a build without CUDA or a machine without a GPU
// is PLDR_ERR_UNSUPPORTED with the backend's reason.
Device checked_device(pldr_device device) {
  if (device != PLDR_DEVICE_CPU && device != PLDR_DEVICE_CUDA)
    throw Error(PLDR_ERR_INVALID_ARGUMENT, "pldr_model_open: device must be PLDR_DEVICE_CPU or PLDR_DEVICE_CUDA");
  const Device d = device == PLDR_DEVICE_CPU ? Device::CPU : Device::CUDA;
  try {
    backend(d);
  } catch (const std::runtime_error& e) {
    throw Error(PLDR_ERR_UNSUPPORTED, std::string("pldr_model_open: device cuda: ") + e.what());
  }
  return d;
}

// The model and the tokenizer path it names (empty when none).
std::pair<std::unique_ptr<PldrModel>, std::string> load(const std::string& path, DType dtype,
                                                        std::string& tokenizer_identity) {
  namespace fs = std::filesystem;
  if (!fs::exists(path)) throw Error(PLDR_ERR_LOAD, "pldr_model_open: no such file or folder: " + path);
  if (fs::is_directory(path)) {
    interop::HfModel hf = interop::load_hf_folder(path, dtype);
    return {std::move(hf.model), hf.tokenizer_path};
  }
#if PLDR_C_API_CHECKPOINTS
  LoadedCheckpoint c = load_checkpoint(path);
  if (c.model->dtype() != dtype) c.model->to(dtype);
  tokenizer_identity = c.state.tokenizer_identity;
  return {std::move(c.model), c.config.tokenizer};
#else
  throw Error(PLDR_ERR_UNSUPPORTED, "pldr_model_open: " + path +
                                        " is a file, read as a checkpoint, but this build has no HDF5: it opens "
                                        "Hugging Face folders only");
#endif
}

// The tokenizer at `path`, which must be the one a checkpoint recorded and fit the vocabulary.
data::Tokenizer load_tokenizer(const std::string& path, const std::string& identity, int64_t vocab_size) {
  data::Tokenizer tok = data::Tokenizer::load(path);
  if (!identity.empty() && tok.identity() != identity)
    throw Error(PLDR_ERR_LOAD, "pldr_model_open: tokenizer " + path + " (" + tok.identity() +
                                   ") is not the one the checkpoint was trained with (" + identity + ")");
  if (tok.vocab_size() > vocab_size)
    throw Error(PLDR_ERR_LOAD, "pldr_model_open: tokenizer " + path + " has " + std::to_string(tok.vocab_size()) +
                                   " pieces, more than the model's vocabulary of " + std::to_string(vocab_size));
  return tok;
}

}  // namespace
}  // namespace pldr::capi

using pldr::capi::Error;

extern "C" {

int pldr_has_feature(pldr_feature feature) {
  switch (feature) {
    case PLDR_FEATURE_CHECKPOINTS: return PLDR_C_API_CHECKPOINTS;
    case PLDR_FEATURE_TOKENIZER: return 1;  // data/spm/ reads SentencePiece models in every build
#ifdef PLDR_CUDA
    case PLDR_FEATURE_CUDA: return 1;
#else
    case PLDR_FEATURE_CUDA: return 0;
#endif
  }
  return 0;
}

pldr_model_params pldr_model_default_params(void) {
  pldr_model_params p;
  p.dtype = PLDR_DTYPE_FLOAT32;
  p.device = PLDR_DEVICE_CPU;
  p.threads = 0;
  p.tokenizer_path = nullptr;
  return p;
}

pldr_status pldr_model_open(const char* path, const pldr_model_params* params, pldr_model** model) {
  if (model) *model = nullptr;
  return pldr::capi::guarded(PLDR_ERR_LOAD, [&] {
    pldr::capi::require_pointer(model, "pldr_model_open", "model");
    pldr::capi::require_pointer(path, "pldr_model_open", "path");
    const pldr_model_params p = params ? *params : pldr_model_default_params();
    if (p.dtype != PLDR_DTYPE_FLOAT32 && p.dtype != PLDR_DTYPE_FLOAT64)
      throw Error(PLDR_ERR_INVALID_ARGUMENT, "pldr_model_open: dtype must be PLDR_DTYPE_FLOAT32 or PLDR_DTYPE_FLOAT64");
    if (p.threads < 0 || p.threads > 4096)
      throw Error(PLDR_ERR_INVALID_ARGUMENT,
                  "pldr_model_open: threads must be in [0, 4096], got " + std::to_string(p.threads));
    const pldr::Device device = pldr::capi::checked_device(p.device);
    auto handle = std::make_unique<pldr_model>();
    try {
      handle->threads = p.threads > 0 ? p.threads : pldr::requested_num_threads(std::nullopt, 0);
    } catch (const std::invalid_argument& e) {
      throw Error(PLDR_ERR_INVALID_ARGUMENT, std::string("pldr_model_open: ") + e.what());
    }
    std::string identity;
    auto [loaded, named_tokenizer] =
        pldr::capi::load(path, p.dtype == PLDR_DTYPE_FLOAT64 ? pldr::DType::Float64 : pldr::DType::Float32, identity);
    handle->model = std::move(loaded);
    const std::string tokenizer_path = p.tokenizer_path ? p.tokenizer_path : named_tokenizer;
    // A tokenizer the caller names must load; one a checkpoint names may have stayed on the
    // machine that trained it: the model then opens without it, and pldr_tokenize says why.
    if (!p.tokenizer_path && !named_tokenizer.empty() && !std::filesystem::exists(named_tokenizer)) {
      handle->missing_tokenizer =
          "the model names tokenizer " + named_tokenizer + ", which does not exist here; open it with tokenizer_path";
    } else if (!tokenizer_path.empty()) {
      handle->tokenizer = pldr::capi::load_tokenizer(tokenizer_path, identity, handle->model->config().vocab_size);
    }
    handle->model->to(device);
    *model = handle.release();
  });
}

void pldr_model_free(pldr_model* model) { delete model; }

pldr_status pldr_model_get_info(const pldr_model* model, pldr_model_info* info) {
  return pldr::capi::guarded(PLDR_ERR_RUNTIME, [&] {
    const pldr_model& m = pldr::capi::checked(model, "pldr_model_get_info");
    pldr::capi::require_pointer(info, "pldr_model_get_info", "info");
    const pldr::PldrConfig& c = m.model->config();
    info->vocab_size = static_cast<int32_t>(c.vocab_size);
    info->max_positions = static_cast<int32_t>(c.max_position_embeddings);
    info->num_layers = static_cast<int32_t>(c.num_hidden_layers);
    info->num_heads = static_cast<int32_t>(c.num_attention_heads);
    info->head_dim = static_cast<int32_t>(c.head_dim);
    info->hidden_size = static_cast<int32_t>(c.hidden_size);
    info->eos_id = static_cast<int32_t>(c.eos_token_id);
    info->has_tokenizer = 0;
    info->tokenizer_vocab_size = 0;
    if (m.tokenizer) {
      info->has_tokenizer = 1;
      info->tokenizer_vocab_size = m.tokenizer->vocab_size();
    }
  });
}

}  // extern "C"
