// The kernel table for the avx2 instruction set: the shared kernel templates compiled with this
// translation unit's flags (set per target in binding.gyp), vectors of 8 floats, a 6-row tile.
#define RF_VW 8
#define RF_MR 6

#include <cstdint>
#include <cstdlib>

#include "kernel_table.h"

namespace rf {
namespace avx2 {
#include "gemm_impl.h"
#include "reduce_impl.h"
#include "activation_impl.h"
#include "fused_impl.h"
}  // namespace avx2

const KernelTable* avx2_table() {
  static const KernelTable table = {"avx2", avx2::kMR, avx2::kNC, avx2::gemm_block, avx2::reduce_rows, avx2::reduce_mid,
                                    avx2::bias_activation,
                                    avx2::gelu_range, avx2::gelu_grad_range, avx2::softmax_rows, avx2::softmax_grad_rows,
                                    avx2::ln_modulate_item, avx2::ln_modulate_grad_item, avx2::rms_norm_rows,
                                    avx2::rms_norm_grad_rows, avx2::adam_range, avx2::silu_range, avx2::silu_grad_range,
                                    avx2::gated_residual_item, avx2::gated_residual_grad_item};
  return &table;
}

}  // namespace rf
