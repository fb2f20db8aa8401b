// The fused element-wise and row kernels (GELU-tanh, SiLU, the gated residual, softmax, LayerNorm +
// adaLN modulation, RMSNorm, Adam), written once with GCC/Clang vector extensions and compiled per
// instruction set. Included by the isa_*.cc files after gemm_impl.h (which defines vf, load_v,
// store_v, hsum) and reduce_impl.h (hmax, vmax). Each function works on whole rows or a contiguous
// range; the callers in activations.cc, gated_residual.cc, softmax.cc, layer_norm_modulate.cc,
// rms_norm.cc and adam.cc split the work over the thread pool, so results do not depend on the
// number of threads.
// Statistics (row sums, means, variances) are accumulated in RF_VW float lanes plus a scalar
// tail: that is a pairwise-like sum with error far below the float32 tolerance of the tests.

typedef int32_t vi __attribute__((vector_size(RF_VW * 4)));

static inline vf splat(float x) { return vf{} + x; }

// exp of an input already clamped to about [-87.3, 88.7]: x = n ln2 + r with |r| <= ln2 / 2, exp(r)
// by a degree-6 polynomial (Cephes expf coefficients, about 1 ulp); returns exp(r) and sets
// n_biased = n + 128, from which the callers build 2^n.
static inline vf exp_reduced(vf xc, vi& n_biased) {
  // n = round(x / ln2), through truncation of a value made positive.
  const vf t = xc * splat(1.44269504088896341f) + splat(128.5f);
  n_biased = __builtin_convertvector(t, vi);
  const vf n = __builtin_convertvector(n_biased, vf) - splat(128.f);
  vf r = xc - n * splat(0.693359375f);
  r = r - n * splat(-2.12194440e-4f);
  const vf r2 = r * r;
  vf p = splat(1.9875691500e-4f);
  p = p * r + splat(1.3981999507e-3f);
  p = p * r + splat(8.3334519073e-3f);
  p = p * r + splat(4.1665795894e-2f);
  p = p * r + splat(1.6666665459e-1f);
  p = p * r + splat(5.0000001201e-1f);
  return p * r2 + r + splat(1.f);
}

// exp(x) for a vector. Inputs below -87.3 give 0 and above 88.7 give +inf; NaN stays NaN.
static inline vf vexp(vf x) {
  const vf lo = splat(-87.3f), hi = splat(88.7f);
  vf xc = x < lo ? lo : x;
  xc = xc > hi ? hi : xc;
  vi ti;
  const vf p = exp_reduced(xc, ti);
  // 2^n split in two factors so that n = 128 (x near 88.7) does not overflow the exponent field.
  const vi n_int = ti - 128;
  const vi half = n_int >> 1;
  vi e1 = (half + 127) << 23;
  vi e2 = (n_int - half + 127) << 23;
  vf s1, s2;
  __builtin_memcpy(&s1, &e1, sizeof s1);
  __builtin_memcpy(&s2, &e2, sizeof s2);
  vf y = p * s1 * s2;
  y = x < lo ? vf{} : y;
  y = x > hi ? splat(__builtin_inff()) : y;
  return y;  // NaN compares false everywhere above, so it propagates through p
}

// exp(x) for the sigmoids of GELU and SiLU, where it only enters as 1 / (1 + exp(x)): x is
// clamped to [-87, 88] (so 2^n is one normal factor and no limit needs a select), which changes
// the result only where 1 / (1 + exp(x)) is below 1e-38 or rounds to 1 anyway; NaN stays NaN.
static inline vf vexp_sigmoid(vf x) {
  vf xc = x < splat(-87.f) ? splat(-87.f) : x;
  xc = xc > splat(88.f) ? splat(88.f) : xc;
  vi ti;
  const vf p = exp_reduced(xc, ti);
  const vi e = (ti - 1) << 23;  // (n + 127) << 23
  vf s;
  __builtin_memcpy(&s, &e, sizeof s);
  return p * s;
}

static inline float exp_scalar(float x) {
  float buf[RF_VW] = {};
  buf[0] = x;
  const vf y = vexp(load_v(buf));
  return y[0];
}

