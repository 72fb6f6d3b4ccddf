//===- StackGuard.h - Bounding recursion by stack use (frontend-internal) ---===//
///
/// \file
/// The parser, the AST builder and the lowering are recursive. Input nested
/// absurdly deeply (thousands of brackets, operators or blocks) must give a
/// diagnostic, not a stack overflow: each recursive walk measures the stack it
/// has used since it started and stops when it exceeds its budget.
//===----------------------------------------------------------------------===//
#pragma once

#include <cstddef>
#include <cstdint>

namespace svic::frontend {

class StackGuard {
public:
  explicit StackGuard(size_t Budget) : Base(here()), Budget(Budget) {}
  bool exceeded() const {
    uintptr_t Now = here();
    return Base > Now && Base - Now > Budget; // the stack grows down
  }

private:
  __attribute__((noinline)) static uintptr_t here() {
    return reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
  }
  uintptr_t Base;
  size_t Budget;
};

} // namespace svic::frontend
