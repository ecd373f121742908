// Text requests to token ids as lm-evaluation-harness's `_encode_pair` and the PLDR fork's
// tokenizer wrapper do (docs/pldr-llm.md §9): no [START], no [END]; the context's trailing whitespace moves to
// the front of the continuation; the continuation's tokens are the tail of encode(context +
// continuation) after encode(context); an empty context becomes [END].
#pragma once
#include <string>

#include "data/tokenizer.h"
#include "eval/loglikelihood.h"

namespace pldr::eval {

Request encode_pair(const data::Tokenizer& tokenizer, std::string context, std::string continuation);

// Python's len() of a UTF-8 string: the number of code points.
int64_t code_points(const std::string& utf8);

}  // namespace pldr::eval
