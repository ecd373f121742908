// Tests of the built-in reader's normaliser (data/spm/normalizer): the published model's
// nmt_nfkc rules, the whitespace settings a model file can choose, user-defined symbols left
// alone, and damaged character maps as DataErrors.
#include "data/spm/normalizer.h"

#include <gtest/gtest.h>

#include <random>

#include "data/error.h"
#include "data/spm/model_proto.h"
#include "temp_dir.h"

namespace pldr::data::spm {
namespace {

using testing::read_all;

const std::string kPublished = std::string(PLDR_DATA_DIR) + "/tokenizer/pldr-refinedweb-32k.model";
const std::string kSpace = "\xE2\x96\x81";

const NormalizerSpec& published_spec() {
  static const NormalizerSpec spec = parse_model_proto(read_all(kPublished)).normalizer_spec;
  return spec;
}

TEST(DataSpmNormalizer, PublishedRulesFoldAndCollapse) {
  const Normalizer n(published_spec(), false, nullptr);
  EXPECT_EQ(n.normalize(""), "");
  EXPECT_EQ(n.normalize(" \t\n "), "");
  EXPECT_EQ(n.normalize("a  b\tc"), kSpace + "a" + kSpace + "b" + kSpace + "c");
  EXPECT_EQ(n.normalize("\xEF\xBC\xA1\xEF\xBC\xA2"), kSpace + "AB");  // fullwidth AB
  EXPECT_EQ(n.normalize("\xEF\xAC\x81"), kSpace + "fi");              // the ligature
  EXPECT_EQ(n.normalize("e\xCC\x81"), kSpace + "\xC3\xA9");           // composed
  EXPECT_EQ(n.normalize("x\xFFy"), kSpace + "x\xEF\xBF\xBDy");        // one U+FFFD per bad byte
  EXPECT_EQ(n.normalize("\xE2\x82"), kSpace + "\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(DataSpmNormalizer, WhitespaceSettingsOfTheSpec) {
  NormalizerSpec spec;  // no rules: characters pass through
  spec.remove_extra_whitespaces = false;
  spec.add_dummy_prefix = false;
  EXPECT_EQ(Normalizer(spec, false, nullptr).normalize(" a  b "), kSpace + "a" + kSpace + kSpace + "b" + kSpace);
  spec.escape_whitespaces = false;
  EXPECT_EQ(Normalizer(spec, false, nullptr).normalize(" a  b "), " a  b ");
  NormalizerSpec suffix;
  EXPECT_EQ(Normalizer(suffix, true, nullptr).normalize("  a b  "), "a" + kSpace + "b" + kSpace);
  EXPECT_EQ(Normalizer(suffix, false, nullptr).normalize("  a b  "), kSpace + "a" + kSpace + "b");
}

TEST(DataSpmNormalizer, UserDefinedSymbolsAreLeftAlone) {
  const std::string fullwidth = "\xEF\xBC\xA1\xEF\xBC\xA2";
  const PieceTrie symbols({{fullwidth, 7}});
  const Normalizer n(published_spec(), false, &symbols);
  EXPECT_EQ(n.normalize(fullwidth + " " + fullwidth.substr(0, 3)), kSpace + fullwidth + kSpace + "A");
}

TEST(DataSpmNormalizer, DamagedCharacterMapsAreDataErrors) {
  NormalizerSpec spec;
  spec.precompiled_charsmap = std::string("\x04\0\0\0", 4) + std::string("\x00\xFC\xFF\xFF", 4) + "x";
  const Normalizer n(spec, false, nullptr);  // the root's children lie far outside the array
  try {
    n.normalize("abc");
    FAIL() << "expected DataError";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("normalization trie is damaged"), std::string::npos) << e.what();
  }
  spec.precompiled_charsmap = std::string("\x03\0\0\0", 4) + "abcdef";
  EXPECT_THROW(Normalizer(spec, false, nullptr), DataError);  // not a whole number of units
}

TEST(DataSpmNormalizer, RandomDamageToThePublishedMapIsNeverACrash) {
  std::mt19937 rng(5);
  int errors = 0;
  for (int round = 0; round < 300; ++round) {
    NormalizerSpec spec = published_spec();
    std::string& map = spec.precompiled_charsmap;
    // Damage near the root, where the lookups of the text below start.
    for (int k = 0; k < 20; ++k) map[4 + rng() % 2048] = static_cast<char>(rng());
    try {
      Normalizer(spec, false, nullptr).normalize("Hello, W\xC3\xB6rld \xEF\xBC\xA1 \xE2\x80\x8B \x01 \xE6\x97\xA5");
    } catch (const DataError&) {
      ++errors;
    }
  }
  EXPECT_GT(errors, 0);  // some damage sends a lookup outside the array, and is caught
}

}  // namespace
}  // namespace pldr::data::spm
