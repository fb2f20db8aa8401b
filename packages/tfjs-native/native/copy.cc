// Slice and concat as row copies: the trailing axes the box spans fully are merged into one
// contiguous run, and the remaining outer axes are walked with an index counter.
#include "copy.h"

#include <cstring>

namespace rf {

void slice(const float* x, float* out, const std::vector<int64_t>& shape, const std::vector<int64_t>& begin,
           const std::vector<int64_t>& size) {
  const int64_t rank = int64_t(shape.size());
  int64_t total = 1;
  for (int64_t d : size) total *= d;
  if (total == 0) return;
  if (rank == 0) {
    out[0] = x[0];
    return;
  }
  std::vector<int64_t> stride(rank, 1);
  for (int64_t d = rank - 2; d >= 0; d--) stride[d] = stride[d + 1] * shape[d + 1];
  // Axis `split`..rank-1 form one contiguous run: every axis after `split` is taken whole.
  int64_t split = rank - 1;
  while (split > 0 && size[split] == shape[split]) split--;
  int64_t run = 1;
  for (int64_t d = split; d < rank; d++) run *= size[d];
  int64_t base = 0;
  for (int64_t d = 0; d < rank; d++) base += begin[d] * stride[d];
  const int64_t rows = total / run;
  std::vector<int64_t> idx(split, 0);
  int64_t src = base;
  for (int64_t r = 0; r < rows; r++) {
    std::memcpy(out + r * run, x + src, sizeof(float) * run);
    // advance the index over axes [0, split)
    for (int64_t d = split - 1; d >= 0; d--) {
      src += stride[d];
      if (++idx[d] < size[d]) break;
      src -= stride[d] * size[d];
      idx[d] = 0;
    }
  }
}

void concat(const std::vector<const float*>& inputs, const std::vector<int64_t>& widths, float* out, int64_t outer) {
  int64_t row = 0;
  for (int64_t w : widths) row += w;
  int64_t col = 0;
  for (size_t i = 0; i < inputs.size(); i++) {
    const int64_t w = widths[i];
    if (w > 0) {
      for (int64_t r = 0; r < outer; r++) std::memcpy(out + r * row + col, inputs[i] + r * w, sizeof(float) * w);
    }
    col += w;
  }
}

}  // namespace rf
