// train_tokenizer: trains a SentencePiece model with PLDR-LLM's settings (docs/pldr-llm.md
// §2; burcgokden/SentencePiece-Tokenizer-Wrapper-for-PLDR-LLM-KVG-cache): pad 0 [PAD],
// unk 1 [UNK], bos 2 [START], eos 3 [END], user symbols [SEP] [CLS], split_digits, byte_fallback,
// nmt_nfkc normalisation. Writes <model_prefix>.model and <model_prefix>.vocab.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace pldr::data {

struct TrainOptions {
  std::vector<std::string> input_files;  // plain text, one sentence per line
  std::string model_prefix;
  int vocab_size = 32000;
  std::string model_type = "unigram";  // unigram, bpe, char or word
  double character_coverage = 1.0;
  int64_t input_sentence_size = 0;  // sentences sampled for training; 0 = all
  int num_threads = 1;
};

void train_tokenizer(const TrainOptions& options);

}  // namespace pldr::data
