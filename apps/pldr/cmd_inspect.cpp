// pldr inspect (--checkpoint CKPT | --hf DIR) --prompt TEXT -o OUT.h5: see inspect_spec.
#include <cstdio>

#include "apps/pldr/commands.h"
#include "apps/pldr/model_loading.h"
#include "apps/pldr/output_check.h"
#include "interop/inspect.h"

namespace pldr::cli {

const CommandSpec& inspect_spec() {
  static const CommandSpec spec = [] {
    CommandSpec s{.name = "inspect",
                  .synopsis = "(--checkpoint CKPT | --hf DIR) --prompt TEXT -o OUT.h5",
                  .summary = "the deductive outputs (A, A_LM, Ap, G_LM, scores, E) of every layer for a prompt",
                  .flags = model_flags(true)};
    s.flags.push_back({"prompt", "TEXT", "", "the prompt (quote it: one argument)", {}});
    s.flags.push_back({"output", "OUT.h5", "", "the HDF5 file: /{A,A_LM,Ap,G_LM,scores,E}/layer{i}", {"-o"}});
    s.flags.push_back(threads_flag());
    return s;
  }();
  return spec;
}

int cmd_inspect(const Args& args) {
  const Flags flags(args, inspect_spec());
  const std::string out = flags.require("output");
  const std::string prompt_text = flags.require("prompt");
  check_can_write(out, "--output");
  LoadedModel m = load_model_and_tokenizer(flags);
  std::vector<int32_t> prompt = m.tokenizer.encode_prompt(prompt_text);
  if (prompt.empty()) prompt = {m.tokenizer.eos_id()};
  interop::write_deductive_outputs(out, *m.checkpoint.model, prompt);
  std::printf("wrote A, A_LM, Ap, G_LM, scores and E of %ld layers for %zu tokens to %s\n",
              long(m.checkpoint.config.model.num_hidden_layers), prompt.size(), out.c_str());
  return 0;
}

}  // namespace pldr::cli
