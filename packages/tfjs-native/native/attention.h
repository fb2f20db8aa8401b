// Scaled dot-product attention per (head, batch) item, fused (the RectiflowAttention custom op):
// for q [n, lq, d], k and v [n, lk, d]: p = softmax(scale q k^T) [n, lq, lk] and o = p v [n, lq, d].
// The backward takes do, q, k, v and p and gives dq, dk and dv. The scores stay in one item's
// buffer (no tfjs tensors, no dispatch per product).
#pragma once
#include <cstdint>

namespace rf {

void attention(const float* q, const float* k, const float* v, float* o, float* p, int64_t n, int64_t lq, int64_t lk,
               int64_t d, float scale);
void attention_grad(const float* dout, const float* q, const float* k, const float* v, const float* p, float* dq, float* dk,
                    float* dv, int64_t n, int64_t lq, int64_t lk, int64_t d, float scale);

// The MM-DiT's joint attention over two streams, read straight from their qkv projections
// (token-major, [q | k | v] with heads side by side in each): qkvc [B, Lc, 3 H d] and
// qkvx [B, Lx, 3 H d]. The context rows query only when lcq = Lc (lcq = 0: only the image rows
// query, as in the pre-only last block). The sequences are joined as [context; image] inside each
// (head, batch) item, so no concatenated or transposed copy is made; the outputs come out with
// the heads merged, oc [B, lcq, H d] and ox [B, Lx, H d], with p [H, B, lcq + Lx, Lc + Lx] kept
// for the backward, which writes dqkvc and dqkvx (zero where q is not used).
struct JointShape {
  int64_t heads, batch, lcq, lc, lx, d;
};
// With `norm` set, q and k are RMS-normalised per head inside the kernel (the MM-DiT's q/k norm, a
// gain of d per stream: q_c, k_c, q_x, k_x) and qkvc, qkvx are the raw projections; the backward
// then also writes the four gains' gradients, dgains[0..3] for q_c, k_c, q_x and k_x (d each; summed
// per item, then over the items in order: independent of the thread count).
struct JointQkNorm {
  const float* gq_c;
  const float* gk_c;
  const float* gq_x;
  const float* gk_x;
  float eps;
};
void joint_attention(const float* qkvc, const float* qkvx, float* oc, float* ox, float* p, const JointShape& s, float scale,
                     const JointQkNorm* norm = nullptr);
void joint_attention_grad(const float* doc, const float* dox, const float* qkvc, const float* qkvx, const float* p, float* dqkvc,
                          float* dqkvx, const JointShape& s, float scale, const JointQkNorm* norm = nullptr,
                          float* const* dgains = nullptr);

}  // namespace rf
