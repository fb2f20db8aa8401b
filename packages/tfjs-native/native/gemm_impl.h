// Blocked single-precision matrix product, written once with GCC/Clang vector extensions and
// compiled per instruction set. Included by the isa_*.cc files inside their own namespace,
// with RF_VW (floats per vector) and RF_MR (rows of the register tile) defined.
// A block of C (rows [m0, m1), columns [n0, n1)) is computed slice by slice along k (kKC at a
// time). B's slice is packed into contiguous kNR-wide panels (which also absorbs B's transpose
// flag) once per slice and reused by every row tile of the block; A is read where it lies
// (rows of a row-major A, or columns of a transposed one), and an RF_MR x 2*RF_VW register tile
// is accumulated with fused multiply-adds (RF_MR x RF_VW for a last panel at most RF_VW wide, as
// in the 80 columns of an attention item's scores: no multiply-adds on zero padding). When the
// block has only a few row tiles and B is row-major, B is read where it lies too (packing it
// would cost more than it saves).
// Each element of C sums its k slices in the same order whatever the blocking, so results do not
// depend on the block sizes or the thread count.
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
static inline float hsum(vf v) {
  float s = 0.f;
  for (int i = 0; i < RF_VW; i++) s += v[i];
  return s;
}

constexpr int kMR = RF_MR;
constexpr int kNR = 2 * RF_VW;
constexpr int64_t kKC = 256;
// Columns per block (the scheduler's unit along n): its packed B slice, kKC x kNC floats, stays in L2.
constexpr int64_t kNC = 128;
// Blocks with at most this many row tiles read a row-major B in place instead of packing it (16:
// the 128-row context-stream products and the 80-row attention items gain 3-6%; 4 before).
constexpr int64_t kDirectBTiles = 16;
// Products with at most this many rows, a row-major A and a transposed B (rows of both run along
// k) take dot products along k instead: packing B there would cost more than the product.
constexpr int64_t kDotRows = 2 * kMR;

// pa: [kc][kMR] for rows i0..i0+mr (zero padded): the last, partial row tile of a transposed A
// (reading it in place would read past its end; full tiles and a row-major A are read in place).
static void pack_a(const GemmArgs& g, int64_t i0, int64_t mr, int64_t k0, int64_t kc, float* pa) {
  for (int64_t k = 0; k < kc; k++) {
    const float* src = g.a + (k0 + k) * g.a_col + i0 * g.a_row;
    int64_t i = 0;
    for (; i < mr; i++) pa[k * kMR + i] = src[i * g.a_row];
    for (; i < kMR; i++) pa[k * kMR + i] = 0.f;
  }
}

