#include "tensor/cuda/strided.h"

#include <stdexcept>
#include <string>

#include "tensor/cpu/strided_loop.h"

namespace pldr::cuda {

template <size_t K>
StridedIndex<K> make_strided_index(const char* op, const Shape& shape, const std::array<const Strides*, K>& strides) {
  cpu::StridedOperands<K> operands{shape, {}, {}};
  for (size_t k = 0; k < K; ++k) operands.strides[k] = *strides[k];
  const cpu::StridedOperands<K> merged = cpu::collapse_axes(operands);
  const int rank = static_cast<int>(merged.shape.size());
  if (rank > kMaxStridedDims)
    throw std::invalid_argument(std::string(op) + ": the CUDA backend handles views of up to " +
                                std::to_string(kMaxStridedDims) + " non-mergeable axes, got " + std::to_string(rank) +
                                " (shape " + to_string(shape) + ")");
  StridedIndex<K> index{};
  index.rank = rank;
  index.numel = numel(shape);
  for (int axis = 0; axis < rank; ++axis) {
    index.sizes[axis] = merged.shape[axis];
    for (size_t k = 0; k < K; ++k) index.strides[k][axis] = merged.strides[k][axis];
  }
  return index;
}

template StridedIndex<1> make_strided_index<1>(const char*, const Shape&, const std::array<const Strides*, 1>&);
template StridedIndex<2> make_strided_index<2>(const char*, const Shape&, const std::array<const Strides*, 2>&);
template StridedIndex<3> make_strided_index<3>(const char*, const Shape&, const std::array<const Strides*, 3>&);

}  // namespace pldr::cuda
