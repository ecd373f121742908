#include "eval/encode.h"

#include <stdexcept>

namespace pldr::eval {

Request encode_pair(const data::Tokenizer& tokenizer, std::string context, std::string continuation) {
  size_t keep = context.size();
  while (keep > 0 && std::string_view(" \t\n\r\f\v").find(context[keep - 1]) != std::string_view::npos) --keep;
  continuation = context.substr(keep) + continuation;
  context.resize(keep);
  Request r;
  if (context.empty()) {
    r.context = {tokenizer.eos_id()};
    r.continuation = tokenizer.encode_prompt(continuation);
    return r;
  }
  const std::vector<int32_t> whole = tokenizer.encode_prompt(context + continuation);
  r.context = tokenizer.encode_prompt(context);
  if (whole.size() <= r.context.size())
    throw std::runtime_error("encoding: the continuation '" + continuation + "' adds no token to its context");
  r.continuation.assign(whole.begin() + static_cast<std::ptrdiff_t>(r.context.size()), whole.end());
  return r;
}

int64_t code_points(const std::string& utf8) {
  int64_t n = 0;
  for (unsigned char c : utf8) n += (c & 0xC0) != 0x80;
  return n;
}

}  // namespace pldr::eval
