// The built-in SentencePiece reader (data/spm/) against the SentencePiece library: the same ids
// from encoding and the same text from decoding, on the published 32k model and on small models
// trained here (unigram, BPE, word, char; byte fallback on and off; other whitespace settings),
// over every line of the bundled corpus and benchmark files, hostile strings, random text and
// random id sequences; and on small models written by hand.
#include <sentencepiece_trainer.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <random>
#include <sstream>

#include "data/error.h"
#include "data/spm/model_proto.h"
#include "data/tokenizer.h"
#include "data/tokenizer_trainer.h"
#include "spm_model_writer.h"
#include "temp_dir.h"

namespace pldr::data {
namespace {

using testing::bytes_field;
using testing::piece;
using testing::read_all;
using testing::small_model;
using testing::TempDir;
using testing::varint_field;

const std::string kPublished = std::string(PLDR_DATA_DIR) + "/tokenizer/pldr-refinedweb-32k.model";
const std::string kCorpus = std::string(PLDR_DATA_DIR) + "/corpus/tinyshakespeare.txt";
const std::string kBenchmarks = std::string(PLDR_DATA_DIR) + "/../eval/data";

// The library trainer's options for models with settings the project's trainer fixes: no byte
// fallback (unknown pieces), no normalisation rules, whitespace kept, whitespace as suffix.
const std::map<std::string, std::string> kLibraryTrained = {
    {"unigram-nofallback", "--model_type=unigram --byte_fallback=false --user_defined_symbols=[SEP],ab"},
    {"bpe-nofallback", "--model_type=bpe --byte_fallback=false --user_defined_symbols=[SEP],ab"},
    {"unigram-identity-keepspace",
     "--model_type=unigram --normalization_rule_name=identity --remove_extra_whitespaces=false "
     "--add_dummy_prefix=false --character_coverage=0.98"},
    {"bpe-suffix-fallback",
     "--model_type=bpe --treat_whitespace_as_suffix=true --byte_fallback=true --character_coverage=0.98"},
    {"unigram-nfkc-cf", "--model_type=unigram --normalization_rule_name=nmt_nfkc_cf --byte_fallback=true"},
    {"char", "--model_type=char --hard_vocab_limit=false --user_defined_symbols=[SEP]"},
    {"word-fallback", "--model_type=word --byte_fallback=true --hard_vocab_limit=false"},
};

// The model of a name: the published one, or trained on first use (CTest runs each test in a
// process of its own, so each trains only the model it compares) from a slice of the corpus.
std::string model_path(const std::string& name) {
  if (name == "published-32k") return kPublished;
  static const TempDir dir;
  static std::map<std::string, std::string> trained;
  if (const auto it = trained.find(name); it != trained.end()) return it->second;
  const std::string slice = dir.file("slice.txt");
  if (trained.empty()) {
    dir.write("slice.txt", read_all(kCorpus).substr(0, 120000) +
                               "\u00e9\u00e8 caf\u00e9 na\u00efve \u65e5\u672c\u8a9e \u4e2d\u6587\n");
  }
  const std::string prefix = dir.file(name);
  if (name == "pldr-unigram" || name == "pldr-bpe") {  // the project's trainer: byte fallback on
    TrainOptions o;
    o.input_files = {slice};
    o.model_prefix = prefix;
    o.vocab_size = 700;
    o.model_type = name.substr(5);
    o.num_threads = 2;
    train_tokenizer(o);
  } else {
    const auto status = sentencepiece::SentencePieceTrainer::Train(
        "--input=" + slice + " --model_prefix=" + prefix + " --vocab_size=500 --num_threads=2 --minloglevel=2 " +
        kLibraryTrained.at(name));
    if (!status.ok()) throw std::runtime_error(name + ": " + status.ToString());
  }
  return trained[name] = prefix + ".model";
}

std::vector<std::string> hostile_strings() {
  std::vector<std::string> s = {
      "",
      " ",
      "     ",
      "\t",
      "\n",
      "\t\n\r\v\f",
      "a  b   c",
      "  leading",
      "trailing   ",
      " \t mixed \n space \t ",
      "\x01\x02\x03\x1b[0m\x7f",
      std::string("nul\0inside", 10),
      std::string("\0", 1),
      "\xff",
      "\xc3",
      "\xc3\x28",
      "\xe2\x82",
      "\xed\xa0\x80",
      "\xf4\x90\x80\x80",
      "\xc0\xaf",
      "\x80"
      "abc",
      "ok \xfe\xfe ok",
      "\xef\xbf\xbd",
      "\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd family "
      "\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa7",
      "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe3\x83\x86\xe3\x82\xad\xe3\x82\xb9\xe3\x83\x88",
      "e\xcc\x81 cafe\xcc\x81 a\xcc\x8a\xcc\x81",
      "\xef\xbc\xa1\xef\xbc\xa2\xef\xbc\xa3 \xef\xac\x81",
      "\xc2\xa0nbsp\xc2\xa0",
      "zero\xe2\x80\x8bwidth",
      "\xd8\xa7\xd9\x84\xd8\xb9\xd8\xb1\xd8\xa8\xd9\x8a\xd8\xa9",
      "\xe2\x96\x81 literal \xe2\x96\x81\xe2\x96\x81",
      "[SEP] [CLS][SEP]x ab abab",
      "[END] <unk> <s> </s> <pad> [PAD] <0x41> <0xZZ>",
      "1234567890 3.14159",
      "ALL CAPS Title Case",
      "\xe1\x84\x80\xe1\x85\xa1 \xea\xb0\x80",
      "tab\there",
      "line\nbreak\r\nwindows",
  };
  s.push_back(std::string(10000, 'a'));
  std::mt19937 rng(7);
  std::string word;
  for (int i = 0; i < 10000; ++i) word += static_cast<char>('a' + rng() % 26);
  s.push_back(word);
  std::string cjk;
  for (int i = 0; i < 3000; ++i) cjk += "\xe4\xb8\x80";  // one CJK character 3,000 times
  s.push_back(cjk);
  return s;
}

// Random byte strings (any byte) and random strings of code points from assorted ranges.
std::vector<std::string> random_strings(int count) {
  std::mt19937 rng(11);
  std::vector<std::string> out;
  const uint32_t ranges[][2] = {{0x20, 0x7e},       {0x0, 0x20},      {0xa0, 0x24f},    {0x300, 0x36f},
                                {0x2000, 0x206f},   {0x3000, 0x30ff}, {0x4e00, 0x4eff}, {0xff00, 0xffef},
                                {0x1f300, 0x1f6ff}, {0xac00, 0xac40}};
  for (int i = 0; i < count; ++i) {
    std::string s;
    const int length = 1 + rng() % 40;
    for (int j = 0; j < length; ++j) {
      if (i % 3 == 0) {
        s += static_cast<char>(rng() % 256);
        continue;
      }
      const auto& r = ranges[rng() % std::size(ranges)];
      uint32_t c = r[0] + rng() % (r[1] - r[0] + 1);
      if (c < 0x80) {
        s += static_cast<char>(c);
      } else if (c < 0x800) {
        s += static_cast<char>(0xC0 | c >> 6), s += static_cast<char>(0x80 | (c & 0x3F));
      } else if (c < 0x10000) {
        s += static_cast<char>(0xE0 | c >> 12), s += static_cast<char>(0x80 | (c >> 6 & 0x3F));
        s += static_cast<char>(0x80 | (c & 0x3F));
      } else {
        s += static_cast<char>(0xF0 | c >> 18), s += static_cast<char>(0x80 | (c >> 12 & 0x3F));
        s += static_cast<char>(0x80 | (c >> 6 & 0x3F)), s += static_cast<char>(0x80 | (c & 0x3F));
      }
    }
    out.push_back(s);
  }
  return out;
}

std::string printable(const std::string& text) {
  std::ostringstream out;
  for (const unsigned char c : text.substr(0, 80)) {
    if (c >= 0x20 && c < 0x7f) {
      out << c;
    } else {
      out << "\\x" << std::hex << int(c) << std::dec;
    }
  }
  return out.str();
}

class Engines : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    const std::string path = model_path(GetParam());
    library_.emplace(Tokenizer::load(path, TokenizerEngine::library));
    builtin_.emplace(Tokenizer::load(path, TokenizerEngine::builtin));
  }