constexpr float kGeluC2 = 2.f * 0.7978845608028654f;  // 2 sqrt(2 / pi)
constexpr float kGeluCubic = 0.044715f;

// GELU-tanh as x * sigmoid(2 z), z = sqrt(2/pi) (x + 0.044715 x^3).
static inline vf gelu_v(vf x) {
  const vf z2 = splat(kGeluC2) * (x + splat(kGeluCubic) * x * x * x);
  return x / (splat(1.f) + vexp_sigmoid(-z2));
}

static inline vf gelu_grad_v(vf dy, vf x) {
  const vf x2 = x * x;
  const vf z2 = splat(kGeluC2) * (x + splat(kGeluCubic) * x2 * x);
  const vf s = splat(1.f) / (splat(1.f) + vexp_sigmoid(-z2));
  const vf dz2 = splat(kGeluC2) * (splat(1.f) + splat(3.f * kGeluCubic) * x2);
  return dy * (s + x * s * (splat(1.f) - s) * dz2);
}

// Loads and stores of the last partial vector go through a zero-padded buffer.
static inline vf load_tail(const float* p, int64_t count) {
  float buf[RF_VW] = {};
  for (int64_t i = 0; i < count; i++) buf[i] = p[i];
  return load_v(buf);
}
static inline void store_tail(float* p, vf v, int64_t count) {
  float buf[RF_VW];
  store_v(buf, v);
  for (int64_t i = 0; i < count; i++) p[i] = buf[i];
}

// y = F(x) and dx = G(dy, x) over a contiguous range, vector by vector (the tail through a
// zero-padded buffer).
template <vf (*F)(vf)>
static void map_range(const float* x, float* y, int64_t n) {
  int64_t i = 0;
  for (; i + RF_VW <= n; i += RF_VW) store_v(y + i, F(load_v(x + i)));
  if (i < n) store_tail(y + i, F(load_tail(x + i, n - i)), n - i);
}

template <vf (*G)(vf, vf)>
static void map_grad_range(const float* dy, const float* x, float* dx, int64_t n) {
  int64_t i = 0;
  for (; i + RF_VW <= n; i += RF_VW) store_v(dx + i, G(load_v(dy + i), load_v(x + i)));
  if (i < n) store_tail(dx + i, G(load_tail(dy + i, n - i), load_tail(x + i, n - i)), n - i);
}

static void gelu_range(const float* x, float* y, int64_t n) { map_range<gelu_v>(x, y, n); }
static void gelu_grad_range(const float* dy, const float* x, float* dx, int64_t n) { map_grad_range<gelu_grad_v>(dy, x, dx, n); }

// SiLU x * sigmoid(x) and its gradient dy * s (1 + x (1 - s)), s = sigmoid(x).
static inline vf silu_v(vf x) { return x / (splat(1.f) + vexp_sigmoid(-x)); }

static inline vf silu_grad_v(vf dy, vf x) {
  const vf s = splat(1.f) / (splat(1.f) + vexp_sigmoid(-x));
  return dy * (s + x * s * (splat(1.f) - s));
}

static void silu_range(const float* x, float* y, int64_t n) { map_range<silu_v>(x, y, n); }
static void silu_grad_range(const float* dy, const float* x, float* dx, int64_t n) { map_grad_range<silu_grad_v>(dy, x, dx, n); }

// The gated residual of one batch item: out = x + gate * y over tokens x channels (gate: one row).
static void gated_residual_item(const float* x, const float* gate, const float* y, float* out, int64_t tokens,
                                int64_t channels) {
  for (int64_t l = 0; l < tokens; l++) {
    const float* xr = x + l * channels;
    const float* yr = y + l * channels;
    float* o = out + l * channels;
    int64_t j = 0;
    for (; j + RF_VW <= channels; j += RF_VW) store_v(o + j, load_v(xr + j) + load_v(gate + j) * load_v(yr + j));
    for (; j < channels; j++) o[j] = xr[j] + gate[j] * yr[j];
  }
}

