// Fused attention (see attention.h): per item, the products run on the active instruction set's
// GEMM (gemm_impl.h, transposed operands read in place) and the softmax on its row kernels
// (fused_impl.h). Items are split over the pool; each is computed by one thread, so results do
// not depend on the number of threads.
#include "attention.h"

#include "cpu_dispatch.h"
#include "native_memory.h"
#include "thread_pool.h"

namespace rf {

namespace {

// C [m, n] = op(A) op(B) over k, with op(A) element (i, j) at a[i * a_row + j * a_col], likewise B.
void product(const KernelTable* t, const float* a, int64_t a_row, int64_t a_col, const float* b, int64_t b_row, int64_t b_col,
             float* c, int64_t m, int64_t n, int64_t k) {
  GemmArgs g;
  g.a = a;
  g.b = b;
  g.c = c;
  g.m = m;
  g.n = n;
  g.k = k;
  g.a_row = a_row;
  g.a_col = a_col;
  g.b_row = b_row;
  g.b_col = b_col;
  t->gemm_block(g, 0, m, 0, n);
}

void scale_in_place(float* x, int64_t count, float s) {
  for (int64_t i = 0; i < count; i++) x[i] *= s;
}

void copy_floats(float* dst, const float* src, int64_t count) {
  if (count > 0) __builtin_memcpy(dst, src, size_t(count) * sizeof(float));
}

// rows x d rows of src (row stride src_stride) into dst (row stride dst_stride).
void copy_rows(float* dst, int64_t dst_stride, const float* src, int64_t src_stride, int64_t rows, int64_t d) {
  for (int64_t r = 0; r < rows; r++) copy_floats(dst + r * dst_stride, src + r * src_stride, d);
}

// One item's forward on contiguous q [lq, d], k and v [lk, d]: p = softmax(scale q k^T) [lq, lk]
// and o = p v [lq, d].
void attend_item(const KernelTable* t, const float* q, const float* k, const float* v, float* p, float* o, int64_t lq,
                 int64_t lk, int64_t d, float scale) {
  product(t, q, d, 1, k, 1, d, p, lq, lk, d);  // q k^T
  scale_in_place(p, lq * lk, scale);
  t->softmax_rows(p, p, 0, lq, lk);
  product(t, p, lk, 1, v, d, 1, o, lq, d, lk);  // p v
}

// One item's backward from dout [lq, d] and the forward's p: dq, dk, dv (ds [lq, lk] is scratch).
void attend_item_grad(const KernelTable* t, const float* dout, const float* q, const float* k, const float* v, const float* p,
                      float* ds, float* dq, float* dk, float* dv, int64_t lq, int64_t lk, int64_t d, float scale) {
  product(t, p, 1, lk, dout, d, 1, dv, lk, d, lq);  // dv = p^T do
  product(t, dout, d, 1, v, 1, d, ds, lq, lk, d);   // dp = do v^T
  t->softmax_grad_rows(ds, p, ds, 0, lq, lk);       // ds = p (dp - rowsum(dp p))
  scale_in_place(ds, lq * lk, scale);
  product(t, ds, lk, 1, k, d, 1, dq, lq, d, lk);  // dq = scale ds k
  product(t, ds, 1, lk, q, d, 1, dk, lk, d, lq);  // dk = scale ds^T q
}

}  // namespace

void attention(const float* q, const float* k, const float* v, float* o, float* p, int64_t n, int64_t lq, int64_t lk,
               int64_t d, float scale) {
  const KernelTable* t = active_table();
  parallel_parts(n, n * lq * lk * d / 16, 1, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; i++)
      attend_item(t, q + i * lq * d, k + i * lk * d, v + i * lk * d, p + i * lq * lk, o + i * lq * d, lq, lk, d, scale);
  });
}

