//===- CodegenPlan.h - Activity and storage, decided before any LLVM IR ----===//
///
/// \file
/// Private to svic_backend. Everything the code generator decides statically
/// about a lir::Function besides the instructions themselves: which values
/// carry a gradient (active), and where each value, adjoint and scratch
/// buffer lives. Kept free of LLVM so that workspaceDoubles() is cheap and
/// the emitter only follows the plan.
//===----------------------------------------------------------------------===//
#pragma once

#include "svic/backend/Lir.h"

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

namespace svic::backend::codegen {

/// Byte offsets of svic_sample_ctx on x86-64 System V, which the emitter's
/// LLVM struct type must reproduce (checked against the DataLayout when the
/// module is built, and against offsetof by a test).
namespace ctx {
constexpr unsigned Params = 0, Data = 1, Baselines = 2, Grad = 3, Signals = 4, Workspace = 5, Seed = 6,
                   Step = 7, Sample = 8, BadSite = 9, KinkHits = 10, NumFields = 11;
constexpr uint64_t ByteOffset[NumFields] = {0, 8, 16, 24, 32, 40, 48, 56, 64, 72, 76};
constexpr uint64_t Size = 80;
} // namespace ctx

enum class Storage : uint8_t {
  None,      ///< no storage (an inactive adjoint, an unused id)
  Local,     ///< a stack array the optimiser promotes to registers
  Workspace, ///< ctx->workspace[Offset ...]
  Global,    ///< a constant array in the module (Const)
  Params,    ///< ctx->params[Offset ...], read only (a large Param)
  Data,      ///< ctx->data[Offset ...], read only (a large Input)
  Alias,     ///< the storage of value Of, same flat layout (Reshape, CheckFinite, StopGradient)
};

struct Slot {
  Storage Kind = Storage::None;
  int64_t Offset = 0;
  lir::ValueId Of = 0;
};

struct Plan {
  /// Rules outlined (outlinesRules): then nothing lives on the stack, since
  /// the code is split over functions that share only ctx's buffers.
  bool Outlined = false;
  std::vector<bool> Active;     ///< depends on a Param and a factor depends on it
  std::vector<Slot> Value;      ///< forward storage, by ValueId
  std::vector<Slot> Adjoint;    ///< adjoint storage of active values
  /// Per-instruction scratch (reverse-mode temporaries), keyed by the
  /// instruction's address in the planned Function.
  std::unordered_map<const lir::Instr *, Slot> Scratch;
  int64_t WorkspaceDoubles = 0;

  /// Whether the reverse sweep must visit \p I (its result or, for an If,
  /// anything inside it is active).
  bool needsReverse(const lir::Instr &I) const;
};

/// Largest tensor kept on the stack; larger ones go to ctx->workspace.
constexpr int64_t MaxLocalDoubles = 64;

/// Doubles of scratch the reverse rule of \p I needs (0: none).
int64_t scratchDoubles(const lir::Function &F, const lir::Instr &I);

/// Whether \p I has a loop (some tensor it reads or writes is not a scalar)
/// and code (not storage only, not a region).
bool hasLoop(const lir::Function &F, const lir::Instr &I);

/// Instructions with loops in \p I and its regions.
size_t loopRules(const lir::Function &F, const lir::Instr &I);

/// Whether the rules (forward and reverse code) of the instructions with
/// loops in \p F are emitted as separate functions: when there are at least
/// \p OutlineFrom of them (Codegen.h, DefaultOutlineFrom).
bool outlinesRules(const lir::Function &F, size_t OutlineFrom);

Plan plan(const lir::Function &F, size_t OutlineFrom);

} // namespace svic::backend::codegen