// Its gradients for one item: dy = gate * dout, and dgate (one row, overwritten) the sum over the
// tokens of dout * y (x's gradient is dout itself).
static void gated_residual_grad_item(const float* dout, const float* gate, const float* y, float* dgate, float* dy,
                                     int64_t tokens, int64_t channels) {
  for (int64_t j = 0; j < channels; j++) dgate[j] = 0.f;
  for (int64_t l = 0; l < tokens; l++) {
    const float* g = dout + l * channels;
    const float* yr = y + l * channels;
    float* d = dy + l * channels;
    int64_t j = 0;
    for (; j + RF_VW <= channels; j += RF_VW) {
      const vf gv = load_v(g + j);
      store_v(dgate + j, load_v(dgate + j) + gv * load_v(yr + j));
      store_v(d + j, load_v(gate + j) * gv);
    }
    for (; j < channels; j++) {
      dgate[j] += g[j] * yr[j];
      d[j] = gate[j] * g[j];
    }
  }
}

// Softmax of rows [r0, r1) of a rows x cols matrix.
static void softmax_rows(const float* x, float* y, int64_t r0, int64_t r1, int64_t cols) {
  for (int64_t r = r0; r < r1; r++) {
    const float* in = x + r * cols;
    float* out = y + r * cols;
    if (cols == 0) continue;
    float m = in[0];
    int64_t j = 0;
    if (cols >= RF_VW) {
      vf mv = load_v(in);
      for (j = RF_VW; j + RF_VW <= cols; j += RF_VW) mv = vmax(mv, load_v(in + j));
      m = hmax(mv);
    }
    for (; j < cols; j++) m = in[j] > m || in[j] != in[j] ? in[j] : m;  // a NaN makes the row NaN
    const vf mv = splat(m);
    vf acc = vf{};
    for (j = 0; j + RF_VW <= cols; j += RF_VW) {
      const vf e = vexp(load_v(in + j) - mv);
      store_v(out + j, e);
      acc += e;
    }
    float sum = hsum(acc);
    for (; j < cols; j++) {
      out[j] = exp_scalar(in[j] - m);
      sum += out[j];
    }
    const vf inv = splat(1.f / sum);
    for (j = 0; j + RF_VW <= cols; j += RF_VW) store_v(out + j, load_v(out + j) * inv);
    for (; j < cols; j++) out[j] *= inv[0];
  }
}

// dx = y * (dy - sum(dy * y)) for rows [r0, r1).
static void softmax_grad_rows(const float* dy, const float* y, float* dx, int64_t r0, int64_t r1, int64_t cols) {
  for (int64_t r = r0; r < r1; r++) {
    const float* g = dy + r * cols;
    const float* p = y + r * cols;
    float* out = dx + r * cols;
    vf acc = vf{};
    int64_t j = 0;
    for (; j + RF_VW <= cols; j += RF_VW) acc += load_v(g + j) * load_v(p + j);
    float dot = hsum(acc);
    for (; j < cols; j++) dot += g[j] * p[j];
    const vf d = splat(dot);
    for (j = 0; j + RF_VW <= cols; j += RF_VW) store_v(out + j, load_v(p + j) * (load_v(g + j) - d));
    for (; j < cols; j++) out[j] = p[j] * (g[j] - dot);
  }
}

// Mean and 1 / sqrt(variance + eps) of one row (two passes: sum, then squared deviations).
static inline void ln_row_stats(const float* row, int64_t c, float eps, float& mean, float& rstd) {
  vf acc = vf{};
  int64_t j = 0;
  for (; j + RF_VW <= c; j += RF_VW) acc += load_v(row + j);
  float sum = hsum(acc);
  for (; j < c; j++) sum += row[j];
  mean = c > 0 ? sum / float(c) : 0.f;
  const vf mv = splat(mean);
  vf sq = vf{};
  for (j = 0; j + RF_VW <= c; j += RF_VW) {
    const vf d = load_v(row + j) - mv;
    sq += d * d;
  }
  float var = hsum(sq);
  for (; j < c; j++) var += (row[j] - mean) * (row[j] - mean);
  var = c > 0 ? var / float(c) : 0.f;
  rstd = 1.f / __builtin_sqrtf(var + eps);
}

