// The kernel table for the portable instruction set: the shared kernel templates compiled with this
// translation unit's flags (set per target in binding.gyp), vectors of 4 floats, a 4-row tile.
#define RF_VW 4
#define RF_MR 4

#include <cstdint>
#include <cstdlib>

#include "kernel_table.h"

namespace rf {
namespace portable {
#include "gemm_impl.h"
#include "reduce_impl.h"
#include "activation_impl.h"
#include "fused_impl.h"
}  // namespace portable

const KernelTable* portable_table() {
  static const KernelTable table = {"portable", portable::kMR, portable::kNC, portable::gemm_block, portable::reduce_rows, portable::reduce_mid,
                                    portable::bias_activation,
                                    portable::gelu_range, portable::gelu_grad_range, portable::softmax_rows, portable::softmax_grad_rows,
                                    portable::ln_modulate_item, portable::ln_modulate_grad_item, portable::rms_norm_rows,
                                    portable::rms_norm_grad_rows, portable::adam_range, portable::silu_range, portable::silu_grad_range,
                                    portable::gated_residual_item, portable::gated_residual_grad_item};
  return &table;
}

}  // namespace rf
