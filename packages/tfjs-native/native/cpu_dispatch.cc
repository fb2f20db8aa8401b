// Picks the kernel table with __builtin_cpu_supports (x86) or the portable one elsewhere.
#include "cpu_dispatch.h"

#include <cstring>
#include <initializer_list>

namespace rf {
namespace {

bool supports(const char* name) {
  if (std::strcmp(name, "portable") == 0) return true;
#if defined(RF_HAVE_X86_KERNELS)
  __builtin_cpu_init();
  if (std::strcmp(name, "avx512") == 0) return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma");
  if (std::strcmp(name, "avx2") == 0) return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
  return false;
}

const KernelTable* by_name(const char* name) {
  if (std::strcmp(name, "portable") == 0) return portable_table();
#if defined(RF_HAVE_X86_KERNELS)
  if (std::strcmp(name, "avx512") == 0) return avx512_table();
  if (std::strcmp(name, "avx2") == 0) return avx2_table();
#endif
  return nullptr;
}

const KernelTable* active = nullptr;

}  // namespace

const KernelTable* select_table(const char* force) {
  if (force) return supports(force) ? by_name(force) : nullptr;
  for (const char* name : {"avx512", "avx2", "portable"}) {
    if (supports(name)) return by_name(name);
  }
  return portable_table();
}

const KernelTable* active_table() {
  if (!active) active = select_table(nullptr);
  return active;
}

void set_active_table(const KernelTable* table) { active = table; }

}  // namespace rf