  // Same ids, and the same text decoded from them; counts the texts that differ.
  void expect_same(const std::string& text) {
    const std::vector<int32_t> ids = library_->encode_prompt(text);
    const std::vector<int32_t> ours = builtin_->encode_prompt(text);
    if (ids != ours) {
      ADD_FAILURE() << "encode differs on \"" << printable(text) << "\": " << ids.size() << " vs " << ours.size()
                    << " ids";
      return;
    }
    const std::string decoded = library_->decode(ids);
    if (builtin_->decode(ids) != decoded) ADD_FAILURE() << "decode differs on \"" << printable(text) << "\"";
  }

  std::optional<Tokenizer> library_, builtin_;
};

TEST_P(Engines, SameVocabularySpecialIdsAndIdentity) {
  ASSERT_EQ(builtin_->vocab_size(), library_->vocab_size());
  EXPECT_EQ(builtin_->identity(), library_->identity());
  EXPECT_EQ(builtin_->pad_id(), library_->pad_id());
  EXPECT_EQ(builtin_->unk_id(), library_->unk_id());
  EXPECT_EQ(builtin_->bos_id(), library_->bos_id());
  EXPECT_EQ(builtin_->eos_id(), library_->eos_id());
  for (int32_t id = 0; id < library_->vocab_size(); ++id) ASSERT_EQ(builtin_->piece(id), library_->piece(id)) << id;
}