// One batch item: rows [0, tokens) of x (tokens x channels) with its shift and scale rows.
static void ln_modulate_item(const float* x, const float* shift, const float* scale, float* y, int64_t tokens,
                             int64_t channels, float eps) {
  for (int64_t l = 0; l < tokens; l++) {
    const float* row = x + l * channels;
    float* out = y + l * channels;
    float mean, rstd;
    ln_row_stats(row, channels, eps, mean, rstd);
    const vf mv = splat(mean), rv = splat(rstd), one = splat(1.f);
    int64_t j = 0;
    for (; j + RF_VW <= channels; j += RF_VW)
      store_v(out + j, (load_v(row + j) - mv) * rv * (one + load_v(scale + j)) + load_v(shift + j));
    for (; j < channels; j++) out[j] = (row[j] - mean) * rstd * (1.f + scale[j]) + shift[j];
  }
}

// One batch item's gradients; dshift and dscale (one row each) are overwritten with the sums
// over its tokens.
static void ln_modulate_grad_item(const float* dy, const float* x, const float* scale, float* dx, float* dshift,
                                  float* dscale, int64_t tokens, int64_t channels, float eps) {
  for (int64_t j = 0; j < channels; j++) dshift[j] = dscale[j] = 0.f;
  const vf one = splat(1.f);
  for (int64_t l = 0; l < tokens; l++) {
    const float* row = x + l * channels;
    const float* g = dy + l * channels;
    float* out = dx + l * channels;
    float mean, rstd;
    ln_row_stats(row, channels, eps, mean, rstd);
    const vf mv = splat(mean), rv = splat(rstd);
    vf acc_g = vf{}, acc_gx = vf{};
    int64_t j = 0;
    for (; j + RF_VW <= channels; j += RF_VW) {
      const vf xhat = (load_v(row + j) - mv) * rv;
      const vf gv = load_v(g + j);
      const vf gp = gv * (one + load_v(scale + j));
      store_v(dshift + j, load_v(dshift + j) + gv);
      store_v(dscale + j, load_v(dscale + j) + gv * xhat);
      acc_g += gp;
      acc_gx += gp * xhat;
    }
    float sum_g = hsum(acc_g), sum_gx = hsum(acc_gx);
    for (; j < channels; j++) {
      const float xhat = (row[j] - mean) * rstd;
      const float gp = g[j] * (1.f + scale[j]);
      dshift[j] += g[j];
      dscale[j] += g[j] * xhat;
      sum_g += gp;
      sum_gx += gp * xhat;
    }
    const float mean_g = sum_g / float(channels), mean_gx = sum_gx / float(channels);
    const vf mgv = splat(mean_g), mgxv = splat(mean_gx);
    for (j = 0; j + RF_VW <= channels; j += RF_VW) {
      const vf xhat = (load_v(row + j) - mv) * rv;
      store_v(out + j, rv * (load_v(g + j) * (one + load_v(scale + j)) - mgv - xhat * mgxv));
    }
    for (; j < channels; j++) {
      const float xhat = (row[j] - mean) * rstd;
      out[j] = rstd * (g[j] * (1.f + scale[j]) - mean_g - xhat * mean_gx);
    }
  }
}

// 1 / sqrt(mean(row^2) + eps) of one row.
static inline float rms_row_inv(const float* row, int64_t c, float eps) {
  vf acc = vf{};
  int64_t j = 0;
  for (; j + RF_VW <= c; j += RF_VW) {
    const vf v = load_v(row + j);
    acc += v * v;
  }
  float ss = hsum(acc);
  for (; j < c; j++) ss += row[j] * row[j];
  return 1.f / __builtin_sqrtf(ss / float(c) + eps);
}

// RMSNorm of rows [r0, r1) of rows x cols: y = x * rsqrt(mean(x^2) + eps) * gain.
static void rms_norm_rows(const float* x, const float* gain, float* y, int64_t r0, int64_t r1, int64_t cols, float eps) {
  for (int64_t r = r0; r < r1; r++) {
    const float* row = x + r * cols;
    float* out = y + r * cols;
    const float inv = rms_row_inv(row, cols, eps);
    const vf iv = splat(inv);
    int64_t j = 0;
    for (; j + RF_VW <= cols; j += RF_VW) store_v(out + j, load_v(row + j) * iv * load_v(gain + j));
    for (; j < cols; j++) out[j] = row[j] * inv * gain[j];
  }
}

