//===- CodegenEmit.cpp - Forward pass, learning signals and adjoint sweep --===//
//
// One function, svic_gen_sample(ctx), in three parts: the forward pass over
// the LIR in program order, the factor sums (ELBO, learning signals, adjoint
// seeds), and the reverse sweep over the same instructions in reverse order.
// Every value lives in the storage the plan gave it and every tensor op is a
// loop over a flat index with constant bounds and strides, so a scalar model
// becomes straight-line code over stack slots that SROA turns into registers.
// A large program (Plan::Outlined) calls each tensor instruction's rule as a
// separate function instead, from chunk functions (see outline()).
//
//===----------------------------------------------------------------------===//

#include "CodegenEmit.h"

#include "LirUtil.h"

#include <llvm/IR/DataLayout.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/MDBuilder.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/StructuralHash.h>
#include <llvm/Transforms/Utils/FunctionComparator.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>

namespace svic::backend::codegen {

using namespace llvm;
using lir::Dist;
using lir::Op;
using lir::Shape;
using lir::ValueId;

namespace {

/// log(sqrt(2 pi)): the runtime's Normal constant, so that the inlined
/// density equals svic_rt_lpdf_normal bit for bit.
constexpr double LogSqrt2Pi = 0.91893853320467274178;

const char *lpdfName(Dist D) {
  switch (D) {
  case Dist::Normal: return "svic_rt_lpdf_normal";
  case Dist::LogNormal: return "svic_rt_lpdf_lognormal";
  case Dist::HalfNormal: return "svic_rt_lpdf_halfnormal";
  case Dist::Uniform: return "svic_rt_lpdf_uniform";
  case Dist::Exponential: return "svic_rt_lpdf_exponential";
  case Dist::Gamma: return "svic_rt_lpdf_gamma";
  case Dist::Beta: return "svic_rt_lpdf_beta";
  case Dist::BernoulliProbs: return "svic_rt_lpdf_bernoulli_probs";
  case Dist::BernoulliLogits: return "svic_rt_lpdf_bernoulli_logits";
  case Dist::Poisson: return "svic_rt_lpdf_poisson";
  case Dist::CategoricalProbs: return "svic_rt_lpdf_categorical_probs";
  case Dist::CategoricalLogits: return "svic_rt_lpdf_categorical_logits";
  case Dist::Dirichlet: return "svic_rt_lpdf_dirichlet";
  }
  return "";
}

class Emitter {
public:
  Emitter(const lir::Function &F, const Plan &P, LLVMContext &C, Module &M)
      : F(F), P(P), C(C), M(M), B(C), Dbl(B.getDoubleTy()), I64(B.getInt64Ty()), I32(B.getInt32Ty()),
        Ptr(B.getPtrTy()) {}

  void run(const std::string &DescriptorJson, StructType *CtxTy);

private:
  const lir::Function &F;
  const Plan &P;
  LLVMContext &C;
  Module &M;
  IRBuilder<> B;
  Type *Dbl, *I64, *I32, *Ptr;

  Function *Fn = nullptr;
  BasicBlock *EntryBB = nullptr;
  Value *Ctx = nullptr;
  StructType *CtxTy = nullptr;
  Value *Params = nullptr, *Data = nullptr, *Baselines = nullptr, *Grad = nullptr, *Signals = nullptr,
        *Workspace = nullptr, *Seed = nullptr, *Step = nullptr, *SampleNo = nullptr;
  Value *Kinks = nullptr;     ///< i32 kink hits of this call, added to ctx->kink_hits at the end
  AllocaInst *GBuf = nullptr; ///< the runtime's d/dx, d/da, d/db
  std::vector<Value *> Base, AdjBase;
  std::unordered_map<const lir::Instr *, Value *> ScratchBase;
  Function *Trigamma = nullptr;
  /// Workspace adjoints are initialised lazily, by root: AdjReady once zeroed
  /// or about to be fully written; StoreAdj while the reverse rule being
  /// emitted writes each element exactly once, so it stores instead of adding.
  std::vector<bool> AdjReady, StoreAdj;

  //===-- Small builders ------------------------------------------------===//

  Constant *c(double X) { return ConstantFP::get(Dbl, X); }
  Constant *i64(int64_t X) { return ConstantInt::get(I64, X); }
  const Shape &shape(ValueId V) const { return F.shape(V); }

  AllocaInst *entryAlloca(Type *T, const Twine &Name = "") {
    IRBuilder<> E(EntryBB, EntryBB->begin());
    return E.CreateAlloca(T, nullptr, Name);
  }
  /// A scalar accumulator on the stack (promoted to a register by mem2reg).
  AllocaInst *accum(Type *T, Value *Init, const Twine &Name = "") {
    AllocaInst *A = entryAlloca(T, Name);
    B.CreateStore(Init, A);
    return A;
  }

  /// A constant global, created through the module that owns it.
  GlobalVariable *constantGlobal(const std::string &Name, Constant *Init, GlobalValue::LinkageTypes Linkage) {
    auto *G = cast<GlobalVariable>(M.getOrInsertGlobal(Name, Init->getType()));
    G->setInitializer(Init);
    G->setConstant(true);
    G->setLinkage(Linkage);
    return G;
  }

  Value *gep(Value *Base, Value *Idx) { return B.CreateInBoundsGEP(Dbl, Base, Idx); }
  Value *ld(ValueId V, Value *Idx) { return B.CreateLoad(Dbl, gep(Base[V], Idx)); }
  void st(ValueId V, Value *Idx, Value *X) { B.CreateStore(X, gep(Base[V], Idx)); }
  Value *adj(ValueId V, Value *Idx) { return B.CreateLoad(Dbl, gep(AdjBase[V], Idx)); }
  void addTo(Value *Base, Value *Idx, Value *X) {
    Value *A = gep(Base, Idx);
    B.CreateStore(B.CreateFAdd(B.CreateLoad(Dbl, A), X), A);
  }
  /// adjoint(V)[Idx] += X, for active V only (a plain store while the
  /// current reverse rule is the first to write V's adjoint; see
  /// prepareAdjoints).
  void addAdj(ValueId V, Value *Idx, Value *X) {
    if (!P.Active[V])
      return;
    if (StoreAdj[adjRoot(V)])
      B.CreateStore(X, gep(AdjBase[V], Idx));
    else
      addTo(AdjBase[V], Idx, X);
  }
  ValueId adjRoot(ValueId V) const { return P.Adjoint[V].Kind == Storage::Alias ? P.Adjoint[V].Of : V; }
  void kink(Value *AtKink) {
    B.CreateStore(B.CreateAdd(B.CreateLoad(I32, Kinks), B.CreateZExt(AtKink, I32)), Kinks);
  }

  Value *udiv(Value *I, int64_t K) { return K == 1 ? I : B.CreateUDiv(I, i64(K)); }
  Value *urem(Value *I, int64_t K) { return B.CreateURem(I, i64(K)); }
  Value *mul(Value *I, int64_t K) { return K == 1 ? I : B.CreateMul(I, i64(K)); }
  Value *add(Value *A, Value *Bv) { return B.CreateAdd(A, Bv); }

  Value *unaryIntr(Intrinsic::ID Id, Value *X) { return B.CreateUnaryIntrinsic(Id, X); }
  FunctionCallee decl(StringRef Name, Type *Ret, ArrayRef<Type *> Args) {
    FunctionCallee FC = M.getOrInsertFunction(Name, FunctionType::get(Ret, Args, false));
    if (auto *Fd = dyn_cast<Function>(FC.getCallee()))
      Fd->addFnAttr(Attribute::NoUnwind);
    return FC;
  }
  Value *libm(StringRef Name, Value *X) { return B.CreateCall(decl(Name, Dbl, {Dbl}), {X}); }
  Value *sigmoid(Value *X) {
    return B.CreateFDiv(c(1), B.CreateFAdd(c(1), unaryIntr(Intrinsic::exp, B.CreateFNeg(X))));
  }
  Value *isTrue(Value *X) { return B.CreateFCmpUNE(X, c(0)); }
  Value *toDouble(Value *Bit) { return B.CreateUIToFP(Bit, Dbl); }

  /// A loop over [0, N) with a constant trip count; none for N = 1.
  void loop(int64_t N, function_ref<void(Value *)> Body) {
    if (N <= 0)
      return;
    if (N == 1)
      return Body(i64(0));
    BasicBlock *Pre = B.GetInsertBlock();
    BasicBlock *Head = BasicBlock::Create(C, "loop", Fn);
    BasicBlock *Exit = BasicBlock::Create(C, "loop.end", Fn);
    B.CreateBr(Head);
    B.SetInsertPoint(Head);
    PHINode *I = B.CreatePHI(I64, 2, "i");
    I->addIncoming(i64(0), Pre);
    Body(I);
    Value *Next = B.CreateAdd(I, i64(1), "", /*HasNUW=*/true, /*HasNSW=*/true);
    I->addIncoming(Next, B.GetInsertBlock());
    B.CreateCondBr(B.CreateICmpULT(Next, i64(N)), Head, Exit);
    B.SetInsertPoint(Exit);
  }

  /// Loops shorter than this reduce in program order.
  static constexpr int64_t MinReassocTrip = 32;

  /// A scalar accumulator for a loop of \p N iterations, kept in a register.
  /// In a long loop its additions carry the reassoc flag (and no other
  /// fast-math flag), so that the loop vectoriser keeps partial sums in
  /// vector lanes instead of one serial chain; the order of additions is then
  /// fixed by the compiled code, identical for the JIT and an object file.
  struct Reduction {
    AllocaInst *Slot = nullptr;
    bool Reassoc = false;
  };
  Reduction reduction(int64_t N) { return {accum(Dbl, c(0), "sum"), N >= MinReassocTrip}; }
  void addTo(const Reduction &R, Value *X) {
    Value *Sum = B.CreateFAdd(B.CreateLoad(Dbl, R.Slot), X);
    if (R.Reassoc) {
      FastMathFlags Flags;
      Flags.setAllowReassoc();
      cast<Instruction>(Sum)->setFastMathFlags(Flags);
    }
    B.CreateStore(Sum, R.Slot);
  }
  Value *total(const Reduction &R) { return B.CreateLoad(Dbl, R.Slot); }
  /// Accumulators for the adjoints of the operands of \p I that a loop over
  /// \p N result elements reduces into (active, broadcast from one element).
  std::vector<Reduction> broadcastSinks(const lir::Instr &I, int64_t N) {
    std::vector<Reduction> Acc(I.Operands.size());
    if (N >= MinReassocTrip)
      for (size_t K = 0; K < I.Operands.size(); ++K)
        if (P.Active[I.Operands[K]] && shape(I.Operands[K]).numel() == 1 && lir::passesGradient(I, K))
          Acc[K] = reduction(N);
    return Acc;
  }
  /// Adds the sums of broadcastSinks into the operands' adjoints.
  void flushSinks(const lir::Instr &I, const std::vector<Reduction> &Acc) {
    for (size_t K = 0; K < Acc.size(); ++K)
      if (Acc[K].Slot)
        addAdj(I.Operands[K], i64(0), total(Acc[K]));
  }

  /// Coordinate \p D of flat index \p I in a tensor of shape \p S.
  Value *coord(Value *I, const Shape &S, const std::vector<int64_t> &St, size_t D) {
    Value *Q = udiv(I, St[D]);
    return D == 0 ? Q : urem(Q, S.Dims[D]);
  }

  /// Flat index into \p Operand of the element that broadcasts to flat index
  /// \p I of \p Res (NumPy rules).
  Value *bidx(const Shape &Operand, const Shape &Res, Value *I) {
    if (Operand == Res || Operand.numel() == Res.numel())
      return I;
    if (Operand.numel() == 1)
      return i64(0);
    std::vector<int64_t> RS = lir::strides(Res), OS = lir::strides(Operand);
    size_t Lead = Res.rank() - Operand.rank();
    Value *Off = i64(0);
    for (size_t D = 0; D < Operand.rank(); ++D)
      if (Operand.Dims[D] != 1)
        Off = add(Off, mul(coord(I, Res, RS, Lead + D), OS[D]));
    return Off;
  }
  Value *bidx(ValueId V, const Shape &Res, Value *I) { return bidx(shape(V), Res, I); }

  //===-- Setup -----------------------------------------------------------===//

