//===- WorkerPool.cpp - Persistent threads for parallel estimates ----------===//

#include "WorkerPool.h"

namespace svic::runtime::detail {

WorkerPool::WorkerPool(int Workers) {
  for (int I = 0; I < Workers; ++I)
    Threads.emplace_back([this] { loop(); });
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard<std::mutex> L(M);
    Stop = true;
  }
  Wake.notify_all();
  for (std::thread &T : Threads)
    T.join();
}

void WorkerPool::loop() {
  std::unique_lock<std::mutex> L(M);
  uint64_t Seen = Generation;
  for (;;) {
    Wake.wait(L, [&] { return Stop || (Claims > 0 && Generation != Seen); });
    if (Stop)
      return;
    Seen = Generation;
    --Claims;
    ++Running;
    const std::function<void()> *Body = Job;
    L.unlock();
    (*Body)();
    L.lock();
    if (--Running == 0)
      Finished.notify_all();
  }
}

void WorkerPool::run(int N, const std::function<void()> &Body) {
  {
    std::lock_guard<std::mutex> L(M);
    Job = &Body;
    Claims = N - 1;
    ++Generation;
  }
  Wake.notify_all();
  Body();
  std::unique_lock<std::mutex> L(M);
  Claims = 0;
  Finished.wait(L, [&] { return Running == 0; });
  Job = nullptr;
}

} // namespace svic::runtime::detail
