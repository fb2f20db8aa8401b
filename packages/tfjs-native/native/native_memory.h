// Temporary native buffers with a live-byte counter, so tests can check that repeated kernel
// calls leave no native memory behind.
#pragma once
#include <cstddef>
#include <cstdint>

namespace rf {

// Bytes currently held by ScratchBuffer instances.
int64_t live_scratch_bytes();

class ScratchBuffer {
 public:
  explicit ScratchBuffer(size_t floats);
  ~ScratchBuffer();
  ScratchBuffer(const ScratchBuffer&) = delete;
  ScratchBuffer& operator=(const ScratchBuffer&) = delete;
  float* data() { return data_; }

 private:
  float* data_;
  size_t bytes_;
};

}  // namespace rf
