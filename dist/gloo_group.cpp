#include "dist/gloo_group.h"

#include <gloo/allreduce.h>
#include <gloo/barrier.h>
#include <gloo/broadcast.h>
#include <gloo/math.h>
#include <gloo/rendezvous/context.h>
#include <gloo/rendezvous/store.h>
#include <gloo/transport/tcp/device.h>

#include "dist/error.h"

namespace pldr::dist {

namespace {

// Gloo's rendezvous store interface over ours.
class GlooStore : public gloo::rendezvous::Store {
 public:
  explicit GlooStore(TcpStore& store) : store_(store) {}
  void set(const std::string& key, const std::vector<char>& data) override {
    store_.set("gloo/" + key, std::string(data.begin(), data.end()));
  }
  std::vector<char> get(const std::string& key) override {
    const std::string v = store_.get("gloo/" + key, "Gloo's key " + key);
    return {v.begin(), v.end()};
  }
  void wait(const std::vector<std::string>& keys) override {
    for (const std::string& k : keys) store_.get("gloo/" + k, "Gloo's key " + k);
  }
  void wait(const std::vector<std::string>& keys, const std::chrono::milliseconds&) override { wait(keys); }

 private:
  TcpStore& store_;
};

}  // namespace

GlooGroup::GlooGroup(const Rendezvous& rv) : rank_(rv.rank), world_size_(rv.world_size), timeout_(rv.timeout) {
  membership_ = join_store(rv);
  try {
    gloo::transport::tcp::attr attr;
    attr.hostname = local_host(membership_.store->socket());  // the interface that reaches rank 0
    auto device = gloo::transport::tcp::CreateDevice(attr);
    auto context = std::make_shared<gloo::rendezvous::Context>(rank_, world_size_);
    context->setTimeout(timeout_);
    GlooStore store(*membership_.store);
    context->connectFullMesh(store, device);
    context_ = context;
  } catch (const std::exception& e) {
    fail(e);
  }
  // No rank goes on before every rank's pairs are up: one that returned first and ended would close
  // pairs a slower rank is still connecting ("Connection closed by peer" there).
  barrier();
}

GlooGroup::~GlooGroup() = default;

void GlooGroup::fail(const std::exception& e) {
  const std::string recorded = membership_.record_failure("rank " + std::to_string(rank_) + " (gloo): " + e.what());
  context_.reset();
  membership_.linger();
  throw DistError(recorded);
}

void GlooGroup::abort(const std::string& message) {
  membership_.record_failure("rank " + std::to_string(rank_) + " failed: " + message);
}

namespace {

// Gloo's reduce function for bfloat16: each addition in float, rounded to bfloat16 (as the ring).
void sum_bfloat16(void* out, const void* a, const void* b, size_t n) {
  auto* c = static_cast<BFloat16*>(out);
  const auto* x = static_cast<const BFloat16*>(a);
  const auto* y = static_cast<const BFloat16*>(b);
  for (size_t i = 0; i < n; ++i) c[i] = BFloat16(float(x[i]) + float(y[i]));
}

}  // namespace

void GlooGroup::all_reduce(void* data, size_t count, DType dtype) {
  if (count == 0) return;
  try {
    gloo::AllreduceOptions opts(context_);
    opts.setAlgorithm(gloo::AllreduceOptions::Algorithm::RING);
    opts.setTag(tag_++);
    opts.setTimeout(timeout_);
    if (dtype == DType::Float64) {
      opts.setOutput(static_cast<double*>(data), count);
      opts.setReduceFunction(static_cast<void (*)(void*, const void*, const void*, size_t)>(&gloo::sum<double>));
    } else if (dtype == DType::Float32) {
      opts.setOutput(static_cast<float*>(data), count);
      opts.setReduceFunction(static_cast<void (*)(void*, const void*, const void*, size_t)>(&gloo::sum<float>));
    } else if (dtype == DType::BFloat16) {
      opts.setOutput(static_cast<BFloat16*>(data), count);
      opts.setReduceFunction(&sum_bfloat16);
    } else {
      throw std::invalid_argument(std::string("all_reduce: unsupported dtype ") + dtype_name(dtype) +
                                  " (gloo sums float32, float64 and bfloat16)");
    }
    gloo::allreduce(opts);
  } catch (const gloo::Exception& e) {
    fail(e);
  }
}

void GlooGroup::broadcast(void* data, size_t bytes, int root) {
  if (bytes == 0) return;
  try {
    gloo::BroadcastOptions opts(context_);
    opts.setOutput(static_cast<char*>(data), bytes);
    opts.setRoot(root);
    opts.setTag(tag_++);
    opts.setTimeout(timeout_);
    gloo::broadcast(opts);
  } catch (const gloo::Exception& e) {
    fail(e);
  }
}

void GlooGroup::barrier() {
  try {
    gloo::BarrierOptions opts(context_);
    opts.setTag(tag_++);
    opts.setTimeout(timeout_);
    gloo::barrier(opts);
  } catch (const gloo::Exception& e) {
    fail(e);
  }
}

}  // namespace pldr::dist
