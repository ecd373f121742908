// The additive causal + padding attention mask (docs/pldr-llm.md §3.3), [B, 1, Q, K] from key ids [B, K].
#include "tensor/cpu/kernels.h"

namespace pldr::cpu {

void attention_mask(Tensor& out, const Tensor& key_ids, int pad_id) {
  dispatch_floating(out.dtype(), "attention_mask", [&](auto tag) {
    using T = decltype(tag);
    const int64_t B = key_ids.shape()[0], keys = key_ids.shape()[1], queries = out.shape()[2], first = keys - queries;
    const int32_t* ids = key_ids.data<int32_t>();
    T* m = out.data<T>();
    const T hidden_value = static_cast<T>(-1e9);
    for (int64_t b = 0; b < B; ++b)
      for (int64_t s = 0; s < queries; ++s)
        for (int64_t t = 0; t < keys; ++t) {
          const bool hidden = t > first + s || ids[b * keys + t] == pad_id;
          m[(b * queries + s) * keys + t] = hidden ? hidden_value : T(0);
        }
  });
}

}  // namespace pldr::cpu
