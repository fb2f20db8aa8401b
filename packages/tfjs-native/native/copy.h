// Copies for the layout kernels: a box out of a tensor (Slice, SplitV) and the concatenation
// of tensors along an axis (Concat), both reduced to runs of contiguous memcpy.
#pragma once
#include <cstdint>
#include <vector>

namespace rf {

// out (dense, shape `size`) = x[begin : begin + size] for x of shape `shape`.
void slice(const float* x, float* out, const std::vector<int64_t>& shape, const std::vector<int64_t>& begin,
           const std::vector<int64_t>& size);

// out is [outer, sum(widths)]; input i is [outer, widths[i]] (dense). Copies each input's rows in.
void concat(const std::vector<const float*>& inputs, const std::vector<int64_t>& widths, float* out, int64_t outer);

}  // namespace rf
