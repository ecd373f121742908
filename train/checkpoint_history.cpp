#include "train/checkpoint_history.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <regex>
#include <stdexcept>

namespace pldr {

namespace fs = std::filesystem;

CheckpointHistory::CheckpointHistory(std::string out_dir, int64_t keep_every, int64_t keep_last,
                                     std::vector<int64_t> save_at)
    : folder_((fs::path(out_dir) / "history").string()),
      keep_every_(keep_every),
      keep_last_(keep_last),
      save_at_(std::move(save_at)) {
  if (keep_every < 0 || keep_last < 0)
    throw std::invalid_argument("checkpoint history: keep_every and keep_last must be >= 0");
  std::sort(save_at_.begin(), save_at_.end());
}

std::string CheckpointHistory::path_for(int64_t step) const {
  char name[32];
  std::snprintf(name, sizeof name, "step-%08ld.h5", long(step));
  return (fs::path(folder_) / name).string();
}

std::vector<int64_t> CheckpointHistory::kept(const std::vector<int64_t>& saved) const {
  std::vector<int64_t> keep;
  const size_t n = saved.size(), last_from = n > size_t(keep_last_) ? n - size_t(keep_last_) : 0;
  for (size_t i = 0; i < n; ++i)
    if ((keep_every_ > 0 && saved[i] % keep_every_ == 0) || i >= last_from ||
        std::binary_search(save_at_.begin(), save_at_.end(), saved[i]))
      keep.push_back(saved[i]);
  return keep;
}

std::vector<int64_t> CheckpointHistory::saved_steps() const {
  std::vector<int64_t> steps;
  if (!fs::exists(folder_)) return steps;
  static const std::regex name("step-([0-9]{8,})\\.h5");
  for (const fs::directory_entry& e : fs::directory_iterator(folder_)) {
    std::smatch m;
    const std::string file = e.path().filename().string();
    if (std::regex_match(file, m, name)) steps.push_back(std::stoll(m[1].str()));
  }
  std::sort(steps.begin(), steps.end());
  return steps;
}

std::vector<int64_t> CheckpointHistory::record(const std::string& checkpoint, int64_t step) const {
  if (!enabled()) return {};
  std::error_code error;
  fs::create_directories(folder_, error);
  if (error) throw std::runtime_error(folder_ + ": cannot create: " + error.message());
  const std::string target = path_for(step), tmp = target + ".tmp";
  fs::remove(tmp, error);
  fs::create_hard_link(checkpoint, tmp, error);  // checkpoint.h5 is replaced by rename: the link keeps this one
  if (error) {
    error.clear();
    fs::copy_file(checkpoint, tmp, fs::copy_options::overwrite_existing, error);
    if (error) throw std::runtime_error(target + ": cannot copy " + checkpoint + ": " + error.message());
  }
  fs::rename(tmp, target, error);
  if (error) throw std::runtime_error(target + ": cannot write: " + error.message());
  const std::vector<int64_t> saved = saved_steps(), keep = kept(saved);
  for (int64_t s : saved)
    if (!std::binary_search(keep.begin(), keep.end(), s) && !fs::remove(path_for(s), error) && error)
      throw std::runtime_error(path_for(s) + ": cannot remove: " + error.message());
  return keep;
}

}  // namespace pldr
