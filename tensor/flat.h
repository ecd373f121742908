// Flat buffers: tensors laid out back to back in one dense buffer, and the one view that covers a
// run of them. Training keeps parameters, gradients and AdamW moments this way
// (optim/flat_parameters.h), so zeroing, clipping and the update are a few kernels per step
// instead of a few per parameter.
#pragma once
#include <vector>

#include "tensor/tensor.h"

namespace pldr {

// Dense views shaped like `like`, in order, laid out back to back in new zero-filled buffers: one
// buffer for each run of consecutive tensors of one dtype and device.
std::vector<Tensor> flat_buffer_like(const std::vector<Tensor>& like);

// The 1-D view [n] over `parts` when they are dense, of one dtype, and lie back to back in one
// storage in this order (views from flat_buffer_like); an undefined Tensor otherwise.
Tensor joined_view(const std::vector<Tensor>& parts);

}  // namespace pldr
