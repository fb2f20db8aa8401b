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

// Number of threads used by parallel_for, the caller included (1 = no workers).
int pool_threads();
// Set the number of threads (clamped to [1, 64]); stops and restarts the workers.
void set_pool_threads(int threads);
// Run fn(task) for task in [0, tasks), spread over the pool.
void parallel_for(int64_t tasks, const std::function<void(int64_t)>& fn);

}  // namespace rf
