// Run-time choice of the kernel table for this CPU.
#pragma once
#include "kernel_table.h"

namespace rf {

// The best table this CPU supports, or the one named by `force` ("avx512", "avx2",
// "portable") if the CPU supports it. Returns nullptr for an unknown or unsupported name.
const KernelTable* select_table(const char* force);
// The table in use (selected on first use with force = nullptr).
const KernelTable* active_table();
void set_active_table(const KernelTable* table);

}  // namespace rf
