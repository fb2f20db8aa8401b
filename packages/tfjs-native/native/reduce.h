// Sum, mean and max of a dense float tensor over any set of axes.
#pragma once
#include <cstdint>
#include <vector>

namespace rf {

enum ReduceOp : int { kSum = 0, kMean = 1, kMax = 2 };

// out has the shape of x without the reduced axes (keepDims does not change the data).
void reduce(const float* x, float* out, const std::vector<int64_t>& shape, const std::vector<bool>& reduced, int op);

}  // namespace rf