void attention_grad(const float* dout, const float* q, const float* k, const float* v, const float* p, float* dq, float* dk,
                    float* dv, int64_t n, int64_t lq, int64_t lk, int64_t d, float scale) {
  const KernelTable* t = active_table();
  ScratchBuffer scratch(size_t(n * lq * lk));
  parallel_parts(n, n * lq * lk * d / 16, 1, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; i++) {
      attend_item_grad(t, dout + i * lq * d, q + i * lq * d, k + i * lk * d, v + i * lk * d, p + i * lq * lk,
                       scratch.data() + i * lq * lk, dq + i * lq * d, dk + i * lk * d, dv + i * lk * d, lq, lk, d, scale);
    }
  });
}

// `count` rows of d floats of one stream's q, k or v (at column `offset` of its qkv projection,
// row stride `row_stride`) into dst [count, d]; scatter writes them back.
void gather(float* dst, const float* qkv, int64_t count, int64_t row_stride, int64_t offset, int64_t d) {
  copy_rows(dst, d, qkv + offset, row_stride, count, d);
}
void scatter(float* qkv, const float* src, int64_t count, int64_t row_stride, int64_t offset, int64_t d) {
  copy_rows(qkv + offset, row_stride, src, d, count, d);
}

// Item (b, h)'s q [lcq + lx, d], k and v [lc + lx, d]: the context rows, then the image rows.
void gather_item(float* q, float* k, float* v, const float* qkvc, const float* qkvx, const JointShape& s, int64_t b, int64_t h) {
  const int64_t d = s.d, width = s.heads * d, stride = 3 * width;
  const float* c = qkvc + b * s.lc * stride;
  const float* x = qkvx + b * s.lx * stride;
  gather(q, c, s.lcq, stride, h * d, d);
  gather(q + s.lcq * d, x, s.lx, stride, h * d, d);
  gather(k, c, s.lc, stride, width + h * d, d);
  gather(k + s.lc * d, x, s.lx, stride, width + h * d, d);
  gather(v, c, s.lc, stride, 2 * width + h * d, d);
  gather(v + s.lc * d, x, s.lx, stride, 2 * width + h * d, d);
}

// An item's q rows (lcq context, then lx image) and k rows (lc, then lx), normalised from q_in and
// k_in into q and k (in place when they are the same).
void normalise_item(const KernelTable* t, const float* q_in, const float* k_in, float* q, float* k, const JointShape& s,
                    const JointQkNorm& n) {
  const int64_t qx = s.lcq * s.d, kx = s.lc * s.d;
  t->rms_norm_rows(q_in, n.gq_c, q, 0, s.lcq, s.d, n.eps);
  t->rms_norm_rows(q_in + qx, n.gq_x, q + qx, 0, s.lx, s.d, n.eps);
  t->rms_norm_rows(k_in, n.gk_c, k, 0, s.lc, s.d, n.eps);
  t->rms_norm_rows(k_in + kx, n.gk_x, k + kx, 0, s.lx, s.d, n.eps);
}

void joint_attention(const float* qkvc, const float* qkvx, float* oc, float* ox, float* p, const JointShape& s, float scale,
                     const JointQkNorm* norm) {
  const KernelTable* t = active_table();
  const int64_t items = s.heads * s.batch, lq = s.lcq + s.lx, lk = s.lc + s.lx, d = s.d, width = s.heads * d;
  parallel_parts(items, items * lq * lk * d / 16, 1, [&](int64_t i0, int64_t i1) {
    ScratchBuffer scratch(size_t((lq + 2 * lk + lq) * d));
    float* q = scratch.data();
    float* k = q + lq * d;
    float* v = k + lk * d;
    float* o = v + lk * d;
    for (int64_t i = i0; i < i1; i++) {
      const int64_t h = i / s.batch, b = i % s.batch;
      gather_item(q, k, v, qkvc, qkvx, s, b, h);
      if (norm) normalise_item(t, q, k, q, k, s, *norm);
      attend_item(t, q, k, v, p + i * lq * lk, o, lq, lk, d, scale);
      copy_rows(oc + b * s.lcq * width + h * d, width, o, d, s.lcq, d);
      copy_rows(ox + b * s.lx * width + h * d, width, o + s.lcq * d, d, s.lx, d);
    }
  });
}

