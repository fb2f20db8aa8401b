// A small persistent thread pool. parallel_for runs tasks [0, n) on the calling thread and the
// workers; idle workers sleep on a condition variable (after a very short spin), and the caller
// works on tasks itself, then sleeps until the last worker finishes: nobody spins for long.
#pragma once
#include <cstdint>
#include <functional>

namespace rf {

// Memory-bound kernels (reductions, copies) use the pool only from this many elements: below
// it, waking a worker (slow when the other cores are busy) costs more than it saves.
constexpr int64_t kParallelElements = int64_t(1) << 22;
// Matrix products use the pool only from this many flops.
constexpr double kParallelFlops = 4.0e6;

// The fused kernels (GELU, softmax, LayerNorm + modulation, Adam; about 1 ns per element per
// thread) use the pool from this many elements: from here a second thread pays for its wake-up.
constexpr int64_t kParallelFused = int64_t(1) << 16;

// Number of threads used by parallel_for, the caller included (1 = no workers).
int pool_threads();
// Set the number of threads (clamped to [1, 64]); stops and restarts the workers.
void set_pool_threads(int threads);
// Run fn(task) for task in [0, tasks), spread over the pool.
void parallel_for(int64_t tasks, const std::function<void(int64_t)>& fn);

// Run part(i0, i1) over contiguous parts of [0, items) that cover it: one part per thread (at
// most one per item) when the work has `elements` >= kParallelFused and at least two items, else
// one part. Inner part boundaries are multiples of `align` (16 floats: one cache line).
template <typename F>
void parallel_parts(int64_t items, int64_t elements, int64_t align, F part) {
  const int64_t threads = pool_threads();
  const int64_t chunks = elements >= kParallelFused && items >= 2 ? (items < threads ? items : threads) : 1;
  parallel_for(chunks, [&](int64_t c) {
    const int64_t i0 = items * c / chunks / align * align;
    const int64_t i1 = c + 1 == chunks ? items : items * (c + 1) / chunks / align * align;
    if (i1 > i0) part(i0, i1);
  });
}

}  // namespace rf
