#include "dist/membership.h"

#include "dist/error.h"

namespace pldr::dist {

Membership join_store(const Rendezvous& rv) {
  const std::string me = "rank " + std::to_string(rv.rank);
  const std::string N = std::to_string(rv.world_size);
  Membership m;
  m.rank = rv.rank;
  m.timeout = rv.timeout;
  try {
    if (rv.rank == 0) m.server = std::make_unique<TcpStoreServer>(rv.master_port);
    m.store = std::make_unique<TcpStore>(rv.master_addr, rv.master_port, rv.timeout);
  } catch (const DistError& e) {
    throw DistError(me + " of " + N + ": " + e.what());
  }
  std::string problem;
  try {
    if (rv.rank == 0) m.store->set("world_size", N);
    const std::string theirs = m.store->get("world_size", "rank 0 to start the run");
    if (theirs != N)
      problem =
          "mismatched world sizes: rank 0 was started with WORLD_SIZE=" + theirs + ", " + me + " with WORLD_SIZE=" + N;
    else if (m.store->add(kClaimPrefix + std::to_string(rv.rank), 1) > 1)
      problem = "two processes were started as " + me;
  } catch (const DistError& e) {
    problem = e.what();
  }
  if (problem.empty()) return m;
  problem = m.record_failure(problem);
  m.linger();
  throw DistError(problem);
}

std::string Membership::record_failure(const std::string& message) {
  try {
    return store->report_failure(message, std::min(timeout, kFailureGrace));
  } catch (const DistError&) {
    if (message.rfind("rank 0 lost", 0) == 0) return message;
    return "rank 0 lost: its store at " + store->where() + " does not answer (rank " + std::to_string(rank) +
           " saw: " + message + ")";
  }
}

void Membership::linger() const {
  if (server) server->wait_for_clients(1, Clock::now() + std::min(timeout, kFailureGrace));
}

}  // namespace pldr::dist