  Value *ctxField(unsigned Idx, Type *T, const Twine &Name) {
    return B.CreateLoad(T, B.CreateStructGEP(CtxTy, Ctx, Idx), Name);
  }
  Value *slotPtr(const Slot &S, int64_t Numel, const Twine &Name);
  void storage();
  void place(const std::vector<ValueId> &Ids, const std::vector<const lir::Instr *> &Instrs);
  void emitTrigamma();

  //===-- Forward ---------------------------------------------------------===//

  void emitBlock(Function *Body);
  void forward(const lir::Block &Blk);
  void forward(const lir::Instr &I);
  Value *unary(const lir::Instr &I, Value *X);
  Value *binary(const lir::Instr &I, Value *A, Value *Bv);
  void elementwise(const lir::Instr &I);
  void ifForward(const lir::Instr &I);
  void reduce(const lir::Instr &I, bool Reverse);
  void softmax(const lir::Instr &I, bool Reverse);
  void matmul(const lir::Instr &I, bool Reverse);
  void rowKernel(int64_t R, int64_t T, int64_t N, function_ref<Value *(Value *, Value *)> Coef, Value *RowBase,
                 Value *OutBase);
  void logProb(const lir::Instr &I, bool Reverse);
  void sample(const lir::Instr &I);
  void checkFinite(const lir::Instr &I);
  void checkIndex(const lir::Instr &I);
  /// A predicted branch to a cold block that sets ctx->bad_site to \p Code
  /// when \p Bad holds and no earlier site or check has set it.
  void flagBad(Value *Bad, Value *Code, const Twine &Name);
  /// Shape ops: forward copies operand elements to the result, the reverse
  /// adds result adjoints back into the operand adjoints.
  void gatherLike(const lir::Instr &I, bool Reverse);
  Value *rng(const char *Name, const lir::Instr &I, Value *Elem);
  Value *index(ValueId Idx, Value *Pos, int64_t Extent);

  //===-- Reverse ---------------------------------------------------------===//

  void reverse(const lir::Block &Blk);
  /// Prepares the adjoints \p I's reverse rule touches, then emits the rule.
  void reverseStep(const lir::Instr &I);
  void reverse(const lir::Instr &I);
  void adjointsTouched(const lir::Instr &I, std::vector<ValueId> &Out) const;
  std::vector<ValueId> prepareAdjoints(const lir::Instr &I);
  void elementwiseReverse(const lir::Instr &I);
  void ifReverse(const lir::Instr &I);
  void seeds(Value *&Elbo);
  void signalsByTable(const std::vector<Value *> &Term, std::vector<Value *> &Seed);

  //===-- Outlining -------------------------------------------------------===//

  /// Inside an outlined rule: the slice origin and the site, which are
  /// arguments so that the same rule at another offset or site (the next
  /// step of an unrolled loop) is the same function.
  Value *OriginArg = nullptr, *SiteArg = nullptr;
  /// Outlined rules by structural hash, for merging identical ones.
  std::unordered_map<uint64_t, std::vector<Function *>> Rules;
  GlobalNumberState Numbers;

  /// Rules per chunk: few enough pointers live at once in a chunk function.
  static constexpr size_t ChunkRules = 32;

  /// The function being emitted into and the ctx values it sees.
  struct Frame {
    Function *Fn;
    BasicBlock *EntryBB;
    AllocaInst *GBuf;
    IRBuilderBase::InsertPoint IP;
    Value *Env[9];
  };
  /// The ctx values an outlined function receives first, in this order.
  std::array<Value **, 9> env() {
    return {&Ctx, &Params, &Data, &Grad, &Workspace, &Kinks, &Seed, &Step, &SampleNo};
  }
  static constexpr unsigned EnvPtrs = 6;
  std::vector<Type *> envTypes() const {
    std::vector<Type *> Ts(EnvPtrs, Ptr);
    Ts.insert(Ts.end(), {I64, I64, I64});
    return Ts;
  }
  std::vector<Value *> envArgs() {
    std::vector<Value *> Args;
    for (Value **V : env())
      Args.push_back(*V);
    return Args;
  }
  /// Creates an internal noinline function of the ctx values followed by \p
  /// Extra and starts emitting into it; returns the caller's frame.
  Frame enter(const char *Name, ArrayRef<Type *> Extra);
  void leave(const Frame &Caller);

