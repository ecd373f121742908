// prepare_corpus: streaming documents, tokenizing them in parallel blocks, splitting, writing.
#include "data/prepare.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <future>
#include <span>
#include <thread>

#include "data/error.h"
#include "data/permutation.h"
#include "data/token_file.h"
#include "data/tokenizer.h"

namespace pldr::data {
namespace {

namespace fs = std::filesystem;

uint64_t utf8_code_points(const std::string& text) {
  uint64_t count = 0;
  for (const char c : text) count += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return count;
}

// The tokens of a run of documents, with running totals per document for splitting.
struct TokenizedDocuments {
  std::vector<int32_t> tokens;
  std::vector<uint64_t> token_ends;  // tokens of documents 0..i
  std::vector<uint64_t> byte_ends;   // text bytes of documents 0..i
  std::vector<uint64_t> char_ends;   // code points of documents 0..i

  uint64_t documents() const { return token_ends.size(); }
  // Counts for documents [first, last).
  SplitStats stats(uint64_t first, uint64_t last) const {
    auto before = [](const std::vector<uint64_t>& ends, uint64_t i) { return i == 0 ? 0 : ends[i - 1]; };
    return {"", last - first, before(token_ends, last) - before(token_ends, first),
            before(byte_ends, last) - before(byte_ends, first), before(char_ends, last) - before(char_ends, first)};
  }
};

// At most a line a second on stderr, the first after a second, so small inputs print nothing.
class Progress {
 public:
  Progress(bool enabled, std::string label) : enabled_(enabled), label_(std::move(label)) {}

  void update(const TokenizedDocuments& docs) {
    const auto now = Clock::now();
    if (!enabled_ || now - last_ < std::chrono::seconds(1)) return;
    last_ = now;
    printed_ = true;
    print(docs);
  }
  void finish(const TokenizedDocuments& docs) const {
    if (printed_) print(docs);
  }

 private:
  using Clock = std::chrono::steady_clock;
  void print(const TokenizedDocuments& docs) const {
    const double seconds = std::chrono::duration<double>(Clock::now() - start_).count();
    const uint64_t bytes = docs.byte_ends.empty() ? 0 : docs.byte_ends.back();
    std::fprintf(stderr, "%s: %llu documents, %llu tokens, %.1f MiB of text, %.0f s\n", label_.c_str(),
                 static_cast<unsigned long long>(docs.documents()), static_cast<unsigned long long>(docs.tokens.size()),
                 static_cast<double>(bytes) / (1 << 20), seconds);
  }

  bool enabled_;
  std::string label_;
  Clock::time_point start_ = Clock::now();
  Clock::time_point last_ = start_;
  bool printed_ = false;
};

// Collects documents into blocks and encodes each block on `threads` threads, keeping order.
class BlockEncoder {
 public:
  BlockEncoder(const Tokenizer& tokenizer, unsigned threads, TokenizedDocuments& out, Progress& progress)
      : tokenizer_(tokenizer), threads_(threads), out_(out), progress_(progress) {}

  void add(std::string&& document) {
    block_bytes_ += document.size();
    block_.push_back(std::move(document));
    if (block_.size() >= kBlockDocuments || block_bytes_ >= kBlockBytes) flush();
  }

  void flush() {
    std::vector<std::vector<int32_t>> encoded(block_.size());
    const std::size_t per_thread = (block_.size() + threads_ - 1) / threads_;
    std::vector<std::future<void>> parts;
    for (std::size_t begin = 0; begin < block_.size(); begin += per_thread) {
      const std::size_t end = std::min(block_.size(), begin + per_thread);
      parts.push_back(std::async(std::launch::async, [this, &encoded, begin, end] {
        for (std::size_t i = begin; i < end; ++i) encoded[i] = tokenizer_.encode_document(block_[i]);
      }));
    }
    for (auto& part : parts) part.get();  // rethrows a worker's exception

    for (std::size_t i = 0; i < block_.size(); ++i) {
      out_.tokens.insert(out_.tokens.end(), encoded[i].begin(), encoded[i].end());
      out_.token_ends.push_back(out_.tokens.size());
      out_.byte_ends.push_back((out_.byte_ends.empty() ? 0 : out_.byte_ends.back()) + block_[i].size());
      out_.char_ends.push_back((out_.char_ends.empty() ? 0 : out_.char_ends.back()) + utf8_code_points(block_[i]));
    }
    block_.clear();
    block_bytes_ = 0;
    progress_.update(out_);
  }

