// libFuzzer target: the built-in reader of SentencePiece models (data/spm/): the model parsed and
// checked, then text with spaces, rules, unknown and malformed characters encoded, and the ids,
// and every id in turn, decoded.
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <string_view>
#include <vector>

#include "data/error.h"
#include "data/spm/processor.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const auto processor =
        pldr::data::spm::Processor::load(std::string_view(reinterpret_cast<const char*>(data), size));
    const std::vector<int32_t> ids =
        processor->encode("  Hello,  W\xC3\xB6rld\t\xEF\xBC\xA1 [SEP] \xF0\x9F\xA6\x9C \xFF\xC3 end  ");
    processor->decode(ids);
    std::vector<int32_t> every(static_cast<size_t>(std::min(processor->size(), 4096)));
    std::iota(every.begin(), every.end(), 0);
    processor->decode(every);
  } catch (const pldr::data::DataError&) {
  }
  return 0;
}
