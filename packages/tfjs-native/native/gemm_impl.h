// Blocked single-precision matrix product, written once with GCC/Clang vector extensions and
// compiled per instruction set. Included by the isa_*.cc files inside their own namespace,
// with RF_VW (floats per vector) and RF_MR (rows of the register tile) defined.
// C is split into blocks; for each block and each slice of KC along k, A and B are packed
// into contiguous panels (which also absorbs the transpose flags) and an RF_MR x 2*RF_VW
// register tile is accumulated with fused multiply-adds.
// No C++ library templates or inline library functions here: those are shared (COMDAT)
// between translation units, and the linker could keep an AVX-512 copy for the portable path.
#include <cstdlib>

#include "kernel_table.h"

typedef float vf __attribute__((vector_size(RF_VW * 4)));

static inline vf load_v(const float* p) {
  vf v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}
static inline void store_v(float* p, vf v) { __builtin_memcpy(p, &v, sizeof v); }

constexpr int kMR = RF_MR;
constexpr int kNR = 2 * RF_VW;
constexpr int64_t kKC = 256;
constexpr int64_t kMC = kMR * 16;
constexpr int64_t kNC = 256;

// pa: [kc][kMR] for rows i0..i0+mr (zero padded).
static void pack_a(const GemmArgs& g, int64_t i0, int64_t mr, int64_t k0, int64_t kc, float* pa) {
  if (g.a_col == 1) {
    for (int64_t i = 0; i < kMR; i++) {
      if (i < mr) {
        const float* src = g.a + (i0 + i) * g.a_row + k0;
        for (int64_t k = 0; k < kc; k++) pa[k * kMR + i] = src[k];
      } else {
        for (int64_t k = 0; k < kc; k++) pa[k * kMR + i] = 0.f;
      }
    }
  } else {
    for (int64_t k = 0; k < kc; k++) {
      const float* src = g.a + (k0 + k) * g.a_col + i0 * g.a_row;
      int64_t i = 0;
      for (; i < mr; i++) pa[k * kMR + i] = src[i * g.a_row];
      for (; i < kMR; i++) pa[k * kMR + i] = 0.f;
    }
  }
}

// pb: [kc][kNR] for columns j0..j0+nr (zero padded).
static void pack_b(const GemmArgs& g, int64_t j0, int64_t nr, int64_t k0, int64_t kc, float* pb) {
  if (g.b_col == 1) {
    for (int64_t k = 0; k < kc; k++) {
      const float* src = g.b + (k0 + k) * g.b_row + j0;
      float* dst = pb + k * kNR;
      if (nr == kNR) {
        __builtin_memcpy(dst, src, sizeof(float) * kNR);
      } else {
        int64_t j = 0;
        for (; j < nr; j++) dst[j] = src[j];
        for (; j < kNR; j++) dst[j] = 0.f;
      }
    }
  } else {
    for (int64_t j = 0; j < kNR; j++) {
      if (j < nr) {
        const float* src = g.b + (j0 + j) * g.b_col + k0 * g.b_row;
        for (int64_t k = 0; k < kc; k++) pb[k * kNR + j] = src[k * g.b_row];
      } else {
        for (int64_t k = 0; k < kc; k++) pb[k * kNR + j] = 0.f;
      }
    }
  }
}

