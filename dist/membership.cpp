#include "dist/membership.h"

#include "dist/error.h"

namespace pldr::dist {

Membership join_store(const Rendezvous& rv) {
  const std::string me = "rank " + std::to_string(rv.rank);
  const std::string N = std::to_string(rv.world_size);
  Membership m;
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
    if (theirs != N) problem = "mismatched world sizes: rank 0 was started with WORLD_SIZE=" + theirs + ", " + me + " with WORLD_SIZE=" + N;
    else if (m.store->add(kClaimPrefix + std::to_string(rv.rank), 1) > 1) problem = "two processes were started as " + me;
  } catch (const DistError& e) {
    problem = e.what();
  }
  if (problem.empty()) return m;
  try {
    problem = m.store->report_failure(problem, rv.timeout);
  } catch (const DistError&) {
  }
  if (m.server) m.server->wait_for_clients(1, Clock::now() + std::min(rv.timeout, Milliseconds(10000)));  // let them read it
  throw DistError(problem);
}

}  // namespace pldr::dist
