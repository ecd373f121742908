// Gradient exchange for data parallelism: every parameter's gradient summed over the ranks, small
// tensors packed into buckets (a few MiB) so that they do not cost one ring pass each.
#pragma once
#include <cstddef>
#include <vector>

#include "autograd/variable.h"
#include "dist/process_group.h"

namespace pldr::dist {

constexpr size_t kDefaultBucketBytes = size_t(4) << 20;

// Sums the gradients in place, on their device (a parameter without a gradient is skipped: every
// rank runs the same graph, so the same parameters have one). Tensors of at least `bucket_bytes`
// are reduced where they lie; smaller ones are copied into a bucket (a tensor on their device, of
// their dtype), reduced together and copied back.
void all_reduce_gradients(ProcessGroup& group, const std::vector<ag::Variable>& parameters,
                          size_t bucket_bytes = kDefaultBucketBytes);

}  // namespace pldr::dist
