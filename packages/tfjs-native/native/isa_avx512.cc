// The kernel table for the avx512 instruction set: the shared kernel templates compiled with this
// translation unit's flags (set per target in binding.gyp), vectors of 16 floats, a 8-row tile.
#define RF_VW 16
#define RF_MR 8

#include <cstdint>
#include <cstdlib>

#include "kernel_table.h"

namespace rf {
namespace avx512 {
#include "gemm_impl.h"
#include "reduce_impl.h"
#include "activation_impl.h"
#include "fused_impl.h"
}  // namespace avx512

const KernelTable* avx512_table() {
  static const KernelTable table = {"avx512", avx512::kMR, avx512::kNC, avx512::gemm_block, avx512::reduce_rows, avx512::reduce_mid,
                                    avx512::bias_activation,
                                    avx512::gelu_range, avx512::gelu_grad_range, avx512::softmax_rows, avx512::softmax_grad_rows,
                                    avx512::ln_modulate_item, avx512::ln_modulate_grad_item, avx512::rms_norm_rows,
                                    avx512::rms_norm_grad_rows, avx512::adam_range, avx512::silu_range, avx512::silu_grad_range,
                                    avx512::gated_residual_item, avx512::gated_residual_grad_item};
  return &table;
}

}  // namespace rf