TEST_P(Engines, SameIdsAndTextOnEveryLineOfTheBundledCorpus) {
  std::istringstream corpus(read_all(kCorpus));
  int lines = 0;
  for (std::string line; std::getline(corpus, line) && !HasFailure(); ++lines) expect_same(line);
  EXPECT_EQ(lines, 40000);  // every line of tinyshakespeare.txt
  // Paragraphs too, newlines and all, and the whole file as one text (1.1 MB).
  const std::string text = read_all(kCorpus);
  for (size_t at = 0; at < 20000 && !HasFailure(); at += 997) expect_same(text.substr(at, 1500));
  expect_same(text);
}

TEST_P(Engines, SameIdsAndTextOnEveryLineOfTheBundledBenchmarks) {
  // eval/data: the zero-shot benchmarks' questions and answers as shipped (JSON lines, TSV, ...).
  int lines = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(kBenchmarks)) {
    if (!entry.is_regular_file()) continue;
    std::istringstream file(read_all(entry.path().string()));
    for (std::string line; std::getline(file, line) && !HasFailure(); ++lines) expect_same(line);
  }
  EXPECT_GT(lines, 30000);
}

TEST_P(Engines, SameIdsAndTextOnHostileStrings) {
  for (const std::string& text : hostile_strings()) expect_same(text);
}

TEST_P(Engines, SameIdsAndTextOnRandomStrings) {
  for (const std::string& text : random_strings(3000)) {
    expect_same(text);
    if (HasFailure()) break;
  }
}

TEST_P(Engines, SameTextFromRandomIdSequences) {
  // Any ids in any order: control, unknown and byte pieces alone, byte runs that are not UTF-8.
  std::mt19937 rng(3);
  const int32_t n = library_->vocab_size();
  for (int i = 0; i < 3000 && !HasFailure(); ++i) {
    std::vector<int32_t> ids(rng() % 12);
    for (int32_t& id : ids)
      id = i % 2 ? static_cast<int32_t>(rng() % std::min(n, 300)) : static_cast<int32_t>(rng() % n);
    const std::string expected = library_->decode(ids);
    EXPECT_EQ(builtin_->decode(ids), expected) << "ids starting " << (ids.empty() ? -1 : ids[0]);
  }
}

// Random text over the characters and pieces of the hand-made models below.
std::vector<std::string> random_small_texts(int count) {
  const char* parts[] = {
      "a",  "b",   "c", "ab", " ", "  ", "\t", "[SEP]", "z", "\xff", "\xc3\xa9", "\xe2\x96\x81", "\xef\xbc\xa1",
      "\n", "<s>", "d"};
  std::mt19937 rng(13);
  std::vector<std::string> out = {"", " ", "a", "ab ab", "[SEP][SEP]", "zz a"};
  for (int i = 0; i < count; ++i) {
    std::string s;
    for (int n = rng() % 12; n > 0; --n) s += parts[rng() % std::size(parts)];
    out.push_back(s);
  }
  return out;
}

