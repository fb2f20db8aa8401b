// Batched matrix product with broadcasting batch dimensions, transpose flags and the
// _FusedMatMul epilogue (bias over the last dimension, activation), scheduled on the pool.
#pragma once
#include <cstdint>
#include <vector>

namespace rf {

// Activation code of prelu (applied here, not in the ISA kernels).
constexpr int kPrelu = 6;

struct MatMulProblem {
  const float* a;  // [..batchA, m, k] or [..batchA, k, m] when trans_a
  const float* b;  // [..batchB, k, n] or [..batchB, n, k] when trans_b
  float* c;        // [..batch, m, n]
  int64_t m, n, k;
  bool trans_a, trans_b;
  std::vector<int64_t> batch_shape;     // output batch dims
  std::vector<int64_t> a_batch_stride;  // element stride of A per output batch dim (0 = broadcast)
  std::vector<int64_t> b_batch_stride;
  const float* bias = nullptr;  // length n, or length 1 (scalar), or null
  int64_t bias_len = 0;
  int activation = 0;  // an Activation code, or kPrelu with prelu_weights
  float alpha = 0.f;
  const float* prelu_weights = nullptr;  // length n, or 1 (scalar)
  int64_t prelu_len = 0;
  // When set ([..batch, m, n]): also GELU-tanh of C (after the bias), written while C's block is
  // in cache (the MM-DiT's MLP keeps C, the pre-activation, for the backward).
  float* gelu_out = nullptr;
  // When set ([n], batch of 1 only): the column sums of op(B) over k (a linear layer's bias
  // gradient from the B = dy of its weight gradient), in the same pass.
  float* b_sums = nullptr;
};

void matmul(const MatMulProblem& p);

}  // namespace rf
