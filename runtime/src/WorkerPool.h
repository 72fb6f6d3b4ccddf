//===- WorkerPool.h - Persistent threads for parallel estimates -*- C++ -*-===//
//
// A training step may run a parallel estimate every few microseconds;
// creating threads for each would cost more than the estimate. The pool's
// workers sleep on a condition variable between regions.
//
//===----------------------------------------------------------------------===//
#ifndef SVIC_RUNTIME_WORKERPOOL_H
#define SVIC_RUNTIME_WORKERPOOL_H

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace svic::runtime::detail {

class WorkerPool {
public:
  explicit WorkerPool(int Workers);
  ~WorkerPool();
  WorkerPool(const WorkerPool &) = delete;
  WorkerPool &operator=(const WorkerPool &) = delete;

  int workers() const { return static_cast<int>(Threads.size()); }
  /// Runs Body on the caller and on up to N - 1 workers (N <= workers() + 1)
  /// and returns when every started copy has returned. Body must share its
  /// work through its own counter: workers that have not started by the time
  /// the caller's copy returns are not started at all.
  void run(int N, const std::function<void()> &Body);

private:
  void loop();

  std::mutex M;
  std::condition_variable Wake, Finished;
  const std::function<void()> *Job = nullptr;
  uint64_t Generation = 0;
  int Claims = 0, Running = 0;
  bool Stop = false;
  std::vector<std::thread> Threads;
};

/// One thread's buffers during an estimate.
struct Scratch {
  std::vector<double> Grad, Signals, Workspace, Shift, S1, S2;
};

/// The pool an Estimator and its copies share, created on first use; Lock
/// serialises parallel regions of concurrent estimates. Spare keeps the
/// scratch buffers between estimates: a training step runs one estimate every
/// few microseconds, and allocating and clearing a workspace each time cost
/// more than the estimate itself.
struct PoolHolder {
  std::mutex Lock;
  std::unique_ptr<WorkerPool> Pool;
  std::mutex SpareLock;
  std::vector<Scratch> Spare;
};

} // namespace svic::runtime::detail

#endif
