//===- Codegen.cpp - Verify, optimise, and compile to an object or the JIT -===//
//
// One path for both products: the emitted module is verified, optimised by
// the new-PM O2 pipeline and compiled to an ELF object by one host
// TargetMachine (host CPU and features, PIC). emitObject writes that object;
// jitCompile links the very same bytes into an ORC LLJIT, so the JIT and a
// compiled model execute identical machine code.
//
//===----------------------------------------------------------------------===//

#include "svic/backend/Codegen.h"

#include "CodegenEmit.h"
#include "CodegenPlan.h"

#include <llvm/ADT/SmallVector.h>
#include <llvm/ExecutionEngine/Orc/ExecutionUtils.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>
#include <llvm/TargetParser/Host.h>
#include <llvm/TargetParser/SubtargetFeature.h>

#include <chrono>
#include <mutex>

namespace svic::backend {

using namespace llvm;

namespace {

void initTargets() {
  static std::once_flag Once;
  std::call_once(Once, [] {
    InitializeNativeTarget();
    InitializeNativeTargetAsmPrinter();
  });
}

/// The one target machine configuration: this host's CPU and features,
/// position-independent code, default (O2) code generation.
std::unique_ptr<TargetMachine> hostMachine(std::string &Error) {
  std::string Triple = sys::getProcessTriple();
  const Target *T = TargetRegistry::lookupTarget(Triple, Error);
  if (!T)
    return nullptr;
  SubtargetFeatures Features;
  for (const auto &Feature : sys::getHostCPUFeatures())
    Features.AddFeature(Feature.getKey(), Feature.getValue());
  return std::unique_ptr<TargetMachine>(T->createTargetMachine(Triple, sys::getHostCPUName(), Features.getString(),
                                                               TargetOptions(), Reloc::PIC_, std::nullopt,
                                                               CodeGenOptLevel::Default));
}

void optimise(Module &M, TargetMachine &TM) {
  LoopAnalysisManager LAM;
  FunctionAnalysisManager FAM;
  CGSCCAnalysisManager CGAM;
  ModuleAnalysisManager MAM;
  PassBuilder PB(&TM);
  PB.registerModuleAnalyses(MAM);
  PB.registerCGSCCAnalyses(CGAM);
  PB.registerFunctionAnalyses(FAM);
  PB.registerLoopAnalyses(LAM);
  PB.crossRegisterProxies(LAM, FAM, CGAM, MAM);
  PB.buildPerModuleDefaultPipeline(OptimizationLevel::O2).run(M, MAM);
}

/// Emits, verifies, optimises and compiles \p F to an object in memory.
bool compile(const lir::Function &F, const std::string &DescriptorJson, bool WantIR, size_t OutlineFrom,
             SmallVectorImpl<char> &Object, CodegenResult &Result) {
  initTargets();
  if (std::string Bad = lir::verify(F); !Bad.empty()) {
    Result.Error = "internal error: invalid LIR: " + Bad;
    return false;
  }
  std::string Error;
  std::unique_ptr<TargetMachine> TM = hostMachine(Error);
  if (!TM) {
    Result.Error = "no code generator for this host: " + Error;
    return false;
  }
  LLVMContext C;
  codegen::Plan P = codegen::plan(F, OutlineFrom);
  std::unique_ptr<Module> M =
      codegen::emitModule(F, P, DescriptorJson, C, TM->createDataLayout(), TM->getTargetTriple().str(), Error);
  if (!M) {
    Result.Error = Error;
    return false;
  }
  std::string Broken;
  raw_string_ostream BrokenOS(Broken);
  if (verifyModule(*M, &BrokenOS)) {
    Result.Error = "internal error: the generated LLVM IR does not verify: " + Broken;
    return false;
  }
  optimise(*M, *TM);
  if (WantIR) {
    Result.OptimizedIR.clear();
    raw_string_ostream OS(Result.OptimizedIR);
    M->print(OS, nullptr);
  }
  raw_svector_ostream OS(Object);
  legacy::PassManager CodeGen;
  if (TM->addPassesToEmitFile(CodeGen, OS, nullptr, CodeGenFileType::ObjectFile)) {
    Result.Error = "internal error: the target cannot emit object files";
    return false;
  }
  CodeGen.run(*M);
  return true;
}

double msSince(std::chrono::steady_clock::time_point T0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - T0).count();
}

/// The runtime entry points generated code may call, by their C names.
orc::SymbolMap runtimeSymbols(orc::MangleAndInterner &Mangle) {
  orc::SymbolMap Syms;
  auto add = [&](const char *Name, auto *Fn) {
    Syms[Mangle(Name)] = {orc::ExecutorAddr::fromPtr(Fn), JITSymbolFlags::Exported | JITSymbolFlags::Callable};
  };
#define SVIC_RT(Name) add(#Name, &Name)
  SVIC_RT(svic_rt_std_normal);
  SVIC_RT(svic_rt_uniform01);
  SVIC_RT(svic_rt_lpdf_normal);
  SVIC_RT(svic_rt_lpdf_lognormal);
  SVIC_RT(svic_rt_lpdf_halfnormal);
  SVIC_RT(svic_rt_lpdf_uniform);
  SVIC_RT(svic_rt_lpdf_exponential);
  SVIC_RT(svic_rt_lpdf_gamma);
  SVIC_RT(svic_rt_lpdf_beta);
  SVIC_RT(svic_rt_lpdf_bernoulli_probs);
  SVIC_RT(svic_rt_lpdf_bernoulli_logits);
  SVIC_RT(svic_rt_lpdf_poisson);
  SVIC_RT(svic_rt_lpdf_categorical_probs);
  SVIC_RT(svic_rt_lpdf_categorical_logits);
  SVIC_RT(svic_rt_lpdf_dirichlet);
  SVIC_RT(svic_rt_sample_gamma);
  SVIC_RT(svic_rt_sample_beta);
  SVIC_RT(svic_rt_sample_poisson);
  SVIC_RT(svic_rt_sample_dirichlet);
  SVIC_RT(svic_rt_subsample);
  SVIC_RT(svic_rt_lgamma);
  SVIC_RT(svic_rt_digamma);
#undef SVIC_RT
  return Syms;
}

class LLJitModel final : public JitModel {
public:
  LLJitModel(std::unique_ptr<orc::LLJIT> J, svic_sample_fn Fn, svic_block_fn Block, const char *Descriptor)
      : J(std::move(J)), Fn(Fn), Block(Block), Descriptor(Descriptor) {}
  svic_sample_fn sampleFn() const override { return Fn; }
  svic_block_fn blockFn() const override { return Block; }
  const char *descriptor() const override { return Descriptor; }

private:
  std::unique_ptr<orc::LLJIT> J;
  svic_sample_fn Fn;
  svic_block_fn Block;
  const char *Descriptor;
};

} // namespace

