// Rotary position embedding of queries and keys, in both pairings of docs/pldr-llm.md §3.3 step 2, with an
// absolute position offset (the number of tokens already in the KV cache).
#pragma once
#include <vector>

#include "autograd/variable.h"
#include "tensor/ops.h"

namespace pldr::nn {

class RotaryEmbedding {
 public:
  // max_positions bounds the interleaved (GPT-J) table as in the reference; rotate-half extrapolates.
  RotaryEmbedding(int64_t head_dim, double theta, int64_t max_positions, RotaryPairing pairing);

  // x [B, S, H, dk] at positions offset .. offset+S-1. The cos/sin tables are built once per
  // device (and grown when a longer sequence comes) and sliced for each call. Not safe to call
  // from two threads at once: the first call on a device fills the cache.
  ag::Variable forward(const ag::Variable& x, int64_t offset) const;

  RotaryPairing pairing() const { return pairing_; }

  // Uses a given float32 table, [positions, dk/2] each, for positions below its length instead of
  // this machine's cosf/sinf (e.g. the reference's table, recovered by reference/rope_table_fit.h).
  void set_table(std::vector<float> cos, std::vector<float> sin);

 private:
  // float32 [positions, dk/2] each, on one device.
  struct Table {
    Device device;
    Tensor cos, sin;
  };
  const Table& table(Device device, int64_t positions) const;

  int64_t head_dim_, max_positions_;
  RotaryPairing pairing_;
  std::vector<float> inv_freq_;               // θ_i = theta^(-2i/dk), float32 as in the reference
  std::vector<float> table_cos_, table_sin_;  // optional preset table (set_table)
  mutable std::vector<Table> tables_;         // at most one per device
};

}  // namespace pldr::nn
