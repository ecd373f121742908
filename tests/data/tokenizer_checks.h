// What every PLDR-LLM tokenizer must have: [PAD] 0, [UNK] 1, [START] 2, [END] 3, [SEP] 4, [CLS] 5.
#pragma once
#include <gtest/gtest.h>

#include "data/tokenizer.h"

namespace pldr::data {

inline void expect_pldr_special_ids(const Tokenizer& tok) {
  EXPECT_EQ(tok.pad_id(), 0);
  EXPECT_EQ(tok.unk_id(), 1);
  EXPECT_EQ(tok.bos_id(), 2);
  EXPECT_EQ(tok.eos_id(), 3);
  EXPECT_EQ(tok.piece(0), "[PAD]");
  EXPECT_EQ(tok.piece(1), "[UNK]");
  EXPECT_EQ(tok.piece(2), "[START]");
  EXPECT_EQ(tok.piece(3), "[END]");
  EXPECT_EQ(tok.piece(4), "[SEP]");
  EXPECT_EQ(tok.piece(5), "[CLS]");
}

}  // namespace pldr::data
