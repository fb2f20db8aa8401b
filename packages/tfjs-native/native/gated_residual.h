// The gated residual update of adaLN-zero blocks (the RectiflowGatedResidual custom op):
// out = x + gate * y for x and y [batch, tokens, channels] and gate [batch, channels] broadcast
// over the tokens, in one pass; the backward gives dy = gate * dout and dgate, the sum over the
// tokens of dout * y (x's gradient is dout).
#pragma once
#include <cstdint>

namespace rf {

void gated_residual(const float* x, const float* gate, const float* y, float* out, int64_t batch, int64_t tokens,
                    int64_t channels);
void gated_residual_grad(const float* dout, const float* gate, const float* y, float* dgate, float* dy, int64_t batch,
                         int64_t tokens, int64_t channels);

}  // namespace rf
