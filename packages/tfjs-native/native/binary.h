// Element-wise binary ops with numpy broadcasting: Add, Sub, Multiply, RealDiv on float32.
#pragma once
#include <cstdint>
#include <vector>

namespace rf {

enum BinaryOp : int { kAdd = 0, kSub = 1, kMul = 2, kDiv = 3 };

// out[i] = a[ia] op b[ib] over out_shape; a_stride / b_stride: element strides per output
// axis (0 where that operand is broadcast).
void binary(int op, const float* a, const float* b, float* out, const std::vector<int64_t>& out_shape,
            const std::vector<int64_t>& a_stride, const std::vector<int64_t>& b_stride);

}  // namespace rf
