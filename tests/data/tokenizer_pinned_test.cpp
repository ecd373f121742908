// Ids and text of the published 32k tokenizer pinned in tokenizer_pinned_ids.txt, checked with
// every engine of the build: a build without the SentencePiece library (scripts/test-minimal.sh)
// still gives the library's ids and text, and a full build checks the file against the library.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <optional>

#include "data/error.h"
#include "data/tokenizer.h"

namespace pldr::data {
namespace {

const std::string kModel = std::string(PLDR_DATA_DIR) + "/tokenizer/pldr-refinedweb-32k.model";
const std::string kPinned = std::string(PLDR_TEST_DATA_DIR) + "/tokenizer_pinned_ids.txt";

struct Pinned {
  std::string text, decoded;
  std::vector<int32_t> ids;
};

// The file's escapes: \\, \t, \n and \xNN.
std::string unescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 == s.size()) {
      out += s[i];
    } else if (s[++i] == 'x' && i + 2 < s.size()) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += s[i] == 'n' ? '\n' : s[i] == 't' ? '\t' : s[i];
    }
  }
  return out;
}

std::string escape(const std::string& s) {
  std::string out;
  for (const unsigned char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c >= 0x7f) {
      char hex[5];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::string join(const std::vector<int32_t>& ids) {
  std::string out;
  for (size_t i = 0; i < ids.size(); ++i) out += (i ? "," : "") + std::to_string(ids[i]);
  return out;
}

// The value of a "name: value" line, or nothing when the line is not one.
std::optional<std::string> field(const std::string& line, const std::string& name) {
  if (line.rfind(name + ":", 0) != 0) return std::nullopt;
  const std::string value = line.substr(name.size() + 1);
  return unescape(value.empty() ? value : value.substr(1));
}

// Records of three lines, "text: ", "ids: ", "decoded: "; '#' lines are comments.
std::vector<Pinned> read_pinned() {
  std::ifstream in(kPinned);
  std::vector<Pinned> out;
  for (std::string line; std::getline(in, line);) {
    if (const auto text = field(line, "text")) out.push_back({*text, "", {}});
    if (out.empty()) continue;
    if (const auto decoded = field(line, "decoded")) out.back().decoded = *decoded;
    if (const auto list = field(line, "ids")) {
      for (size_t at = 0; at < list->size();) {
        const size_t comma = std::min(list->find(',', at), list->size());
        out.back().ids.push_back(std::stoi(list->substr(at, comma - at)));
        at = comma + 1;
      }
    }
  }
  return out;
}

TEST(DataTokenizerPinned, EveryEngineGivesThePinnedIdsAndText) {
  const std::vector<Pinned> pinned = read_pinned();
  ASSERT_GE(pinned.size(), 8u) << kPinned;
  for (const TokenizerEngine engine : {TokenizerEngine::builtin, TokenizerEngine::library}) {
    if (!has_tokenizer_engine(engine)) continue;
    const Tokenizer tok = Tokenizer::load(kModel, engine);
    for (const Pinned& p : pinned) {
      const std::vector<int32_t> ids = tok.encode_prompt(p.text);
      const std::string decoded = tok.decode(ids);
      // On a failure, the record as this engine would write it.
      EXPECT_TRUE(ids == p.ids && decoded == p.decoded)
          << (engine == TokenizerEngine::library ? "library" : "builtin") << " gives:\ntext: " << escape(p.text)
          << "\nids: " << join(ids) << "\ndecoded: " << escape(decoded);
    }
  }
}

TEST(DataTokenizerPinned, LibraryEngineIsAnErrorWhereNotBuilt) {
  if (has_tokenizer_engine(TokenizerEngine::library)) GTEST_SKIP() << "this build has the SentencePiece library";
  EXPECT_EQ(default_tokenizer_engine(), TokenizerEngine::builtin);
  EXPECT_THROW(Tokenizer::load(kModel, TokenizerEngine::library), DataError);
}

}  // namespace
}  // namespace pldr::data
