// pldr quantize (--hf DIR | --checkpoint CKPT) -o OUT: a model as a Hugging Face folder with int8
// weights (docs/int8.md, interop/int8_folder.h), which generate and eval load without quantising again.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "apps/flags.h"
#include "apps/pldr/commands.h"
#include "apps/pldr/model_loading.h"
#include "apps/pldr/output_check.h"
#include "apps/pldr/tokenizer_lookup.h"
#include "interop/hf_export.h"
#include "pldr/int8_weights.h"

namespace pldr::cli {

const CommandSpec& quantize_spec() {
  static const CommandSpec spec{
      .name = "quantize",
      .synopsis = "(--checkpoint CKPT | --hf DIR) -o OUT",
      .summary = "a model as a Hugging Face folder with int8 weights",
      .flags = {{"checkpoint", "CKPT", "", "the model: a checkpoint of pldr train (or --hf)", {}},
                {"hf", "DIR", "", "the model: a Hugging Face PLDR-LLM folder", {}},
                {"output", "OUT", "", "the folder to write; it must not exist yet (or be empty)", {"-o"}},
                {"tokenizer", "MODEL", "the model's", "the tokenizer to include", {}},
                threads_flag()},
      .notes =
          "The linear layers of attention and the feed-forward network, the LM head and the token embedding are\n"
          "stored int8 with one float32 scale per output row; the metric learner and the LayerNorms stay float32."};
  return spec;
}

namespace {
// The source's tokenizer, to copy beside the weights: --tokenizer, the folder's, or the
// checkpoint's as find_checkpoint_tokenizer finds it (none: the folder is written without one).
std::string source_tokenizer(const Flags& flags, const LoadedCheckpoint& c) {
  if (flags.has("tokenizer")) return flags.require("tokenizer");
  if (flags.has("hf")) return c.config.tokenizer;
  try {
    return find_checkpoint_tokenizer(flags.require("checkpoint"), c.config.tokenizer, c.state.tokenizer_identity);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "note: writing no tokenizer: %s\n", e.what());
    return "";
  }
}
// Drops the written weights from the page cache (they are clean: written atomically, fsynced).
// Pages a process writes stay cached in large folios, and this kernel maps such a folio whole on a
// touch: a generation reading a few rows of the int8 embedding right after quantize would bring in
// nearly all of its 28 MB at the 110M shape (bench/README.md). Read back from disk, the pages come
// in as they are touched. Advice only: a failure changes nothing but memory.
void drop_cached_pages(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) return;
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
  ::close(fd);
}
}  // namespace

int cmd_quantize(const Args& args) {
  namespace fs = std::filesystem;
  const Flags flags(args, quantize_spec());
  const std::string out = flags.require("output");
  if (fs::exists(out) && !(fs::is_directory(out) && fs::is_empty(out)))
    throw UsageError("--output " + out + " exists; pldr quantize writes a new folder (or into an empty one)");
  check_can_write_into(out, "--output");
  LoadedCheckpoint c = load_model(flags);
  quantize_to_int8(*c.model);
  const std::string tokenizer = source_tokenizer(flags, c);
  interop::export_hf_folder(*c.model, out, tokenizer);
  drop_cached_pages((fs::path(out) / "model.safetensors").string());
  std::printf("wrote %s/config.json, model.safetensors (%zu int8 weights with their scales, %zu float32 tensors)%s\n",
              out.c_str(), int8_weights(*c.model).size(), c.model->named_parameters().size(),
              tokenizer.empty() ? ", no tokenizer" : ", tokenizer.model");
  return 0;
}

}  // namespace pldr::cli