// 8 x 8 transpose: row i of src (8 floats at src + i * src_stride) becomes column i of dst
// (rows at dst + c * dst_stride), by unpacks, 64-bit and 128-bit shuffles.
typedef float v8f __attribute__((vector_size(32)));
#if defined(__clang__) || (defined(__GNUC__) && __GNUC__ >= 12)
#define RF_SHUF8(a, b, i0, i1, i2, i3, i4, i5, i6, i7) __builtin_shufflevector(a, b, i0, i1, i2, i3, i4, i5, i6, i7)
#else
typedef int32_t v8i __attribute__((vector_size(32)));
#define RF_SHUF8(a, b, i0, i1, i2, i3, i4, i5, i6, i7) __builtin_shuffle(a, b, v8i{i0, i1, i2, i3, i4, i5, i6, i7})
#endif
static inline void transpose8(const float* src, int64_t src_stride, float* dst, int64_t dst_stride) {
  v8f r[8], t[8], u[8];
  for (int i = 0; i < 8; i++) __builtin_memcpy(&r[i], src + i * src_stride, sizeof(v8f));
  for (int i = 0; i < 8; i += 2) {
    t[i] = RF_SHUF8(r[i], r[i + 1], 0, 8, 1, 9, 4, 12, 5, 13);
    t[i + 1] = RF_SHUF8(r[i], r[i + 1], 2, 10, 3, 11, 6, 14, 7, 15);
  }
  for (int i = 0; i < 8; i += 4) {
    u[i] = RF_SHUF8(t[i], t[i + 2], 0, 1, 8, 9, 4, 5, 12, 13);
    u[i + 1] = RF_SHUF8(t[i], t[i + 2], 2, 3, 10, 11, 6, 7, 14, 15);
    u[i + 2] = RF_SHUF8(t[i + 1], t[i + 3], 0, 1, 8, 9, 4, 5, 12, 13);
    u[i + 3] = RF_SHUF8(t[i + 1], t[i + 3], 2, 3, 10, 11, 6, 7, 14, 15);
  }
  for (int c = 0; c < 4; c++) {
    const v8f lo = RF_SHUF8(u[c], u[c + 4], 0, 1, 2, 3, 8, 9, 10, 11);
    const v8f hi = RF_SHUF8(u[c], u[c + 4], 4, 5, 6, 7, 12, 13, 14, 15);
    __builtin_memcpy(dst + c * dst_stride, &lo, sizeof(v8f));
    __builtin_memcpy(dst + (c + 4) * dst_stride, &hi, sizeof(v8f));
  }
}
#undef RF_SHUF8

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
    int64_t k_done = 0;
    if (g.b_row == 1 && nr == kNR) {
      // Columns of B contiguous along k: 8 x 8 blocks transposed in registers.
      for (; k_done + 8 <= kc; k_done += 8)
        for (int64_t jg = 0; jg < kNR; jg += 8)
          transpose8(g.b + (j0 + jg) * g.b_col + k0 + k_done, g.b_col, pb + k_done * kNR + jg, kNR);
      for (int64_t j = 0; j < kNR; j++) {
        const float* src = g.b + (j0 + j) * g.b_col + k0;
        for (int64_t k = k_done; k < kc; k++) pb[k * kNR + j] = src[k];
      }
      return;
    }
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

