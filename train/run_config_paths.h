// The file paths of a run configuration (data.train, data.val, data.meta, tokenizer, out_dir,
// external_G.file) made absolute: RunConfig::read_json_file resolves those of a file against its
// folder, so `pldr train --config /abs/run.json` works from anywhere, and a checkpoint records
// paths that stay valid from any folder; the tool resolves its overrides against the current one.
#pragma once
#include <filesystem>
#include <nlohmann/json.hpp>

namespace pldr {

// Rewrites each relative path of `config` (a run configuration's JSON) as `base` / path.
void resolve_run_config_paths(nlohmann::json& config, const std::filesystem::path& base);

}  // namespace pldr
