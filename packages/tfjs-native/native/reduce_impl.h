// Sum and max reductions, compiled per instruction set (included by the isa_*.cc files after
// gemm_impl.h, which defines the vector type vf and hsum). Op codes: 0 sum, 2 max.

static inline float hmax(vf v) {
  float s = v[0];
  for (int i = 1; i < RF_VW; i++) s = v[i] > s ? v[i] : s;
  return s;
}
static inline vf vmax(vf a, vf b) { return a > b ? a : b; }

static void reduce_rows(const float* x, float* out, int64_t rows, int64_t cols, int op) {
  for (int64_t r = 0; r < rows; r++) {
    const float* p = x + r * cols;
    int64_t j = 0;
    if (op == 0) {
      vf a0 = vf{}, a1 = vf{}, a2 = vf{}, a3 = vf{};
      for (; j + 4 * RF_VW <= cols; j += 4 * RF_VW) {
        a0 += load_v(p + j);
        a1 += load_v(p + j + RF_VW);
        a2 += load_v(p + j + 2 * RF_VW);
        a3 += load_v(p + j + 3 * RF_VW);
      }
      float s = hsum((a0 + a1) + (a2 + a3));
      for (; j < cols; j++) s += p[j];
      out[r] = s;
    } else {
      if (cols == 0) {
        out[r] = -__builtin_inff();
        continue;
      }
      float m = p[0];
      if (cols >= RF_VW) {
        vf a = load_v(p);
        for (j = RF_VW; j + RF_VW <= cols; j += RF_VW) a = vmax(a, load_v(p + j));
        m = hmax(a);
      }
      for (; j < cols; j++) m = p[j] > m ? p[j] : m;
      out[r] = m;
    }
  }
}

static void reduce_mid(const float* x, float* out, int64_t outer, int64_t mid, int64_t inner, int op) {
  for (int64_t o = 0; o < outer; o++) {
    float* dst = out + o * inner;
    const float* src = x + o * mid * inner;
    if (mid == 0) {
      const float fill = op == 0 ? 0.f : -__builtin_inff();
      for (int64_t j = 0; j < inner; j++) dst[j] = fill;
      continue;
    }
    for (int64_t j = 0; j < inner; j++) dst[j] = src[j];
    for (int64_t r = 1; r < mid; r++) {
      const float* row = src + r * inner;
      int64_t j = 0;
      if (op == 0) {
        for (; j + RF_VW <= inner; j += RF_VW) store_v(dst + j, load_v(dst + j) + load_v(row + j));
        for (; j < inner; j++) dst[j] += row[j];
      } else {
        for (; j + RF_VW <= inner; j += RF_VW) store_v(dst + j, vmax(load_v(dst + j), load_v(row + j)));
        for (; j < inner; j++) dst[j] = row[j] > dst[j] ? row[j] : dst[j];
      }
    }
  }
}
