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

// The MM-DiT's joint attention over two streams, heads first: qc [H, B, Lcq, d] (Lcq is Lc, or 0
// when only the image rows query), kc and vc [H, B, Lc, d], qx, kx, vx [H, B, Lx, d]. The
// sequences are joined as [context; image] inside each (head, batch) item, so no concatenated
// copy is made; the outputs come out with the heads merged, oc [B, Lcq, H d] and ox [B, Lx, H d],
// with p [H, B, Lcq + Lx, Lc + Lx] kept for the backward (which gives the six input gradients).
struct JointShape {
  int64_t heads, batch, lcq, lc, lx, d;
};
void joint_attention(const float* qc, const float* kc, const float* vc, const float* qx, const float* kx, const float* vx,
                     float* oc, float* ox, float* p, const JointShape& s, float scale);
void joint_attention_grad(const float* doc, const float* dox, const float* qc, const float* kc, const float* vc, const float* qx,
                          const float* kx, const float* vx, const float* p, float* dqc, float* dkc, float* dvc, float* dqx,
                          float* dkx, float* dvx, const JointShape& s, float scale);

}  // namespace rf
