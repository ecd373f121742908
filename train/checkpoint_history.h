// A run's checkpoint history: besides the latest checkpoint.h5, copies at chosen steps under
// <out_dir>/history/step-<8 digits>.h5. The policy keeps every step that is a multiple of
// keep_every, every step listed in save_at, and the last keep_last steps saved; the rest are
// deleted as new ones arrive.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace pldr {

class CheckpointHistory {
 public:
  CheckpointHistory(std::string out_dir, int64_t keep_every, int64_t keep_last, std::vector<int64_t> save_at = {});

  bool enabled() const { return keep_every_ > 0 || keep_last_ > 0 || !save_at_.empty(); }
  std::string path_for(int64_t step) const;

  // The steps of `saved` (ascending) that the policy keeps.
  std::vector<int64_t> kept(const std::vector<int64_t>& saved) const;

  // Adds `checkpoint`, just written at `step`, to the history (a hard link, or a copy where links
  // are not possible; atomically) and deletes the files the policy no longer keeps. Returns the
  // steps kept. std::runtime_error naming the file on a filesystem failure.
  std::vector<int64_t> record(const std::string& checkpoint, int64_t step) const;

  // Steps with a file in the history folder, ascending.
  std::vector<int64_t> saved_steps() const;

 private:
  std::string folder_;
  int64_t keep_every_, keep_last_;
  std::vector<int64_t> save_at_;  // sorted
};

}  // namespace pldr
