// Whether operations record the tape. A no-grad scope turns recording off for this thread, so
// inference and evaluation allocate no graph.
#pragma once

namespace pldr::ag {

bool grad_enabled();

class NoGradGuard {
 public:
  NoGradGuard();
  ~NoGradGuard();
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool previous_;
};

}  // namespace pldr::ag
