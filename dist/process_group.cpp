#include "dist/process_group.h"

#include <cstdlib>

#include "dist/error.h"
#include "dist/ring_group.h"
#ifdef PLDR_HAVE_GLOO
#include "dist/gloo_group.h"
#endif
#ifdef PLDR_HAVE_NCCL
#include "dist/nccl_group.h"
#endif

namespace pldr::dist {

namespace {

class SingleProcessGroup : public ProcessGroup {
 public:
  int rank() const override { return 0; }
  int world_size() const override { return 1; }
  std::string engine() const override { return "single"; }
  void all_reduce(void*, size_t, DType) override {}
  void broadcast(void*, size_t, int) override {}
  void reduce_scatter(void*, size_t, DType) override {}
  void all_gather(void*, size_t, DType) override {}
  void barrier() override {}
};

}  // namespace

void ProcessGroup::all_gather(void* data, size_t count, DType dtype) {
  const size_t elem = dtype_size(dtype);
  for (int r = 0; r < world_size(); ++r) {
    const ShardRange s = shard_range(count, world_size(), r);
    broadcast(static_cast<char*>(data) + s.begin * elem, (s.end - s.begin) * elem, r);
  }
}

std::unique_ptr<ProcessGroup> single_process_group() { return std::make_unique<SingleProcessGroup>(); }

bool engine_available(const std::string& engine) {
#ifdef PLDR_HAVE_GLOO
  if (engine == "gloo") return true;
#endif
#ifdef PLDR_HAVE_NCCL
  if (engine == "nccl") return true;
#endif
  return engine == "ring";
}

std::unique_ptr<ProcessGroup> connect(const Rendezvous& rendezvous, const std::string& engine) {
  if (!engine_available(engine))
    throw DistError("unknown or unavailable process-group engine '" + engine + "' (this build has: ring" +
                    std::string(engine_available("gloo") ? ", gloo" : "") +
                    std::string(engine_available("nccl") ? ", nccl" : "") + ")");
#ifdef PLDR_HAVE_NCCL
  if (engine == "nccl") return std::make_unique<NcclGroup>(rendezvous);  // on the GPU even for one rank
#endif
  if (rendezvous.world_size == 1) return single_process_group();
#ifdef PLDR_HAVE_GLOO
  if (engine == "gloo") return std::make_unique<GlooGroup>(rendezvous);
#endif
  return std::make_unique<RingGroup>(rendezvous);
}

std::unique_ptr<ProcessGroup> group_from_environment() {
  const std::optional<Rendezvous> rendezvous = rendezvous_from_environment();
  if (!rendezvous) return single_process_group();
  const char* engine = std::getenv("PLDR_DIST_ENGINE");
  return connect(*rendezvous, engine ? engine : "ring");
}

}  // namespace pldr::dist
