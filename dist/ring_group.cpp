#include "dist/ring_group.h"

#include <cstdint>
#include <cstring>
#include <thread>

#include "dist/error.h"
#include "dist/membership.h"
#include "dist/ring_pass.h"

namespace pldr::dist {

namespace {

// How long a rank that timed out waits for the other stalled ranks to say so.
constexpr Milliseconds kStallVote{2000};

struct Hello {
  int32_t rank, world_size;
};

std::pair<std::string, uint16_t> split_address(const std::string& address) {
  const size_t colon = address.rfind(':');
  return {address.substr(0, colon), uint16_t(std::stoi(address.substr(colon + 1)))};
}

}  // namespace

RingGroup::RingGroup(const Rendezvous& rv) : rank_(rv.rank), world_size_(rv.world_size), timeout_(rv.timeout) {
  const std::string me = "rank " + std::to_string(rank_);
  membership_ = join_store(rv);
  TcpStore& store = *membership_.store;
  try {
    const std::string N = std::to_string(world_size_);
    const Socket listener = listen_on(0);
    store.set("address/" + std::to_string(rank_),
              local_host(store.socket()) + ":" + std::to_string(local_port(listener)));
    const int next = (rank_ + 1) % world_size_, prev = (rank_ + world_size_ - 1) % world_size_;
    if (rank_ == 0)  // rank 0 names any rank that never arrives
      for (int r = 1; r < world_size_; ++r)
        store.get("address/" + std::to_string(r), "rank " + std::to_string(r) + " to join (WORLD_SIZE=" + N + ")");
    const auto [host, port] =
        split_address(store.get("address/" + std::to_string(next), "rank " + std::to_string(next) + " to join"));
    next_ = connect_before(host, port, Clock::now() + timeout_, "rank " + std::to_string(next));
    const Hello hello{rank_, world_size_};
    std::string error;
    if (!send_all(next_, &hello, sizeof hello, timeout_, error)) throw PeerLost(next, error);
    prev_ = accept_before(listener, Clock::now() + timeout_, "rank " + std::to_string(prev));
    Hello theirs_hello{};
    if (!recv_all(prev_, &theirs_hello, sizeof theirs_hello, timeout_, error)) throw PeerLost(prev, error);
    if (theirs_hello.rank != prev || theirs_hello.world_size != world_size_)
      fail(me + " expected rank " + std::to_string(prev) + " of " + N + " before it in the ring, got rank " +
           std::to_string(theirs_hello.rank) + " of " + std::to_string(theirs_hello.world_size));
    set_non_blocking(next_);
    set_non_blocking(prev_);
  } catch (const PeerLost& e) {
    fail(std::string(e.what()) + " (seen by " + me + ")");
  } catch (const DistError& e) {
    if (failed_) throw;
    fail(e.what());
  }
  barrier();
}

RingGroup::~RingGroup() {
  if (failed_ || !membership_.store) return;
  try {
    membership_.store->add(kGoodbyePrefix + std::to_string(rank_), 1);
  } catch (const DistError&) {  // rank 0 left first: nothing to tell
  }
}

void RingGroup::fail(const std::string& message) {
  failed_ = true;
  const std::string recorded = membership_.record_failure(message);
  // Closing the ring tells the neighbours at once (they may be waiting on us, not on the lost
  // rank); they then read the record.
  next_.close();
  prev_.close();
  membership_.linger();
  throw DistError(recorded);
}

void RingGroup::abort(const std::string& message) {
  if (failed_ || !membership_.store) return;
  failed_ = true;
  membership_.record_failure("rank " + std::to_string(rank_) + " failed: " + message);
  next_.close();
  prev_.close();
  membership_.linger();
}

void RingGroup::run(const RingPass& pass) {
  if (failed_) throw DistError("rank " + std::to_string(rank_) + ": the process group failed earlier");
  const RingLinks links{&next_, &prev_, (rank_ + 1) % world_size_, (rank_ + world_size_ - 1) % world_size_, timeout_};
  try {
    run_ring_pass(pass, links, scratch_);
  } catch (const PeerLost& e) {
    fail((e.silent ? silent_ranks(e) : std::string(e.what())) + " (seen by rank " + std::to_string(rank_) + ")");
  }
}

// A silent rank stalls its neighbour, which stalls the next: every waiting rank times out at about
// the same moment, each on its own neighbour. So each says in the store that it is stalled, waits
// a moment for the others to say so too, and names the ranks that did not.
std::string RingGroup::silent_ranks(const PeerLost& e) {
  try {
    membership_.store->set("stalled/" + std::to_string(rank_), "");
    std::this_thread::sleep_for(std::min(timeout_ / 2, kStallVote));
    std::string silent;
    for (int r = 0; r < world_size_; ++r)
      if (!membership_.store->has("stalled/" + std::to_string(r)))
        silent += (silent.empty() ? "" : ", ") + std::to_string(r);
    if (!silent.empty() && silent.find(',') == std::string::npos) return "rank " + silent + " lost: " + e.reason;
    if (!silent.empty()) return "ranks " + silent + " lost: " + e.reason;
  } catch (const DistError&) {  // the store is gone: fail() says so
  }
  return e.what();
}

namespace {

// The ring's passes over a buffer of `count` elements cut into N segments (shard_range).
struct Segments {
  char* bytes;
  size_t count, elem;
  int N;
  Region operator()(int i, bool reduce) const {
    const ShardRange s = shard_range(count, N, ((i % N) + N) % N);
    return Region{bytes + s.begin * elem, (s.end - s.begin) * elem, reduce};
  }
  // N - 1 steps; in step s this rank sends segment first_send - s and receives segment
  // first_send - 1 - s, adding it into place (reduce) or copying it.
  void add_steps(RingPass& pass, int first_send, bool reduce) const {
    for (int s = 0; s < N - 1; ++s) {
      pass.sends.push_back((*this)(first_send - s, false));
      pass.receives.push_back((*this)(first_send - 1 - s, reduce));
    }
  }
};

}  // namespace

void RingGroup::all_reduce(void* data, size_t count, DType dtype) {
  if (world_size_ == 1 || count == 0) return;
  check_summable(dtype);
  const Segments segment{static_cast<char*>(data), count, dtype_size(dtype), world_size_};
  RingPass pass;
  pass.dtype = dtype;
  pass.head_start = segment(rank_, false).bytes;
  segment.add_steps(pass, rank_, true);       // reduce-scatter: rank r ends with segment r + 1
  segment.add_steps(pass, rank_ + 1, false);  // all-gather
  run(pass);
}

void RingGroup::reduce_scatter(void* data, size_t count, DType dtype) {
  if (world_size_ == 1 || count == 0) return;
  check_summable(dtype);
  const Segments segment{static_cast<char*>(data), count, dtype_size(dtype), world_size_};
  RingPass pass;
  pass.dtype = dtype;
  pass.head_start = segment(rank_ - 1, false).bytes;
  segment.add_steps(pass, rank_ - 1, true);  // rank r ends with segment r
  run(pass);
}

void RingGroup::all_gather(void* data, size_t count, DType dtype) {
  if (world_size_ == 1 || count == 0) return;
  const Segments segment{static_cast<char*>(data), count, dtype_size(dtype), world_size_};
  RingPass pass;
  pass.dtype = dtype;
  pass.head_start = segment(rank_, false).bytes;
  segment.add_steps(pass, rank_, false);
  run(pass);
}

void RingGroup::broadcast(void* data, size_t bytes, int root) {
  if (world_size_ == 1 || bytes == 0) return;
  const int distance = (rank_ - root + world_size_) % world_size_;  // along the ring from the root
  const Region all{static_cast<char*>(data), bytes, false};
  RingPass pass;
  if (distance == 0) pass.head_start = bytes;
  else pass.receives.push_back(all);
  if (distance < world_size_ - 1) pass.sends.push_back(all);
  run(pass);
}

void RingGroup::barrier() {
  std::vector<double> token(size_t(world_size_), 0.0);  // one element per segment: every rank waits on every other
  all_reduce(token.data(), token.size(), DType::Float64);
}

}  // namespace pldr::dist
