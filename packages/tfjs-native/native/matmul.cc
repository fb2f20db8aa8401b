// Splits a batched product into (batch, row block, column block) tasks for the pool.
#include "matmul.h"

#include "cpu_dispatch.h"
#include "native_memory.h"
#include "thread_pool.h"

namespace rf {

namespace {

// The operands of batch item `bi` of the problem, as the ISA kernels read them.
GemmArgs gemm_args(const MatMulProblem& p, int64_t bi) {
  int64_t a_off = 0, b_off = 0, idx = bi;
  for (int64_t d = int64_t(p.batch_shape.size()) - 1; d >= 0; d--) {
    const int64_t coord = idx % p.batch_shape[d];
    idx /= p.batch_shape[d];
    a_off += coord * p.a_batch_stride[d];
    b_off += coord * p.b_batch_stride[d];
  }
  GemmArgs g;
  g.a = p.a + a_off;
  g.b = p.b + b_off;
  g.c = p.c + bi * p.m * p.n;
  g.m = p.m;
  g.n = p.n;
  g.k = p.k;
  g.a_row = p.trans_a ? 1 : p.k;
  g.a_col = p.trans_a ? p.m : 1;
  g.b_row = p.trans_b ? 1 : p.n;
  g.b_col = p.trans_b ? p.k : 1;
  return g;
}

}  // namespace

void matmul(const MatMulProblem& p) {
  const KernelTable* t = active_table();
  int64_t batch = 1;
  for (int64_t d : p.batch_shape) batch *= d;
  if (batch == 1 && p.m == 0 && p.b_sums) {
    // No rows of C to compute, but B's column sums are still wanted: an empty block at row 0 gives them.
    GemmArgs g = gemm_args(p, 0);
    g.b_sums = p.b_sums;
    t->gemm_block(g, 0, 0, 0, p.n);
  }
  if (batch == 0 || p.m == 0 || p.n == 0) return;
  const double flops = 2.0 * double(batch) * double(p.m) * double(p.n) * double(p.k);
  const bool parallel = flops >= kParallelFlops && pool_threads() > 1;
  // Blocks are block_n columns wide and as tall as possible: each block packs its slice of B
  // once for all its rows. Rows are split only to give every thread about two blocks.
  const int64_t nb = (p.n + t->block_n - 1) / t->block_n;
  const int64_t row_tiles = (p.m + t->tile_m - 1) / t->tile_m;
  int64_t row_parts = 1;
  if (parallel) {
    const int64_t want = 2 * int64_t(pool_threads());
    row_parts = batch * nb >= want ? 1 : (want + batch * nb - 1) / (batch * nb);
    if (row_parts > row_tiles) row_parts = row_tiles;
  }
  const int64_t block_m = (row_tiles + row_parts - 1) / row_parts * t->tile_m;
  const int64_t mb = (p.m + block_m - 1) / block_m;
  const int64_t tasks = batch * mb * nb;

  ScratchBuffer bias_row(p.bias && p.bias_len == 1 ? size_t(p.n) : 0);
  const float* bias = p.bias;
  if (p.bias && p.bias_len == 1) {
    for (int64_t j = 0; j < p.n; j++) bias_row.data()[j] = p.bias[0];
    bias = bias_row.data();
  }
  const bool prelu = p.activation == kPrelu;
  const int activation = prelu ? int(kLinear) : p.activation;
  // A bias alone is added as each register tile is stored; with an activation or GELU output it
  // goes with them, block by block.
  const bool tile_bias = bias != nullptr && activation == kLinear && !prelu && !p.gelu_out;
  const bool epilogue = (bias != nullptr && !tile_bias) || activation != kLinear;

  auto run = [&](int64_t task) {
    const int64_t bi = task / (mb * nb);
    const int64_t rest = task % (mb * nb);
    const int64_t i = rest / nb, j = rest % nb;
    GemmArgs g = gemm_args(p, bi);
    if (tile_bias) g.bias = bias;
    g.b_sums = batch == 1 ? p.b_sums : nullptr;
    const int64_t m0 = i * block_m, m1 = m0 + block_m < p.m ? m0 + block_m : p.m;
    const int64_t n0 = j * t->block_n, n1 = n0 + t->block_n < p.n ? n0 + t->block_n : p.n;
    t->gemm_block(g, m0, m1, n0, n1);
    if (epilogue) {
      for (int64_t r = m0; r < m1; r++) {
        t->bias_activation(g.c + r * p.n + n0, bias ? bias + n0 : nullptr, 1, n1 - n0, activation, p.alpha);
      }
    }
    if (p.gelu_out) {
      float* h = p.gelu_out + bi * p.m * p.n;
      for (int64_t r = m0; r < m1; r++) t->gelu(g.c + r * p.n + n0, h + r * p.n + n0, n1 - n0);
    }
    if (prelu) {
      for (int64_t r = m0; r < m1; r++) {
        float* row = g.c + r * p.n;
        for (int64_t c = n0; c < n1; c++) {
          const float w = p.prelu_weights[p.prelu_len == 1 ? 0 : c];
          row[c] = row[c] < 0.f ? w * row[c] : row[c];
        }
      }
    }
  };
  if (!parallel) {
    for (int64_t task = 0; task < tasks; task++) run(task);
  } else {
    parallel_for(tasks, run);
  }
}

}  // namespace rf
