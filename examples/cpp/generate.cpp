// Loads a Hugging Face PLDR-LLM folder with the C++ library and generates greedily, printing each
// token id as it comes.
//   generate FOLDER PROMPT_IDS [N]      e.g. generate tiny_model 5,17,3 16
#include <cstdlib>
#include <exception>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "interop/hf_import.h"
#include "pldr/generate.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: " << argv[0] << " FOLDER PROMPT_IDS [N]\n";
    return 2;
  }
  try {
    const pldr::interop::HfModel hf = pldr::interop::load_hf_folder(argv[1], pldr::DType::Float32);

    std::vector<int32_t> prompt;
    std::stringstream ids(argv[2]);
    for (std::string id; std::getline(ids, id, ',');) prompt.push_back(std::stoi(id));

    pldr::GenerationOptions options;
    options.max_new_tokens = argc > 3 ? std::atoi(argv[3]) : 16;
    options.sampling.greedy = true;
    size_t count = 0;
    options.on_token = [&](size_t, int32_t token) {
      std::cout << (count++ ? "," : "") << token << std::flush;
      return true;  // false would stop the generation after this token
    };
    pldr::generate(*hf.model, prompt, options);
    std::cout << "\n";
  } catch (const std::exception& e) {  // the library's errors name the file, field or option
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
