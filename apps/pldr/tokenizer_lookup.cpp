#include "apps/pldr/tokenizer_lookup.h"

#include <filesystem>
#include <stdexcept>
#include <vector>

#include "data/tokenizer.h"

namespace pldr::cli {

std::string find_checkpoint_tokenizer(const std::string& checkpoint_path, const std::string& stored_path,
                                      const std::string& identity) {
  namespace fs = std::filesystem;
  if (stored_path.empty() && identity.empty())
    throw std::runtime_error("checkpoint " + checkpoint_path + " names no tokenizer; pass --tokenizer MODEL");
  const fs::path beside = fs::path(checkpoint_path).parent_path();
  std::vector<fs::path> candidates;
  if (!stored_path.empty()) candidates.push_back(beside / fs::path(stored_path).filename());
  candidates.push_back(beside / "tokenizer.model");
  if (!stored_path.empty()) candidates.push_back(stored_path);
  std::string tried, other;  // other: a file found with another identity
  for (const fs::path& p : candidates) {
    tried += (tried.empty() ? "" : ", ") + p.string();
    std::error_code ec;
    if (!fs::is_regular_file(p, ec)) continue;
    const std::string found = identity.empty() ? "" : data::Tokenizer::load(p.string()).identity();
    if (found == identity) return p.string();
    if (other.empty()) other = p.string() + " (" + found + ")";
  }
  if (!other.empty())
    throw std::runtime_error("tokenizer " + other + " is not the one the checkpoint was trained with (" + identity +
                             "): pass --tokenizer MODEL");
  throw std::runtime_error("cannot find the tokenizer of checkpoint " + checkpoint_path + " (tried " + tried +
                           "): pass --tokenizer MODEL");
}

}  // namespace pldr::cli
