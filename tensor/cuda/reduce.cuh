// Column reductions in a fixed order, shared by reduce_columns and layer_norm_back.
#pragma once
#include <cstdint>

#include "tensor/op_types.h"

namespace pldr::cuda {

// Rows per chunk of the two-pass column reductions: pass one reduces each chunk of this many
// rows (in row order) into a partial row, pass two reduces the partial rows in chunk order. The
// chunk does not depend on the device, so the result is the same on every GPU and every run.
constexpr int64_t kColumnChunkRows = 64;

// out[j] = op over r in [0, rows) of in[r * cols + j], accumulated in Acc, in row order (one
// thread per column). T is out's type; Acc is in's.
template <class T, class Acc>
void reduce_columns_in_order(ReduceOp op, T* out, const Acc* in, int64_t rows, int64_t cols);

}  // namespace pldr::cuda
