// ScratchBuffer: 64-byte aligned temporary memory counted in a global atomic.
#include "native_memory.h"

#include <atomic>
#include <cstdlib>
#include <new>

namespace rf {
namespace {
std::atomic<int64_t> live{0};
}

int64_t live_scratch_bytes() { return live.load(); }

ScratchBuffer::ScratchBuffer(size_t floats) : bytes_(((floats * sizeof(float)) + 63) / 64 * 64) {
  data_ = static_cast<float*>(std::aligned_alloc(64, bytes_ == 0 ? 64 : bytes_));
  if (!data_) throw std::bad_alloc();
  live += int64_t(bytes_);
}

ScratchBuffer::~ScratchBuffer() {
  std::free(data_);
  live -= int64_t(bytes_);
}

}  // namespace rf