  /// Emits the forward (or reverse) rule of \p I in place or as a call.
  void emitRule(const lir::Instr &I, bool Reverse);
  void outline(const lir::Instr &I, bool Reverse);
  Function *uniqueRule(Function *Rule);
  void chunked(bool Reverse);
  Value *site(const lir::Instr &I) { return SiteArg ? SiteArg : B.getInt32(I.Site); }
  Value *sliceOrigin(const lir::Instr &I) { return OriginArg ? OriginArg : i64(lir::sliceOrigin(F, I)); }
};

//===-- Setup -----------------------------------------------------------------===//

Value *Emitter::slotPtr(const Slot &S, int64_t Numel, const Twine &Name) {
  switch (S.Kind) {
  case Storage::Local:
    return entryAlloca(ArrayType::get(Dbl, std::max<int64_t>(Numel, 1)), Name);
  case Storage::Workspace:
    return gep(Workspace, i64(S.Offset));
  case Storage::Params:
    return gep(Params, i64(S.Offset));
  case Storage::Data:
    return gep(Data, i64(S.Offset));
  default:
    return nullptr;
  }
}

void Emitter::storage() {
  size_t N = F.Values.size();
  Base.assign(N, nullptr);
  AdjBase.assign(N, nullptr);
  // Globals for constants, found in program order.
  std::function<void(const lir::Block &)> Consts = [&](const lir::Block &Blk) {
    for (const lir::Instr &I : Blk.Body) {
      if (I.Opcode == Op::If) {
        Consts(I.Regions[0]);
        Consts(I.Regions[1]);
      } else if (I.Opcode == Op::Const) {
        std::vector<double> Init = I.Data;
        if (Init.empty())
          Init.push_back(0);
        GlobalVariable *G = constantGlobal("const." + std::to_string(I.Result), ConstantDataArray::get(C, Init),
                                           GlobalValue::PrivateLinkage);
        G->setUnnamedAddr(GlobalValue::UnnamedAddr::Global);
        Base[I.Result] = G;
      }
    }
  };
  Consts(F.Entry);
  if (P.Outlined)
    return; // each chunk places what it uses
  for (ValueId V = 1; V < N; ++V) {
    if (!Base[V])
      Base[V] = slotPtr(P.Value[V], shape(V).numel(), "v" + Twine(V));
    if (P.Active[V])
      AdjBase[V] = slotPtr(P.Adjoint[V], shape(V).numel(), "adj" + Twine(V));
  }
  // Aliases point at their root's storage (roots have smaller ids).
  for (ValueId V = 1; V < N; ++V) {
    if (P.Value[V].Kind == Storage::Alias)
      Base[V] = Base[P.Value[V].Of];
    if (P.Active[V] && P.Adjoint[V].Kind == Storage::Alias)
      AdjBase[V] = AdjBase[P.Adjoint[V].Of];
  }
  for (const auto &[I, S] : P.Scratch)
    ScratchBase[I] = slotPtr(S, scratchDoubles(F, *I), "scratch");
}

/// Outlined: points \p Ids, their adjoints and the scratch of \p Instrs at
/// their storage through the current function's ctx buffers.
void Emitter::place(const std::vector<ValueId> &Ids, const std::vector<const lir::Instr *> &Instrs) {
  for (ValueId V : Ids) {
    ValueId Root = P.Value[V].Kind == Storage::Alias ? P.Value[V].Of : V;
    int64_t N = shape(V).numel();
    Base[V] = P.Value[Root].Kind == Storage::Global ? Base[Root] : slotPtr(P.Value[Root], N, "v" + Twine(Root));
    if (!P.Active[V])
      continue;
    // The root too: prepareAdjoints zeroes an alias's adjoint through its root,
    // which this chunk may not use itself.
    ValueId AdjRoot = adjRoot(V);
    AdjBase[V] = slotPtr(P.Adjoint[AdjRoot], N, "adj" + Twine(AdjRoot));
    AdjBase[AdjRoot] = AdjBase[V];
  }
  for (const lir::Instr *I : Instrs)
    if (auto S = P.Scratch.find(I); S != P.Scratch.end())
      ScratchBase[I] = slotPtr(S->second, scratchDoubles(F, *I), "scratch");
}

/// trigamma(x) = d/dx digamma(x): the recurrence psi1(x) = psi1(x+1) + 1/x^2
/// up to x >= 6, then the asymptotic series; reflection for x < 0.
void Emitter::emitTrigamma() {
  Trigamma = Function::Create(FunctionType::get(Dbl, {Dbl}, false), GlobalValue::InternalLinkage, "svic.trigamma",
                              M);
  Trigamma->addFnAttr(Attribute::NoUnwind);
  IRBuilder<> T(C);
  BasicBlock *Entry = BasicBlock::Create(C, "entry", Trigamma);
  BasicBlock *Loop = BasicBlock::Create(C, "shift", Trigamma);
  BasicBlock *Done = BasicBlock::Create(C, "series", Trigamma);
  Value *X0 = Trigamma->getArg(0);
  T.SetInsertPoint(Entry);
  Value *Neg = T.CreateFCmpOLT(X0, c(0));
  Value *X = T.CreateSelect(Neg, T.CreateFSub(c(1), X0), X0);
  T.CreateCondBr(T.CreateFCmpOLT(X, c(6)), Loop, Done);
  T.SetInsertPoint(Loop);
  PHINode *XL = T.CreatePHI(Dbl, 2), *AccL = T.CreatePHI(Dbl, 2);
  XL->addIncoming(X, Entry);
  AccL->addIncoming(c(0), Entry);
  Value *AccN = T.CreateFAdd(AccL, T.CreateFDiv(c(1), T.CreateFMul(XL, XL)));
  Value *XN = T.CreateFAdd(XL, c(1));
  XL->addIncoming(XN, Loop);
  AccL->addIncoming(AccN, Loop);
  T.CreateCondBr(T.CreateFCmpOLT(XN, c(6)), Loop, Done);
  T.SetInsertPoint(Done);
  PHINode *XD = T.CreatePHI(Dbl, 2), *AccD = T.CreatePHI(Dbl, 2);
  XD->addIncoming(X, Entry);
  XD->addIncoming(XN, Loop);
  AccD->addIncoming(c(0), Entry);
  AccD->addIncoming(AccN, Loop);
  Value *R = T.CreateFDiv(c(1), XD), *R2 = T.CreateFMul(R, R);
  // 1/x + 1/(2x^2) + 1/(6x^3) - 1/(30x^5) + 1/(42x^7) - 1/(30x^9)
  Value *Poly = T.CreateFSub(c(1.0 / 42), T.CreateFMul(R2, c(1.0 / 30)));
  Poly = T.CreateFSub(c(1.0 / 30), T.CreateFMul(R2, Poly));
  Poly = T.CreateFSub(c(1.0 / 6), T.CreateFMul(R2, Poly));
  Value *Series = T.CreateFAdd(T.CreateFAdd(R, T.CreateFMul(R2, c(0.5))), T.CreateFMul(T.CreateFMul(R, R2), Poly));
  Value *Pos = T.CreateFAdd(AccD, Series);
  // psi1(1 - x) + psi1(x) = pi^2 / sin^2(pi x)
  Value *S = T.CreateUnaryIntrinsic(Intrinsic::sin, T.CreateFMul(c(std::numbers::pi), X0));
  Value *Refl = T.CreateFSub(T.CreateFDiv(c(std::numbers::pi * std::numbers::pi), T.CreateFMul(S, S)), Pos);
  T.CreateRet(T.CreateSelect(Neg, Refl, Pos));
}

void Emitter::run(const std::string &DescriptorJson, StructType *CtxT) {
  CtxTy = CtxT;
  GlobalVariable *Desc =
      constantGlobal("svic_gen_descriptor", ConstantDataArray::getString(C, DescriptorJson, /*AddNull=*/true),
                     GlobalValue::ExternalLinkage);
  Desc->setAlignment(Align(1));
  emitTrigamma();

  // The body takes ctx's buffers as separate noalias arguments and is
  // inlined into svic_gen_sample: inlining turns noalias into scoped alias
  // metadata, which lets loops over the workspace, params and data vectorise
  // without runtime overlap checks. (The runtime's buffers never overlap.)
  Function *Entry =
      Function::Create(FunctionType::get(Dbl, {Ptr}, false), GlobalValue::ExternalLinkage, "svic_gen_sample", M);
  Entry->addFnAttr(Attribute::NoUnwind);
  Entry->addParamAttr(0, Attribute::NoAlias);
  Entry->addParamAttr(0, Attribute::NoCapture);
  Fn = Function::Create(FunctionType::get(Dbl, {Ptr, Ptr, Ptr, Ptr, Ptr, Ptr, Ptr, I64, I64, I64}, false),
                        GlobalValue::InternalLinkage, "svic.sample", M);
  Fn->addFnAttr(Attribute::NoUnwind);
  Fn->addFnAttr(Attribute::AlwaysInline);
  for (unsigned A = 0; A < 7; ++A)
    Fn->addParamAttr(A, Attribute::NoAlias);
  {
    Ctx = Entry->getArg(0);
    Ctx->setName("ctx");
    B.SetInsertPoint(BasicBlock::Create(C, "entry", Entry));
    std::vector<Value *> Args = {Ctx};
    unsigned Fields[] = {ctx::Params, ctx::Data, ctx::Baselines, ctx::Grad, ctx::Signals, ctx::Workspace};
    for (unsigned Field : Fields)
      Args.push_back(ctxField(Field, Ptr, ""));
    for (unsigned Field : {ctx::Seed, ctx::Step, ctx::Sample})
      Args.push_back(ctxField(Field, I64, ""));
    B.CreateRet(B.CreateCall(Fn, Args));
  }
  const char *Names[] = {"ctx", "params", "data", "baselines", "grad", "signals", "workspace", "seed", "step", "sample"};
  for (unsigned A = 0; A < 10; ++A)
    Fn->getArg(A)->setName(Names[A]);
  Ctx = Fn->getArg(0);
  Params = Fn->getArg(1);
  Data = Fn->getArg(2);
  Baselines = Fn->getArg(3);
  Grad = Fn->getArg(4);
  Signals = Fn->getArg(5);
  Workspace = Fn->getArg(6);
  Seed = Fn->getArg(7);
  Step = Fn->getArg(8);
  SampleNo = Fn->getArg(9);
  EntryBB = BasicBlock::Create(C, "entry", Fn);
  B.SetInsertPoint(EntryBB);
  Kinks = accum(I32, B.getInt32(0), "kinks");
  GBuf = entryAlloca(ArrayType::get(Dbl, 3), "g");
  storage();

  Value *Elbo = nullptr;
  if (P.Outlined) {
    chunked(/*Reverse=*/false);
    std::vector<ValueId> FactorValues;
    for (const lir::Factor &Fa : F.Factors)
      FactorValues.push_back(Fa.Value);
    place(FactorValues, {});
    seeds(Elbo);
    chunked(/*Reverse=*/true);
  } else {
    forward(F.Entry);
    seeds(Elbo);
    reverse(F.Entry);
  }

  Value *KinkPtr = B.CreateStructGEP(CtxTy, Ctx, ctx::KinkHits);
  B.CreateStore(B.CreateAdd(B.CreateLoad(I32, KinkPtr), B.CreateLoad(I32, Kinks)), KinkPtr);
  B.CreateRet(Elbo);

  if (emitsBlock(F))
    emitBlock(Fn);
}

/// svic_gen_block (Abi.h): the runtime's per-block loop with the sample body
/// inlined. The per-sample gradient, signals and the ctx fields the body
/// writes (bad site, kink hits) live in local slots that SROA promotes, so a
/// small model's samples cost no call, no buffer clearing and no memory
/// round trip. The reduction does the runtime's operations in the runtime's
/// order, so both give the same bits.
void Emitter::emitBlock(Function *Body) {
  const int64_t NP = F.ParamDoubles, NS = static_cast<int64_t>(F.ScoreSites.size()), NV = NP + 1 + NS;
  Function *Blk = Function::Create(FunctionType::get(B.getVoidTy(), {Ptr, I64, I64, Ptr, Ptr, Ptr, Ptr}, false),
                                   GlobalValue::ExternalLinkage, "svic_gen_block", M);
  Blk->addFnAttr(Attribute::NoUnwind);
  for (unsigned A : {0u, 3u, 4u, 5u, 6u})
    Blk->addParamAttr(A, Attribute::NoAlias);
  const char *ArgNames[] = {"ctx", "k0", "k1", "shift", "s1", "s2", "bad_sample"};
  for (unsigned A = 0; A < 7; ++A)
    Blk->getArg(A)->setName(ArgNames[A]);
  Value *OutCtx = Blk->getArg(0), *K0 = Blk->getArg(1), *K1 = Blk->getArg(2);
  Value *Out[3] = {Blk->getArg(3), Blk->getArg(4), Blk->getArg(5)};

  BasicBlock *Entry = BasicBlock::Create(C, "entry", Blk);
  BasicBlock *Loop = BasicBlock::Create(C, "sample", Blk);
  BasicBlock *Exit = BasicBlock::Create(C, "done", Blk);
  B.SetInsertPoint(Entry);
  auto Field = [&](unsigned Idx, Type *T) { return B.CreateLoad(T, B.CreateStructGEP(CtxTy, OutCtx, Idx)); };
  Value *In[3] = {Field(ctx::Params, Ptr), Field(ctx::Data, Ptr), Field(ctx::Baselines, Ptr)};
  Value *Work = Field(ctx::Workspace, Ptr), *SeedV = Field(ctx::Seed, I64), *StepV = Field(ctx::Step, I64);
  AllocaInst *LocalCtx = B.CreateAlloca(CtxTy, nullptr, "sample.ctx");
  AllocaInst *G = B.CreateAlloca(ArrayType::get(Dbl, std::max<int64_t>(NP, 1)), nullptr, "grad");
  AllocaInst *Sig = B.CreateAlloca(ArrayType::get(Dbl, std::max<int64_t>(NS, 1)), nullptr, "signals");
  auto Slot = [&](Type *T, Value *Init, const Twine &Name) {
    AllocaInst *A = B.CreateAlloca(T, nullptr, Name);
    B.CreateStore(Init, A);
    return A;
  };
  std::vector<AllocaInst *> Shift(NV), S1(NV), S2(NV);
  for (int64_t V = 0; V < NV; ++V) {
    Shift[V] = Slot(Dbl, c(0), "shift");
    S1[V] = Slot(Dbl, c(0), "s1");
    S2[V] = Slot(Dbl, c(0), "s2");
  }
  AllocaInst *FirstBad = Slot(I32, B.getInt32(-1), "first.bad");
  AllocaInst *BadSample = Slot(I64, i64(0), "bad.sample");
  AllocaInst *KinkSum = Slot(I32, B.getInt32(0), "kinks");
  B.CreateBr(Loop);

  B.SetInsertPoint(Loop);
  PHINode *K = B.CreatePHI(I64, 2, "k");
  K->addIncoming(K0, Entry);
  for (int64_t J = 0; J < NP; ++J)
    B.CreateStore(c(0), B.CreateConstInBoundsGEP1_64(Dbl, G, J));
  for (int64_t J = 0; J < NS; ++J)
    B.CreateStore(c(0), B.CreateConstInBoundsGEP1_64(Dbl, Sig, J));
  Value *SitePtr = B.CreateStructGEP(CtxTy, LocalCtx, ctx::BadSite);
  Value *KinkPtr = B.CreateStructGEP(CtxTy, LocalCtx, ctx::KinkHits);
  B.CreateStore(B.getInt32(-1), SitePtr);
  B.CreateStore(B.getInt32(0), KinkPtr);
  Value *Elbo = B.CreateCall(Body, {LocalCtx, In[0], In[1], In[2], G, Sig, Work, SeedV, StepV, K});
  Value *First = B.CreateICmpEQ(K, K0);
  for (int64_t V = 0; V < NV; ++V) {
    Value *X = V < NP    ? B.CreateLoad(Dbl, B.CreateConstInBoundsGEP1_64(Dbl, G, V))
               : V == NP ? Elbo
                         : B.CreateLoad(Dbl, B.CreateConstInBoundsGEP1_64(Dbl, Sig, V - NP - 1));
    Value *Sh = B.CreateSelect(First, X, B.CreateLoad(Dbl, Shift[V]));
    B.CreateStore(Sh, Shift[V]);
    Value *D = B.CreateFSub(X, Sh);
    B.CreateStore(B.CreateFAdd(B.CreateLoad(Dbl, S1[V]), D), S1[V]);
    B.CreateStore(B.CreateFAdd(B.CreateLoad(Dbl, S2[V]), B.CreateFMul(D, D)), S2[V]);
  }
  Value *Site = B.CreateLoad(I32, SitePtr), *Old = B.CreateLoad(I32, FirstBad);
  Value *NewBad = B.CreateAnd(B.CreateICmpSGE(Site, B.getInt32(0)), B.CreateICmpSLT(Old, B.getInt32(0)));
  B.CreateStore(B.CreateSelect(NewBad, Site, Old), FirstBad);
  B.CreateStore(B.CreateSelect(NewBad, K, B.CreateLoad(I64, BadSample)), BadSample);
  B.CreateStore(B.CreateAdd(B.CreateLoad(I32, KinkSum), B.CreateLoad(I32, KinkPtr)), KinkSum);
  Value *Next = B.CreateAdd(K, i64(1), "", /*HasNUW=*/true);
  K->addIncoming(Next, B.GetInsertBlock());
  B.CreateCondBr(B.CreateICmpULT(Next, K1), Loop, Exit);

  B.SetInsertPoint(Exit);
  for (int64_t V = 0; V < NV; ++V) {
    AllocaInst *Slots[3] = {Shift[V], S1[V], S2[V]};
    for (int W = 0; W < 3; ++W)
      B.CreateStore(B.CreateLoad(Dbl, Slots[W]), B.CreateConstInBoundsGEP1_64(Dbl, Out[W], V));
  }
  B.CreateStore(B.CreateLoad(I32, FirstBad), B.CreateStructGEP(CtxTy, OutCtx, ctx::BadSite));
  B.CreateStore(B.CreateLoad(I64, BadSample), Blk->getArg(6));
  B.CreateStore(B.CreateLoad(I32, KinkSum), B.CreateStructGEP(CtxTy, OutCtx, ctx::KinkHits));
  B.CreateRetVoid();
}

//===-- Forward -------------------------------------------------------------===//

void Emitter::forward(const lir::Block &Blk) {
  for (const lir::Instr &I : Blk.Body)
    emitRule(I, /*Reverse=*/false);
}

Value *Emitter::rng(const char *Name, const lir::Instr &I, Value *Elem) {
  FunctionCallee Fc = decl(Name, Dbl, {I64, I64, I64, I32, I32});
  return B.CreateCall(Fc, {Seed, Step, SampleNo, site(I), B.CreateTrunc(Elem, I32)});
}

void Emitter::forward(const lir::Instr &I) {
  const Shape &R = I.Opcode == Op::If ? Shape{} : shape(I.Result);
  switch (I.Opcode) {
  case Op::Const:
  case Op::Reshape:
  case Op::StopGradient:
    return; // storage only
  case Op::Input:
  case Op::Param:
    if (P.Value[I.Result].Kind == Storage::Local) {
      Value *Src = gep(I.Opcode == Op::Param ? Params : Data, i64(I.Offset));
      loop(I.Opcode == Op::Input ? lir::inputDoubles(I, R) : R.numel(), [&](Value *Ix) { st(I.Result, Ix, B.CreateLoad(Dbl, gep(Src, Ix))); });
    }
    return;
  case Op::StdNormal:
  case Op::Uniform01:
    loop(R.numel(), [&](Value *Ix) {
      st(I.Result, Ix, rng(I.Opcode == Op::StdNormal ? "svic_rt_std_normal" : "svic_rt_uniform01", I, Ix));
    });
    return;
  case Op::Subsample: {
    FunctionCallee Fc = decl("svic_rt_subsample", B.getVoidTy(), {I64, I64, I64, I32, I64, I64, Ptr});
    B.CreateCall(Fc, {Seed, Step, SampleNo, site(I), i64(I.Ints[0]), i64(R.numel()), Base[I.Result]});
    return;
  }
  case Op::Expand:
  case Op::Transpose:
  case Op::Slice:
  case Op::Gather:
  case Op::Concat:
    return gatherLike(I, /*Reverse=*/false);
  case Op::Sum:
  case Op::Prod:
    return reduce(I, false);
  case Op::Softmax:
  case Op::LogSoftmax:
    return softmax(I, false);
  case Op::MatMul:
    return matmul(I, false);
  case Op::LogProb:
    return logProb(I, false);
  case Op::Sample:
    return sample(I);
  case Op::CheckFinite:
    return checkFinite(I);
  case Op::CheckIndex:
    return checkIndex(I);
  case Op::Output:
    loop(shape(I.Operands[0]).numel(), [&](Value *Ix) {
      B.CreateStore(ld(I.Operands[0], Ix), gep(Grad, add(Ix, i64(F.ParamDoubles + I.Offset))));
    });
    return;
  case Op::If:
    return ifForward(I);
  default:
    return elementwise(I);
  }
}

Value *Emitter::unary(const lir::Instr &I, Value *X) {
  switch (I.Opcode) {
  case Op::Neg: return B.CreateFNeg(X);
  case Op::Exp: return unaryIntr(Intrinsic::exp, X);
  case Op::Log: return unaryIntr(Intrinsic::log, X);
  case Op::Log1p: return libm("log1p", X);
  case Op::Expm1: return libm("expm1", X);
  case Op::Sqrt: return unaryIntr(Intrinsic::sqrt, X);
  case Op::Rsqrt: return B.CreateFDiv(c(1), unaryIntr(Intrinsic::sqrt, X));
  case Op::Sigmoid: return sigmoid(X);
  case Op::LogSigmoid: {
    // min(x, 0) - log1p(exp(-|x|)), torch's stable form
    Value *Min = B.CreateSelect(B.CreateFCmpOLT(X, c(0)), X, c(0));
    return B.CreateFSub(Min, libm("log1p", unaryIntr(Intrinsic::exp, B.CreateFNeg(unaryIntr(Intrinsic::fabs, X)))));
  }
  case Op::Tanh: return libm("tanh", X);
  case Op::Softplus: {
    Value *BX = B.CreateFMul(X, c(I.Scalar0));
    Value *Soft = B.CreateFDiv(libm("log1p", unaryIntr(Intrinsic::exp, BX)), c(I.Scalar0));
    return B.CreateSelect(B.CreateFCmpOGT(BX, c(I.Scalar1)), X, Soft);
  }
  case Op::Relu: return B.CreateSelect(B.CreateFCmpOLE(X, c(0)), c(0), X); // NaN stays NaN
  case Op::Abs: return unaryIntr(Intrinsic::fabs, X);
  case Op::Sign:
    return B.CreateSelect(B.CreateFCmpOGT(X, c(0)), c(1), B.CreateSelect(B.CreateFCmpOLT(X, c(0)), c(-1), X));
  case Op::Floor: return unaryIntr(Intrinsic::floor, X);
  case Op::Ceil: return unaryIntr(Intrinsic::ceil, X);
  case Op::Round: return unaryIntr(Intrinsic::roundeven, X); // torch.round: half to even
  case Op::Sin: return unaryIntr(Intrinsic::sin, X);
  case Op::Cos: return unaryIntr(Intrinsic::cos, X);
  case Op::Erf: return libm("erf", X);
  case Op::Lgamma: return B.CreateCall(decl("svic_rt_lgamma", Dbl, {Dbl}), {X});
  case Op::Digamma: return B.CreateCall(decl("svic_rt_digamma", Dbl, {Dbl}), {X});
  case Op::Not: return toDouble(B.CreateFCmpOEQ(X, c(0)));
  case Op::Clamp:
    return B.CreateSelect(B.CreateFCmpOLT(X, c(I.Scalar0)), c(I.Scalar0),
                          B.CreateSelect(B.CreateFCmpOGT(X, c(I.Scalar1)), c(I.Scalar1), X));
  default: return nullptr;
  }
}

Value *Emitter::binary(const lir::Instr &I, Value *A, Value *Bv) {
  switch (I.Opcode) {
  case Op::Add: return B.CreateFAdd(A, Bv);
  case Op::Sub: return B.CreateFSub(A, Bv);
  case Op::Mul: return B.CreateFMul(A, Bv);
  case Op::Div: return B.CreateFDiv(A, Bv);
  case Op::Pow: return B.CreateBinaryIntrinsic(Intrinsic::pow, A, Bv);
  case Op::Minimum: return B.CreateMinimum(A, Bv); // NaN-propagating, as torch
  case Op::Maximum: return B.CreateMaximum(A, Bv);
  case Op::Lt: return toDouble(B.CreateFCmpOLT(A, Bv));
  case Op::Le: return toDouble(B.CreateFCmpOLE(A, Bv));
  case Op::Gt: return toDouble(B.CreateFCmpOGT(A, Bv));
  case Op::Ge: return toDouble(B.CreateFCmpOGE(A, Bv));
  case Op::Eq: return toDouble(B.CreateFCmpOEQ(A, Bv));
  case Op::Ne: return toDouble(B.CreateFCmpUNE(A, Bv));
  case Op::And: return toDouble(B.CreateAnd(isTrue(A), isTrue(Bv)));
  case Op::Or: return toDouble(B.CreateOr(isTrue(A), isTrue(Bv)));
  default: return nullptr;
  }
}

void Emitter::elementwise(const lir::Instr &I) {
  const Shape &R = shape(I.Result);
  loop(R.numel(), [&](Value *Ix) {
    std::vector<Value *> X;
    for (ValueId V : I.Operands)
      X.push_back(ld(V, bidx(V, R, Ix)));
    Value *Y = I.Opcode == Op::Where ? B.CreateSelect(isTrue(X[0]), X[1], X[2])
               : X.size() == 1       ? unary(I, X[0])
                                     : binary(I, X[0], X[1]);
    st(I.Result, Ix, Y);
  });
}

void Emitter::ifForward(const lir::Instr &I) {
  Value *Cond = isTrue(ld(I.Operands[0], i64(0)));
  BasicBlock *Then = BasicBlock::Create(C, "then", Fn), *Else = BasicBlock::Create(C, "else", Fn),
             *Merge = BasicBlock::Create(C, "endif", Fn);
  B.CreateCondBr(Cond, Then, Else);
  for (size_t Ri = 0; Ri < 2; ++Ri) {
    B.SetInsertPoint(Ri == 0 ? Then : Else);
    const lir::Block &Region = I.Regions[Ri];
    forward(Region);
    for (size_t J = 0; J < I.Results.size(); ++J) {
      ValueId Y = Region.Yields[J], Res = I.Results[J];
      loop(shape(Res).numel(), [&](Value *Ix) { st(Res, Ix, ld(Y, Ix)); });
    }
    B.CreateBr(Merge);
  }
  B.SetInsertPoint(Merge);
}

void Emitter::gatherLike(const lir::Instr &I, bool Reverse) {
  const Shape &R = shape(I.Result);
  ValueId X = I.Operands[0];
  const Shape &XS = shape(X);
  std::vector<int64_t> RSt = lir::strides(R), XSt = lir::strides(XS);
  // Moves one element between result index RIx and operand index XIx.
  auto move = [&](ValueId Src, Value *RIx, Value *XIx) {
    if (Reverse)
      addAdj(Src, XIx, adj(I.Result, RIx));
    else
      st(I.Result, RIx, ld(Src, XIx));
  };
  switch (I.Opcode) {
  case Op::Expand:
    return loop(R.numel(), [&](Value *Ix) { move(X, Ix, bidx(X, R, Ix)); });
  case Op::Transpose:
    return loop(R.numel(), [&](Value *Ix) {
      Value *Off = i64(0);
      for (size_t D = 0; D < R.rank(); ++D)
        Off = add(Off, mul(coord(Ix, R, RSt, D), XSt[I.Ints[D]]));
      move(X, Ix, Off);
    });
  case Op::Slice: {
    Value *Origin = sliceOrigin(I);
    return loop(R.numel(), [&](Value *Ix) {
      Value *Off = Origin;
      for (size_t D = 0; D < R.rank(); ++D)
        Off = add(Off, mul(coord(Ix, R, RSt, D), I.Ints[3 * D + 2] * XSt[D]));
      move(X, Ix, Off);
    });
  }
  case Op::Gather: {
    int64_t Post = 1, Extent = XS.Dims[I.Axis];
    for (size_t D = I.Axis + 1; D < XS.rank(); ++D)
      Post *= XS.Dims[D];
    int64_t NIdx = shape(I.Operands[1]).numel();
    return loop(R.numel(), [&](Value *Ix) {
      Value *Pre = udiv(Ix, NIdx * Post);
      Value *Rem = B.CreateURem(Ix, i64(NIdx * Post));
      Value *K = index(I.Operands[1], udiv(Rem, Post), Extent);
      Value *Off = add(mul(add(mul(Pre, Extent), K), Post), Post == 1 ? i64(0) : urem(Rem, Post));
      move(X, Ix, Off);
    });
  }
  case Op::Concat: {
    int64_t Post = 1, Total = R.Dims[I.Axis], At = 0;
    for (size_t D = I.Axis + 1; D < R.rank(); ++D)
      Post *= R.Dims[D];
    for (ValueId Xk : I.Operands) {
      int64_t Ak = shape(Xk).Dims[I.Axis];
      if (!Reverse || P.Active[Xk])
        loop(shape(Xk).numel(), [&](Value *Ix) {
          Value *Pre = udiv(Ix, Ak * Post);
          Value *Rem = Ak * Post == 1 ? i64(0) : urem(Ix, Ak * Post);
          move(Xk, add(add(mul(Pre, Total * Post), i64(At * Post)), Rem), Ix);
        });
      At += Ak;
    }
    return;
  }
  default:
    return;
  }
}

/// An integer-valued index operand element, Python-style negative indices
/// wrapped, then clamped into [0, Extent) so that a bad index cannot address
/// outside the tensor.
Value *Emitter::index(ValueId Idx, Value *Pos, int64_t Extent) {
  Value *K = B.CreateFPToSI(ld(Idx, Pos), I64);
  K = B.CreateSelect(B.CreateICmpSLT(K, i64(0)), add(K, i64(Extent)), K);
  K = B.CreateSelect(B.CreateICmpSLT(K, i64(0)), i64(0), K);
  return B.CreateSelect(B.CreateICmpSGE(K, i64(Extent)), i64(Extent - 1), K);
}

void Emitter::reduce(const lir::Instr &I, bool Reverse) {
  ValueId X = I.Operands[0];
  const Shape &XS = shape(X);
  std::vector<bool> Reduced(XS.rank(), I.Ints.empty());
  for (int64_t A : I.Ints)
    Reduced[A] = true;
  // Result strides of the kept operand dims.
  std::vector<int64_t> XSt = lir::strides(XS), KeptSt(XS.rank(), 0);
  int64_t S = 1;
  for (size_t D = XS.rank(); D-- > 0;)
    if (!Reduced[D]) {
      KeptSt[D] = S;
      S *= XS.Dims[D];
    }
  auto resIdx = [&](Value *Ix) -> Value * {
    Value *Off = i64(0);
    for (size_t D = 0; D < XS.rank(); ++D)
      if (!Reduced[D])
        Off = add(Off, mul(coord(Ix, XS, XSt, D), KeptSt[D]));
    return Off;
  };
  int64_t NR = shape(I.Result).numel(), NX = XS.numel();
  bool IsSum = I.Opcode == Op::Sum;
  if (!Reverse && IsSum && NR == 1) {
    Reduction Acc = reduction(NX);
    loop(NX, [&](Value *Ix) { addTo(Acc, ld(X, Ix)); });
    st(I.Result, i64(0), total(Acc));
    return;
  }
  if (!Reverse) {
    loop(NR, [&](Value *Ix) { st(I.Result, Ix, c(IsSum ? 0 : 1)); });
    loop(NX, [&](Value *Ix) {
      Value *R = resIdx(Ix);
      Value *Acc = ld(I.Result, R), *V = ld(X, Ix);
      st(I.Result, R, IsSum ? B.CreateFAdd(Acc, V) : B.CreateFMul(Acc, V));
    });
    return;
  }
  if (!P.Active[X])
    return;
  if (IsSum)
    return loop(NX, [&](Value *Ix) { addAdj(X, Ix, adj(I.Result, resIdx(Ix))); });
  // d prod / d x_j without dividing by zero: per output, the number of zero
  // factors and the product of the others.
  Value *Zeros = ScratchBase.at(&I), *NonZero = gep(Zeros, i64(NR));
  loop(NR, [&](Value *Ix) {
    B.CreateStore(c(0), gep(Zeros, Ix));
    B.CreateStore(c(1), gep(NonZero, Ix));
  });
  loop(NX, [&](Value *Ix) {
    Value *R = resIdx(Ix), *V = ld(X, Ix), *IsZero = B.CreateFCmpOEQ(V, c(0));
    addTo(Zeros, R, B.CreateSelect(IsZero, c(1), c(0)));
    Value *NZ = gep(NonZero, R);
    B.CreateStore(B.CreateSelect(IsZero, B.CreateLoad(Dbl, NZ), B.CreateFMul(B.CreateLoad(Dbl, NZ), V)), NZ);
  });
  loop(NX, [&](Value *Ix) {
    Value *R = resIdx(Ix), *V = ld(X, Ix);
    Value *Z = B.CreateLoad(Dbl, gep(Zeros, R)), *NZ = B.CreateLoad(Dbl, gep(NonZero, R));
    Value *D = B.CreateSelect(B.CreateFCmpOEQ(Z, c(0)), B.CreateFDiv(NZ, V),
                              B.CreateSelect(B.CreateAnd(B.CreateFCmpOEQ(Z, c(1)), B.CreateFCmpOEQ(V, c(0))), NZ,
                                             c(0)));
    addAdj(X, Ix, B.CreateFMul(adj(I.Result, R), D));
  });
}

void Emitter::softmax(const lir::Instr &I, bool Reverse) {
  ValueId X = I.Operands[0], Y = I.Result;
  const Shape &XS = shape(X);
  int64_t A = XS.Dims[I.Axis], Inner = 1, Outer = 1;
  for (int64_t D = 0; D < static_cast<int64_t>(XS.rank()); ++D)
    if (D < I.Axis)
      Outer *= XS.Dims[D];
    else if (D > I.Axis)
      Inner *= XS.Dims[D];
  bool Log = I.Opcode == Op::LogSoftmax;
  loop(Outer * Inner, [&](Value *Q) {
    Value *Start = add(mul(udiv(Q, Inner), A * Inner), Inner == 1 ? i64(0) : urem(Q, Inner));
    auto at = [&](Value *K) { return add(Start, mul(K, Inner)); };
    if (Reverse) {
      if (!P.Active[X])
        return;
      // softmax: dx = y (dy - sum dy y); log_softmax: dx = dy - exp(y) sum dy
      AllocaInst *Dot = accum(Dbl, c(0), "dot");
      loop(A, [&](Value *K) {
        Value *G = adj(Y, at(K));
        B.CreateStore(B.CreateFAdd(B.CreateLoad(Dbl, Dot), Log ? G : B.CreateFMul(G, ld(Y, at(K)))), Dot);
      });
      Value *S = B.CreateLoad(Dbl, Dot);
      loop(A, [&](Value *K) {
        Value *G = adj(Y, at(K)), *Yk = ld(Y, at(K));
        Value *Dx = Log ? B.CreateFSub(G, B.CreateFMul(unaryIntr(Intrinsic::exp, Yk), S))
                        : B.CreateFMul(Yk, B.CreateFSub(G, S));
        addAdj(X, at(K), Dx);
      });
      return;
    }
    AllocaInst *Max = accum(Dbl, c(-INFINITY), "max"), *Sum = accum(Dbl, c(0), "sum");
    loop(A, [&](Value *K) { B.CreateStore(B.CreateMaxNum(B.CreateLoad(Dbl, Max), ld(X, at(K))), Max); });
    Value *Mx = B.CreateLoad(Dbl, Max);
    loop(A, [&](Value *K) {
      Value *E = unaryIntr(Intrinsic::exp, B.CreateFSub(ld(X, at(K)), Mx));
      B.CreateStore(B.CreateFAdd(B.CreateLoad(Dbl, Sum), E), Sum);
      if (!Log)
        st(Y, at(K), E);
    });
    Value *Sm = B.CreateLoad(Dbl, Sum);
    Value *LogSum = Log ? B.CreateFAdd(Mx, unaryIntr(Intrinsic::log, Sm)) : nullptr;
    loop(A, [&](Value *K) {
      st(Y, at(K), Log ? B.CreateFSub(ld(X, at(K)), LogSum) : B.CreateFDiv(ld(Y, at(K)), Sm));
    });
  });
}

/// Out[r, j] += sum_t Coef(r, t) Row(t, j) for r < R, t < T, j < N, where
/// rows of Row and Out are contiguous (Row(t, j) at RowBase + t * N + j).
/// The innermost loop runs over j (LLVM vectorises it); each pass over it
/// handles two output rows and four t at once, so that one load of a row
/// element feeds two multiply-adds and an output element is loaded and
/// stored once per four; t runs in blocks whose rows stay in cache across r.
void Emitter::rowKernel(int64_t R, int64_t T, int64_t N, function_ref<Value *(Value *, Value *)> Coef,
                        Value *RowBase, Value *OutBase) {
  int64_t TB = std::clamp<int64_t>((16384 / std::max<int64_t>(N, 1)) & ~int64_t(3), 4, std::max<int64_t>(T, 4));
  auto Pass = [&](std::vector<Value *> Rows, Value *T0, int64_t TU) {
    std::vector<std::vector<Value *>> Cs(Rows.size());
    for (size_t Ri = 0; Ri < Rows.size(); ++Ri)
      for (int64_t U = 0; U < TU; ++U)
        Cs[Ri].push_back(Coef(Rows[Ri], add(T0, i64(U))));
    loop(N, [&](Value *J) {
      std::vector<Value *> Rw;
      for (int64_t U = 0; U < TU; ++U)
        Rw.push_back(B.CreateLoad(Dbl, gep(RowBase, add(mul(add(T0, i64(U)), N), J))));
      for (size_t Ri = 0; Ri < Rows.size(); ++Ri) {
        Value *Ptr = gep(OutBase, add(mul(Rows[Ri], N), J));
        Value *Acc = B.CreateLoad(Dbl, Ptr);
        for (int64_t U = 0; U < TU; ++U)
          Acc = B.CreateFAdd(Acc, B.CreateFMul(Cs[Ri][static_cast<size_t>(U)], Rw[static_cast<size_t>(U)]));
        B.CreateStore(Acc, Ptr);
      }
    });
  };
  auto Block = [&](std::vector<Value *> Rows, Value *T0, int64_t Len) {
    loop(Len / 4, [&](Value *Q) { Pass(Rows, add(T0, mul(Q, 4)), 4); });
    for (int64_t U = Len - Len % 4; U < Len; ++U)
      Pass(Rows, add(T0, i64(U)), 1);
  };
  auto OverRows = [&](Value *T0, int64_t Len) {
    loop(R / 2, [&](Value *P) {
      Value *R0 = mul(P, 2);
      Block({R0, add(R0, i64(1))}, T0, Len);
    });
    if (R % 2)
      Block({i64(R - 1)}, T0, Len);
  };
  loop(T / TB, [&](Value *Bk) { OverRows(mul(Bk, TB), TB); });
  if (T % TB)
    OverRows(i64(T - T % TB), T % TB);
}

/// C = A B with A [M, K], B [K, N] (rank-1 operands: M = 1 or N = 1). C and
/// dB += A^T dC go through rowKernel; dA[i, k] += dC[i, :] . B[k, :] is a
/// dot product of contiguous rows with reassociated partial sums.
void Emitter::matmul(const lir::Instr &I, bool Reverse) {
  ValueId A = I.Operands[0], Bm = I.Operands[1], Cv = I.Result;
  const Shape &AS = shape(A), &BS = shape(Bm);
  int64_t M = AS.rank() == 2 ? AS.Dims[0] : 1, K = AS.Dims.back(), N = BS.rank() == 2 ? BS.Dims[1] : 1;
  if (!Reverse) {
    if (N == 1) { // matrix-vector: one dot product per row
      loop(M, [&](Value *Row) {
        Reduction Dot = reduction(K);
        loop(K, [&](Value *Kx) { addTo(Dot, B.CreateFMul(ld(A, add(mul(Row, K), Kx)), ld(Bm, Kx))); });
        st(Cv, Row, total(Dot));
      });
      return;
    }
    loop(M * N, [&](Value *Q) { st(Cv, Q, c(0)); });
    rowKernel(M, K, N, [&](Value *Row, Value *Kx) { return ld(A, add(mul(Row, K), Kx)); }, Base[Bm], Base[Cv]);
    return;
  }
  // dA[i, k] += sum_j dC[i, j] B[k, j], over blocks of B's rows that stay in cache across i
  if (P.Active[A]) {
    int64_t KB = std::clamp<int64_t>(16384 / std::max<int64_t>(N, 1), 1, K);
    auto Rows = [&](Value *K0, int64_t Len) {
      loop(M, [&](Value *Row) {
        loop(Len, [&](Value *Kk) {
          Value *Kx = add(K0, Kk);
          Reduction Dot = reduction(N);
          loop(N, [&](Value *Col) {
            addTo(Dot, B.CreateFMul(adj(Cv, add(mul(Row, N), Col)), ld(Bm, add(mul(Kx, N), Col))));
          });
          addAdj(A, add(mul(Row, K), Kx), total(Dot));
        });
      });
    };
    loop(K / KB, [&](Value *Bk) { Rows(mul(Bk, KB), KB); });
    if (K % KB)
      Rows(i64(K - K % KB), K % KB);
  }
  // dB[k, j] += sum_i A[i, k] dC[i, j]: rows k of dB, the sum over i
  if (P.Active[Bm])
    rowKernel(K, M, N, [&](Value *Kx, Value *Row) { return ld(A, add(mul(Row, K), Kx)); }, AdjBase[Cv],
              AdjBase[Bm]);
}

void Emitter::logProb(const lir::Instr &I, bool Reverse) {
  const Shape &R = shape(I.Result);
  ValueId V = I.Operands[0];
  Value *Null = ConstantPointerNull::get(cast<PointerType>(Ptr));
  if (lir::hasVectorParam(I.D)) {
    ValueId Pm = I.Operands[1];
    int64_t N = shape(Pm).Dims.back();
    bool Dir = I.D == Dist::Dirichlet;
    FunctionCallee Fc = Dir ? decl(lpdfName(I.D), Dbl, {Ptr, Ptr, I64, Ptr, Ptr})
                            : decl(lpdfName(I.D), Dbl, {Dbl, Ptr, I64, Ptr});
    loop(R.numel(), [&](Value *Ix) {
      Value *PRow = mul(bidx(lir::dropLast(shape(Pm)), R, Ix), N);
      Value *VRow = Dir ? mul(bidx(lir::dropLast(shape(V)), R, Ix), N) : bidx(V, R, Ix);
      Value *G = Reverse ? ScratchBase.at(&I) : Null, *Gc = Reverse && Dir ? gep(G, i64(N)) : Null;
      Value *Lp = Dir ? B.CreateCall(Fc, {gep(Base[V], VRow), gep(Base[Pm], PRow), i64(N), G, Gc})
                      : B.CreateCall(Fc, {ld(V, VRow), gep(Base[Pm], PRow), i64(N), G});
      if (!Reverse)
        return st(I.Result, Ix, Lp);
      Value *Adj = adj(I.Result, Ix);
      loop(N, [&](Value *J) {
        if (Dir && P.Active[V])
          addAdj(V, add(VRow, J), B.CreateFMul(Adj, B.CreateLoad(Dbl, gep(G, J))));
        addAdj(Pm, add(PRow, J), B.CreateFMul(Adj, B.CreateLoad(Dbl, gep(Dir ? Gc : G, J))));
      });
    });
    return;
  }
  size_t Arity = lir::distArity(I.D);
  std::vector<Reduction> Sinks = Reverse ? broadcastSinks(I, R.numel()) : std::vector<Reduction>(Arity + 1);
  auto element = [&](Value *Ix) {
    Value *X = ld(V, bidx(V, R, Ix));
    Value *A = ld(I.Operands[1], bidx(I.Operands[1], R, Ix));
    Value *Bp = Arity == 2 ? ld(I.Operands[2], bidx(I.Operands[2], R, Ix)) : c(0);
    Value *Gs[3];
    if (I.D == Dist::Normal) {
      // Inlined in terms of z = (x - loc) / scale, with the reciprocal of the
      // scale (hoisted out of the loop when the scale is broadcast).
      Value *Inv = B.CreateFDiv(c(1), Bp);
      Value *Z = B.CreateFMul(B.CreateFSub(X, A), Inv);
      Value *Z2 = B.CreateFMul(Z, Z);
      if (!Reverse) {
        Value *Lp = B.CreateFSub(B.CreateFMul(c(-0.5), Z2), unaryIntr(Intrinsic::log, Bp));
        return st(I.Result, Ix, B.CreateFSub(Lp, c(LogSqrt2Pi)));
      }
      Gs[1] = B.CreateFMul(Z, Inv);
      Gs[0] = B.CreateFNeg(Gs[1]);
      Gs[2] = B.CreateFMul(B.CreateFSub(Z2, c(1)), Inv);
    } else {
      FunctionCallee Fc = decl(lpdfName(I.D), Dbl, {Dbl, Dbl, Dbl, Ptr});
      Value *Lp = B.CreateCall(Fc, {X, A, Bp, Reverse ? static_cast<Value *>(GBuf) : Null});
      if (!Reverse)
        return st(I.Result, Ix, Lp);
      for (int K = 0; K < 3; ++K)
        Gs[K] = B.CreateLoad(Dbl, B.CreateConstInBoundsGEP2_32(GBuf->getAllocatedType(), GBuf, 0, K));
    }
    Value *Adj = adj(I.Result, Ix);
    for (size_t K = 0; K <= Arity; ++K)
      if (Sinks[K].Slot)
        addTo(Sinks[K], B.CreateFMul(Adj, Gs[K]));
      else if (lir::passesGradient(I, K))
        addAdj(I.Operands[K], bidx(I.Operands[K], R, Ix), B.CreateFMul(Adj, Gs[K]));
  };
  loop(R.numel(), element);
  flushSinks(I, Sinks);
}

void Emitter::sample(const lir::Instr &I) {
  const Shape &R = shape(I.Result);
  ValueId P0 = I.Operands[0];
  switch (I.D) {
  case Dist::CategoricalProbs:
  case Dist::CategoricalLogits: {
    // Inverse CDF over the last dim: the number of categories whose
    // cumulative (normalised) mass is at most u.
    int64_t N = shape(P0).Dims.back();
    bool Logits = I.D == Dist::CategoricalLogits;
    return loop(R.numel(), [&](Value *Ix) {
      Value *Row = mul(bidx(lir::dropLast(shape(P0)), R, Ix), N);
      AllocaInst *Max = accum(Dbl, c(-INFINITY), "max"), *Total = accum(Dbl, c(0), "total");
      if (Logits)
        loop(N, [&](Value *J) { B.CreateStore(B.CreateMaxNum(B.CreateLoad(Dbl, Max), ld(P0, add(Row, J))), Max); });
      Value *Mx = B.CreateLoad(Dbl, Max);
      auto mass = [&](Value *J) {
        Value *W = ld(P0, add(Row, J));
        return Logits ? unaryIntr(Intrinsic::exp, B.CreateFSub(W, Mx)) : W;
      };
      loop(N, [&](Value *J) { B.CreateStore(B.CreateFAdd(B.CreateLoad(Dbl, Total), mass(J)), Total); });
      Value *Target = B.CreateFMul(rng("svic_rt_uniform01", I, Ix), B.CreateLoad(Dbl, Total));
      AllocaInst *Cum = accum(Dbl, c(0), "cum"), *Count = accum(I64, i64(0), "k");
      loop(N - 1, [&](Value *J) {
        Value *Cn = B.CreateFAdd(B.CreateLoad(Dbl, Cum), mass(J));
        B.CreateStore(Cn, Cum);
        B.CreateStore(add(B.CreateLoad(I64, Count), B.CreateZExt(B.CreateFCmpOLE(Cn, Target), I64)), Count);
      });
      st(I.Result, Ix, B.CreateSIToFP(B.CreateLoad(I64, Count), Dbl));
    });
  }
  case Dist::Dirichlet: {
    int64_t N = R.Dims.back();
    Shape Batch = lir::dropLast(R);
    FunctionCallee Fc = decl("svic_rt_sample_dirichlet", B.getVoidTy(), {I64, I64, I64, I32, I32, Ptr, I64, Ptr});
    return loop(Batch.numel(), [&](Value *Ix) {
      Value *CRow = mul(bidx(lir::dropLast(shape(P0)), Batch, Ix), N);
      B.CreateCall(Fc, {Seed, Step, SampleNo, site(I), B.CreateTrunc(Ix, I32), gep(Base[P0], CRow), i64(N),
                        gep(Base[I.Result], mul(Ix, N))});
    });
  }
  default:
    break;
  }
  loop(R.numel(), [&](Value *Ix) {
    Value *A = ld(P0, bidx(P0, R, Ix));
    Value *Bp = lir::distArity(I.D) == 2 ? ld(I.Operands[1], bidx(I.Operands[1], R, Ix)) : nullptr;
    auto normal = [&] { return rng("svic_rt_std_normal", I, Ix); };
    auto uniform = [&] { return rng("svic_rt_uniform01", I, Ix); };
    auto sampler = [&](const char *Name, bool Two) {
      std::vector<Type *> Ts = {I64, I64, I64, I32, I32, Dbl};
      std::vector<Value *> Args = {Seed, Step, SampleNo, site(I), B.CreateTrunc(Ix, I32), A};
      if (Two) {
        Ts.push_back(Dbl);
        Args.push_back(Bp);
      }
      return B.CreateCall(decl(Name, Dbl, Ts), Args);
    };
    Value *Y = nullptr;
    switch (I.D) {
    case Dist::Normal: Y = B.CreateFAdd(A, B.CreateFMul(Bp, normal())); break;
    case Dist::LogNormal: Y = unaryIntr(Intrinsic::exp, B.CreateFAdd(A, B.CreateFMul(Bp, normal()))); break;
    case Dist::HalfNormal: Y = unaryIntr(Intrinsic::fabs, B.CreateFMul(A, normal())); break;
    case Dist::Uniform: Y = B.CreateFAdd(A, B.CreateFMul(B.CreateFSub(Bp, A), uniform())); break;
    case Dist::Exponential: Y = B.CreateFDiv(B.CreateFNeg(unaryIntr(Intrinsic::log, uniform())), A); break;
    case Dist::Gamma: Y = sampler("svic_rt_sample_gamma", true); break;
    case Dist::Beta: Y = sampler("svic_rt_sample_beta", true); break;
    case Dist::Poisson: Y = sampler("svic_rt_sample_poisson", false); break;
    case Dist::BernoulliProbs: Y = toDouble(B.CreateFCmpOLT(uniform(), A)); break;
    case Dist::BernoulliLogits: Y = toDouble(B.CreateFCmpOLT(uniform(), sigmoid(A))); break;
    default: Y = c(NAN); break;
    }
    st(I.Result, Ix, Y);
  });
}

void Emitter::checkFinite(const lir::Instr &I) {
  ValueId X = I.Operands[0];
  // x - x is NaN exactly when x is not finite; the sum keeps any NaN.
  Reduction Acc = reduction(shape(X).numel());
  loop(shape(X).numel(), [&](Value *Ix) {
    Value *V = ld(X, Ix);
    addTo(Acc, B.CreateFSub(V, V));
  });
  flagBad(B.CreateFCmpUNO(total(Acc), c(0)), site(I), "not.finite");
  if (P.Value[I.Result].Kind != Storage::Alias)
    st(I.Result, i64(0), c(0));
}

void Emitter::checkIndex(const lir::Instr &I) {
  ValueId X = I.Operands[0];
  const double Low = static_cast<double>(I.Ints[0]), High = static_cast<double>(I.Ints[1]);
  // A count, not a flag, so that the loop is a plain reduction LLVM vectorises.
  AllocaInst *Out = accum(I64, i64(0), "out.of.range");
  loop(shape(X).numel(), [&](Value *Ix) {
    Value *V = ld(X, Ix);
    Value *Bad = B.CreateOr(B.CreateFCmpOLT(V, c(Low)), B.CreateFCmpOGE(V, c(High)));
    B.CreateStore(add(B.CreateLoad(I64, Out), B.CreateZExt(Bad, I64)), Out);
  });
  flagBad(B.CreateICmpNE(B.CreateLoad(I64, Out), i64(0)), site(I), "index.out.of.range");
}

void Emitter::flagBad(Value *Bad, Value *Code, const Twine &Name) {
  // The hot path pays one compare and jump, not a read-modify-write of ctx->bad_site.
  BasicBlock *Cold = BasicBlock::Create(C, Name, Fn);
  BasicBlock *Cont = BasicBlock::Create(C, "ok", Fn);
  B.CreateCondBr(Bad, Cold, Cont, MDBuilder(C).createBranchWeights(1, 1 << 20));
  B.SetInsertPoint(Cold);
  Value *SitePtr = B.CreateStructGEP(CtxTy, Ctx, ctx::BadSite);
  Value *Old = B.CreateLoad(I32, SitePtr);
  Value *Set = B.CreateICmpSLT(Old, B.getInt32(0));
  B.CreateStore(B.CreateSelect(Set, Code, Old), SitePtr);
  B.CreateBr(Cont);
  B.SetInsertPoint(Cont);
}

//===-- ELBO, learning signals, adjoint seeds ----------------------------------===//

void Emitter::seeds(Value *&Elbo) {
  std::vector<Value *> Term; // s_i f_i
  Elbo = c(0);
  for (const lir::Factor &Fa : F.Factors) {
    Value *Fv = ld(Fa.Value, i64(0));
    Term.push_back(Fa.Sign == 1 ? Fv : Fa.Sign == -1 ? B.CreateFNeg(Fv) : B.CreateFMul(c(Fa.Sign), Fv));
    Elbo = B.CreateFAdd(Elbo, Term.back());
  }
  std::vector<Value *> Seed(F.Factors.size(), nullptr);
  if (P.Outlined && !F.ScoreSites.empty())
    signalsByTable(Term, Seed);
  else
    for (size_t K = 0; K < F.ScoreSites.size(); ++K) {
      const lir::ScoreSite &S = F.ScoreSites[K];
      Value *L = c(0);
      for (size_t Fi : S.Downstream)
        L = B.CreateFAdd(L, Term[Fi]);
      B.CreateStore(L, gep(Signals, i64(K)));
      Value *Centred = B.CreateFSub(L, B.CreateLoad(Dbl, gep(Baselines, i64(K))));
      size_t Q = S.LogQ;
      Seed[Q] = B.CreateFAdd(Seed[Q] ? Seed[Q] : c(F.Factors[Q].Sign), Centred);
    }
  // Zero the stack adjoints (free once promoted to registers); workspace
  // ones wait for their first writer.
  AdjReady.assign(F.Values.size(), true);
  StoreAdj.assign(F.Values.size(), false);
  for (ValueId V = 1; V < F.Values.size(); ++V)
    if (P.Active[V] && P.Adjoint[V].Kind == Storage::Local)
      B.CreateMemSet(AdjBase[V], B.getInt8(0), std::max<int64_t>(shape(V).numel(), 1) * 8, MaybeAlign(8));
    else if (P.Active[V] && P.Adjoint[V].Kind == Storage::Workspace)
      AdjReady[V] = false;
  for (size_t Fi = 0; Fi < F.Factors.size(); ++Fi) {
    ValueId V = F.Factors[Fi].Value, Root = adjRoot(V);
    if (P.Active[V] && !AdjReady[Root]) { // a factor in the workspace (outlined)
      B.CreateMemSet(AdjBase[V], B.getInt8(0), std::max<int64_t>(shape(Root).numel(), 1) * 8, MaybeAlign(8));
      AdjReady[Root] = true;
    }
    addAdj(V, i64(0), Seed[Fi] ? Seed[Fi] : c(F.Factors[Fi].Sign));
  }
}

/// The learning signals and seeds of seeds() by a loop over constant tables
/// of each site's downstream factors, adding in the same order: straight-line
/// code grows with sites times factors (in an unrolled model, both grow with
/// the steps).
void Emitter::signalsByTable(const std::vector<Value *> &Term, std::vector<Value *> &Seed) {
  const size_t NF = F.Factors.size();
  std::vector<uint64_t> Start = {0}, Index, LogQ;
  for (const lir::ScoreSite &S : F.ScoreSites) {
    Index.insert(Index.end(), S.Downstream.begin(), S.Downstream.end());
    Start.push_back(Index.size());
    LogQ.push_back(S.LogQ);
  }
  Index.push_back(0); // never empty
  auto table = [&](const char *Name, const std::vector<uint64_t> &Xs) {
    return constantGlobal(Name, ConstantDataArray::get(C, Xs), GlobalValue::PrivateLinkage);
  };
  GlobalVariable *StartG = table("signals.start", Start), *IndexG = table("signals.index", Index),
                 *LogQG = table("signals.logq", LogQ);
  AllocaInst *Terms = entryAlloca(ArrayType::get(Dbl, NF), "terms");
  AllocaInst *Seeds = entryAlloca(ArrayType::get(Dbl, NF), "seeds");
  for (size_t Fi = 0; Fi < NF; ++Fi) {
    B.CreateStore(Term[Fi], gep(Terms, i64(static_cast<int64_t>(Fi))));
    B.CreateStore(c(F.Factors[Fi].Sign), gep(Seeds, i64(static_cast<int64_t>(Fi))));
  }
  auto at = [&](GlobalVariable *G, Value *Ix) { return B.CreateLoad(I64, B.CreateInBoundsGEP(I64, G, Ix)); };
  AllocaInst *Sum = accum(Dbl, c(0), "signal"), *J = accum(I64, i64(0), "j");
  loop(static_cast<int64_t>(F.ScoreSites.size()), [&](Value *K) {
    Value *Hi = at(StartG, add(K, i64(1)));
    B.CreateStore(c(0), Sum);
    B.CreateStore(at(StartG, K), J);
    BasicBlock *Head = BasicBlock::Create(C, "signal.head", Fn), *Body = BasicBlock::Create(C, "signal.add", Fn),
               *Done = BasicBlock::Create(C, "signal.done", Fn);
    B.CreateBr(Head);
    B.SetInsertPoint(Head);
    Value *Jv = B.CreateLoad(I64, J);
    B.CreateCondBr(B.CreateICmpULT(Jv, Hi), Body, Done);
    B.SetInsertPoint(Body);
    B.CreateStore(B.CreateFAdd(B.CreateLoad(Dbl, Sum), B.CreateLoad(Dbl, gep(Terms, at(IndexG, Jv)))), Sum);
    B.CreateStore(add(Jv, i64(1)), J);
    B.CreateBr(Head);
    B.SetInsertPoint(Done);
    Value *L = B.CreateLoad(Dbl, Sum);
    B.CreateStore(L, gep(Signals, K));
    Value *Q = gep(Seeds, at(LogQG, K));
    B.CreateStore(B.CreateFAdd(B.CreateLoad(Dbl, Q), B.CreateFSub(L, B.CreateLoad(Dbl, gep(Baselines, K)))), Q);
  });
  for (size_t Fi = 0; Fi < NF; ++Fi)
    Seed[Fi] = B.CreateLoad(Dbl, gep(Seeds, i64(static_cast<int64_t>(Fi))));
}

//===-- Reverse ---------------------------------------------------------------===//

void Emitter::reverse(const lir::Block &Blk) {
  for (auto It = Blk.Body.rbegin(); It != Blk.Body.rend(); ++It)
    reverseStep(*It);
}

void Emitter::reverseStep(const lir::Instr &I) {
  if (!P.needsReverse(I))
    return;
  std::vector<ValueId> Stored = prepareAdjoints(I);
  emitRule(I, /*Reverse=*/true);
  for (ValueId R : Stored)
    StoreAdj[R] = false;
}

/// The active values whose adjoints the reverse rule of \p I reads or
/// writes (for an If, everything inside it).
void Emitter::adjointsTouched(const lir::Instr &I, std::vector<ValueId> &Out) const {
  auto add = [&](ValueId V) {
    if (P.Active[V])
      Out.push_back(adjRoot(V));
  };
  for (ValueId V : I.Operands)
    add(V);
  if (I.Opcode != Op::If)
    return add(I.Result);
  for (ValueId V : I.Results)
    add(V);
  for (const lir::Block &R : I.Regions) {
    for (ValueId V : R.Yields)
      add(V);
    for (const lir::Instr &J : R.Body)
      adjointsTouched(J, Out);
  }
}

/// Before the reverse rule of a top-level instruction: a workspace adjoint
/// touched for the first time is either written by this rule once per
/// element (then it stores, no zeroing needed) or zeroed now. Inside an If
/// everything touched was prepared before the branch, since the branch may
/// not run. Returns the adjoints this rule stores.
std::vector<ValueId> Emitter::prepareAdjoints(const lir::Instr &I) {
  std::vector<ValueId> Touched;
  adjointsTouched(I, Touched);
  Op O = I.Opcode;
  bool Bijective = O == Op::Sum || O == Op::Prod || O == Op::Softmax || O == Op::LogSoftmax ||
                   O == Op::Transpose || O == Op::Concat;
  bool Pointwise = lir::isElementwise(O) || (O == Op::LogProb && !lir::hasVectorParam(I.D));
  std::vector<ValueId> Once;
  if (Bijective || Pointwise)
    for (size_t K = 0; K < I.Operands.size(); ++K) {
      ValueId V = I.Operands[K];
      if (!P.Active[V] || !lir::passesGradient(I, K) || (Pointwise && shape(V) != shape(I.Result)))
        continue;
      size_t Uses = 0;
      for (size_t J = 0; J < I.Operands.size(); ++J)
        Uses += P.Active[I.Operands[J]] && adjRoot(I.Operands[J]) == adjRoot(V);
      if (Uses == 1)
        Once.push_back(adjRoot(V));
    }
  std::vector<ValueId> Stored;
  for (ValueId R : Touched) {
    if (AdjReady[R])
      continue;
    AdjReady[R] = true;
    if (std::find(Once.begin(), Once.end(), R) != Once.end()) {
      StoreAdj[R] = true;
      Stored.push_back(R);
    } else {
      B.CreateMemSet(AdjBase[R], B.getInt8(0), std::max<int64_t>(shape(R).numel(), 1) * 8, MaybeAlign(8));
    }
  }
  return Stored;
}

void Emitter::reverse(const lir::Instr &I) {
  switch (I.Opcode) {
  case Op::Param:
    return loop(shape(I.Result).numel(),
                [&](Value *Ix) { addTo(Grad, add(Ix, i64(I.Offset)), adj(I.Result, Ix)); });
  case Op::Reshape:
  case Op::CheckFinite:
  case Op::CheckIndex:
    return; // the adjoint is the operand's
  case Op::Expand:
  case Op::Transpose:
  case Op::Slice:
  case Op::Gather:
  case Op::Concat:
    return gatherLike(I, /*Reverse=*/true);
  case Op::Sum:
  case Op::Prod:
    return reduce(I, true);
  case Op::Softmax:
  case Op::LogSoftmax:
    return softmax(I, true);
  case Op::MatMul:
    return matmul(I, true);
  case Op::LogProb:
    return logProb(I, true);
  case Op::If:
    return ifReverse(I);
  default:
    if (lir::isElementwise(I.Opcode))
      elementwiseReverse(I);
    return;
  }
}

void Emitter::ifReverse(const lir::Instr &I) {
  Value *Cond = isTrue(ld(I.Operands[0], i64(0)));
  BasicBlock *Then = BasicBlock::Create(C, "rev.then", Fn), *Else = BasicBlock::Create(C, "rev.else", Fn),
             *Merge = BasicBlock::Create(C, "rev.endif", Fn);
  B.CreateCondBr(Cond, Then, Else);
  for (size_t Ri = 0; Ri < 2; ++Ri) {
    B.SetInsertPoint(Ri == 0 ? Then : Else);
    const lir::Block &Region = I.Regions[Ri];
    for (size_t J = 0; J < I.Results.size(); ++J) {
      ValueId Y = Region.Yields[J], Res = I.Results[J];
      if (P.Active[Res] && P.Active[Y])
        loop(shape(Res).numel(), [&](Value *Ix) { addAdj(Y, Ix, adj(Res, Ix)); });
    }
    reverse(Region);
    B.CreateBr(Merge);
  }
  B.SetInsertPoint(Merge);
}

void Emitter::elementwiseReverse(const lir::Instr &I) {
  const Shape &R = shape(I.Result);
  ValueId Y = I.Result;
  std::vector<Reduction> Sinks = broadcastSinks(I, R.numel());
  loop(R.numel(), [&](Value *Ix) {
    // Operands are loaded only by the rules that read them: the workspace
    // plan frees the others before the reverse sweep (forEachReverseRead).
    std::vector<Value *> Loaded(I.Operands.size(), nullptr);
    auto X = [&](size_t K) {
      if (!Loaded[K])
        Loaded[K] = ld(I.Operands[K], bidx(I.Operands[K], R, Ix));
      return Loaded[K];
    };
    Value *G = adj(Y, Ix);
    auto out = [&](size_t K, Value *D) {
      if (Sinks[K].Slot)
        addTo(Sinks[K], D);
      else if (P.Active[I.Operands[K]])
        addAdj(I.Operands[K], bidx(I.Operands[K], R, Ix), D);
    };
    switch (I.Opcode) {
    case Op::Neg: return out(0, B.CreateFNeg(G));
    case Op::Exp: return out(0, B.CreateFMul(G, ld(Y, Ix)));
    case Op::Log: return out(0, B.CreateFDiv(G, X(0)));
    case Op::Log1p: return out(0, B.CreateFDiv(G, B.CreateFAdd(c(1), X(0))));
    case Op::Expm1: return out(0, B.CreateFMul(G, B.CreateFAdd(ld(Y, Ix), c(1))));
    case Op::Sqrt: return out(0, B.CreateFDiv(G, B.CreateFMul(c(2), ld(Y, Ix)))); // +inf at 0, as torch
    case Op::Rsqrt: {
      Value *Yv = ld(Y, Ix);
      return out(0, B.CreateFMul(B.CreateFMul(c(-0.5), G), B.CreateFMul(Yv, B.CreateFMul(Yv, Yv))));
    }
    case Op::Sigmoid: {
      Value *Yv = ld(Y, Ix);
      return out(0, B.CreateFMul(G, B.CreateFMul(Yv, B.CreateFSub(c(1), Yv))));
    }
    case Op::LogSigmoid: return out(0, B.CreateFMul(G, sigmoid(B.CreateFNeg(X(0)))));
    case Op::Tanh: {
      Value *Yv = ld(Y, Ix);
      return out(0, B.CreateFMul(G, B.CreateFSub(c(1), B.CreateFMul(Yv, Yv))));
    }
    case Op::Softplus: {
      Value *BX = B.CreateFMul(X(0), c(I.Scalar0));
      return out(0, B.CreateSelect(B.CreateFCmpOGT(BX, c(I.Scalar1)), G, B.CreateFMul(G, sigmoid(BX))));
    }
    case Op::Relu:
      kink(B.CreateFCmpOEQ(X(0), c(0)));
      return out(0, B.CreateSelect(B.CreateFCmpOGT(X(0), c(0)), G, c(0)));
    case Op::Abs: {
      kink(B.CreateFCmpOEQ(X(0), c(0)));
      Value *Sgn = B.CreateSelect(B.CreateFCmpOGT(X(0), c(0)), c(1),
                                  B.CreateSelect(B.CreateFCmpOLT(X(0), c(0)), c(-1), c(0)));
      return out(0, B.CreateFMul(G, Sgn));
    }
    case Op::Sin: return out(0, B.CreateFMul(G, unaryIntr(Intrinsic::cos, X(0))));
    case Op::Cos: return out(0, B.CreateFNeg(B.CreateFMul(G, unaryIntr(Intrinsic::sin, X(0)))));
    case Op::Erf: {
      Value *E = unaryIntr(Intrinsic::exp, B.CreateFNeg(B.CreateFMul(X(0), X(0))));
      return out(0, B.CreateFMul(G, B.CreateFMul(c(2 / std::sqrt(std::numbers::pi)), E)));
    }
    case Op::Lgamma: return out(0, B.CreateFMul(G, B.CreateCall(decl("svic_rt_digamma", Dbl, {Dbl}), {X(0)})));
    case Op::Digamma: return out(0, B.CreateFMul(G, B.CreateCall(Trigamma, {X(0)})));
    case Op::Clamp: {
      Value *Lo = c(I.Scalar0), *Hi = c(I.Scalar1);
      kink(B.CreateOr(B.CreateFCmpOEQ(X(0), Lo), B.CreateFCmpOEQ(X(0), Hi)));
      Value *Inside = B.CreateAnd(B.CreateFCmpOGT(X(0), Lo), B.CreateFCmpOLT(X(0), Hi));
      return out(0, B.CreateSelect(Inside, G, c(0)));
    }
    case Op::Add:
      out(0, G);
      return out(1, G);
    case Op::Sub:
      out(0, G);
      return out(1, B.CreateFNeg(G));
    case Op::Mul:
      out(0, B.CreateFMul(G, X(1)));
      return out(1, B.CreateFMul(G, X(0)));
    case Op::Div:
      out(0, B.CreateFDiv(G, X(1)));
      return out(1, B.CreateFDiv(B.CreateFNeg(B.CreateFMul(G, X(0))), B.CreateFMul(X(1), X(1))));
    case Op::Pow: {
      // torch: d/da = 0 where b == 0; d/db = 0 where a == 0 and b >= 0
      Value *E = X(1);
      Value *Da = B.CreateFMul(E, B.CreateBinaryIntrinsic(Intrinsic::pow, X(0), B.CreateFSub(E, c(1))));
      out(0, B.CreateSelect(B.CreateFCmpOEQ(E, c(0)), c(0), B.CreateFMul(G, Da)));
      Value *Db = B.CreateFMul(ld(Y, Ix), unaryIntr(Intrinsic::log, X(0)));
      Value *Zero = B.CreateAnd(B.CreateFCmpOEQ(X(0), c(0)), B.CreateFCmpOGE(E, c(0)));
      return out(1, B.CreateSelect(Zero, c(0), B.CreateFMul(G, Db)));
    }
    case Op::Minimum:
    case Op::Maximum: {
      kink(B.CreateFCmpOEQ(X(0), X(1)));
      Value *First = I.Opcode == Op::Minimum ? B.CreateFCmpOLE(X(0), X(1)) : B.CreateFCmpOGE(X(0), X(1));
      out(0, B.CreateSelect(First, G, c(0)));
      return out(1, B.CreateSelect(First, c(0), G));
    }
    case Op::Where: {
      Value *Cond = isTrue(X(0));
      out(1, B.CreateSelect(Cond, G, c(0)));
      return out(2, B.CreateSelect(Cond, c(0), G));
    }
    default:
      return; // piecewise constant: no gradient
    }
  });
  flushSinks(I, Sinks);
}

//===-- Outlining -------------------------------------------------------------===//

void Emitter::emitRule(const lir::Instr &I, bool Reverse) {
  if (P.Outlined && hasLoop(F, I))
    return outline(I, Reverse);
  if (Reverse)
    reverse(I);
  else
    forward(I);
}

Emitter::Frame Emitter::enter(const char *Name, ArrayRef<Type *> Extra) {
  Frame Caller{Fn, EntryBB, GBuf, B.saveIP(), {}};
  std::array<Value **, 9> Env = env();
  for (size_t K = 0; K < Env.size(); ++K)
    Caller.Env[K] = *Env[K];
  std::vector<Type *> Tys = envTypes();
  Tys.insert(Tys.end(), Extra.begin(), Extra.end());
  Fn = Function::Create(FunctionType::get(B.getVoidTy(), Tys, false), GlobalValue::InternalLinkage, Name, M);
  Fn->addFnAttr(Attribute::NoUnwind);
  Fn->addFnAttr(Attribute::NoInline);
  for (unsigned K = 0; K < Tys.size(); ++K)
    if (Tys[K] == Ptr) {
      Fn->addParamAttr(K, Attribute::NoAlias);
      Fn->addParamAttr(K, Attribute::NoCapture);
    }
  for (size_t K = 0; K < Env.size(); ++K)
    *Env[K] = Fn->getArg(static_cast<unsigned>(K));
  EntryBB = BasicBlock::Create(C, "entry", Fn);
  B.SetInsertPoint(EntryBB);
  GBuf = entryAlloca(ArrayType::get(Dbl, 3), "g");
  return Caller;
}

void Emitter::leave(const Frame &Caller) {
  B.CreateRetVoid();
  std::array<Value **, 9> Env = env();
  for (size_t K = 0; K < Env.size(); ++K)
    *Env[K] = Caller.Env[K];
  Fn = Caller.Fn;
  EntryBB = Caller.EntryBB;
  GBuf = Caller.GBuf;
  B.restoreIP(Caller.IP);
}

/// The rule of \p I as an internal noinline function of the buffers it
/// touches, called here. Every pointer is passed once and distinct pointers
/// are disjoint (the plan gives every root its own storage), so all are
/// noalias and the rule's loops vectorise as they would inline. Each such
/// function is small, so the optimiser's cost stays linear in the program,
/// and rules that come out identical are one function (the slice origin and
/// the site are arguments, so the same rule at the next step of an unrolled
/// loop is the same code).
void Emitter::outline(const lir::Instr &I, bool Reverse) {
  std::vector<Value *> Ptrs;
  std::vector<Value *> Args = envArgs();
  auto pass = [&](Value *V) {
    if (V && std::find(Ptrs.begin(), Ptrs.end(), V) == Ptrs.end() &&
        std::find(Args.begin(), Args.end(), V) == Args.end())
      Ptrs.push_back(V);
  };
  std::vector<ValueId> Ids = I.Operands;
  Ids.push_back(I.Result);
  std::sort(Ids.begin(), Ids.end());
  Ids.erase(std::unique(Ids.begin(), Ids.end()), Ids.end());
  for (ValueId V : Ids) {
    pass(Base[V]);
    pass(AdjBase[V]);
  }
  auto Scratch = ScratchBase.find(&I);
  if (Scratch != ScratchBase.end())
    pass(Scratch->second);
  Args.insert(Args.end(), Ptrs.begin(), Ptrs.end());
  Args.insert(Args.end(), {i64(lir::sliceOrigin(F, I)), B.getInt32(I.Site)});
  std::vector<Type *> Extra(Ptrs.size(), Ptr);
  Extra.insert(Extra.end(), {I64, I32});

  // Emit the rule with every buffer renamed to its argument.
  std::vector<Value *> Callers = Args;
  Frame Caller = enter(Reverse ? "svic.rev" : "svic.fwd", Extra);
  Function *Rule = Fn;
  auto Arg = [&](Value *V) -> Value * {
    return V ? Rule->getArg(static_cast<unsigned>(std::find(Callers.begin(), Callers.end(), V) - Callers.begin()))
             : nullptr;
  };
  std::vector<std::pair<Value *, Value *>> SavedBases;
  for (ValueId V : Ids) {
    SavedBases.emplace_back(Base[V], AdjBase[V]);
    Base[V] = Arg(Base[V]);
    AdjBase[V] = Arg(AdjBase[V]);
  }
  Value *SavedScratch = nullptr;
  if (Scratch != ScratchBase.end()) {
    SavedScratch = Scratch->second;
    Scratch->second = Arg(SavedScratch);
  }
  OriginArg = Rule->getArg(Rule->arg_size() - 2);
  SiteArg = Rule->getArg(Rule->arg_size() - 1);
  if (Reverse)
    reverse(I);
  else
    forward(I);
  OriginArg = SiteArg = nullptr;
  for (size_t K = 0; K < Ids.size(); ++K)
    std::tie(Base[Ids[K]], AdjBase[Ids[K]]) = SavedBases[K];
  if (Scratch != ScratchBase.end())
    Scratch->second = SavedScratch;
  leave(Caller);
  B.CreateCall(uniqueRule(Rule), Args);
}

/// Outlined: the top-level instructions in groups of about ChunkRules rules,
/// each group's forward (or reverse) code one function of ctx's buffers, so
/// that no pointer lives across the whole body of svic.sample.
void Emitter::chunked(bool Reverse) {
  const std::vector<lir::Instr> &Body = F.Entry.Body;
  std::vector<std::pair<size_t, size_t>> Groups;
  for (size_t Start = 0, Rules = 0, K = 0; K < Body.size(); ++K) {
    Rules += loopRules(F, Body[K]);
    if (Rules >= ChunkRules || K + 1 == Body.size()) {
      Groups.emplace_back(Start, K + 1);
      Start = K + 1;
      Rules = 0;
    }
  }
  if (Reverse)
    std::reverse(Groups.begin(), Groups.end());
  for (auto [Begin, End] : Groups) {
    std::vector<const lir::Instr *> Instrs;
    std::vector<ValueId> Ids;
    std::function<void(const lir::Instr &)> Uses = [&](const lir::Instr &I) {
      Instrs.push_back(&I);
      Ids.insert(Ids.end(), I.Operands.begin(), I.Operands.end());
      if (I.Opcode != Op::If)
        Ids.push_back(I.Result);
      Ids.insert(Ids.end(), I.Results.begin(), I.Results.end());
      for (const lir::Block &R : I.Regions) {
        Ids.insert(Ids.end(), R.Yields.begin(), R.Yields.end());
        for (const lir::Instr &J : R.Body)
          Uses(J);
      }
    };
    bool Any = false;
    for (size_t K = Begin; K < End; ++K) {
      Uses(Body[K]);
      Any = Any || !Reverse || P.needsReverse(Body[K]);
    }
    if (!Any)
      continue;
    std::sort(Ids.begin(), Ids.end());
    Ids.erase(std::unique(Ids.begin(), Ids.end()), Ids.end());
    std::vector<Value *> Args = envArgs();
    Frame Caller = enter(Reverse ? "svic.rev.chunk" : "svic.fwd.chunk", {});
    place(Ids, Instrs);
    if (Reverse) {
      for (size_t K = End; K-- > Begin;)
        reverseStep(Body[K]);
    } else {
      for (size_t K = Begin; K < End; ++K)
        emitRule(Body[K], /*Reverse=*/false);
    }
    Function *Chunk = Fn;
    leave(Caller);
    B.CreateCall(Chunk, Args);
  }
}

/// \p Rule, or an earlier rule with the same code (then \p Rule is erased).
Function *Emitter::uniqueRule(Function *Rule) {
  std::vector<Function *> &Same = Rules[StructuralHash(*Rule)];
  for (Function *Earlier : Same)
    if (FunctionComparator(Rule, Earlier, &Numbers).compare() == 0) {
      Rule->eraseFromParent();
      return Earlier;
    }
  Same.push_back(Rule);
  return Rule;
}

} // namespace

bool emitsBlock(const lir::Function &F) {
  // The block's reduction is straight-line code over this many registers; a
  // function with outputs is run one sample at a time, never in blocks.
  constexpr int64_t MaxBlockValues = 64;
  return F.OutputDoubles == 0 && F.ParamDoubles + 1 + static_cast<int64_t>(F.ScoreSites.size()) <= MaxBlockValues;
}

std::unique_ptr<Module> emitModule(const lir::Function &F, const Plan &P, const std::string &DescriptorJson,
                                   LLVMContext &C, const DataLayout &DL, const std::string &Triple,
                                   std::string &Error) {
  auto M = std::make_unique<Module>("svic", C);
  M->setDataLayout(DL);
  M->setTargetTriple(Triple);
  Type *Ptr = PointerType::getUnqual(C), *I64 = Type::getInt64Ty(C), *I32 = Type::getInt32Ty(C);
  StructType *CtxTy =
      StructType::create(C, {Ptr, Ptr, Ptr, Ptr, Ptr, Ptr, I64, I64, I64, I32, I32}, "svic_sample_ctx");
  const StructLayout *L = DL.getStructLayout(CtxTy);
  for (unsigned K = 0; K < ctx::NumFields; ++K)
    if (L->getElementOffset(K) != ctx::ByteOffset[K] || L->getSizeInBytes() != ctx::Size) {
      Error = "internal error: the target's layout of svic_sample_ctx differs from Abi.h";
      return nullptr;
    }
  Emitter(F, P, C, *M).run(DescriptorJson, CtxTy);
  return M;
}

} // namespace svic::backend::codegen
