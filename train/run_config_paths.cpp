#include "train/run_config_paths.h"

#include <utility>

namespace pldr {

void resolve_run_config_paths(nlohmann::json& config, const std::filesystem::path& base) {
  namespace fs = std::filesystem;
  const std::pair<const char*, const char*> keys[] = {{"data", "train"}, {"data", "val"}, {"data", "meta"},
                                                      {"", "tokenizer"}, {"", "out_dir"}, {"external_G", "file"}};
  if (!config.is_object()) return;  // RunConfig::from_json names the problem
  const fs::path absolute_base = base.empty() ? fs::current_path() : fs::absolute(base);  // "run.json": here
  for (const auto& [section, key] : keys) {
    nlohmann::json* holder = &config;
    if (*section) {
      if (!config.contains(section) || !config[section].is_object()) continue;
      holder = &config[section];
    }
    if (!holder->contains(key) || !(*holder)[key].is_string()) continue;
    const fs::path path = (*holder)[key].get<std::string>();
    if (!path.empty() && path.is_relative()) (*holder)[key] = (absolute_base / path).lexically_normal().string();
  }
}

}  // namespace pldr
