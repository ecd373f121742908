// bench_tokenizer: the built-in SentencePiece reader (data/spm/) against the SentencePiece library
// where the build has it: milliseconds (median of --reps runs) to encode every line of a text
// file, to decode those ids line by line, and to encode one 10,000-character word, with the
// published tokenizer by default. One JSON object on stdout.
// Usage: bench_tokenizer [--model M.model] [--text FILE] [--reps N]
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "apps/flags.h"
#include "bench/timing.h"
#include "data/tokenizer.h"

namespace {

std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

nlohmann::json measure(const pldr::data::Tokenizer& tok, const std::vector<std::string>& lines, int reps) {
  std::vector<std::vector<int32_t>> ids(lines.size());
  size_t bytes = 0, tokens = 0;
  for (const std::string& line : lines) bytes += line.size() + 1;
  const double encode_ms = pldr::bench::median(pldr::bench::run_ms(reps, [&] {
    for (size_t i = 0; i < lines.size(); ++i) ids[i] = tok.encode_prompt(lines[i]);
  }));
  for (const auto& line_ids : ids) tokens += line_ids.size();
  const double decode_ms = pldr::bench::median(pldr::bench::run_ms(reps, [&] {
    for (const auto& line_ids : ids) tok.decode(line_ids);
  }));
  const std::string word(10000, 'x');
  const double word_ms = pldr::bench::median(pldr::bench::run_ms(reps, [&] { tok.encode_prompt(word); }));
  return {{"encode_ms", encode_ms},
          {"encode_MB_per_s", bytes / 1e3 / encode_ms},
          {"decode_ms", decode_ms},
          {"tokens", tokens},
          {"word_10000_encode_ms", word_ms}};
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const pldr::cli::Flags flags({argv + 1, argv + argc}, {"model", "text", "reps"}, {});
    const std::string model = flags.get("model", PLDR_SOURCE_DIR "/data/tokenizer/pldr-refinedweb-32k.model");
    const std::string text = flags.get("text", PLDR_SOURCE_DIR "/data/corpus/tinyshakespeare.txt");
    const int reps = static_cast<int>(flags.get_int("reps", 3));
    const std::vector<std::string> lines = read_lines(text);
    nlohmann::json report{{"model", model}, {"text", text}, {"lines", lines.size()}, {"reps", reps}};
    for (const auto engine : {pldr::data::TokenizerEngine::builtin, pldr::data::TokenizerEngine::library}) {
      if (!pldr::data::has_tokenizer_engine(engine)) continue;
      const std::string name = engine == pldr::data::TokenizerEngine::builtin ? "builtin" : "library";
      report[name] = measure(pldr::data::Tokenizer::load(model, engine), lines, reps);
    }
    std::cout << report.dump(2) << std::endl;
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "bench_tokenizer: " << e.what() << "\n";
    return 1;
  }
}