 private:
  static constexpr std::size_t kBlockDocuments = 4096;
  static constexpr std::size_t kBlockBytes = 8 << 20;

  const Tokenizer& tokenizer_;
  unsigned threads_;
  TokenizedDocuments& out_;
  Progress& progress_;
  std::vector<std::string> block_;
  std::size_t block_bytes_ = 0;
};

TokenizedDocuments tokenize_sources(const std::vector<TextSource>& sources, const Tokenizer& tokenizer,
                                    unsigned threads, Progress& progress) {
  TokenizedDocuments docs;
  BlockEncoder encoder(tokenizer, threads, docs, progress);
  for (const TextSource& source : sources) {
    for_each_document(source, [&](std::string&& document) { encoder.add(std::move(document)); });
  }
  encoder.flush();
  return docs;
}

std::string describe(const std::vector<TextSource>& sources) {
  std::string text;
  for (const TextSource& source : sources) text += (text.empty() ? "" : ", ") + source.path;
  return text;
}

SplitStats write_split(const std::string& path, const TokenizedDocuments& docs, uint64_t first, uint64_t last,
                       uint32_t vocab_size) {
  SplitStats stats = docs.stats(first, last);
  const uint64_t token_begin = first == 0 ? 0 : docs.token_ends[first - 1];
  write_token_file(path, std::span(docs.tokens).subspan(token_begin, stats.tokens), vocab_size);
  stats.file = fs::path(path).filename().string();
  return stats;
}

// The first `count` documents of `docs` in the order `order` (indices below count).
TokenizedDocuments reorder(const TokenizedDocuments& docs, const std::vector<uint64_t>& order) {
  TokenizedDocuments out;
  auto before = [](const std::vector<uint64_t>& ends, uint64_t i) { return i == 0 ? 0 : ends[i - 1]; };
  for (const uint64_t d : order) {
    out.tokens.insert(out.tokens.end(), docs.tokens.begin() + before(docs.token_ends, d),
                      docs.tokens.begin() + docs.token_ends[d]);
    out.token_ends.push_back(out.tokens.size());
    out.byte_ends.push_back(before(out.byte_ends, out.byte_ends.size()) + docs.byte_ends[d] -
                            before(docs.byte_ends, d));
    out.char_ends.push_back(before(out.char_ends, out.char_ends.size()) + docs.char_ends[d] -
                            before(docs.char_ends, d));
  }
  return out;
}

// Documents a fraction of n keeps for a split: at least one when the fraction is positive.
uint64_t split_documents(double fraction, uint64_t n) {
  if (fraction <= 0.0) return 0;
  return std::max<uint64_t>(1, static_cast<uint64_t>(std::llround(fraction * static_cast<double>(n))));
}

void remove_stale(const std::string& path) {  // a split left by an earlier run would contradict the meta file
  std::error_code error;
  if (!fs::remove(path, error) && error) throw DataError(path + ": cannot remove: " + error.message());
}

// Throws DataError naming the output prefix on options prepare_corpus cannot use.
void check_options(const PrepareOptions& options, const std::string& where) {
  if (options.output_prefix.empty()) throw DataError("prepare: output prefix is empty");
  if (options.sources.empty()) throw DataError(where + ": no text sources");
  if (!(options.val_fraction >= 0.0 && options.val_fraction < 1.0)) {
    throw DataError(where + ": validation fraction " + std::to_string(options.val_fraction) + " is outside [0, 1)");
  }
  if (!(options.test_fraction >= 0.0 && options.test_fraction < 1.0)) {
    throw DataError(where + ": test fraction " + std::to_string(options.test_fraction) + " is outside [0, 1)");
  }
  if (options.val_fraction > 0.0 && !options.val_sources.empty()) {
    throw DataError(where + ": give either a validation fraction or validation sources, not both");
  }
}

// The documents of `sources`, tokenized; DataError when there are none.
TokenizedDocuments tokenize_nonempty(const std::vector<TextSource>& sources, const Tokenizer& tokenizer,
                                     unsigned threads, Progress& progress, const std::string& where) {
  TokenizedDocuments docs = tokenize_sources(sources, tokenizer, threads, progress);
  progress.finish(docs);
  if (docs.documents() == 0) throw DataError(where + ": no documents in " + describe(sources));
  return docs;
}

// Creates the folder of the output prefix when it has one.
void create_output_folder(const std::string& output_prefix, const std::string& where) {
  const fs::path folder = fs::path(output_prefix).parent_path();
  std::error_code error;
  if (!folder.empty() && !fs::create_directories(folder, error) && error) {
    throw DataError(where + ": cannot create folder " + folder.string() + ": " + error.message());
  }
}

// Documents per split of the training sources: test at the very end, validation before it.
struct SplitSizes {
  uint64_t train = 0, val = 0, test = 0;
};

// DataError when the validation and test fractions leave no training documents.
SplitSizes split_sizes(const PrepareOptions& options, uint64_t documents, const std::string& where) {
  SplitSizes sizes;
  sizes.val = split_documents(options.val_fraction, documents);
  sizes.test = split_documents(options.test_fraction, documents);
  if (sizes.val + sizes.test >= documents) {
    throw DataError(where + ": " + std::to_string(documents) + " documents are too few to keep " +
                    std::to_string(sizes.val) + " for validation and " + std::to_string(sizes.test) +
                    " for test and some for training");
  }
  sizes.train = documents - sizes.val - sizes.test;
  return sizes;
}

// Writes the first `count` documents as the training split, through the shuffle buffer when
// options.shuffle_buffer is set.
SplitStats write_train_split(const std::string& path, const TokenizedDocuments& docs, uint64_t count,
                             const PrepareOptions& options, uint32_t vocab_size) {
  if (options.shuffle_buffer > 0) {
    std::vector<uint64_t> order = buffered_shuffle_order(count, options.shuffle_buffer, options.shuffle_seed);
    return write_split(path, reorder(docs, order), 0, count, vocab_size);
  }
  return write_split(path, docs, 0, count, vocab_size);
}

}  // namespace

PrepareStats prepare_corpus(const PrepareOptions& options) {
  const std::string where = "prepare " + options.output_prefix;
  check_options(options, where);
  const Tokenizer tokenizer = Tokenizer::load(options.tokenizer_path);
  const unsigned threads =
      options.num_threads > 0 ? options.num_threads : std::max(1u, std::thread::hardware_concurrency());
  Progress progress(options.show_progress, where);
  const TokenizedDocuments train = tokenize_nonempty(options.sources, tokenizer, threads, progress, where);

  PrepareStats result;
  result.train_path = options.output_prefix + ".train.tok";
  result.meta_path = options.output_prefix + ".meta.json";
  create_output_folder(options.output_prefix, where);

  CorpusMeta& meta = result.meta;
  meta.tokenizer_path = options.tokenizer_path;
  meta.tokenizer_identity = tokenizer.identity();
  meta.vocab_size = static_cast<uint32_t>(tokenizer.vocab_size());
  meta.eos_id = tokenizer.eos_id();

  const SplitSizes sizes = split_sizes(options, train.documents(), where);
  meta.splits["train"] = write_train_split(result.train_path, train, sizes.train, options, meta.vocab_size);
  const std::string val_path = options.output_prefix + ".val.tok", test_path = options.output_prefix + ".test.tok";
  if (sizes.val > 0) {
    meta.splits["val"] = write_split(val_path, train, sizes.train, sizes.train + sizes.val, meta.vocab_size);
    result.val_path = val_path;
  } else if (!options.val_sources.empty()) {
    const TokenizedDocuments val = tokenize_nonempty(options.val_sources, tokenizer, threads, progress, where);
    meta.splits["val"] = write_split(val_path, val, 0, val.documents(), meta.vocab_size);
    result.val_path = val_path;
  } else {
    remove_stale(val_path);
  }
  if (sizes.test > 0) {
    meta.splits["test"] =
        write_split(test_path, train, train.documents() - sizes.test, train.documents(), meta.vocab_size);
    result.test_path = test_path;
  } else {
    remove_stale(test_path);
  }
  write_corpus_meta(result.meta_path, meta);
  return result;
}

}  // namespace pldr::data