// Gradients of rows [r0, r1): dx = r (dy g) - x r^3 mean(dy g x), with r = rsqrt(mean(x^2) + eps);
// the sum over these rows of dy x r is added to dgain (one row).
static void rms_norm_grad_rows(const float* dy, const float* x, const float* gain, float* dx, float* dgain, int64_t r0,
                               int64_t r1, int64_t cols, float eps) {
  for (int64_t r = r0; r < r1; r++) {
    const float* row = x + r * cols;
    const float* g = dy + r * cols;
    float* out = dx + r * cols;
    const float inv = rms_row_inv(row, cols, eps);
    const vf iv = splat(inv);
    vf acc = vf{};
    int64_t j = 0;
    for (; j + RF_VW <= cols; j += RF_VW) {
      const vf xv = load_v(row + j), gv = load_v(g + j);
      store_v(dgain + j, load_v(dgain + j) + gv * xv * iv);
      acc += gv * load_v(gain + j) * xv;
    }
    float dot = hsum(acc);
    for (; j < cols; j++) {
      dgain[j] += g[j] * row[j] * inv;
      dot += g[j] * gain[j] * row[j];
    }
    const float k = inv * inv * inv * dot / float(cols);
    const vf kv = splat(k);
    for (j = 0; j + RF_VW <= cols; j += RF_VW)
      store_v(out + j, iv * load_v(g + j) * load_v(gain + j) - load_v(row + j) * kv);
    for (; j < cols; j++) out[j] = inv * g[j] * gain[j] - row[j] * k;
  }
}

// Adam / AdamW on elements [i0, i1) (see adam.h for the formula).
static void adam_range(const float* p, const float* m, const float* v, const float* g, float* p_out, float* m_out,
                       float* v_out, int64_t i0, int64_t i1, const AdamStep& s) {
  const float decay = 1.f - s.lr * s.weight_decay;
  const float inv_c1 = 1.f / s.correction1, inv_c2 = 1.f / s.correction2;
  const vf b1 = splat(s.beta1), b2 = splat(s.beta2), nb1 = splat(1.f - s.beta1), nb2 = splat(1.f - s.beta2);
  const vf dv = splat(decay), lrv = splat(s.lr), ic1 = splat(inv_c1), ic2 = splat(inv_c2), epsv = splat(s.eps);
  // The update streams its four arrays from memory: prefetching 4 KiB ahead keeps more of their
  // lines in flight than the hardware prefetcher alone (about 15% faster over 9M parameters). A
  // prefetch never faults, also past the end of an array.
  constexpr int64_t kAhead = 1024;
  int64_t i = i0;
  for (; i + RF_VW <= i1; i += RF_VW) {
    __builtin_prefetch(g + i + kAhead);
    __builtin_prefetch(m + i + kAhead, 1);
    __builtin_prefetch(v + i + kAhead, 1);
    __builtin_prefetch(p + i + kAhead, 1);
    const vf gi = load_v(g + i);
    const vf mi = b1 * load_v(m + i) + nb1 * gi;
    const vf vv = b2 * load_v(v + i) + nb2 * gi * gi;
    vf root;
    const vf q = vv * ic2;
    for (int l = 0; l < RF_VW; l++) root[l] = __builtin_sqrtf(q[l]);
    store_v(m_out + i, mi);
    store_v(v_out + i, vv);
    store_v(p_out + i, load_v(p + i) * dv - lrv * (mi * ic1) / (root + epsv));
  }
  for (; i < i1; i++) {
    const float gi = g[i];
    const float mi = s.beta1 * m[i] + (1.f - s.beta1) * gi;
    const float vv = s.beta2 * v[i] + (1.f - s.beta2) * gi * gi;
    m_out[i] = mi;
    v_out[i] = vv;
    p_out[i] = p[i] * decay - s.lr * (mi * inv_c1) / (__builtin_sqrtf(vv * inv_c2) + s.eps);
  }
}
