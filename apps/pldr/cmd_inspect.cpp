// pldr inspect (--checkpoint CKPT | --hf DIR [--dtype float32|float64]) --prompt TEXT -o OUT.h5 [--tokenizer MODEL]
//   [--device cpu|cuda]
#include <cstdio>

#include "apps/pldr/commands.h"
#include "apps/pldr/model_loading.h"
#include "interop/inspect.h"

namespace pldr::cli {

int cmd_inspect(const Args& args) {
  const Flags flags(args, {"checkpoint", "hf", "dtype", "prompt", "tokenizer", "output", "device"}, {});
  const std::string out = flags.require("output");
  LoadedModel m = load_model_and_tokenizer(flags);
  std::vector<int32_t> prompt = m.tokenizer.encode_prompt(flags.require("prompt"));
  if (prompt.empty()) prompt = {m.tokenizer.eos_id()};
  interop::write_deductive_outputs(out, *m.checkpoint.model, prompt);
  std::printf("wrote A, A_LM, Ap, G_LM, scores and E of %ld layers for %zu tokens to %s\n",
              long(m.checkpoint.config.model.num_hidden_layers), prompt.size(), out.c_str());
  return 0;
}

}  // namespace pldr::cli
