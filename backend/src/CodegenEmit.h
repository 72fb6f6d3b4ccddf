//===- CodegenEmit.h - LIR to an LLVM module (forward and adjoint code) ----===//
///
/// \file
/// Private to svic_backend: the IR emitter, separate from the pass pipeline
/// and the JIT so that each translation unit pulls in only the LLVM headers it
/// needs.
//===----------------------------------------------------------------------===//
#pragma once

#include "CodegenPlan.h"

#include <memory>
#include <string>

namespace llvm {
class DataLayout;
class LLVMContext;
class Module;
} // namespace llvm

namespace svic::backend::codegen {

/// Whether the module for \p F defines svic_gen_block: when its values per
/// sample (gradient, ELBO, signals) are few enough for registers.
bool emitsBlock(const lir::Function &F);

/// A module defining svic_gen_sample and svic_gen_descriptor (and
/// svic_gen_block where emitsBlock) for \p F as
/// planned by \p P, for the target described by \p DL and \p Triple. On an
/// internal inconsistency returns null and sets \p Error.
std::unique_ptr<llvm::Module> emitModule(const lir::Function &F, const Plan &P, const std::string &DescriptorJson,
                                         llvm::LLVMContext &C, const llvm::DataLayout &DL,
                                         const std::string &Triple, std::string &Error);

} // namespace svic::backend::codegen