// c (ldc) [mr x nr] (+)= A tile x B panel over kc. Element (i, k) of the A tile is
// a[i + k * a_ks] when kRowsAdjacent (a packed panel, or a transposed A), else rows[i][k]
// (rows of a row-major A; rows past mr repeat row 0 and are not stored). Row k of the B panel
// starts at b + k * b_ks (a packed panel: b_ks = kNR; B in place: its row stride). kV vectors
// per row: 2 (a panel of kNR columns) or 1 (a last panel of at most RF_VW columns).
template <bool kRowsAdjacent, int kV = 2>
static inline void micro_tile(int64_t kc, const float* __restrict a, int64_t a_ks, const float* const* rows,
                              const float* __restrict b, int64_t b_ks, float* c, int64_t ldc, bool accumulate, int64_t mr,
                              int64_t nr, const float* bias) {
  vf acc0[kMR], acc1[kMR];
  for (int i = 0; i < kMR; i++) {
    acc0[i] = vf{};
    acc1[i] = vf{};
  }
  // `scalar * vector` broadcasts the scalar (on AVX-512 from memory); `vf{} + scalar` would add 0.f first.
  for (int64_t k = 0; k < kc; k++) {
    const vf b0 = load_v(b + k * b_ks);
    const vf b1 = kV == 2 ? load_v(b + k * b_ks + RF_VW) : vf{};
    if (kRowsAdjacent) {
      const float* ak = a + k * a_ks;
#pragma GCC unroll 16
      for (int i = 0; i < kMR; i++) {
        acc0[i] += ak[i] * b0;
        if (kV == 2) acc1[i] += ak[i] * b1;
      }
    } else {
#pragma GCC unroll 16
      for (int i = 0; i < kMR; i++) {
        acc0[i] += rows[i][k] * b0;
        if (kV == 2) acc1[i] += rows[i][k] * b1;
      }
    }
  }
  if (nr == kV * RF_VW) {
    const vf bias0 = bias ? load_v(bias) : vf{}, bias1 = bias && kV == 2 ? load_v(bias + RF_VW) : vf{};
    for (int64_t i = 0; i < mr; i++) {
      float* row = c + i * ldc;
      vf v0 = accumulate ? load_v(row) + acc0[i] : acc0[i];
      vf v1 = kV == 2 && accumulate ? load_v(row + RF_VW) + acc1[i] : acc1[i];
      if (bias) {
        v0 += bias0;
        v1 += bias1;
      }
      store_v(row, v0);
      if (kV == 2) store_v(row + RF_VW, v1);
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
    for (int64_t j = 0; j < nr; j++) {
      const float v = accumulate ? row[j] + t[j] : t[j];
      row[j] = bias ? v + bias[j] : v;
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

// C[i, j] = dot(A row i, B column j) for rows [m0, m1) and columns [n0, n1), when A's rows and
// B's columns are contiguous along k: kMR rows by 2 columns of vector accumulators (rows past
// the block repeat its first row and are not stored), summed over lanes at the end.
static void gemm_dot_block(const GemmArgs& g, int64_t m0, int64_t m1, int64_t n0, int64_t n1) {
  const int64_t k_vec = g.k / RF_VW * RF_VW;
  for (int64_t i0 = m0; i0 < m1; i0 += kMR) {
    const int64_t mr = m1 - i0 < kMR ? m1 - i0 : kMR;
    const float* rows[kMR];
    for (int i = 0; i < kMR; i++) rows[i] = g.a + (i0 + (i < mr ? i : 0)) * g.a_row;
    for (int64_t j = n0; j < n1; j += 2) {
      const float* b0 = g.b + j * g.b_col;
      const float* b1 = j + 1 < n1 ? b0 + g.b_col : b0;
      vf acc0[kMR], acc1[kMR];
      for (int i = 0; i < kMR; i++) acc0[i] = acc1[i] = vf{};
      for (int64_t k = 0; k < k_vec; k += RF_VW) {
        const vf v0 = load_v(b0 + k), v1 = load_v(b1 + k);
        // B's next two columns, which the next pair reads: these products wait on memory, not on
        // arithmetic (a prefetch never faults, also past the end of B).
        __builtin_prefetch(b0 + 2 * g.b_col + k);
        __builtin_prefetch(b0 + 3 * g.b_col + k);
#pragma GCC unroll 16
        for (int i = 0; i < kMR; i++) {
          const vf a = load_v(rows[i] + k);
          acc0[i] += a * v0;
          acc1[i] += a * v1;
        }
      }
      for (int64_t i = 0; i < mr; i++) {
        float s0 = hsum(acc0[i]), s1 = hsum(acc1[i]);
        for (int64_t k = k_vec; k < g.k; k++) {
          s0 += rows[i][k] * b0[k];
          s1 += rows[i][k] * b1[k];
        }
        float* c = g.c + (i0 + i) * g.n + j;
        c[0] = g.bias ? s0 + g.bias[j] : s0;
        if (j + 1 < n1) c[1] = g.bias ? s1 + g.bias[j + 1] : s1;
      }
    }
  }
}

// b_sums[j] = the sum over k of op(B)[k][j] for columns [n0, n1), read where B lies (for the
// blocks that do not pack B).
static void b_column_sums(const GemmArgs& g, int64_t n0, int64_t n1) {
  for (int64_t j = n0; j < n1; j++) g.b_sums[j] = 0.f;
  for (int64_t k = 0; k < g.k; k++) {
    const float* row = g.b + k * g.b_row;
    for (int64_t j = n0; j < n1; j++) g.b_sums[j] += row[j * g.b_col];
  }
}

static void gemm_block(const GemmArgs& g, int64_t m0, int64_t m1, int64_t n0, int64_t n1) {
  if (n1 <= n0) return;
  if (m1 <= m0) {
    // No rows: only B's column sums, when asked of the block at row 0.
    if (g.b_sums && m0 == 0) b_column_sums(g, n0, n1);
    return;
  }
  if (g.m <= kDotRows && g.a_col == 1 && g.b_row == 1 && g.k >= RF_VW) {
    gemm_dot_block(g, m0, m1, n0, n1);
    if (g.b_sums && m0 == 0) b_column_sums(g, n0, n1);
    return;
  }
  if (g.k == 0) {
    for (int64_t i = m0; i < m1; i++) {
      float* row = g.c + i * g.n;
      for (int64_t j = n0; j < n1; j++) row[j] = g.bias ? g.bias[j] : 0.f;
    }
    if (g.b_sums && m0 == 0) b_column_sums(g, n0, n1);
    return;
  }
  thread_local PackBuffers buffers;
  const int64_t kc_max = g.k < kKC ? g.k : kKC;
  const int64_t n_panels = (n1 - n0 + kNR - 1) / kNR;
  const bool rows_adjacent = g.a_row == 1;
  const bool direct_b = g.b_col == 1 && (m1 - m0 + kMR - 1) / kMR <= kDirectBTiles;
  buffers.a = PackBuffers::grow(buffers.a, buffers.a_size, kMR * kc_max);
  buffers.b = PackBuffers::grow(buffers.b, buffers.b_size, n_panels * kNR * kc_max);
  float* pa = buffers.a;
  float* pb = buffers.b;
  // B's column sums come from the packed slices (summed in k order), or from B itself when the
  // block reads it in place; only the block at row 0 writes them.
  const bool sums = g.b_sums && m0 == 0;
  if (sums && direct_b) b_column_sums(g, n0, n1);
  if (sums && !direct_b) {
    for (int64_t j = n0; j < n1; j++) g.b_sums[j] = 0.f;
  }
  for (int64_t k0 = 0; k0 < g.k; k0 += kKC) {
    const int64_t kc = g.k - k0 < kKC ? g.k - k0 : kKC;
    const bool last = k0 + kc == g.k;
    // Pack the slice of B (in place B still needs its partial last panel zero padded).
    for (int64_t p = 0; p < n_panels; p++) {
      const int64_t j0 = n0 + p * kNR;
      const int64_t nr = n1 - j0 < kNR ? n1 - j0 : kNR;
      if (!direct_b || nr < kNR) pack_b(g, j0, nr, k0, kc, pb + p * kNR * kc);
      if (sums && !direct_b) {
        const float* panel = pb + p * kNR * kc;
        vf s0 = vf{}, s1 = vf{};
        for (int64_t k = 0; k < kc; k++) {
          s0 += load_v(panel + k * kNR);
          s1 += load_v(panel + k * kNR + RF_VW);
        }
        float t[kNR];
        store_v(t, s0);
        store_v(t + RF_VW, s1);
        for (int64_t j = 0; j < nr; j++) g.b_sums[j0 + j] += t[j];
      }
    }
    for (int64_t i0 = m0; i0 < m1; i0 += kMR) {
      const int64_t mr = m1 - i0 < kMR ? m1 - i0 : kMR;
      const float* a = g.a + i0 * g.a_row + k0 * g.a_col;
      const float* rows[kMR];
      for (int i = 0; i < kMR; i++) rows[i] = a + (i < mr ? i : 0) * g.a_row;
      const bool packed_a = rows_adjacent && mr < kMR;
      if (packed_a) pack_a(g, i0, mr, k0, kc, pa);
      for (int64_t p = 0; p < n_panels; p++) {
        const int64_t j0 = n0 + p * kNR;
        const int64_t nr = n1 - j0 < kNR ? n1 - j0 : kNR;
        const bool in_place_b = direct_b && nr == kNR;
        const float* b = in_place_b ? g.b + k0 * g.b_row + j0 : pb + p * kNR * kc;
        const int64_t b_ks = in_place_b ? g.b_row : kNR;
        float* c = g.c + i0 * g.n + j0;
        const float* bias = g.bias && last ? g.bias + j0 : nullptr;
        if (nr <= RF_VW) {
          if (packed_a) {
            micro_tile<true, 1>(kc, pa, kMR, rows, b, b_ks, c, g.n, k0 > 0, mr, nr, bias);
          } else if (rows_adjacent) {
            micro_tile<true, 1>(kc, a, g.a_col, rows, b, b_ks, c, g.n, k0 > 0, mr, nr, bias);
          } else {
            micro_tile<false, 1>(kc, a, 0, rows, b, b_ks, c, g.n, k0 > 0, mr, nr, bias);
          }
        } else if (packed_a) {
          micro_tile<true>(kc, pa, kMR, rows, b, b_ks, c, g.n, k0 > 0, mr, nr, bias);
        } else if (rows_adjacent) {
          micro_tile<true>(kc, a, g.a_col, rows, b, b_ks, c, g.n, k0 > 0, mr, nr, bias);
        } else {
          micro_tile<false>(kc, a, 0, rows, b, b_ks, c, g.n, k0 > 0, mr, nr, bias);
        }
      }
    }
  }
}
