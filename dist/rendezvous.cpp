#include "dist/rendezvous.h"

#include <cerrno>
#include <cstdlib>
#include <string>

#include "dist/error.h"

namespace pldr::dist {

namespace {

int64_t parse_int(const char* name, const char* text, int64_t low, int64_t high) {
  char* end = nullptr;
  errno = 0;
  const long long v = std::strtoll(text, &end, 10);
  if (*text == '\0' || *end != '\0' || errno != 0 || v < low || v > high)
    throw DistError(std::string(name) + "=" + text + " is not an integer in [" + std::to_string(low) + ", " +
                    std::to_string(high) + "]");
  return v;
}

}  // namespace

std::optional<Rendezvous> rendezvous_from_environment(const std::function<const char*(const char*)>& getenv) {
  const char* rank_name = "RANK";
  const char* size_name = "WORLD_SIZE";
  if (!getenv(rank_name) && !getenv(size_name)) {
    rank_name = "SLURM_PROCID";
    size_name = "SLURM_NTASKS";
  }
  const char* rank = getenv(rank_name);
  const char* size = getenv(size_name);
  if (!rank && !size) return std::nullopt;
  if (!rank || !size)
    throw DistError(std::string(rank ? size_name : rank_name) + " is not set but " + (rank ? rank_name : size_name) +
                    " is: set both (or neither, for one process)");
  Rendezvous r;
  r.world_size = int(parse_int(size_name, size, 1, 1 << 20));
  r.rank = int(parse_int(rank_name, rank, 0, r.world_size - 1));
  if (const char* addr = getenv("MASTER_ADDR")) r.master_addr = addr;
  if (const char* port = getenv("MASTER_PORT")) r.master_port = uint16_t(parse_int("MASTER_PORT", port, 1, 65535));
  else if (r.world_size > 1)
    throw DistError("MASTER_PORT is not set: the ranks need rank 0's store port (and MASTER_ADDR, its host)");
  if (const char* t = getenv("PLDR_DIST_TIMEOUT")) {
    char* end = nullptr;
    const double seconds = std::strtod(t, &end);
    if (*t == '\0' || *end != '\0' || !(seconds >= 0.1 && seconds <= 86400))
      throw DistError(std::string("PLDR_DIST_TIMEOUT=") + t + " is not a number of seconds in [0.1, 86400]");
    r.timeout = Milliseconds(int64_t(seconds * 1000));
  }
  return r;
}

}  // namespace pldr::dist