void joint_attention_grad(const float* doc, const float* dox, const float* qkvc, const float* qkvx, const float* p, float* dqkvc,
                          float* dqkvx, const JointShape& s, float scale, const JointQkNorm* norm, float* const* dgains) {
  const KernelTable* t = active_table();
  const int64_t items = s.heads * s.batch, lq = s.lcq + s.lx, lk = s.lc + s.lx, d = s.d, width = s.heads * d;
  const int64_t stride = 3 * width;
  // The context's q columns get no gradient when the context does not query.
  if (s.lcq == 0) {
    for (int64_t r = 0; r < s.batch * s.lc; r++) __builtin_memset(dqkvc + r * stride, 0, size_t(width) * sizeof(float));
  }
  // With the norm: each item's sums of the four gains' gradients, added over the items in order below.
  ScratchBuffer partial(norm ? size_t(items * 4 * d) : 0);
  parallel_parts(items, items * lq * lk * d / 16, 1, [&](int64_t i0, int64_t i1) {
    ScratchBuffer scratch(size_t(2 * lq * d + 2 * lk * d + lq * lk + lq * d + 2 * lk * d + (norm ? lq * d + lk * d : 0)));
    float* q = scratch.data();
    float* k = q + lq * d;
    float* v = k + lk * d;
    float* dout = v + lk * d;
    float* ds = dout + lq * d;
    float* dq = ds + lq * lk;
    float* dk = dq + lq * d;
    float* dv = dk + lk * d;
    float* q_raw = dv + lk * d;  // with the norm: q and k before it
    float* k_raw = q_raw + lq * d;
    for (int64_t i = i0; i < i1; i++) {
      const int64_t h = i / s.batch, b = i % s.batch;
      if (norm) {
        gather_item(q_raw, k_raw, v, qkvc, qkvx, s, b, h);
        normalise_item(t, q_raw, k_raw, q, k, s, *norm);
      } else {
        gather_item(q, k, v, qkvc, qkvx, s, b, h);
      }
      copy_rows(dout, d, doc + b * s.lcq * width + h * d, width, s.lcq, d);
      copy_rows(dout + s.lcq * d, d, dox + b * s.lx * width + h * d, width, s.lx, d);
      attend_item_grad(t, dout, q, k, v, p + i * lq * lk, ds, dq, dk, dv, lq, lk, d, scale);
      if (norm) {
        // dq and dk reach the normalised rows: back through the norm, in place.
        float* g = partial.data() + i * 4 * d;
        for (int64_t j = 0; j < 4 * d; j++) g[j] = 0.f;
        t->rms_norm_grad_rows(dq, q_raw, norm->gq_c, dq, g, 0, s.lcq, d, norm->eps);
        t->rms_norm_grad_rows(dk, k_raw, norm->gk_c, dk, g + d, 0, s.lc, d, norm->eps);
        t->rms_norm_grad_rows(dq + s.lcq * d, q_raw + s.lcq * d, norm->gq_x, dq + s.lcq * d, g + 2 * d, 0, s.lx, d, norm->eps);
        t->rms_norm_grad_rows(dk + s.lc * d, k_raw + s.lc * d, norm->gk_x, dk + s.lc * d, g + 3 * d, 0, s.lx, d, norm->eps);
      }
      float* dc = dqkvc + b * s.lc * stride;
      float* dx = dqkvx + b * s.lx * stride;
      scatter(dc, dq, s.lcq, stride, h * d, d);
      scatter(dx, dq + s.lcq * d, s.lx, stride, h * d, d);
      scatter(dc, dk, s.lc, stride, width + h * d, d);
      scatter(dx, dk + s.lc * d, s.lx, stride, width + h * d, d);
      scatter(dc, dv, s.lc, stride, 2 * width + h * d, d);
      scatter(dx, dv + s.lc * d, s.lx, stride, 2 * width + h * d, d);
    }
  });
  if (norm) {
    for (int64_t g = 0; g < 4; g++) {
      for (int64_t j = 0; j < d; j++) dgains[g][j] = 0.f;
      for (int64_t i = 0; i < items; i++)
        for (int64_t j = 0; j < d; j++) dgains[g][j] += partial.data()[(i * 4 + g) * d + j];
    }
  }
}

}  // namespace rf
