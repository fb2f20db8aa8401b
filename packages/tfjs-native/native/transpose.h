// General permutation of the axes of a dense float tensor: out = transpose(x, perm).
#pragma once
#include <cstdint>
#include <vector>

namespace rf {

void transpose(const float* x, float* out, const std::vector<int64_t>& shape, const std::vector<int64_t>& perm);

}  // namespace rf
