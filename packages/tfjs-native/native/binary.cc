// Broadcast binary ops: axes are merged while both operands stay contiguous (or both stay
// broadcast), leaving an inner run that is vector-vector, vector-scalar or scalar-vector; the
// outer axes are walked with an index counter.
#include "binary.h"

#include "thread_pool.h"

namespace rf {
namespace {

template <int Op>
inline float apply(float x, float y) {
  if constexpr (Op == kAdd) return x + y;
  if constexpr (Op == kSub) return x - y;
  if constexpr (Op == kMul) return x * y;
  return x / y;
}

template <int Op>
void run(const float* a, const float* b, float* out, int64_t n, int64_t sa, int64_t sb) {
  if (sa == 1 && sb == 1) {
    for (int64_t i = 0; i < n; i++) out[i] = apply<Op>(a[i], b[i]);
  } else if (sa == 1) {
    const float y = b[0];
    for (int64_t i = 0; i < n; i++) out[i] = apply<Op>(a[i], y);
  } else if (sb == 1) {
    const float x = a[0];
    for (int64_t i = 0; i < n; i++) out[i] = apply<Op>(x, b[i]);
  } else {
    for (int64_t i = 0; i < n; i++) out[i] = apply<Op>(a[i * sa], b[i * sb]);
  }
}

template <int Op>
void walk(const float* a, const float* b, float* out, const std::vector<int64_t>& dims, const std::vector<int64_t>& sa,
          const std::vector<int64_t>& sb, int64_t begin, int64_t end) {
  const int64_t r = int64_t(dims.size());
  const int64_t inner = dims[r - 1];
  for (int64_t row = begin; row < end; row++) {
    int64_t ia = 0, ib = 0, idx = row;
    for (int64_t d = r - 2; d >= 0; d--) {
      const int64_t coord = idx % dims[d];
      idx /= dims[d];
      ia += coord * sa[d];
      ib += coord * sb[d];
    }
    run<Op>(a + ia, b + ib, out + row * inner, inner, sa[r - 1], sb[r - 1]);
  }
}

}  // namespace

void binary(int op, const float* a, const float* b, float* out, const std::vector<int64_t>& out_shape,
            const std::vector<int64_t>& a_stride, const std::vector<int64_t>& b_stride) {
  int64_t total = 1;
  for (int64_t d : out_shape) total *= d;
  if (total == 0) return;
  // Merge axes (dropping size-1 ones) from the innermost out.
  std::vector<int64_t> dims, sa, sb;  // innermost first while building
  for (int64_t d = int64_t(out_shape.size()) - 1; d >= 0; d--) {
    if (out_shape[d] == 1) continue;
    if (!dims.empty() && a_stride[d] == sa.back() * dims.back() && b_stride[d] == sb.back() * dims.back()) {
      dims.back() *= out_shape[d];
    } else {
      dims.push_back(out_shape[d]);
      sa.push_back(a_stride[d]);
      sb.push_back(b_stride[d]);
    }
  }
  if (dims.empty()) {
    dims = {1};
    sa = {1};
    sb = {1};
  }
  std::vector<int64_t> rd(dims.rbegin(), dims.rend()), ra(sa.rbegin(), sa.rend()), rb(sb.rbegin(), sb.rend());
  const int64_t rows = total / rd.back();
  auto go = [&](int64_t begin, int64_t end) {
    switch (op) {
      case kAdd:
        return walk<kAdd>(a, b, out, rd, ra, rb, begin, end);
      case kSub:
        return walk<kSub>(a, b, out, rd, ra, rb, begin, end);
      case kMul:
        return walk<kMul>(a, b, out, rd, ra, rb, begin, end);
      default:
        return walk<kDiv>(a, b, out, rd, ra, rb, begin, end);
    }
  };
  const int64_t chunks = total >= kParallelElements && rows >= 2 ? (rows < pool_threads() ? rows : pool_threads()) : 1;
  if (chunks == 1) {
    go(0, rows);
  } else {
    parallel_for(chunks, [&](int64_t c) { go(rows * c / chunks, rows * (c + 1) / chunks); });
  }
}

}  // namespace rf
