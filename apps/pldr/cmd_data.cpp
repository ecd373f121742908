// pldr tokenizer train FILES... --vocab-size N --output PREFIX, and pldr prepare FILES...
// --tokenizer MODEL --output PREFIX: see their specs. (--threads, handled by main for every
// command, sets the SentencePiece trainer's and prepare's threads too.)
#include <cstdio>

#include "apps/flags.h"
#include "apps/pldr/commands.h"
#include "data/prepare.h"
#include "data/tokenizer.h"
#include "data/tokenizer_trainer.h"
#include "tensor/threads.h"

namespace pldr::cli {

const CommandSpec& tokenizer_spec() {
  static const CommandSpec spec{
      .name = "tokenizer train",
      .synopsis = "FILES... --vocab-size N --output PREFIX",
      .summary = "train a SentencePiece tokenizer with PLDR-LLM's special ids",
      .flags = {{"vocab-size", "N", "8000", "pieces in the vocabulary", {}},
                {"output", "PREFIX", "", "writes PREFIX.model and PREFIX.vocab", {"-o"}},
                {"model-type", "unigram|bpe|char|word", "unigram", "SentencePiece's model type", {}},
                threads_flag()},
      .positionals = "at least one text file",
      .min_positionals = 1,
      .max_positionals = SIZE_MAX};
  return spec;
}

const CommandSpec& prepare_spec() {
  static const CommandSpec spec{
      .name = "prepare",
      .synopsis = "FILES... --tokenizer MODEL --output PREFIX [flags]",
      .summary = "text or JSON lines to token files (train | val | test)",
      .flags = {{"tokenizer", "MODEL", "", "the SentencePiece model", {}},
                {"output", "PREFIX", "", "writes PREFIX.train.tok, .val.tok, .test.tok and .meta.json", {"-o"}},
                {"format", "text|jsonl", "jsonl for *.jsonl files, else text", "how the files hold documents", {}},
                {"field", "NAME", "text", "--format jsonl: the field holding the text", {}},
                {"split", "paragraphs|whole_file", "paragraphs", "what a document is in a text file", {}},
                {"val-fraction", "F", "0", "the last F of the documents for validation", {}},
                {"val", "FILE", "", "the validation documents from their own file", {}},
                {"test-fraction", "F", "0", "a test split of that fraction", {}},
                {"shuffle-buffer", "N", "0 (off)", "shuffle the training documents through a buffer of N", {}},
                {"shuffle-seed", "S", "0", "the shuffle's seed", {}},
                {"quiet", "", "", "no progress", {}},
                threads_flag()},
      .positionals = "at least one input file",
      .min_positionals = 1,
      .max_positionals = SIZE_MAX};
  return spec;
}

int cmd_tokenizer(const Args& args) {
  if (args.empty() || args[0] != "train") {
    for (const std::string& a : args)
      if (a == "--help" || a == "-h") throw HelpRequested{};
    throw UsageError(
        "the only tokenizer command is train: pldr tokenizer train FILES... --vocab-size N --output PREFIX");
  }
  const Flags flags(Args(args.begin() + 1, args.end()), tokenizer_spec());
  data::TrainOptions o;
  o.input_files = flags.positionals();
  o.model_prefix = flags.require("output");
  const int64_t vocab_size = flags.get_int("vocab-size", 8000);
  if (vocab_size < 8 || vocab_size > 1000000) throw UsageError("--vocab-size must be between 8 and 1000000");
  o.vocab_size = static_cast<int>(vocab_size);
  o.model_type = flags.get("model-type", "unigram");
  if (o.model_type != "unigram" && o.model_type != "bpe" && o.model_type != "char" && o.model_type != "word")
    throw UsageError("--model-type must be unigram, bpe, char or word");
  o.num_threads = requested_num_threads(std::nullopt, 2);  // --threads, as main left it in PLDR_NUM_THREADS
  data::train_tokenizer(o);
  const data::Tokenizer t = data::Tokenizer::load(o.model_prefix + ".model");
  std::printf("wrote %s.model (%d pieces, identity %s)\n", o.model_prefix.c_str(), t.vocab_size(),
              t.identity().c_str());
  return 0;
}

int cmd_prepare(const Args& args) {
  const Flags flags(args, prepare_spec());
  const std::string format = flags.get("format", ""), split = flags.get("split", "paragraphs");
  if (!format.empty() && format != "text" && format != "jsonl") throw UsageError("--format must be text or jsonl");
  if (split != "paragraphs" && split != "whole_file") throw UsageError("--split must be paragraphs or whole_file");
  data::PrepareOptions o;
  auto source = [&](const std::string& path) {
    data::TextSource s;
    s.path = path;
    // Without --format, a .jsonl file is JSON lines: its raw JSON is never taken for text.
    const bool jsonl = path.ends_with(".jsonl") || path.ends_with(".jsonl.gz");
    s.format = data::parse_text_format(format.empty() ? (jsonl ? "jsonl" : "text") : format);
    s.split = data::parse_text_split(split);
    s.field = flags.get("field", "text");
    return s;
  };
  for (const std::string& path : flags.positionals()) o.sources.push_back(source(path));
  if (flags.has("val")) o.val_sources.push_back(source(flags.get("val", "")));
  o.val_fraction = flags.get_double("val-fraction", 0.0);
  o.test_fraction = flags.get_double("test-fraction", 0.0);
  if (!(o.val_fraction >= 0 && o.val_fraction < 1)) throw UsageError("--val-fraction must be in [0, 1)");
  if (!(o.test_fraction >= 0 && o.test_fraction < 1)) throw UsageError("--test-fraction must be in [0, 1)");
  const int64_t buffer = flags.get_int("shuffle-buffer", 0), seed = flags.get_int("shuffle-seed", 0);
  if (buffer < 0 || seed < 0) throw UsageError("--shuffle-buffer and --shuffle-seed must not be negative");
  o.shuffle_buffer = static_cast<uint64_t>(buffer);
  o.shuffle_seed = static_cast<uint64_t>(seed);
  o.tokenizer_path = flags.require("tokenizer");
  o.output_prefix = flags.require("output");
  o.show_progress = !flags.on("quiet");
  o.num_threads = static_cast<unsigned>(requested_num_threads(std::nullopt, 0));  // 0: one per core
  const data::PrepareStats s = data::prepare_corpus(o);
  for (const auto& [name, split] : s.meta.splits)
    std::printf("%s: %lu documents, %lu tokens, %lu characters (%.2f characters per token) -> %s\n", name.c_str(),
                (unsigned long)split.documents, (unsigned long)split.tokens, (unsigned long)split.text_chars,
                split.tokens ? double(split.text_chars) / double(split.tokens) : 0.0, split.file.c_str());
  std::printf("meta: %s\n", s.meta_path.c_str());
  return 0;
}

}  // namespace pldr::cli
