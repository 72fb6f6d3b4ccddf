//===- Codegen.h - LIR to LLVM: forward pass, generated adjoint, JIT, AOT ---===//
///
/// \file
/// Turns one lir::Function into an LLVM module exporting
///   double svic_gen_sample(svic_sample_ctx *ctx);   (svic/runtime/Abi.h)
///   const char svic_gen_descriptor[];                (the descriptor JSON, NUL-terminated)
///   void svic_gen_block(...);                        (small models only: a block of samples, reduced)
/// svic_gen_sample runs the forward pass, the learning signals, and the
/// reverse sweep (generated adjoint code, no tape interpreter), as Lir.h
/// specifies. The same module build, O2 pipeline and host target machine
/// serve the JIT and the object file, so both compute bit-identical results.
/// No LLVM type appears in this header.
//===----------------------------------------------------------------------===//
#pragma once

#include "svic/backend/Lir.h"
#include "svic/runtime/Abi.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace svic::backend {

struct CodegenResult {
  bool Ok = false;
  std::string Error;       ///< when !Ok
  double CompileMs = 0;    ///< IR generation + verify + O2 (+ JIT materialisation)
  std::string OptimizedIR; ///< the optimised module as text, when asked for
};

/// A JIT-compiled estimator; owns the LLJIT instance.
class JitModel {
public:
  virtual ~JitModel() = default;
  virtual svic_sample_fn sampleFn() const = 0;
  /// svic_gen_block, or null when the model has too many values for it.
  virtual svic_block_fn blockFn() const = 0;
  virtual const char *descriptor() const = 0;
};

/// Functions with at least this many tensor instructions (instructions with a
/// loop) emit each one's forward and reverse rule as a separate internal
/// function, merged when identical, so that optimisation time grows linearly
/// with the program (an unrolled RNN); smaller functions are optimised whole.
constexpr size_t DefaultOutlineFrom = 1000;

/// Doubles of ctx->workspace that svic_gen_sample for \p F needs (tensors too
/// large for the stack, or all of them when outlining, their adjoints and
/// reverse-mode scratch); the descriptor's "workspaceDoubles".
int64_t workspaceDoubles(const lir::Function &F, size_t OutlineFrom = DefaultOutlineFrom);

/// Builds, verifies, optimises (O2) and JIT-compiles \p F. \p WantIR fills
/// Result.OptimizedIR; \p OutlineFrom as DefaultOutlineFrom (tests lower it).
std::unique_ptr<JitModel> jitCompile(const lir::Function &F, const std::string &DescriptorJson,
                                     CodegenResult &Result, bool WantIR = false,
                                     size_t OutlineFrom = DefaultOutlineFrom);

/// Same module, written as a relocatable PIC object file at \p ObjectPath.
CodegenResult emitObject(const lir::Function &F, const std::string &DescriptorJson,
                         const std::string &ObjectPath, bool WantIR = false,
                         size_t OutlineFrom = DefaultOutlineFrom);

} // namespace svic::backend