// Models written by hand (tests/data/spm_model_writer.h) for what trained models do not have:
// unused pieces, a custom unk_surface, a denormalizer, no whitespace escaping, whitespace as
// suffix, BPE merges into unused pieces, user symbols in char and word models. The library
// loads them, and the two engines must agree.
TEST(EnginesOnHandMadeModels, SameIdsAndText) {
  const std::string nfkc = spm::parse_model_proto(read_all(kPublished)).normalizer_spec.precompiled_charsmap;
  const std::string unigram = bytes_field(2, varint_field(3, 1));
  const std::string bpe = bytes_field(2, varint_field(3, 2));
  const std::string extra_pieces = piece("[SEP]", 0, 4) + piece("zz", -0.5f, 5) + piece("c", -4) + piece("d", -4);
  const std::map<std::string, std::string> models = {
      {"unigram", small_model(extra_pieces + unigram)},
      {"bpe", small_model(extra_pieces + bpe)},
      {"char", small_model(extra_pieces + bytes_field(2, varint_field(3, 4)))},
      {"word", small_model(extra_pieces + bytes_field(2, varint_field(3, 3)))},
      {"bpe-unused-merge", small_model(piece("bc", -0.1f, 5) + piece("abc", -0.2f) + piece("c", -4) + bpe)},
      {"unk-surface", small_model(extra_pieces + bytes_field(2, bytes_field(44, "<?>")))},
      {"nfkc-denormalized", small_model(extra_pieces + bytes_field(3, bytes_field(2, nfkc)) +
                                        bytes_field(5, bytes_field(1, "nfkc") + bytes_field(2, nfkc)))},
      {"no-escape-keep-space",
       small_model(extra_pieces + piece(" ", -3) + piece(" a", -1) +
                   bytes_field(3, varint_field(5, 0) + varint_field(4, 0) + varint_field(3, 0)))},
      {"suffix", small_model(extra_pieces + piece("a\xE2\x96\x81", -0.5f) + bytes_field(2, varint_field(24, 1)))},
      {"bpe-suffix",
       small_model(extra_pieces + piece("a\xE2\x96\x81", -0.5f) + bpe + bytes_field(2, varint_field(24, 1)))},
  };
  TempDir dir;
  for (const auto& [name, bytes] : models) {
    SCOPED_TRACE(name);
    const std::string path = dir.write(name + ".model", bytes);
    const Tokenizer library = Tokenizer::load(path, TokenizerEngine::library);
    const Tokenizer builtin = Tokenizer::load(path, TokenizerEngine::builtin);
    for (const std::string& text : random_small_texts(400)) {
      const std::vector<int32_t> ids = library.encode_prompt(text);
      ASSERT_EQ(builtin.encode_prompt(text), ids) << "\"" << printable(text) << "\"";
      ASSERT_EQ(builtin.decode(ids), library.decode(ids)) << "\"" << printable(text) << "\"";
    }
    std::mt19937 rng(17);
    for (int i = 0; i < 300; ++i) {
      std::vector<int32_t> ids(rng() % 8);
      for (int32_t& id : ids) id = static_cast<int32_t>(rng() % library.vocab_size());
      ASSERT_EQ(builtin.decode(ids), library.decode(ids));
    }
  }
}

// Files both engines refuse: the library's load-time rules are the reader's.
TEST(EnginesOnHandMadeModels, BothRefuseTheSameBrokenModels) {
  const std::string specs = bytes_field(2, varint_field(3, 1)) + bytes_field(3, bytes_field(1, "identity"));
  const std::string broken[] = {
      piece("a", 0) + piece("</s>", 0, 3) + specs,                                          // no unknown piece
      piece("<unk>", 0, 2) + piece("a", 0) + piece("a", -1) + piece("</s>", 0, 3) + specs,  // "a" twice
      piece("<unk>", 0, 2) + piece("", 0) + piece("</s>", 0, 3) + specs,                    // empty piece
      piece("<unk>", 0, 2) + piece("<0x41>", 0, 6) + piece("</s>", 0, 3) + specs,           // byte, no fallback
      small_model(bytes_field(2, varint_field(35, 1))),                                     // 0 of 256 bytes
      small_model(bytes_field(3, bytes_field(2, "abc"))),                                   // charsmap too short
      small_model().substr(0, 20),                                                          // cut mid-field
      piece("<unk>", 0, 2) + piece("</s>", 0, 3) + specs,                                   // no piece to segment into
  };
  TempDir dir;
  for (size_t i = 0; i < std::size(broken); ++i) {
    const std::string path = dir.write("broken" + std::to_string(i) + ".model", broken[i]);
    EXPECT_THROW(Tokenizer::load(path, TokenizerEngine::library), DataError) << i;
    EXPECT_THROW(Tokenizer::load(path, TokenizerEngine::builtin), DataError) << i;
  }
}

INSTANTIATE_TEST_SUITE_P(Models, Engines,
                         ::testing::Values("published-32k", "pldr-unigram", "pldr-bpe", "unigram-nofallback",
                                           "bpe-nofallback", "unigram-identity-keepspace", "bpe-suffix-fallback",
                                           "unigram-nfkc-cf", "char", "word-fallback"),
                         [](const auto& info) {
                           std::string name = info.param;
                           for (char& c : name)
                             if (c == '-') c = '_';
                           return name;
                         });

}  // namespace
}  // namespace pldr::data
