// Shapes and strides (in elements), and the broadcasting rule (NumPy's: align on the right).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace pldr {

using Shape = std::vector<int64_t>;
using Strides = std::vector<int64_t>;

int64_t numel(const Shape& shape);
Strides contiguous_strides(const Shape& shape);
std::string to_string(const Shape& shape);  // "[2,3,4]"

// The broadcast of two shapes; throws naming both shapes when they are incompatible.
Shape broadcast_shapes(const Shape& a, const Shape& b);

// Normalises a possibly negative axis against `rank`; throws when out of range.
int normalize_axis(int axis, int rank);

}  // namespace pldr
