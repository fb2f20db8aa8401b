// The persistent thread pool behind parallel_for (see thread_pool.h).
#include "thread_pool.h"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace rf {
namespace {

struct Pool {
  std::mutex mu;
  std::condition_variable wake;   // workers wait for a new job
  std::condition_variable done;   // the caller waits for the workers to finish
  std::vector<std::thread> workers;
  const std::function<void(int64_t)>* job = nullptr;
  int64_t tasks = 0;
  std::atomic<int64_t> next{0};
  uint64_t generation = 0;
  int busy = 0;
  bool stop = false;
  int threads = 1;

  void run_tasks(const std::function<void(int64_t)>& fn, int64_t n) {
    for (;;) {
      const int64_t t = next.fetch_add(1, std::memory_order_relaxed);
      if (t >= n) return;
      fn(t);
    }
  }

  void worker_loop() {
    uint64_t seen = 0;
    std::unique_lock<std::mutex> lock(mu);
    for (;;) {
      wake.wait(lock, [&] { return stop || generation != seen; });
      if (stop) return;
      seen = generation;
      const auto* fn = job;
      const int64_t n = tasks;
      lock.unlock();
      run_tasks(*fn, n);
      lock.lock();
      if (--busy == 0) done.notify_one();
    }
  }

  void start(int count) {
    stop = false;
    threads = count;
    for (int i = 1; i < count; i++) workers.emplace_back([this] { worker_loop(); });
  }

  void shutdown() {
    {
      std::lock_guard<std::mutex> lock(mu);
      stop = true;
    }
    wake.notify_all();
    for (auto& w : workers) w.join();
    workers.clear();
    threads = 1;
  }
};

Pool& pool() {
  static Pool* p = [] {
    auto* created = new Pool();
    unsigned hw = std::thread::hardware_concurrency();
    created->start(hw == 0 ? 1 : (hw > 64 ? 64 : int(hw)));
    return created;
  }();
  return *p;
}

std::mutex call_mu;  // one parallel_for at a time

}  // namespace

int pool_threads() { return pool().threads; }

void set_pool_threads(int threads) {
  std::lock_guard<std::mutex> guard(call_mu);
  if (threads < 1) threads = 1;
  if (threads > 64) threads = 64;
  Pool& p = pool();
  if (threads == p.threads) return;
  p.shutdown();
  p.start(threads);
}

void parallel_for(int64_t tasks, const std::function<void(int64_t)>& fn) {
  if (tasks <= 0) return;
  Pool& p = pool();
  if (tasks == 1 || p.workers.empty()) {
    for (int64_t t = 0; t < tasks; t++) fn(t);
    return;
  }
  std::lock_guard<std::mutex> guard(call_mu);
  {
    std::lock_guard<std::mutex> lock(p.mu);
    p.job = &fn;
    p.tasks = tasks;
    p.next.store(0, std::memory_order_relaxed);
    p.busy = int(p.workers.size());
    p.generation++;
  }
  p.wake.notify_all();
  p.run_tasks(fn, tasks);
  std::unique_lock<std::mutex> lock(p.mu);
  p.done.wait(lock, [&] { return p.busy == 0; });
  p.job = nullptr;
}

}  // namespace rf
