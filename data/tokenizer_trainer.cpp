// train_tokenizer: the SentencePiece trainer called with PLDR-LLM's fixed settings.
#include "data/tokenizer_trainer.h"

#include <sentencepiece_trainer.h>

#include <filesystem>
#include <sstream>
#include <unordered_map>

#include "data/error.h"

namespace pldr::data {
namespace {

std::string join_inputs(const TrainOptions& options) {
  std::string joined;
  for (const std::string& file : options.input_files) {
    // SentencePiece takes its inputs as one comma-separated list.
    if (file.find(',') != std::string::npos) {
      throw DataError("tokenizer training input " + file + ": a file name must not contain a comma");
    }
    if (!std::filesystem::is_regular_file(file)) {
      throw DataError("tokenizer training input " + file + ": no such file");
    }
    if (!joined.empty()) joined += ',';
    joined += file;
  }
  return joined;
}

std::string format_double(double value) {
  std::ostringstream text;
  text.precision(17);
  text << value;
  return text.str();
}

}  // namespace

void train_tokenizer(const TrainOptions& options) {
  const std::string where = "tokenizer training " + options.model_prefix;
  if (options.input_files.empty()) throw DataError(where + ": no input files");
  if (options.model_prefix.empty()) throw DataError("tokenizer training: model_prefix is empty");
  if (options.vocab_size <= 0) throw DataError(where + ": vocab_size must be positive");
  if (options.num_threads <= 0) throw DataError(where + ": num_threads must be positive");
  if (options.input_sentence_size < 0) throw DataError(where + ": input_sentence_size must be >= 0");

  const std::unordered_map<std::string, std::string> args = {
      {"input", join_inputs(options)},
      {"model_prefix", options.model_prefix},
      {"vocab_size", std::to_string(options.vocab_size)},
      {"model_type", options.model_type},
      {"character_coverage", format_double(options.character_coverage)},
      {"input_sentence_size", std::to_string(options.input_sentence_size)},
      {"shuffle_input_sentence", "true"},
      {"num_threads", std::to_string(options.num_threads)},
      {"normalization_rule_name", "nmt_nfkc"},
      {"pad_id", "0"},
      {"pad_piece", "[PAD]"},
      {"unk_id", "1"},
      {"unk_piece", "[UNK]"},
      {"bos_id", "2"},
      {"bos_piece", "[START]"},
      {"eos_id", "3"},
      {"eos_piece", "[END]"},
      {"user_defined_symbols", "[SEP],[CLS]"},
      {"split_digits", "true"},
      {"byte_fallback", "true"},
      {"minloglevel", "1"},  // warnings and errors only, no progress log
  };
  const auto status = sentencepiece::SentencePieceTrainer::Train(args);
  if (!status.ok()) throw DataError(where + ": " + status.ToString());
}

}  // namespace pldr::data
