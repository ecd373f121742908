// Gloo (Debian's libgloo-dev) as a second CPU engine behind ProcessGroup, for users who already
// run it: the same store and rendezvous (membership.h) carry Gloo's addresses, Gloo's TCP
// transport connects every pair, and all_reduce is Gloo's ring (gloo::allreduce, RING).
// Built only when CMake finds Gloo (PLDR_HAVE_GLOO).
#pragma once
#include <memory>

#include "dist/membership.h"
#include "dist/process_group.h"

namespace gloo {
class Context;
}

namespace pldr::dist {

class GlooGroup : public ProcessGroup {
 public:
  explicit GlooGroup(const Rendezvous& rendezvous);
  ~GlooGroup() override;

  int rank() const override { return rank_; }
  int world_size() const override { return world_size_; }
  std::string engine() const override { return "gloo"; }
  using ProcessGroup::all_reduce;
  using ProcessGroup::broadcast;
  void all_reduce(void* data, size_t count, DType dtype) override;
  void broadcast(void* data, size_t bytes, int root) override;
  void barrier() override;
  void abort(const std::string& message) override;

 private:
  [[noreturn]] void fail(const std::exception& e);

  int rank_, world_size_;
  Milliseconds timeout_;
  Membership membership_;
  std::shared_ptr<gloo::Context> context_;
  uint32_t tag_ = 0;
};

}  // namespace pldr::dist
