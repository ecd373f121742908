// Tests of the built-in reader's model file parsing (data/spm/model_proto, vocabulary,
// processor): the published model's fields, protobuf's rules for defaults, merges and unknown
// fields, and a DataError naming the problem for damaged or inconsistent files, never a crash.
#include "data/spm/model_proto.h"

#include <gtest/gtest.h>

#include "data/error.h"
#include "data/spm/processor.h"
#include "spm_model_writer.h"
#include "temp_dir.h"

namespace pldr::data::spm {
namespace {

using namespace pldr::data::testing;

const std::string kPublished = std::string(PLDR_DATA_DIR) + "/tokenizer/pldr-refinedweb-32k.model";

void expect_load_error(const std::string& bytes, const std::string& problem) {
  try {
    Processor::load(bytes);
    ADD_FAILURE() << "expected DataError mentioning '" << problem << "'";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find(problem), std::string::npos) << e.what();
  }
}

TEST(DataSpmModelProto, ReadsThePublishedModel) {
  const ModelProto m = parse_model_proto(read_all(kPublished));
  ASSERT_EQ(m.pieces.size(), 32000u);
  EXPECT_EQ(m.pieces[0].text, "[PAD]");
  EXPECT_EQ(m.pieces[0].type, PieceType::control);
  EXPECT_EQ(m.pieces[1].type, PieceType::unknown);
  EXPECT_EQ(m.pieces[4].type, PieceType::user_defined);  // [SEP]
  EXPECT_EQ(m.pieces[6].text, "<0x00>");
  EXPECT_EQ(m.pieces[6].type, PieceType::byte);
  EXPECT_LT(m.pieces[1000].score, 0);
  EXPECT_EQ(m.trainer_spec.model_type, ModelType::unigram);
  EXPECT_TRUE(m.trainer_spec.byte_fallback);
  EXPECT_EQ(m.trainer_spec.eos_piece, "[END]");
  EXPECT_EQ(m.normalizer_spec.name, "nmt_nfkc");
  EXPECT_GT(m.normalizer_spec.precompiled_charsmap.size(), 1000u);
  EXPECT_TRUE(m.normalizer_spec.add_dummy_prefix);
  EXPECT_FALSE(m.denormalizer_spec.has_value());
}

TEST(DataSpmModelProto, DefaultsMergesAndUnknownFieldsAsProtobuf) {
  // A second trainer_spec merges into the first; an unknown field, a known field with the wrong
  // wire type and an unknown enum value are skipped.
  const std::string bytes = small_model(bytes_field(2, varint_field(35, 1) + bytes_field(44, "?")) +
                                        varint_field(99, 7) + bytes_field(1, varint_field(1, 5) + varint_field(3, 9)));
  const ModelProto m = parse_model_proto(bytes);
  ASSERT_EQ(m.pieces.size(), 9u);
  EXPECT_EQ(m.pieces[3].text,
            "\xE2\x96\x81"
            "a");
  EXPECT_FLOAT_EQ(m.pieces[5].score, -2.5f);
  EXPECT_EQ(m.pieces[8].text, "");                 // field 1 as a varint: not the text
  EXPECT_EQ(m.pieces[8].type, PieceType::normal);  // type 9 is no type: the default stays
  EXPECT_EQ(m.trainer_spec.model_type, ModelType::unigram);
  EXPECT_TRUE(m.trainer_spec.byte_fallback);
  EXPECT_EQ(m.trainer_spec.unk_surface, "?");
  EXPECT_EQ(m.trainer_spec.unk_piece, "<unk>");
  EXPECT_EQ(m.normalizer_spec.name, "identity");
  EXPECT_TRUE(m.normalizer_spec.remove_extra_whitespaces);
  EXPECT_TRUE(m.normalizer_spec.escape_whitespaces);
}

TEST(DataSpmModelProto, DamagedWireFormatIsADataErrorNamingTheProblem) {
  const std::pair<std::string, std::string> cases[] = {
      {"\x08", "truncated varint"},
      {"\x0a\x05"
       "ab",
       "runs past the end"},
      {"\x0b", "wire type 3"},
      {"\x0f", "wire type 7"},
      {std::string("\x00", 1), "field number out of range"},
      {"\x08" + std::string(10, '\xff') + "\x01", "longer than 10 bytes"},
      {"\x0a\x02\x0d\x01", "truncated 32-bit field"},
      {"\x11\x01\x02", "truncated 64-bit field"},
  };
  for (const auto& [bytes, problem] : cases) {
    try {
      parse_model_proto(bytes);
      ADD_FAILURE() << "expected DataError for " << problem;
    } catch (const DataError& e) {
      EXPECT_NE(std::string(e.what()).find(problem), std::string::npos) << e.what();
    }
  }
}

TEST(DataSpmModelProto, PiecesThatBreakTheLibrarysRulesAreDataErrors) {
  const std::string specs = bytes_field(2, varint_field(3, 1)) + bytes_field(3, bytes_field(1, "identity"));
  expect_load_error(piece("a", 0) + specs, "no unknown piece");
  expect_load_error(piece("<unk>", 0, 2) + piece("a", 0) + piece("a", -1) + specs, "'a' is already defined");
  expect_load_error(piece("<unk>", 0, 2) + piece("", 0) + specs, "piece 1 is empty");
  expect_load_error(piece("<unk>", 0, 2) + piece("<unk2>", 0, 2) + specs, "unknown piece defined twice");
  expect_load_error(piece("<unk>", 0, 2) + piece("<0x41>", 0, 6) + specs, "although byte_fallback is false");
  expect_load_error(small_model(bytes_field(2, varint_field(35, 1))), "0 of the 256 byte pieces");
  expect_load_error(small_model(bytes_field(3, bytes_field(2, "abc"))), "precompiled_charsmap of 3 bytes");
  expect_load_error(small_model(bytes_field(3, bytes_field(2, std::string("\x10\0\0\0abcd", 8)))), "exceeds the map");
}

TEST(DataSpmModelProto, SmallModelEncodesAndDecodes) {
  const auto p = Processor::load(small_model());
  // "\u2581a\u2581ab\u2581b": \u2581a \u2581a b \u2581 b scores -10, \u2581a \u2581 ab \u2581 b only -11.
  EXPECT_EQ(p->encode("a ab b"), (std::vector<int32_t>{3, 3, 5, 6, 5}));
  EXPECT_EQ(p->encode("zz a"), (std::vector<int32_t>{6, 0, 3}));  // unknowns merged: \u2581 zz \u2581a
  EXPECT_EQ(p->decode(std::vector<int32_t>{6, 0, 3}), " \xE2\x81\x87  a");
  EXPECT_EQ(p->decode(std::vector<int32_t>{1, 3, 2}), "a");
  EXPECT_EQ(p->unk_id(), 0);
  EXPECT_EQ(p->bos_id(), 1);
  EXPECT_EQ(p->eos_id(), 2);
  EXPECT_EQ(p->pad_id(), -1);
}

TEST(DataSpmModelProto, EveryTruncationAndByteFlipLoadsOrIsADataError) {
  // What the fuzz target (fuzz/fuzz_spm_model.cpp) does at random, here exhaustively on a small model.
  const std::string model = small_model(bytes_field(2, bytes_field(44, "?")));
  int loaded = 0, refused = 0;
  auto exercise = [&](const std::string& bytes) {
    try {
      const auto p = Processor::load(bytes);
      const std::vector<int32_t> ids = p->encode("ab a\xff zz");
      p->decode(ids);
      ++loaded;
    } catch (const DataError&) {
      ++refused;
    }
  };
  for (size_t n = 0; n < model.size(); ++n) exercise(model.substr(0, n));
  for (size_t i = 0; i < model.size(); ++i) {
    for (const unsigned char flip : {0x01, 0x80, 0xff}) {
      std::string damaged = model;
      damaged[i] = static_cast<char>(damaged[i] ^ flip);
      exercise(damaged);
    }
  }
  EXPECT_EQ(loaded + refused, static_cast<int>(model.size() * 4));
  EXPECT_GT(loaded, 0);   // flips inside scores and texts leave a model
  EXPECT_GT(refused, 0);  // cuts inside fields do not
}

}  // namespace
}  // namespace pldr::data::spm