std::unique_ptr<JitModel> jitCompile(const lir::Function &F, const std::string &DescriptorJson,
                                     CodegenResult &Result, bool WantIR, size_t OutlineFrom) {
  auto T0 = std::chrono::steady_clock::now();
  Result = CodegenResult();
  SmallVector<char, 0> Object;
  if (!compile(F, DescriptorJson, WantIR, OutlineFrom, Object, Result))
    return nullptr;
  auto fail = [&](Error E) -> std::unique_ptr<JitModel> {
    Result.Error = "JIT: " + toString(std::move(E));
    return nullptr;
  };
  Expected<std::unique_ptr<orc::LLJIT>> J = orc::LLJITBuilder().create();
  if (!J)
    return fail(J.takeError());
  orc::JITDylib &Lib = (*J)->getMainJITDylib();
  orc::MangleAndInterner Mangle((*J)->getExecutionSession(), (*J)->getDataLayout());
  if (Error E = Lib.define(orc::absoluteSymbols(runtimeSymbols(Mangle))))
    return fail(std::move(E));
  // libm and libc (log1p, erf, memset, ...): shared libraries of the process,
  // visible to dlsym without exporting the executable's own symbols.
  auto Process = orc::DynamicLibrarySearchGenerator::GetForCurrentProcess((*J)->getDataLayout().getGlobalPrefix());
  if (!Process)
    return fail(Process.takeError());
  Lib.addGenerator(std::move(*Process));
  StringRef Bytes(Object.data(), Object.size());
  if (Error E = (*J)->addObjectFile(MemoryBuffer::getMemBufferCopy(Bytes, "svic-model.o")))
    return fail(std::move(E));
  Expected<orc::ExecutorAddr> Sample = (*J)->lookup("svic_gen_sample");
  if (!Sample)
    return fail(Sample.takeError());
  Expected<orc::ExecutorAddr> Descriptor = (*J)->lookup("svic_gen_descriptor");
  if (!Descriptor)
    return fail(Descriptor.takeError());
  svic_block_fn BlockFn = nullptr;
  if (codegen::emitsBlock(F)) {
    Expected<orc::ExecutorAddr> Block = (*J)->lookup("svic_gen_block");
    if (!Block)
      return fail(Block.takeError());
    BlockFn = Block->toPtr<svic_block_fn>();
  }
  auto Model = std::make_unique<LLJitModel>(std::move(*J), Sample->toPtr<svic_sample_fn>(), BlockFn,
                                            Descriptor->toPtr<const char *>());
  Result.Ok = true;
  Result.CompileMs = msSince(T0);
  return Model;
}

CodegenResult emitObject(const lir::Function &F, const std::string &DescriptorJson, const std::string &ObjectPath,
                         bool WantIR, size_t OutlineFrom) {
  auto T0 = std::chrono::steady_clock::now();
  CodegenResult Result;
  SmallVector<char, 0> Object;
  if (!compile(F, DescriptorJson, WantIR, OutlineFrom, Object, Result))
    return Result;
  std::error_code EC;
  raw_fd_ostream Out(ObjectPath, EC, sys::fs::OF_None);
  if (!EC) {
    Out.write(Object.data(), Object.size());
    Out.close();
    EC = Out.error();
    Out.clear_error(); // reported below, not by the stream's destructor
  }
  if (EC) {
    Result.Error = "cannot write " + ObjectPath + ": " + EC.message();
    return Result;
  }
  Result.Ok = true;
  Result.CompileMs = msSince(T0);
  return Result;
}

} // namespace svic::backend