// c (ldc) [mr x nr] (+)= pa panel x pb panel over kc.
static inline void micro_tile(int64_t kc, const float* __restrict pa, const float* __restrict pb, float* c, int64_t ldc,
                              bool accumulate, int64_t mr, int64_t nr) {
  vf acc0[kMR], acc1[kMR];
  for (int i = 0; i < kMR; i++) {
    acc0[i] = vf{};
    acc1[i] = vf{};
  }
  for (int64_t k = 0; k < kc; k++) {
    const vf b0 = load_v(pb + k * kNR);
    const vf b1 = load_v(pb + k * kNR + RF_VW);
    const float* ak = pa + k * kMR;
#pragma GCC unroll 16
    for (int i = 0; i < kMR; i++) {
      const vf av = vf{} + ak[i];
      acc0[i] += av * b0;
      acc1[i] += av * b1;
    }
  }
  if (mr == kMR && nr == kNR) {
    for (int i = 0; i < kMR; i++) {
      float* row = c + i * ldc;
      if (accumulate) {
        store_v(row, load_v(row) + acc0[i]);
        store_v(row + RF_VW, load_v(row + RF_VW) + acc1[i]);
      } else {
        store_v(row, acc0[i]);
        store_v(row + RF_VW, acc1[i]);
      }
    }
    return;
  }
  float tile[kMR * kNR];
  for (int i = 0; i < kMR; i++) {
    store_v(tile + i * kNR, acc0[i]);
    store_v(tile + i * kNR + RF_VW, acc1[i]);
  }
  for (int64_t i = 0; i < mr; i++) {
    float* row = c + i * ldc;
    const float* t = tile + i * kNR;
    if (accumulate) {
      for (int64_t j = 0; j < nr; j++) row[j] += t[j];
    } else {
      for (int64_t j = 0; j < nr; j++) row[j] = t[j];
    }
  }
}

// Per-thread packing buffers, grown on demand and freed when the thread ends.
struct PackBuffers {
  float* a = nullptr;
  float* b = nullptr;
  int64_t a_size = 0, b_size = 0;
  ~PackBuffers() {
    std::free(a);
    std::free(b);
  }
  static float* grow(float* p, int64_t& size, int64_t need) {
    if (need <= size) return p;
    std::free(p);
    size = (need + 15) / 16 * 16;
    p = static_cast<float*>(std::aligned_alloc(64, size_t(size) * sizeof(float)));
    if (!p) __builtin_trap();
    return p;
  }
};

static void gemm_block(const GemmArgs& g, int64_t m0, int64_t m1, int64_t n0, int64_t n1) {
  if (m1 <= m0 || n1 <= n0) return;
  if (g.k == 0) {
    for (int64_t i = m0; i < m1; i++) __builtin_memset(g.c + i * g.n + n0, 0, sizeof(float) * (n1 - n0));
    return;
  }
  thread_local PackBuffers buffers;
  const int64_t mb = m1 - m0, nb = n1 - n0;
  const int64_t kc_max = g.k < kKC ? g.k : kKC;
  const int64_t m_panels = (mb + kMR - 1) / kMR, n_panels = (nb + kNR - 1) / kNR;
  buffers.a = PackBuffers::grow(buffers.a, buffers.a_size, m_panels * kMR * kc_max);
  buffers.b = PackBuffers::grow(buffers.b, buffers.b_size, n_panels * kNR * kc_max);
  float* pa = buffers.a;
  float* pb = buffers.b;
  for (int64_t k0 = 0; k0 < g.k; k0 += kKC) {
    const int64_t kc = g.k - k0 < kKC ? g.k - k0 : kKC;
    for (int64_t p = 0; p < n_panels; p++) {
      const int64_t j0 = n0 + p * kNR;
      pack_b(g, j0, n1 - j0 < kNR ? n1 - j0 : kNR, k0, kc, pb + p * kNR * kc);
    }
    for (int64_t q = 0; q < m_panels; q++) {
      const int64_t i0 = m0 + q * kMR;
      pack_a(g, i0, m1 - i0 < kMR ? m1 - i0 : kMR, k0, kc, pa + q * kMR * kc);
    }
    for (int64_t q = 0; q < m_panels; q++) {
      const int64_t i0 = m0 + q * kMR;
      const int64_t mr = m1 - i0 < kMR ? m1 - i0 : kMR;
      for (int64_t p = 0; p < n_panels; p++) {
        const int64_t j0 = n0 + p * kNR;
        const int64_t nr = n1 - j0 < kNR ? n1 - j0 : kNR;
        micro_tile(kc, pa + q * kMR * kc, pb + p * kNR * kc, g.c + i0 * g.n + j0, g.n, k0 > 0, mr, nr);
      }
    }
  }
}
