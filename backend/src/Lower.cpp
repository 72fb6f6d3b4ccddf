//===- Lower.cpp - Core IR (model + guide) to one LIR estimator function ----===//
///
/// The guide runs first: every latent is sampled (pathwise or score, by the
/// estimator's choice) and its guide log-density becomes a factor with sign
/// -1. The model then runs with each latent bound to the guide's value; its
/// sample and observe sites become factors with sign +1. Python-level
/// computation happens here, at compile time; tensor computation is emitted.
//===----------------------------------------------------------------------===//

#include "svic/backend/Lower.h"

#include "LowerEnum.h"
#include "LowerOps.h"
#include "LowerValues.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <tuple>

namespace svic::backend {

using namespace lower;
using namespace svic::ir;

std::string_view estimatorName(EstimatorKind K) {
  switch (K) {
  case EstimatorKind::Auto: return "auto";
  case EstimatorKind::Score: return "score";
  case EstimatorKind::Pathwise: return "pathwise";
  case EstimatorKind::Pyro: return "pyro";
  }
  return "auto";
}

std::optional<EstimatorKind> parseEstimator(std::string_view S) {
  for (EstimatorKind K : {EstimatorKind::Auto, EstimatorKind::Score, EstimatorKind::Pathwise,
                          EstimatorKind::Pyro})
    if (estimatorName(K) == S)
      return K;
  return std::nullopt;
}

namespace {

/// Distributions whose pathwise sampler svic implements (z = T(eps)).
bool hasPathwiseSampler(lir::Dist D) {
  switch (D) {
  case lir::Dist::Normal:
  case lir::Dist::LogNormal:
  case lir::Dist::HalfNormal:
  case lir::Dist::Uniform:
  case lir::Dist::Exponential:
    return true;
  default:
    return false;
  }
}

bool isDiscrete(lir::Dist D) {
  switch (D) {
  case lir::Dist::BernoulliProbs:
  case lir::Dist::BernoulliLogits:
  case lir::Dist::Poisson:
  case lir::Dist::CategoricalProbs:
  case lir::Dist::CategoricalLogits:
    return true;
  default:
    return false;
  }
}

class Lowerer {
public:
  Lowerer(const Program &Model, const Program &Guide, const LowerOptions &Opts, const SourceManager &SM)
      : Model(Model), Guide(Guide), Opts(Opts), SM(SM), E(F), Ops(E), InitRng(Opts.InitSeed) {}

  LoweredSimulator runSimulator() {
    Simulate = Ops.Simulate = true;
    Desc.Estimator = "simulate";
    bindInputs(Model);
    runProgram(Model, /*IsGuide=*/false);
    finish();
    F.OutputDoubles = OutputDoubles;
    LoweredSimulator Out;
    Out.Fn = std::move(F);
    Out.Desc = std::move(Desc);
    for (SimulatedArg &A : Outputs)
      A.Shape = Ops.DrawnShapes.at(A.Name);
    Out.Outputs = std::move(Outputs);
    return Out;
  }

  LoweredProgram run() {
    Desc.Estimator = std::string(estimatorName(Opts.Estimator));
    Desc.UseBaselines = Opts.Estimator != EstimatorKind::Pyro;
    bindInputs(Guide);
    runProgram(Guide, /*IsGuide=*/true);
    if (Opts.RecordTrace)
      recordConstantModules("guide");
    bindInputs(Model);
    runProgram(Model, /*IsGuide=*/false);
    sumOutEnumerated();
    if (Opts.RecordTrace) {
      recordConstantModules("model");
      for (const FactorRec &Fr : Factors)
        record(Fr.Sign < 0 ? TraceEntry::Kind::GuideTerm : TraceEntry::Kind::ModelTerm, Fr.Site, Fr.V, {},
               std::fabs(Fr.Sign));
    }
    finish();
    F.OutputDoubles = OutputDoubles;
    LoweredProgram Out;
    Out.Fn = std::move(F);
    Out.Desc = std::move(Desc);
    Out.Trace = std::move(Trace);
    return Out;
  }

private:
  const Program &Model, &Guide;
  const LowerOptions &Opts;
  const SourceManager &SM;
  lir::Function F;
  Emitter E;
  OpBuilder Ops;
  std::mt19937_64 InitRng;
  runtime::Descriptor Desc;
  bool Simulate = false; ///< runSimulator: the model alone, drawing every site
  std::vector<SimulatedArg> Outputs;
  std::map<std::string, std::vector<bool>> Observed; ///< the positions of each drawn argument that a site writes
  std::vector<TraceEntry> Trace;
  int64_t OutputDoubles = 0;
  lir::Block Prologue; ///< parameter reads and transforms, hoisted before everything
  /// weightView's results by (weight, rows, transposed); each keeps its weight
  /// alive so that the key's address is not reused.
  std::map<std::tuple<const Value *, int64_t, int64_t, bool>, std::pair<ValuePtr, ValuePtr>> WeightViews;

  struct ParamEntry {
    size_t DescIndex = 0;
    ValuePtr Constrained;
    SourceLoc Loc;
  };
  std::map<std::string, ParamEntry> Params;

  struct Latent {
    ValuePtr Val;
    lir::Dist D = lir::Dist::Normal;
    bool Conditional = false; ///< sampled under a run-time branch only
    SourceLoc Loc;
  };
  std::map<std::string, Latent> Latents;

  struct FactorRec {
    lir::ValueId V = 0;
    double Sign = 1;
    std::string Site;
    int ScoreOf = -1; ///< index into ScoreNames when this is log q of a score site
  };
  std::vector<FactorRec> Factors;
  std::vector<std::string> ScoreNames;
  std::vector<uint32_t> ScoreDepIds; ///< the DepSet id of each score site
  /// The model's enumerated sites and the densities that depend on them
  /// (LowerEnum.h), summed out when the model ends.
  std::vector<EnumVar> EnumVars;
  std::vector<EnumFactor> EnumFactors;
  int EnumPlateRank = -1; ///< the plate dims right of the enumeration dims, fixed by the first enumerated site

  // Per-program state.
  const Program *P = nullptr;
  bool InGuide = false;
  std::vector<ValuePtr> Env;
  std::map<std::string, SourceLoc> SitesSeen;
  struct PlateCtx {
    std::string Name;
    int64_t Size = 0;
    int Dim = -1;
  };
  std::vector<PlateCtx> Plates;
  std::vector<ValuePtr> Scales;
  std::vector<ValuePtr> Masks; ///< poutine.mask: a site's log-density counts only where they hold
  bool Returned = false;
  uint32_t NextNoiseStream = 0xFFFF; ///< dropout masks' RNG streams, counting down
  /// The RNG stream of each subsampled plate, by name: the model's plate
  /// draws the indices its guide namesake drew, as Pyro replays them.
  std::map<std::string, uint32_t> SubsampleStreams;
  int DropoutCalls = 0;               ///< numbers the recorded dropout multipliers
  bool InInit = false; ///< evaluating a parameter initialiser

  //===-- inputs -------------------------------------------------------------===//

  void bindInputs(const Program &Prog) {
    Env.assign(Prog.numVars(), nullptr);
    for (VarId In : Prog.Inputs)
      Env[In] = inputValue(Prog.var(In).Name);
  }

  /// The value of data entry \p Name: a compile-time int for an integral
  /// scalar, a dict for the entries "Name.key..." (a JSON object), else a
  /// run-time tensor read from ctx->data.
  ValuePtr inputValue(const std::string &Name) {
    auto It = Opts.Data.find(Name);
    if (It == Opts.Data.end()) {
      std::string Prefix = Name + ".";
      auto Sub = Opts.Data.lower_bound(Prefix);
      if (Sub != Opts.Data.end() && Sub->first.compare(0, Prefix.size(), Prefix) == 0) {
        auto D = std::make_shared<Value>();
        D->K = Value::Kind::Dict;
        std::set<std::string> Keys;
        for (; Sub != Opts.Data.end() && Sub->first.compare(0, Prefix.size(), Prefix) == 0; ++Sub)
          Keys.insert(Sub->first.substr(Prefix.size(), Sub->first.find('.', Prefix.size()) - Prefix.size()));
        for (const std::string &K : Keys) {
          D->Keys.push_back(makeStr(K));
          D->Items.push_back(inputValue(Prefix + K));
        }
        return D;
      }
      if (auto Drawn = Opts.DrawShapes.find(Name); Simulate && Drawn != Opts.DrawShapes.end())
        return Ops.drawnArgument(Name, Drawn->second, {});
      // Pyro passes None for an argument without data (`obs=ys` with ys
      // None is a latent); any other use names the missing argument.
      auto None = std::make_shared<Value>();
      None->Origin = Name;
      return None;
    }
    const runtime::Array &A = It->second;
    bool Integral = std::all_of(A.Values.begin(), A.Values.end(),
                                [](double X) { return std::floor(X) == X && std::isfinite(X); });
    if (A.Shape.empty() && Integral)
      return makeInt(static_cast<int64_t>(A.Values.at(0))); // a size or a bound
    auto Found = std::find_if(Desc.Inputs.begin(), Desc.Inputs.end(),
                              [&](const runtime::InputDesc &D) { return D.Name == Name; });
    if (Found == Desc.Inputs.end()) {
      runtime::InputDesc D;
      D.Name = Name;
      D.Shape = A.Shape;
      D.Offset = Desc.DataDoubles;
      D.Size = runtime::numElements(A.Shape);
      Desc.DataDoubles += D.Size;
      Desc.Inputs.push_back(D);
      Found = Desc.Inputs.end() - 1;
    }
    lir::Instr I;
    I.Opcode = lir::Op::Input;
    I.Offset = Found->Offset;
    auto V = std::make_shared<Value>();
    V->K = Value::Kind::Tensor;
    V->Shape = A.Shape;
    V->V = emitInPrologue(std::move(I), A.Shape, Name);
    V->Origin = Name;
    V->IsInt = A.Integer;
    // Compile-time facts come from data held whole; a large array loaded
    // with implicit zeros is a run-time tensor only.
    if (static_cast<int64_t>(A.Values.size()) == Found->Size) {
      V->Known = std::make_shared<const std::vector<double>>(A.Values);
      V->KnownFrom = {Name};
    }
    if (Simulate && Opts.Redraw.count(Name))
      return Ops.redrawnArgument(V, {});
    return V;
  }

  /// Emission into the prologue, outside every branch, while it lives:
  /// inputs and parameters are read once, before everything.
  struct InPrologue {
    Lowerer &Lw;
    lir::Block *Saved;
    std::vector<DepSet> SavedStack;
    explicit InPrologue(Lowerer &Lw) : Lw(Lw), Saved(Lw.E.current()), SavedStack(std::move(Lw.E.ControlStack)) {
      Lw.E.ControlStack.clear();
      Lw.E.setCurrent(&Lw.Prologue);
    }
    ~InPrologue() {
      Lw.E.setCurrent(Saved);
      Lw.E.ControlStack = std::move(SavedStack);
    }
  };

  lir::ValueId emitInPrologue(lir::Instr I, Dims S, const std::string &Name) {
    InPrologue Scope(*this);
    return E.emit(std::move(I), std::move(S), Name);
  }

  //===-- programs -------------------------------------------------------------===//

  void runProgram(const Program &Prog, bool IsGuide) {
    P = &Prog;
    InGuide = IsGuide;
    SitesSeen.clear();
    Plates.clear();
    Scales.clear();
    Returned = false;
    execBlock(Prog.Body);
  }

  std::string loc(SourceLoc L) const {
    return SM.path(L.File) + ":" + std::to_string(L.Line) + ":" + std::to_string(L.Col);
  }

  uint32_t addSite(const std::string &Name, const std::string &Kind, SourceLoc L) {
    runtime::SiteDesc S;
    S.Name = Name;
    S.Program = InGuide ? "guide" : "model";
    S.Kind = Kind;
    S.Location = loc(L);
    Desc.Sites.push_back(S);
    return static_cast<uint32_t>(Desc.Sites.size() - 1);
  }

  void execBlock(const Block &B) {
    for (const StmtPtr &S : B) {
      if (Returned)
        return;
      execStmt(*S);
    }
  }

  void execStmt(const Stmt &S) {
    switch (S.Kind) {
    case StmtKind::Assign: {
      const auto &A = *cast<AssignStmt>(&S);
      Env[A.Target] = eval(*A.Value);
      return;
    }
    case StmtKind::ExprStmt:
      eval(*cast<ExprStmt>(&S)->Value);
      return;
    case StmtKind::Sample:
      return execSample(*cast<SampleStmt>(&S));
    case StmtKind::Param: {
      const auto &Pm = *cast<ParamStmt>(&S);
      ValuePtr V = execParam(Pm);
      if (Pm.Target)
        Env[*Pm.Target] = V;
      return;
    }
    case StmtKind::Module:
      return execModule(*cast<ModuleStmt>(&S));
    case StmtKind::Factor:
      return execFactor(*cast<FactorStmt>(&S));
    case StmtKind::If:
      return execIf(*cast<IfStmt>(&S));
    case StmtKind::For:
      return execFor(*cast<ForStmt>(&S));
    case StmtKind::While: {
      const auto &W = *cast<WhileStmt>(&S);
      for (int64_t Trip = 0;; ++Trip) {
        ValuePtr C = E.fixKnown(eval(*W.Cond), W.Cond->Loc);
        if (!C->isStatic())
          unsupported(W.Cond->Loc, "a while loop whose condition depends on a random value");
        if (!truthy(*C, W.Cond->Loc) || Returned)
          return;
        if (Trip > 1000000)
          unsupported(S.Loc, "a while loop with more than 10^6 iterations");
        execBlock(W.Body);
      }
    }
    case StmtKind::With:
      return execWith(*cast<WithStmt>(&S));
    case StmtKind::Return:
      Returned = true;
      return;
    case StmtKind::Assert: {
      ValuePtr C = eval(*cast<AssertStmt>(&S)->Cond);
      if (C->isStatic() && !truthy(*C, S.Loc))
        invalid(S.Loc, "this assertion fails on every run");
      return;
    }
    }
  }

  bool truthy(const Value &V, SourceLoc L) {
    switch (V.K) {
    case Value::Kind::None: return false;
    case Value::Kind::Bool: return V.B;
    case Value::Kind::Int: return V.I != 0;
    case Value::Kind::Float: return V.F != 0;
    case Value::Kind::Str: return !V.S.empty();
    case Value::Kind::List:
    case Value::Kind::Tuple:
    case Value::Kind::Dict: return !V.Items.empty();
    case Value::Kind::Tensor:
      if (!V.Static)
        break;
      if (V.Static->size() != 1)
        invalid(L, "the truth value of a tensor with more than one element is ambiguous");
      return (*V.Static)[0] != 0;
    default:
      return true;
    }
    invalid(L, "internal: truth value of a run-time tensor");
  }

  //===-- control flow ------------------------------------------------------===//

  void execFor(const ForStmt &S) {
    if (S.Over == ForStmt::Iter::Plate) {
      if (S.Plate.SubsampleSize)
        unsupported(S.Plate.Loc, "pyro.plate with subsample_size");
      if (!S.Plate.Size)
        unsupported(S.Plate.Loc, "pyro.plate without a size");
      int64_t N = staticInt(*S.Plate.Size, "the size of a plate");
      for (int64_t I = 0; I < N && !Returned; ++I) {
        Env[S.Index] = makeInt(I);
        execBlock(S.Body);
      }
      return;
    }
    int64_t Start = staticInt(*S.Start, "a range bound"), Stop = staticInt(*S.Stop, "a range bound"),
            Step = staticInt(*S.Step, "a range step");
    if (Step == 0)
      invalid(S.Step->Loc, "range() step must not be zero");
    for (int64_t I = Start; Step > 0 ? I < Stop : I > Stop; I += Step) {
      if (Returned)
        return;
      Env[S.Index] = makeInt(I);
      execBlock(S.Body);
    }
  }

  void execWith(const WithStmt &W) {
    switch (W.Ctx) {
    case WithStmt::Context::Plate: {
      PlateCtx C;
      C.Name = siteName(W.Plate.Name);
      // Without a size, Pyro broadcasts the plate's dim against each site's
      // batch shape: a size-1 dim in plateShape() does exactly that.
      C.Size = W.Plate.Size ? staticInt(*W.Plate.Size, "the size of a plate") : 1;
      ValuePtr Subsample;
      if (W.Plate.SubsampleSize) {
        if (!W.Plate.Size)
          unsupported(W.Plate.Loc, "pyro.plate with subsample_size but no size");
        if (Simulate)
          unsupported(W.Plate.Loc, "svic simulate draws whole data sets; drop subsample_size to simulate");
        int64_t M = staticInt(*W.Plate.SubsampleSize, "a subsample size");
        if (M < 1)
          invalid(W.Plate.SubsampleSize->Loc, "subsample_size must be positive");
        M = std::min(M, C.Size); // as Pyro: a larger subsample is the whole plate
        auto [It, New] = SubsampleStreams.try_emplace(C.Name, 0);
        if (New)
          It->second = noiseStream(W.Plate.Loc);
        lir::Instr I;
        I.Opcode = lir::Op::Subsample;
        I.Ints = {C.Size};
        I.Site = It->second;
        auto Indices = std::make_shared<Value>();
        Indices->K = Value::Kind::Tensor;
        Indices->V = E.emit(std::move(I), {M});
        Indices->Shape = {M};
        Indices->IsInt = true;
        Subsample = Indices;
        // Pyro scales every site in the plate by size / subsample_size.
        Scales.push_back(makeFloat(static_cast<double>(C.Size) / static_cast<double>(M)));
        C.Size = M;
      }
      if (W.Plate.Dim) {
        C.Dim = static_cast<int>(staticInt(*W.Plate.Dim, "a plate dim"));
        if (C.Dim >= 0)
          invalid(W.Plate.Dim->Loc, "a plate dim must be negative");
      } else {
        C.Dim = -1;
        while (std::any_of(Plates.begin(), Plates.end(), [&](const PlateCtx &O) { return O.Dim == C.Dim; }))
          --C.Dim;
      }
      if (!InGuide && EnumPlateRank >= 0 && -C.Dim > EnumPlateRank)
        unsupported(W.Plate.Loc, "plate '" + C.Name + "' uses dim " + std::to_string(C.Dim) + ", left of the " +
                                     std::to_string(EnumPlateRank) + " plate dims of enumerated site '" +
                                     EnumVars.front().Site + "', where its enumeration dims begin");
      for (const PlateCtx &O : Plates)
        if (O.Dim == C.Dim)
          invalid(W.Plate.Loc, "plate '" + C.Name + "' uses dim " + std::to_string(C.Dim) +
                                   ", which plate '" + O.Name + "' already uses");
      if (W.IndexVar && !W.Plate.Size)
        unsupported(W.Plate.Loc, "the index of a pyro.plate without a size");
      if (W.IndexVar && Subsample) {
        Env[*W.IndexVar] = Subsample;
      } else if (W.IndexVar) {
        std::vector<double> Idx(static_cast<size_t>(C.Size));
        for (int64_t I = 0; I < C.Size; ++I)
          Idx[static_cast<size_t>(I)] = static_cast<double>(I);
        Env[*W.IndexVar] = makeStaticTensor({C.Size}, std::move(Idx), /*IsInt=*/true);
      }
      Plates.push_back(C);
      execBlock(W.Body);
      Plates.pop_back();
      if (Subsample)
        Scales.pop_back();
      return;
    }
    case WithStmt::Context::Scale: {
      Scales.push_back(eval(*W.Arg));
      execBlock(W.Body);
      Scales.pop_back();
      return;
    }
    case WithStmt::Context::Mask: {
      ValuePtr M = eval(*W.Arg);
      if (M->K == Value::Kind::None || M->K == Value::Kind::Drawn)
        invalid(W.Arg->Loc, isAbsentData(*M) ? absentData(*M) : describe(*M) + " as a mask");
      Masks.push_back(M);
      execBlock(W.Body);
      Masks.pop_back();
      return;
    }
    case WithStmt::Context::NoGrad:
      execBlock(W.Body);
      return;
    }
  }

  /// An `if` on a run-time value becomes an LIR If: both branches are lowered
  /// under the guard's dependence set, and every variable, factor and latent
  /// they define flows out through yields.
  void execIf(const IfStmt &S) {
    ValuePtr C = eval(*S.Cond);
    if (C->isStatic()) {
      execBlock(truthy(*C, S.Cond->Loc) ? S.Then : S.Else);
      return;
    }
    if (!C->Shape.empty() && lir::Shape{C->Shape}.numel() != 1)
      invalid(S.Cond->Loc, "the truth value of a tensor of shape " + dimsString(C->Shape) + " is ambiguous");
    lir::ValueId Cond = E.materialize(*C, S.Cond->Loc);
    if (std::vector<size_t> Vs = enumVarsIn(E.deps(Cond)); !Vs.empty())
      unsupported(S.Cond->Loc, "a branch on the value of enumerated site '" + EnumVars[Vs.front()].Site +
                                   "' (it holds all its values at once; use torch.where)");
    if (!C->Shape.empty())
      Cond = E.emit(lir::Op::Reshape, {Cond}, {});

    lir::Block *Outer = E.current();
    {
      lir::Instr I;
      I.Opcode = lir::Op::If;
      I.Operands = {Cond};
      I.Regions.resize(2);
      Outer->Body.push_back(std::move(I));
    }
    size_t IfIndex = Outer->Body.size() - 1;
    auto Region = [&](int R) { return &Outer->Body[IfIndex].Regions[static_cast<size_t>(R)]; };

    std::vector<ValuePtr> Before = Env;
    auto LatentsBefore = Latents;
    auto SitesBefore = SitesSeen; // the branches are alternatives: a name may occur in both
    size_t FactorsBefore = Factors.size();
    bool ReturnedBefore = Returned;
    E.ControlStack.push_back(E.deps(Cond));

    E.setCurrent(Region(0));
    execBlock(S.Then);
    std::vector<ValuePtr> ThenEnv = std::move(Env);
    auto ThenLatents = std::move(Latents);
    size_t FactorsThen = Factors.size();
    bool ThenReturned = Returned;

    Env = Before;
    Latents = LatentsBefore;
    Returned = ReturnedBefore;
    auto ThenSites = std::move(SitesSeen);
    SitesSeen = SitesBefore;
    E.setCurrent(Region(1));
    execBlock(S.Else);
    std::vector<ValuePtr> ElseEnv = std::move(Env);
    auto ElseLatents = std::move(Latents);
    bool ElseReturned = Returned;
    E.ControlStack.pop_back();
    SitesSeen.insert(ThenSites.begin(), ThenSites.end());
    if (ThenReturned != ElseReturned)
      unsupported(S.Loc, "a return in only one branch of an if on a random value");
    Returned = ThenReturned;

    // Collect what flows out: (then value, else value, setter of the merged value).
    struct Out {
      ValuePtr Then, Else;
      std::function<void(ValuePtr)> Set;
      std::string What;
    };
    std::vector<Out> Outs;
    Env = Before;
    for (size_t V = 0; V < Before.size(); ++V) {
      if (ThenEnv[V] == ElseEnv[V]) {
        Env[V] = ThenEnv[V];
        continue;
      }
      if (!ThenEnv[V] || !ElseEnv[V]) {
        Env[V] = nullptr; // defined on one path only: an error if read later
        continue;
      }
      Outs.push_back({ThenEnv[V], ElseEnv[V], [this, V](ValuePtr M) { Env[V] = M; },
                      "variable '" + P->var(static_cast<VarId>(V)).Name + "'"});
    }
    auto Zero = makeFloat(0);
    for (size_t I = FactorsBefore; I < Factors.size(); ++I) {
      bool InThen = I < FactorsThen;
      auto FV = tensorOf(Factors[I].V, {});
      Outs.push_back({InThen ? FV : Zero, InThen ? Zero : FV,
                      [this, I](ValuePtr M) { Factors[I].V = M->V; }, "a factor"});
    }
    Latents = LatentsBefore;
    std::map<std::string, std::pair<ValuePtr, ValuePtr>> LatentOuts;
    for (auto &[Name, L] : ThenLatents)
      if (!LatentsBefore.count(Name))
        LatentOuts[Name].first = L.Val;
    for (auto &[Name, L] : ElseLatents)
      if (!LatentsBefore.count(Name))
        LatentOuts[Name].second = L.Val;
    for (auto &[Name, Pair] : LatentOuts) {
      const Latent &Src = ThenLatents.count(Name) ? ThenLatents[Name] : ElseLatents[Name];
      Latent L = Src;
      L.Conditional = !(Pair.first && Pair.second);
      Latents[Name] = L;
      ValuePtr T = Pair.first, El = Pair.second;
      ValuePtr Fill = T ? zerosLike(*T) : zerosLike(*El);
      std::string N = Name;
      Outs.push_back({T ? T : Fill, El ? El : Fill, [this, N](ValuePtr M) { Latents[N].Val = M; },
                      "latent '" + Name + "'"});
    }

    std::vector<lir::ValueId> Results;
    for (Out &O : Outs) {
      if (O.Then->K != Value::Kind::Tensor && !O.Then->isNumber())
        unsupported(S.Loc, O.What + " gets a " + typeName(*O.Then) +
                               " value in a branch on a random value");
      if (O.Else->K != Value::Kind::Tensor && !O.Else->isNumber())
        unsupported(S.Loc, O.What + " gets a " + typeName(*O.Else) +
                               " value in a branch on a random value");
      Dims ST = O.Then->isTensor() ? O.Then->Shape : Dims{};
      Dims SE = O.Else->isTensor() ? O.Else->Shape : Dims{};
      if (ST != SE)
        invalid(S.Loc, O.What + " has shape " + dimsString(ST) + " in one branch and " +
                           dimsString(SE) + " in the other");
      E.setCurrent(Region(0));
      lir::ValueId YT = E.materialize(*O.Then, S.Loc);
      Region(0)->Yields.push_back(YT);
      E.setCurrent(Region(1));
      lir::ValueId YE = E.materialize(*O.Else, S.Loc);
      Region(1)->Yields.push_back(YE);
      DepSet D = E.deps(Cond);
      unite(D, E.deps(YT));
      unite(D, E.deps(YE));
      unite(D, E.controlDeps());
      lir::ValueId R = E.newValue(ST, std::move(D));
      Results.push_back(R);
      auto M = tensorOf(R, ST);
      auto Mut = std::const_pointer_cast<Value>(M);
      Mut->IsInt = O.Then->isTensor() && O.Then->IsInt && O.Else->isTensor() && O.Else->IsInt;
      Mut->IsBool = O.Then->isTensor() && O.Then->IsBool && O.Else->isTensor() && O.Else->IsBool;
      O.Set(M);
    }
    E.setCurrent(Outer);
    Outer->Body[IfIndex].Results = std::move(Results);
  }

  //===-- sites -------------------------------------------------------------===//

  std::string siteName(const SiteName &N) {
    switch (N.NameForm) {
    case SiteName::Form::Literal:
      return N.Canonical;
    case SiteName::Form::Template: {
      std::string Out;
      size_t Arg = 0;
      for (size_t I = 0; I < N.Canonical.size(); ++I) {
        if (N.Canonical.compare(I, 2, "{}") == 0 && Arg < N.Indices.size()) {
          ValuePtr V = eval(*N.Indices[Arg++]);
          if (!V->isStatic() || V->isTensor())
            unsupported(N.Loc, "a site name that depends on a run-time value");
          Out += pyStr(*V, N.Loc);
          ++I;
          continue;
        }
        Out += N.Canonical[I];
      }
      return Out;
    }
    case SiteName::Form::Dynamic: {
      ValuePtr V = eval(*N.DynamicExpr);
      if (V->K != Value::Kind::Str)
        unsupported(N.Loc, "a site name computed at run time");
      return V->S;
    }
    }
    return N.Canonical;
  }

  void claimSite(const std::string &Name, SourceLoc L) {
    auto [It, New] = SitesSeen.emplace(Name, L);
    if (!New)
      invalid(L, "site '" + Name + "' is already used at " + loc(It->second) +
                     " (Pyro raises on a duplicate site)");
  }

  /// The plate-implied batch shape at the current point.
  Dims plateShape() const {
    int Rank = 0;
    for (const PlateCtx &C : Plates)
      Rank = std::max(Rank, -C.Dim);
    Dims S(static_cast<size_t>(Rank), 1);
    for (const PlateCtx &C : Plates)
      S[static_cast<size_t>(Rank + C.Dim)] = C.Size;
    return S;
  }

  /// Shape of a draw (without a vector distribution's own event dim) under
  /// the current plates: the plates broadcast against the batch dims only.
  Dims batchShape(const DistObject &D, SourceLoc L) {
    Dims Batch(D.Full.begin(), D.Full.end() - int64_t(D.Reinterpreted));
    auto R = broadcastDims(Batch, plateShape());
    if (!R) {
      std::string Why;
      for (const ValuePtr &P : D.Params)
        if (!P->Origin.empty())
          Why = "; its parameter is " + describe(*P);
      invalid(L, D.Name + " of batch shape " + dimsString(Batch) + " does not fit the enclosing plates of shape " +
                     dimsString(plateShape()) + Why);
    }
    R->insert(R->end(), D.Full.end() - int64_t(D.Reinterpreted), D.Full.end());
    if (D.Bounded && D.Bounded->Simplex) // K - 1 unconstrained entries onto K
      ++R->back();
    return *R;
  }

  /// The shape of a bounded pushforward's unconstrained draw for a value of
  /// shape \p ValueShape.
  static Dims unconstrainedShape(const DistObject &D, Dims ValueShape) {
    if (D.Bounded->Simplex)
      --ValueShape.back();
    return ValueShape;
  }

  /// The map of a BijectToInterval \p T on the Normal \p D: its Arg is null
  /// (the unit interval), a Uniform (its interval) or a Dirichlet (its simplex).
  Bijection bijection(const DistObject &D, const DistTransform &T) {
    if (D.D != lir::Dist::Normal || D.Composite || D.Bounded)
      unsupported(T.Loc, "biject_to(support) of a " + D.Name + " (svic maps a Normal once)");
    Bijection B;
    if (!T.Arg)
      return B;
    ValuePtr Target = eval(*T.Arg);
    if (Target->K != Value::Kind::Dist || Target->Dist->Composite ||
        (Target->Dist->D != lir::Dist::Uniform && Target->Dist->D != lir::Dist::Dirichlet))
      invalid(T.Loc, "internal: biject_to of a support that is neither an interval nor the simplex");
    const DistObject &Support = *Target->Dist;
    if (Support.D == lir::Dist::Dirichlet) {
      if (!D.Reinterpreted || D.Full.empty())
        invalid(T.Loc, "stick-breaking onto the simplex needs a Normal whose last dim is an event dim");
      B.Simplex = true;
      return B;
    }
    B.Low = Support.Params[0];
    B.Width = Ops.binary(lir::Op::Sub, Support.Params[1], Support.Params[0], T.Loc);
    return B;
  }

  Dims eventShape(const DistObject &D) {
    if (D.D == lir::Dist::Dirichlet || D.OneHot || D.Composite == DistId::MultivariateNormal ||
        D.Composite == DistId::Multinomial)
      return {D.Params[0]->Shape.back()};
    return {};
  }

  /// log-density summed to a scalar, times masks and scales.
  lir::ValueId factorValue(const DistObject &D, const ValuePtr &X, SourceLoc L,
                           const ValuePtr &Unconstrained = nullptr) {
    return scaledSum(siteLogDensity(D, X, /*PoutineMasks=*/true, L, Unconstrained), L);
  }

  /// The elementwise log-density of \p X with the distribution's `.mask`
  /// and, with \p PoutineMasks, the enclosing poutine.mask's (Pyro's
  /// masked, unscaled log_prob).
  ValuePtr siteLogDensity(const DistObject &D, const ValuePtr &X, bool PoutineMasks, SourceLoc L,
                          const ValuePtr &Unconstrained = nullptr) {
    ValuePtr LP = logDensity(D, X, L, Unconstrained);
    if (!PoutineMasks)
      return LP;
    for (ValuePtr M : Masks) {
      if (M->isTensor() && D.Reinterpreted) { // aligned with the batch dims, as `.mask` is
        Dims S = M->Shape;
        S.insert(S.end(), D.Reinterpreted, 1);
        M = Ops.reshape(M, S, L);
      }
      LP = masked(LP, M, L);
    }
    return LP;
  }

  /// The elementwise log-density of \p X, times the distribution's `.mask`;
  /// \p Unconstrained: a bounded pushforward's draw that mapped to \p X.
  ValuePtr logDensity(const DistObject &D, const ValuePtr &X, SourceLoc L, const ValuePtr &Unconstrained = nullptr) {
    std::vector<ValuePtr> Args{X};
    for (const ValuePtr &Pm : D.Params)
      Args.push_back(Pm);
    ValuePtr LP;
    if (D.Composite == DistId::MaskedMixture) // component1 where the mask holds, as torch.where
      LP = Ops.where(D.Params[0], logDensity(*D.Components[1], X, L), logDensity(*D.Components[0], X, L), L);
    else if (D.Bounded)
      LP = Ops.boundedLogProb(D, X, Unconstrained, L);
    else if (D.Composite == DistId::Delta) // log 1(x == v)
      LP = Ops.where(Ops.binary(lir::Op::Eq, X, D.Params[0], L), makeFloat(0),
                     makeFloat(-std::numeric_limits<double>::infinity()), L);
    else
      LP = D.OneHot ? oneHotLogProb(D, X, L) : D.Composite ? Ops.compositeLogProb(D, X, L) : Ops.logProb(D.D, Args, L);
    return D.Mask ? Ops.binary(lir::Op::Mul, LP, D.Mask, L) : LP;
  }

  /// \p LP summed to a scalar, times the enclosing scales.
  lir::ValueId scaledSum(const ValuePtr &LP, SourceLoc L) {
    ValuePtr Sum = Ops.sum(LP, L);
    for (const ValuePtr &S : Scales)
      Sum = Ops.binary(lir::Op::Mul, Sum, S, L);
    return E.materialize(*Sum, L);
  }

  //===-- enumerated sites (LowerEnum.h) -----------------------------------------===//

  /// A model density \p LP (masked, unscaled, unsummed): a factor, or kept
  /// for the contraction when it depends on an enumerated site.
  void addModelTerm(const ValuePtr &LP, const std::string &Name, uint32_t SiteIndex, SourceLoc L) {
    ValuePtr T = Ops.asTensor(LP, L);
    if (T->isStatic() || enumVarsIn(E.deps(E.materialize(*T, L))).empty())
      return addFactor(scaledSum(T, L), 1, Name, SiteIndex, -1);
    keepEnumFactor(T, Name, L);
  }

  void keepEnumFactor(const ValuePtr &LP, const std::string &Name, SourceLoc L) {
    double Scale = 1;
    for (const ValuePtr &S : Scales) {
      if (!S->isNumber() && !(S->isTensor() && S->Static && S->Static->size() == 1))
        unsupported(L, "'" + Name + "' depends on an enumerated site under poutine.scale by a run-time value");
      Scale *= S->isNumber() ? S->number() : S->Static->front();
    }
    // Every plate element counts, as Pyro expands a site to its plates.
    std::optional<Dims> Full = broadcastDims(LP->Shape, plateShape());
    if (!Full)
      invalid(L, "the log-density of '" + Name + "' has shape " + dimsString(LP->Shape) +
                     ", which does not fit the enclosing plates of shape " + dimsString(plateShape()));
    EnumFactors.push_back({Ops.expand(LP, *Full, L), Name, L, plateDims(), Scale});
  }

  std::vector<int> plateDims() const {
    std::vector<int> Dims;
    for (const PlateCtx &C : Plates)
      Dims.push_back(C.Dim);
    std::sort(Dims.begin(), Dims.end());
    return Dims;
  }

  /// Adds the enumerated sites \p V depends on (through its tensors,
  /// containers and distribution parameters) to \p Into.
  void liveEnumDeps(const ValuePtr &V, DepSet &Into) {
    if (!V)
      return;
    if (V->isTensor() && V->V)
      unite(Into, E.deps(V->V));
    if (V->isTensor() && V->Scatter) // not emitted yet: its pieces
      for (const ValuePtr &P : V->Scatter->Sources)
        liveEnumDeps(P, Into);
    for (const ValuePtr &I : V->Items)
      liveEnumDeps(I, Into);
    if (V->Dist) {
      for (const ValuePtr &P : V->Dist->Params)
        liveEnumDeps(P, Into);
      liveEnumDeps(V->Dist->Mask, Into);
    }
  }

  /// Binds the model site \p Name to all its values at once, along a new dim
  /// left of the plates and of the enumerated sites still in use (Pyro's
  /// enumeration dims, recycled as pyro.markov recycles them).
  void enumerateSite(const SampleStmt &S, const std::string &Name, const DistObject &D) {
    SourceLoc L = S.Loc;
    int64_t Size = 0;
    bool Bernoulli = false;
    if (!D.Composite)
      switch (D.D) {
      case lir::Dist::CategoricalProbs:
      case lir::Dist::CategoricalLogits:
        Size = D.Params[0]->Shape.back();
        break;
      case lir::Dist::BernoulliProbs:
      case lir::Dist::BernoulliLogits:
        Size = 2;
        Bernoulli = true;
        break;
      default:
        break;
      }
    if (!Size)
      unsupported(L, "'" + Name + "' is marked for enumeration, but svic sums out Categorical, OneHotCategorical and "
                                  "Bernoulli sites only, not " + D.Name);
    if (S.Enumerate == SampleStmt::Enumeration::Unknown)
      unsupported(L, "'" + Name + "' may be marked for enumeration (a computed infer= value or default); svic sums out sites "
                                  "marked \"parallel\" or \"sequential\" where it can read the mark");
    if (!E.ControlStack.empty())
      unsupported(L, "'" + Name + "' is marked for enumeration under a branch on a random value");
    int Rank = static_cast<int>(plateShape().size());
    if (EnumPlateRank < 0)
      EnumPlateRank = Rank;
    DepSet Live;
    for (const ValuePtr &V : Env)
      liveEnumDeps(V, Live);
    for (const ValuePtr &V : Masks)
      liveEnumDeps(V, Live);
    for (const ValuePtr &V : D.Params)
      liveEnumDeps(V, Live);
    std::set<int> Busy;
    for (size_t V : enumVarsIn(Live))
      Busy.insert(EnumVars[V].Dim);
    int Dim = -EnumPlateRank - 1;
    while (Busy.count(Dim))
      --Dim;
    Dims Shape(static_cast<size_t>(-Dim), 1);
    Shape[0] = Size;
    lir::Instr I;
    I.Opcode = lir::Op::Const;
    // A OneHotCategorical's values are the rows of the identity (float, as
    // Pyro's enumerate_support), with the event dim right of the enumeration dims.
    if (D.OneHot)
      Shape.push_back(Size);
    for (int64_t K = 0; K < Size; ++K)
      for (int64_t J = 0; J < (D.OneHot ? Size : 1); ++J)
        I.Data.push_back(D.OneHot ? static_cast<double>(J == K) : static_cast<double>(K));
    lir::ValueId V = E.emit(std::move(I), Shape, Name);
    E.addDeps(V, {EnumDepBase + static_cast<uint32_t>(EnumVars.size())});
    EnumVars.push_back({Name, L, Dim, Size, plateDims()});
    auto Z = std::make_shared<Value>();
    Z->K = Value::Kind::Tensor;
    Z->Shape = Shape;
    Z->IsInt = !Bernoulli && !D.OneHot;
    Z->V = V;
    addSite(Name, "enumerated", L);
    // TraceEnum_ELBO takes an enumerated site's own density unmasked by
    // poutine.mask (its unscaled_log_prob); a `.mask` of the distribution stays.
    keepEnumFactor(siteLogDensity(D, Z, /*PoutineMasks=*/false, L), Name, L);
    if (S.Target)
      Env[*S.Target] = Z;
  }

  /// The model's enumerated sites summed out: one factor.
  void sumOutEnumerated() {
    if (EnumVars.empty())
      return;
    SourceLoc L = EnumVars.front().Loc;
    ValuePtr Z = Ops.asTensor(contractEnumerated(Ops, E, EnumVars, EnumFactors, EnumPlateRank), L);
    std::string Name = "enum:" + EnumVars.front().Site;
    if (EnumVars.size() > 1)
      Name += ".." + EnumVars.back().Site;
    addFactor(E.materialize(*Z, L), 1, Name, addSite(Name, "factor", L), -1);
  }

  /// OneHotCategorical's log-density of a one-hot x: sum_j x_j log p_j with
  /// p normalised (probs / their sum, or softmax(logits)). torch reads the
  /// index of x's largest entry instead; the two agree on every one-hot value,
  /// which is all Pyro's validation (on by default) lets through.
  ValuePtr oneHotLogProb(const DistObject &D, const ValuePtr &X, SourceLoc L) {
    ValuePtr LogP;
    if (D.D == lir::Dist::CategoricalLogits) {
      LogP = Ops.softmax(D.Params[0], -1, /*Log=*/true, L);
    } else {
      ValuePtr Total = Ops.reduce(lir::Op::Sum, D.Params[0], {-1}, /*KeepDim=*/true, L);
      LogP = Ops.unary(lir::Op::Log, Ops.binary(lir::Op::Div, D.Params[0], Total, L), L);
    }
    // 0 * log 0 is NaN: the absent categories are masked out, not multiplied.
    ValuePtr Terms = Ops.where(X, LogP, makeFloat(0), L);
    return Ops.reduce(lir::Op::Sum, Terms, {-1}, /*KeepDim=*/false, L);
  }

  /// A draw with no gradient path; a OneHotCategorical draws an index and
  /// compares it with 0..n-1.
  ValuePtr drawNoGrad(const DistObject &D, const Dims &ValueShape, uint32_t Site, SourceLoc L) {
    if (D.Composite == DistId::MaskedMixture || D.Composite == DistId::Delta)
      unsupported(L, "drawing from a " + D.Name + " (it compiles where it is observed)");
    if (D.Bounded)
      return drawBounded(D, ValueShape, Site, /*Pathwise=*/false, L).second;
    if (D.Composite)
      return Ops.compositeSample(D, ValueShape, Site, [&] { return noiseStream(L); }, /*Pathwise=*/false, L);
    if (!D.OneHot)
      return Ops.sampleNoGrad(D, ValueShape, Site, L);
    Dims Batch(ValueShape.begin(), ValueShape.end() - 1), Col = Batch;
    Col.push_back(1);
    int64_t N = ValueShape.back();
    ValuePtr Index = Ops.reshape(Ops.sampleNoGrad(D, Batch, Site, L), Col, L);
    std::vector<double> Range(static_cast<size_t>(N));
    for (int64_t J = 0; J < N; ++J)
      Range[static_cast<size_t>(J)] = static_cast<double>(J);
    return Ops.binary(lir::Op::Eq, Index, makeStaticTensor({N}, std::move(Range), /*IsInt=*/true), L);
  }

  /// A bounded pushforward's draw: its Normal's draw u and the value it maps
  /// to, which has no gradient path unless \p Pathwise.
  std::pair<ValuePtr, ValuePtr> drawBounded(const DistObject &D, const Dims &ValueShape, uint32_t Site, bool Pathwise,
                                            SourceLoc L) {
    Dims Shape = unconstrainedShape(D, ValueShape);
    // The samplers read the Normal (D.D and D.Params) only.
    ValuePtr U = Pathwise ? Ops.rsample(D, Shape, Site, L) : Ops.sampleNoGrad(D, Shape, Site, L);
    ValuePtr X = Ops.bijectForward(*D.Bounded, U, L);
    return {U, Pathwise ? X : Ops.stopGradient(X, L)};
  }

  /// Pyro's scale_and_mask: where(mask, log p, 0), so that a masked-out -inf
  /// counts as 0 rather than NaN.
  ValuePtr masked(const ValuePtr &LP, const ValuePtr &M, SourceLoc L) {
    if (M->isNumber() || (M->isTensor() && M->Static && M->Static->size() == 1 && M->Shape.empty()))
      return (M->isNumber() ? M->number() : (*M->Static)[0]) != 0 ? LP : zerosLike(*Ops.asTensor(LP, L));
    return Ops.where(M, LP, makeFloat(0), L);
  }

  void addFactor(lir::ValueId V, double Sign, const std::string &Site, uint32_t SiteIndex, int ScoreOf) {
    lir::Instr C;
    C.Opcode = lir::Op::CheckFinite;
    C.Operands = {V};
    C.Site = SiteIndex;
    E.emit(std::move(C), {});
    Factors.push_back({V, Sign, Site, ScoreOf});
  }

  void execSample(const SampleStmt &S) {
    std::string Name = siteName(S.Name);
    bool Marked = S.Enumerate != SampleStmt::Enumeration::None && !S.Obs;
    // A model site the guide does not sample is summed out when the file
    // builds an enumerating ELBO (TraceEnum_ELBO); Trace_ELBO ignores the
    // mark and needs a guide site, as the support analysis says. Simulating
    // draws every site.
    bool Enumerating = P && P->EnumeratingElbo && !Simulate;
    bool SumOut = Marked && Enumerating && !InGuide && !Latents.count(Name);
    if (Marked && !SumOut && Enumerating)
      unsupported(S.Loc, InGuide ? "'" + Name + "' is marked for enumeration in the guide: svic sums out "
                                   "enumerated sites of the model only"
                                 : "'" + Name + "' is marked for enumeration in the model and sampled by the "
                                   "guide: svic's estimator does not sum such sites out");
    claimSite(Name, S.Loc);
    ValuePtr DV = eval(*S.Dist);
    const DistObject &D = *DV->Dist;
    ValuePtr Obs = S.Obs ? eval(*S.Obs) : nullptr, Obs0 = Obs;
    std::string MissingObs; // obs= names a data argument the data set lacks
    if (Obs && Obs->K == Value::Kind::None) {
      MissingObs = Obs->Origin;
      Obs = nullptr;
    }
    ValuePtr DrawnObs; // obs= is a view of an argument the simulator draws
    if (Obs && Obs->K == Value::Kind::Drawn)
      std::swap(DrawnObs, Obs);
    Dims Batch = batchShape(D, S.Loc), Event = eventShape(D);
    Dims ValueShape = Batch;
    ValueShape.insert(ValueShape.end(), Event.begin(), Event.end());
    if (SumOut)
      return enumerateSite(S, Name, D);

    if (Obs) {
      ValuePtr X = Obs;
      if (X->isNumber())
        X = makeStaticTensor({}, {X->number()});
      if (!X->isTensor())
        invalid(S.Obs->Loc, "obs= must be a tensor, not a " + typeName(*X));
      auto Fit = broadcastDims(X->Shape, ValueShape);
      if (!Fit)
        invalid(S.Obs->Loc, (X->Origin.empty() ? "the observed value of '" + Name + "'"
                                               : "data argument '" + X->Origin + "' (observed at '" + Name + "')") +
                                " has shape " + dimsString(X->Shape) + " but the site expects shape " +
                                dimsString(ValueShape));
      uint32_t SiteIndex = addSite(Name, "observe", S.Loc);
      // Pyro's plates expand the distribution, so a value smaller than the
      // plates is scored once per plate element (the site still returns it).
      ValuePtr Scored = X->Shape == *Fit ? X : Ops.expand(X, *Fit, S.Obs->Loc);
      if (!Simulate && InGuide)
        addFactor(factorValue(D, Scored, S.Loc), -1, Name, SiteIndex, -1);
      else if (!Simulate)
        addModelTerm(siteLogDensity(D, Scored, /*PoutineMasks=*/true, S.Loc), Name, SiteIndex, S.Loc);
      if (S.Target)
        Env[*S.Target] = X;
      return;
    }

    if (Simulate) {
      uint32_t SiteIndex = addSite(Name, MissingObs.empty() ? "sample" : "observe", S.Loc);
      ValuePtr Z = drawNoGrad(D, ValueShape, SiteIndex, S.Loc);
      if (!MissingObs.empty())
        DrawnObs = wholeArgument(MissingObs, Obs0->Shape, Z->Shape, S.Loc);
      if (DrawnObs)
        simulated(*DrawnObs, Z, Name, S.Obs->Loc,
                  !D.Composite && (D.D == lir::Dist::CategoricalProbs || D.D == lir::Dist::CategoricalLogits));
      if (S.Target)
        Env[*S.Target] = Z;
      return;
    }
    if (!InGuide) {
      auto It = Latents.find(Name);
      if (It == Latents.end() && !MissingObs.empty())
        invalid(S.Loc, "missing data argument '" + MissingObs + "' (expected shape " + dimsString(ValueShape) +
                           ", observed at '" + Name + "'; pass it with --data)");
      if (It == Latents.end() && Marked)
        invalid(S.Loc, "the model samples '" + Name + "' but the guide has no site of that name: it is marked for "
                       "enumeration, but the file builds no enumerating ELBO (TraceEnum_ELBO), and Trace_ELBO "
                       "ignores the mark and needs the guide to sample the site");
      if (It == Latents.end())
        invalid(S.Loc, "the model samples '" + Name + "' but the guide has no site of that name");
      if (It->second.Conditional)
        unsupported(S.Loc, "the guide samples '" + Name + "' only under a branch on a random value");
      ValuePtr Z = It->second.Val;
      if (Z->Shape != ValueShape && !broadcastDims(Z->Shape, ValueShape))
        invalid(S.Loc, "the guide samples '" + Name + "' with shape " + dimsString(Z->Shape) +
                           " but the model's distribution has shape " + dimsString(ValueShape));
      uint32_t SiteIndex = addSite(Name, "sample", S.Loc);
      addModelTerm(siteLogDensity(D, Z, /*PoutineMasks=*/true, S.Loc), Name, SiteIndex, S.Loc);
      if (S.Target)
        Env[*S.Target] = Z;
      return;
    }

    uint32_t SiteIndex = addSite(Name, "sample", S.Loc);
    // A point mass draws its value exactly: pathwise under every estimator.
    bool Point = D.Composite == DistId::Delta;
    bool Pathwise = Point || choosePathwise(Name, S.Name.Canonical, D, S.Loc);
    ValuePtr Z, Unconstrained; // a bounded pushforward's draw u: Pyro's density is computed from it
    if (Point)
      Z = D.Params[0]->Shape == ValueShape ? D.Params[0] : Ops.expand(D.Params[0], ValueShape, S.Loc);
    else if (D.Bounded)
      std::tie(Unconstrained, Z) = drawBounded(D, ValueShape, SiteIndex, Pathwise, S.Loc);
    else if (!Pathwise)
      Z = drawNoGrad(D, ValueShape, SiteIndex, S.Loc);
    else if (D.Composite)
      Z = Ops.compositeSample(D, ValueShape, SiteIndex, [&] { return noiseStream(S.Loc); }, /*Pathwise=*/true, S.Loc);
    else
      Z = Ops.rsample(D, ValueShape, SiteIndex, S.Loc);
    int ScoreOf = -1;
    if (!Pathwise) {
      ScoreOf = static_cast<int>(ScoreNames.size());
      ScoreNames.push_back(Name);
      Desc.ScoreSites.push_back(Name);
      E.addDeps(Z->V, {static_cast<uint32_t>(ScoreOf)});
    } else {
      Desc.PathwiseSites.push_back(Name);
    }
    Latents[Name] = Latent{Z, D.D, false, S.Loc};
    if (Opts.RecordTrace)
      record(TraceEntry::Kind::Latent, Name, E.materialize(*Z, S.Loc), Z->Shape, 1);
    addFactor(factorValue(D, Z, S.Loc, Unconstrained), -1, Name, SiteIndex, ScoreOf);
    if (S.Target)
      Env[*S.Target] = Z;
  }

  /// Writes \p V to the outputs as the trace entry (\p K, \p Site).
  void record(TraceEntry::Kind K, const std::string &Site, lir::ValueId V, const Dims &Shape, double Scale) {
    Trace.push_back({K, Site, Shape, OutputDoubles, Scale});
    OutputDoubles += lir::Shape{Shape}.numel();
    lir::Instr I;
    I.Opcode = lir::Op::Output;
    I.Offset = Trace.back().Offset;
    I.Operands = {V};
    E.emit(std::move(I), {});
  }

  /// The weights of the module objects the program holds in variables and
  /// never registered with pyro.module: constants svic initialised itself,
  /// which Pyro's own initialisation cannot reproduce.
  void recordConstantModules(const std::string &Prog) {
    std::function<void(const ModuleObject &, const std::string &)> Walk = [&](const ModuleObject &M,
                                                                               const std::string &Path) {
      for (const auto &[WName, W] : M.Weights)
        if (W->Static)
          record(TraceEntry::Kind::Replay, "module:" + Prog + ":" + Path + WName, E.materialize(*W, {}), W->Shape, 1);
      for (size_t I = 0; I < M.Members.size(); ++I)
        Walk(*M.Members[I]->Module, Path + std::to_string(I) + ".");
    };
    for (VarId V = 1; V < Env.size(); ++V)
      if (Env[V] && Env[V]->K == Value::Kind::Module && P->var(V).Kind == VarKind::User)
        Walk(*Env[V]->Module, P->var(V).Name + ".");
  }

  /// Argument \p Arg, observed whole, as a view of the site's shape \p Site:
  /// its shape is the one the program reshaped it to (\p Hint, -1 inferred)
  /// when that holds as many elements, else the site's.
  ValuePtr wholeArgument(const std::string &Arg, Dims Hint, const Dims &Site, SourceLoc L) {
    int64_t N = lir::Shape{Site}.numel(), Known = 1;
    int Infer = -1;
    for (size_t I = 0; I < Hint.size(); ++I) {
      if (Hint[I] == -1)
        Infer = static_cast<int>(I);
      else
        Known *= Hint[I];
    }
    if (Infer >= 0 && Known > 0 && N % Known == 0)
      Hint[static_cast<size_t>(Infer)] = N / Known;
    const Dims &Shape = !Hint.empty() && lir::Shape{Hint}.numel() == N ? Hint : Site;
    return Ops.reshape(Ops.drawnArgument(Arg, Shape, L), Site, L);
  }

  /// Writes the draw \p Z of site \p Site to the outputs, to be scattered
  /// into the positions of drawn view \p View (OpBuilder::drawnArgument);
  /// \p Categorical: the draw is integer data, as torch types it.
  void simulated(const Value &View, const ValuePtr &Z, const std::string &Site, SourceLoc L, bool Categorical) {
    if (!View.Positions)
      unsupported(L, "data argument '" + View.Origin + "' (drawn, of shape " + dimsString(View.Shape) +
                         ") is too large for svic simulate to observe whole; observe a selection of its leading rows");
    if (View.Shape != Z->Shape)
      invalid(L, "data argument '" + View.Origin + "' is observed at '" + Site + "' through a view of shape " +
                     dimsString(View.Shape) + ", but the site draws shape " + dimsString(Z->Shape) +
                     "; svic simulate writes each drawn element to one position");
    std::vector<bool> &Seen = Observed[View.Origin];
    SimulatedArg::Draw Dr{Site, OutputDoubles, {}};
    Dr.Positions.reserve(View.Positions->size());
    for (double P : *View.Positions) {
      auto At = static_cast<size_t>(P);
      if (At >= Seen.size())
        Seen.resize(At + 1);
      if (Seen[At]) {
        auto Earlier = std::find_if(Outputs.begin(), Outputs.end(), [&](const SimulatedArg &O) { return O.Name == View.Origin; });
        std::string Other = Site;
        for (const SimulatedArg::Draw &D : Earlier->Draws)
          if (std::find(D.Positions.begin(), D.Positions.end(), static_cast<int64_t>(At)) != D.Positions.end())
            Other = D.Site;
        invalid(L, "data argument '" + View.Origin + "' is observed at '" + Site + "' and at '" + Other +
                       "' in overlapping positions (flat position " + std::to_string(At) +
                       "); svic simulate draws each element at one site");
      }
      Seen[At] = true;
      Dr.Positions.push_back(static_cast<int64_t>(At));
    }
    auto Arg = std::find_if(Outputs.begin(), Outputs.end(), [&](const SimulatedArg &O) { return O.Name == View.Origin; });
    if (Arg == Outputs.end())
      Arg = Outputs.insert(Outputs.end(), SimulatedArg{View.Origin, {}, {}, true});
    Arg->Draws.push_back(std::move(Dr));
    Arg->Integer &= Categorical;
    OutputDoubles += static_cast<int64_t>(View.Positions->size());
    lir::Instr I;
    I.Opcode = lir::Op::Output;
    I.Offset = Arg->Draws.back().Offset;
    I.Operands = {E.materialize(*Z, L)};
    E.emit(std::move(I), {});
  }

  /// \p Canonical is the site's name as the analysis reports it: a template
  /// (`z_{}`) stands for every site built from it.
  bool choosePathwise(const std::string &Name, const std::string &Canonical, const DistObject &D, SourceLoc L) {
    bool Selected = Opts.Selected.count(Name) || Opts.Selected.count(Canonical);
    bool Sampler = D.Composite ? OpBuilder::compositePathwise(*D.Composite) : !D.OneHot && hasPathwiseSampler(D.D);
    bool Discrete = D.Composite ? OpBuilder::compositeDiscrete(*D.Composite) : D.OneHot || isDiscrete(D.D);
    switch (Opts.Estimator) {
    case EstimatorKind::Score:
      return false;
    case EstimatorKind::Pyro:
      // Trace_ELBO reparameterises every site with rsample; svic's runtime
      // has no pathwise Gamma/Beta/Dirichlet/StudentT sampler, so those stay score.
      return D.Reparameterizable && Sampler;
    case EstimatorKind::Auto:
      return Selected && Sampler;
    case EstimatorKind::Pathwise:
      if (Discrete)
        invalid(L, "--estimator pathwise: '" + Name + "' is discrete (" + D.Name +
                       ") and cannot be reparameterised");
      if (!Sampler)
        unsupported(L, "--estimator pathwise: svic has no pathwise sampler for " + D.Name + " ('" +
                           Name + "'); use --estimator auto");
      if (!Selected)
        invalid(L, "--estimator pathwise: reparameterising '" + Name +
                       "' would bias the gradient (the analysis did not prove the densities "
                       "smooth enough in it); use --estimator auto");
      return true;
    }
    return false;
  }

  void execFactor(const FactorStmt &S) {
    std::string Name = siteName(S.Name);
    claimSite(Name, S.Loc);
    if (Simulate)
      return; // a factor reweights draws; the prior predictive ignores it
    ValuePtr LP = eval(*S.LogProb);
    for (const ValuePtr &M : Masks)
      LP = masked(LP, M, S.Loc);
    uint32_t SiteIndex = addSite(Name, "factor", S.Loc);
    if (InGuide)
      addFactor(scaledSum(LP, S.Loc), -1, Name, SiteIndex, -1);
    else
      addModelTerm(LP, Name, SiteIndex, S.Loc);
  }

  //===-- parameters --------------------------------------------------------===//

  ValuePtr execParam(const ParamStmt &S) {
    std::string Name = siteName(S.Name);
    auto It = Params.find(Name);
    if (It != Params.end()) // the param store keeps the first declaration
      return It->second.Constrained;
    if (!S.Init)
      invalid(S.Loc, "param '" + Name + "' is read before any pyro.param gives it an initial value");
    InInit = true;
    ValuePtr Init = eval(*S.Init);
    InInit = false;
    if (Init->isNumber())
      Init = makeStaticTensor({}, {Init->number()});
    if (Init->isTensor()) // an initial value from the data (`torch.tensor(guess)`)
      Init = E.fixKnown(Init, S.Init->Loc);
    if (!Init->isTensor() || !Init->Static)
      unsupported(S.Init->Loc, "a parameter initial value that is not known at compile time");
    runtime::Constraint C;
    if (S.Constraint) {
      ValuePtr CV = eval(*S.Constraint);
      C = toRuntimeConstraint(*CV, S.Constraint->Loc);
    }
    ValuePtr Param = defineParam(Name, Init->Shape, *Init->Static, C, S.Loc);
    // Unconstrained, Pyro's param store keeps the init tensor object itself
    // (the identity transform's inverse returns it) and Adam updates it in
    // place: every variable holding that object reads the param (air's
    // `pyro.param("h_init", h_init)` on a module-level nn.Parameter).
    if (C.K == runtime::Constraint::Kind::Real)
      for (ValuePtr &V : Env)
        if (V == Init)
          V = Param;
    return Param;
  }

  runtime::Constraint toRuntimeConstraint(const Value &CV, SourceLoc L) {
    runtime::Constraint C;
    switch (CV.Constraint) {
    case ConstraintId::Real:
      C.K = runtime::Constraint::Kind::Real;
      break;
    case ConstraintId::Positive:
      C.K = runtime::Constraint::Kind::Positive;
      break;
    case ConstraintId::SoftplusPositive:
      C.K = runtime::Constraint::Kind::SoftplusPositive;
      break;
    case ConstraintId::GreaterThan:
      C.K = runtime::Constraint::Kind::GreaterThan;
      C.Low = CV.Low;
      break;
    case ConstraintId::Interval:
      C.K = runtime::Constraint::Kind::Interval;
      C.Low = CV.Low;
      C.High = CV.High;
      break;
    case ConstraintId::UnitInterval:
      C.K = runtime::Constraint::Kind::UnitInterval;
      break;
    case ConstraintId::Simplex:
      C.K = runtime::Constraint::Kind::Simplex;
      break;
    default:
      unsupported(L, "parameters constrained to " + constraintInfo(CV.Constraint).Name);
    }
    return C;
  }

  ValuePtr defineParam(const std::string &Name, const Dims &Shape, const std::vector<double> &Init,
                       const runtime::Constraint &C, SourceLoc L) {
    runtime::ParamDesc Pd;
    Pd.Name = Name;
    Pd.Shape = Shape;
    Pd.UnconstrainedShape = Shape;
    if (C.K == runtime::Constraint::Kind::Simplex && (Shape.empty() || Shape.back() < 2))
      invalid(L, "a simplex parameter needs a last dimension of at least 2, not " + dimsString(Shape));
    Pd.Offset = Desc.ParamDoubles;
    Pd.Size = lir::Shape{Pd.UnconstrainedShape}.numel();
    Pd.C = C;
    Pd.Init = Init;
    try {
      std::vector<double> U(static_cast<size_t>(Pd.Size));
      runtime::toUnconstrained(Pd, Init.data(), U.data());
    } catch (const runtime::RuntimeError &Err) {
      invalid(L, Err.what());
    }
    if (Simulate) { // the initial value, a constant
      ValuePtr Init0 = makeStaticTensor(Shape, Init);
      Params[Name] = ParamEntry{0, Init0, L};
      return Init0;
    }
    Desc.ParamDoubles += Pd.Size;
    Desc.Params.push_back(Pd);

    lir::Instr I;
    I.Opcode = lir::Op::Param;
    I.Offset = Pd.Offset;
    ValuePtr Constrained;
    {
      InPrologue Scope(*this);
      lir::ValueId U = E.emit(std::move(I), Pd.UnconstrainedShape, Name);
      Constrained = Ops.constrain(tensorOf(U, Pd.UnconstrainedShape), C, Shape, L);
    }
    Params[Name] = ParamEntry{Desc.Params.size() - 1, Constrained, L};
    return Constrained;
  }

  void execModule(const ModuleStmt &S) {
    std::string Name = siteName(S.Name);
    ValuePtr M = Env.at(S.ModuleVar);
    if (!M || M->K != Value::Kind::Module)
      invalid(S.Loc, "pyro.module needs an nn module object");
    if (!Simulate) // simulating, the weights keep their initial values
      Env[S.ModuleVar] = registerModule(Name, M, S.Loc);
    if (S.Target)
      Env[*S.Target] = Env[S.ModuleVar];
  }

  /// Returns the module object whose weights read the parameters
  /// "Prefix$$$path" (Pyro's names), defining them on first use. A submodule
  /// the frontend registers on its own is already named "name$$$sub.path":
  /// Pyro writes the rest of the path with dots ("net$$$block.lin.weight").
  ValuePtr registerModule(const std::string &Prefix, const ValuePtr &M, SourceLoc L,
                          const std::string &Path = "") {
    auto Obj = std::make_shared<ModuleObject>(*M->Module);
    const char *Sep = Prefix.find("$$$") == std::string::npos ? "$$$" : ".";
    for (auto &[WName, W] : Obj->Weights) {
      std::string Full = Prefix + Sep + Path + WName;
      auto It = Params.find(Full);
      W = It != Params.end() ? It->second.Constrained
                             : defineParam(Full, W->Shape, *W->Static, runtime::Constraint{}, L);
    }
    for (size_t I = 0; I < Obj->Members.size(); ++I)
      Obj->Members[I] = registerModule(Prefix, Obj->Members[I], L, Path + std::to_string(I) + ".");
    auto V = std::make_shared<Value>(*M);
    V->Module = Obj;
    return V;
  }

  //===-- expressions -------------------------------------------------------===//

  ValuePtr tensorOf(lir::ValueId V, Dims S) {
    auto T = std::make_shared<Value>();
    T->K = Value::Kind::Tensor;
    T->V = V;
    T->Shape = std::move(S);
    return T;
  }

  ValuePtr zerosLike(const Value &V) {
    if (!V.isTensor())
      return makeFloat(0);
    return makeStaticTensor(V.Shape, std::vector<double>(static_cast<size_t>(lir::Shape{V.Shape}.numel()), 0.0));
  }

  int64_t staticInt(const Expr &X, const std::string &What) {
    ValuePtr V = E.fixKnown(eval(X), X.Loc);
    if (V->K == Value::Kind::Int || V->K == Value::Kind::Bool)
      return static_cast<int64_t>(V->number());
    if (V->isTensor() && V->Static && V->Static->size() == 1 && std::floor((*V->Static)[0]) == (*V->Static)[0])
      return static_cast<int64_t>((*V->Static)[0]);
    unsupported(X.Loc, What + " that is not an integer known at compile time");
  }

  ValuePtr eval(const Expr &X) {
    switch (X.Kind) {
    case ExprKind::Constant: {
      const auto &C = *cast<ConstantExpr>(&X);
      switch (C.Ty) {
      case ConstantExpr::Type::None: return makeNone();
      case ConstantExpr::Type::Bool: return makeBool(C.BoolValue);
      case ConstantExpr::Type::Int: return makeInt(C.IntValue);
      case ConstantExpr::Type::Float: return makeFloat(C.FloatValue);
      case ConstantExpr::Type::String: return makeStr(C.StringValue);
      }
      return makeNone();
    }
    case ExprKind::VarRef: {
      VarId V = cast<VarRefExpr>(&X)->Var;
      if (!Env.at(V))
        invalid(X.Loc, "'" + P->var(V).Name + "' is not defined on every path that reaches this use");
      return Env[V];
    }
    case ExprKind::Unary: {
      const auto &U = *cast<UnaryExpr>(&X);
      ValuePtr A = eval(*U.Operand);
      switch (U.Op) {
      case UnaryOp::Neg: return Ops.unary(lir::Op::Neg, A, X.Loc);
      case UnaryOp::Pos: return A;
      case UnaryOp::Not:
        if (A->isStatic())
          return makeBool(!truthy(*A, X.Loc));
        return Ops.unary(lir::Op::Not, A, X.Loc);
      case UnaryOp::Invert:
        unsupported(X.Loc, "the ~ operator");
      }
      return A;
    }
    case ExprKind::Binary: {
      const auto &B = *cast<BinaryExpr>(&X);
      return Ops.pyBinary(B.Op, eval(*B.Lhs), eval(*B.Rhs), X.Loc);
    }
    case ExprKind::Compare: {
      const auto &C = *cast<CompareExpr>(&X);
      return Ops.compare(C.Op, eval(*C.Lhs), eval(*C.Rhs), X.Loc);
    }
    case ExprKind::Logical: {
      const auto &Lg = *cast<LogicalExpr>(&X);
      ValuePtr A = eval(*Lg.Lhs);
      if (A->isStatic()) { // Python's short circuit
        bool T = truthy(*A, X.Loc);
        if (Lg.Op == LogicalOp::And ? !T : T)
          return A;
        return eval(*Lg.Rhs);
      }
      ValuePtr Bv = eval(*Lg.Rhs);
      return Ops.binary(Lg.Op == LogicalOp::And ? lir::Op::And : lir::Op::Or, A, Bv, X.Loc);
    }
    case ExprKind::Conditional: {
      const auto &C = *cast<ConditionalExpr>(&X);
      ValuePtr Cond = eval(*C.Cond);
      if (Cond->isStatic())
        return eval(truthy(*Cond, X.Loc) ? *C.Then : *C.Else);
      return Ops.where(Cond, eval(*C.Then), eval(*C.Else), X.Loc);
    }
    case ExprKind::Call:
      return evalCall(*cast<CallExpr>(&X));
    case ExprKind::ModuleCtor:
      return evalModuleCtor(*cast<ModuleCtorExpr>(&X));
    case ExprKind::ModuleCall: {
      const auto &MC = *cast<ModuleCallExpr>(&X);
      ValuePtr M = eval(*MC.Callee);
      if (M->K != Value::Kind::Module)
        invalid(X.Loc, "calling a " + typeName(*M) + " value");
      std::vector<ValuePtr> Args;
      for (const ExprPtr &A : MC.Args)
        Args.push_back(eval(*A));
      return callModule(*M->Module, Args, X.Loc);
    }
    case ExprKind::Distribution:
      return evalDistribution(*cast<DistributionExpr>(&X));
    case ExprKind::Subscript: {
      const auto &S = *cast<SubscriptExpr>(&X);
      ValuePtr Base = eval(*S.Base);
      if (S.Vectorized) {
        if (!Base->isTensor())
          invalid(X.Loc, "Vindex of " + describe(*Base) + " (it indexes tensors)");
        return Ops.vindex(Base, evalIndices(S.Indices), X.Loc);
      }
      return subscript(Base, S.Indices, X.Loc);
    }
    case ExprKind::Tuple:
    case ExprKind::List: {
      std::vector<ValuePtr> Items;
      for (const ExprPtr &El : cast<SequenceExpr>(&X)->Elements)
        Items.push_back(eval(*El));
      return makeSequence(X.Kind == ExprKind::Tuple ? Value::Kind::Tuple : Value::Kind::List, std::move(Items));
    }
    case ExprKind::Dict: {
      const auto &D = *cast<DictExpr>(&X);
      auto V = std::make_shared<Value>();
      V->K = Value::Kind::Dict;
      for (size_t I = 0; I < D.Keys.size(); ++I) {
        V->Keys.push_back(eval(*D.Keys[I]));
        V->Items.push_back(eval(*D.Values[I]));
      }
      return V;
    }
    case ExprKind::Attribute:
      return attribute(eval(*cast<AttributeExpr>(&X)->Base), cast<AttributeExpr>(&X)->Name, X.Loc);
    case ExprKind::IndexUpdate: {
      const auto &U = *cast<IndexUpdateExpr>(&X);
      return Ops.indexUpdate(eval(*U.Base), evalIndices(U.Indices), eval(*U.Value), X.Loc);
    }
    case ExprKind::Constraint: {
      const auto &C = *cast<ConstraintExpr>(&X);
      auto V = std::make_shared<Value>();
      V->K = Value::Kind::Constraint;
      V->Constraint = C.Constraint;
      std::vector<double> Bounds;
      for (const ExprPtr &A : C.Args) {
        ValuePtr B = eval(*A);
        if (!B->isNumber() && !(B->isTensor() && B->Static && B->Static->size() == 1))
          unsupported(A->Loc, "a constraint bound that is not a number known at compile time");
        Bounds.push_back(B->isNumber() ? B->number() : (*B->Static)[0]);
      }
      if (!Bounds.empty())
        V->Low = Bounds[0];
      if (Bounds.size() > 1)
        V->High = Bounds[1];
      return V;
    }
    case ExprKind::AttrUpdate:
      return attrUpdate(*cast<AttrUpdateExpr>(&X));
    case ExprKind::Slice:
    case ExprKind::Ellipsis:
      break;
    }
    unsupported(X.Loc, "this " + std::string(exprKindName(X.Kind)) + " expression");
  }

  std::vector<IndexItem> evalIndices(const std::vector<ExprPtr> &Idx) {
    std::vector<IndexItem> Out;
    for (const ExprPtr &I : Idx) {
      IndexItem It;
      if (const auto *S = dyn_cast<SliceExpr>(I.get())) {
        It.IsSlice = true;
        auto Opt = [&](const ExprPtr &P) -> std::optional<int64_t> {
          if (!P)
            return std::nullopt;
          ValuePtr V = eval(*P);
          if (V->K == Value::Kind::None)
            return std::nullopt;
          return staticInt(*P, "a slice bound");
        };
        It.Lo = Opt(S->Lower);
        It.Hi = Opt(S->Upper);
        It.Step = Opt(S->Step);
      } else if (isa<EllipsisExpr>(I.get())) {
        It.IsEllipsis = true;
      } else {
        It.Index = eval(*I);
      }
      It.Loc = I->Loc;
      Out.push_back(std::move(It));
    }
    return Out;
  }

  ValuePtr subscript(const ValuePtr &Base, const std::vector<ExprPtr> &Idx, SourceLoc L) {
    if (Base->K == Value::Kind::List || Base->K == Value::Kind::Tuple || Base->K == Value::Kind::Dict) {
      if (Idx.size() != 1)
        unsupported(L, "multi-dimensional indexing of a " + typeName(*Base));
      if (isa<SliceExpr>(Idx[0].get()) && Base->K != Value::Kind::Dict)
        return sliceSequence(Base, evalIndices(Idx)[0], L);
      ValuePtr K = eval(*Idx[0]);
      if (Base->K == Value::Kind::Dict) {
        for (size_t I = 0; I < Base->Keys.size(); ++I)
          if (Base->Keys[I]->K == K->K && pyStr(*Base->Keys[I], L) == pyStr(*K, L))
            return Base->Items[I];
        invalid(L, "key " + pyStr(*K, L) + " is not in the dict");
      }
      if (K->K != Value::Kind::Int)
        unsupported(L, "indexing a " + typeName(*Base) + " with a " + typeName(*K));
      int64_t N = static_cast<int64_t>(Base->Items.size()), I = K->I < 0 ? K->I + N : K->I;
      if (I < 0 || I >= N)
        invalid(L, "index " + std::to_string(K->I) + " is out of range for a " + typeName(*Base) +
                       " of length " + std::to_string(N));
      return Base->Items[static_cast<size_t>(I)];
    }
    if (Simulate && Base->K == Value::Kind::None && !Base->Origin.empty())
      shapeUnknown(*Base, "indexes", L);
    if (!Base->isTensor() && Base->K != Value::Kind::Drawn)
      invalid(L, "indexing " + describe(*Base));
    return Ops.index(Base, evalIndices(Idx), L);
  }

  /// Python's seq[lo:hi:step] on a list or tuple (a torch.Size is a tuple).
  ValuePtr sliceSequence(const ValuePtr &Base, const IndexItem &It, SourceLoc L) {
    int64_t N = static_cast<int64_t>(Base->Items.size()), Step = It.Step.value_or(1);
    if (Step == 0)
      invalid(L, "slice step cannot be zero");
    auto Clip = [&](std::optional<int64_t> B, int64_t Default) {
      if (!B)
        return Default;
      int64_t V = *B < 0 ? *B + N : *B;
      return Step > 0 ? std::clamp<int64_t>(V, 0, N) : std::clamp<int64_t>(V, -1, N - 1);
    };
    int64_t Lo = Clip(It.Lo, Step > 0 ? 0 : N - 1), Hi = Clip(It.Hi, Step > 0 ? N : -1);
    std::vector<ValuePtr> Items;
    for (int64_t I = Lo; Step > 0 ? I < Hi : I > Hi; I += Step)
      Items.push_back(Base->Items[static_cast<size_t>(I)]);
    return makeSequence(Base->K, std::move(Items));
  }

  /// `m.weight.data = v` and `m.weight.data.normal_(...)`: a new initial
  /// value for a module weight, known at compile time.
  ValuePtr attrUpdate(const AttrUpdateExpr &U) {
    ValuePtr Base = eval(*U.Base);
    std::vector<std::string> Path = U.Path;
    if (!Path.empty() && Path.back() == "data")
      Path.pop_back();
    if (Base->K != Value::Kind::Module || Path.size() != 1)
      unsupported(U.Loc, "assigning to an attribute of a " + typeName(*Base) + " value");
    InInit = true;
    ValuePtr V = eval(*U.Value);
    InInit = false;
    if (V->isNumber())
      V = makeStaticTensor({}, {V->number()});
    auto Obj = std::make_shared<ModuleObject>(*Base->Module);
    for (auto &[Name, W] : Obj->Weights) {
      if (Name != Path[0])
        continue;
      if (!V->isTensor() || !V->Static)
        unsupported(U.Loc, "a module weight set to a value not known at compile time");
      ValuePtr New = Ops.expand(V, W->Shape, U.Loc);
      if (!New->Static) // an expanded constant: materialise its elements
        New = makeStaticTensor(W->Shape, std::vector<double>(static_cast<size_t>(lir::Shape{W->Shape}.numel()),
                                                             (*V->Static)[0]));
      W = New;
      auto Out = std::make_shared<Value>(*Base);
      Out->Module = Obj;
      return Out;
    }
    invalid(U.Loc, "the module has no weight '" + Path[0] + "'");
  }

  /// Simulating: \p Arg, absent, is used in a way that needs its shape,
  /// which neither the program nor --shape fixed.
  [[noreturn]] void shapeUnknown(const Value &Arg, const std::string &Use, SourceLoc L) {
    invalid(L, "the model " + Use + " data argument '" + Arg.Origin + "', whose shape svic simulate does not know "
               "here; give it with --shape " + Arg.Origin + "=d1,d2,... (or pass the argument with --data)");
  }

  ValuePtr attribute(const ValuePtr &Base, const std::string &Name, SourceLoc L) {
    if ((Base->isTensor() || Base->K == Value::Kind::Drawn) && Name == "data")
      return Base;
    if (Simulate && Base->K == Value::Kind::None && !Base->Origin.empty() && Name == "shape")
      shapeUnknown(*Base, "reads the shape of", L);
    if (Base->isTensor() || Base->K == Value::Kind::Drawn) {
      if (Name == "shape") {
        std::vector<ValuePtr> Items;
        for (int64_t D : Base->Shape)
          Items.push_back(makeInt(D));
        return makeSequence(Value::Kind::Tuple, std::move(Items));
      }
      if (Name == "T")
        return Ops.transpose(Base, -2, -1, L);
    }
    if (Base->K == Value::Kind::Module)
      for (auto &[WName, W] : Base->Module->Weights)
        if (WName == Name)
          return W;
    unsupported(L, "attribute '" + Name + "' of a " + typeName(*Base) + " value");
  }

  ValuePtr evalDistribution(const DistributionExpr &X) {
    const DistInfo &Info = X.info();
    auto Arg = [&](const char *N) -> ValuePtr {
      auto I = paramIndex(Info.Params, N);
      if (!I || *I >= X.Args.Args.size() || !X.Args.Args[*I])
        return nullptr;
      return eval(*X.Args.Args[*I]);
    };
    auto D = std::make_shared<DistObject>();
    D->Name = Info.Name;
    D->Reparameterizable = Info.Reparameterizable;
    int64_t DeltaEventDims = 0;
    auto Need = [&](const char *N) {
      ValuePtr V = Arg(N);
      if (!V)
        invalid(X.Loc, Info.Name + " needs its '" + N + "' argument");
      return V;
    };
    auto Either = [&](lir::Dist WithProbs, lir::Dist WithLogits) {
      ValuePtr Probs = Arg("probs"), Logits = Arg("logits");
      if ((Probs != nullptr) == (Logits != nullptr))
        invalid(X.Loc, Info.Name + " needs exactly one of probs= and logits=");
      D->D = Probs ? WithProbs : WithLogits;
      D->Params = {Probs ? Probs : Logits};
    };
    switch (Info.Id) {
    case DistId::Normal: D->D = lir::Dist::Normal; D->Params = {Need("loc"), Need("scale")}; break;
    case DistId::LogNormal: D->D = lir::Dist::LogNormal; D->Params = {Need("loc"), Need("scale")}; break;
    case DistId::HalfNormal: D->D = lir::Dist::HalfNormal; D->Params = {Need("scale")}; break;
    case DistId::Uniform: D->D = lir::Dist::Uniform; D->Params = {Need("low"), Need("high")}; break;
    case DistId::Exponential: D->D = lir::Dist::Exponential; D->Params = {Need("rate")}; break;
    case DistId::Gamma: D->D = lir::Dist::Gamma; D->Params = {Need("concentration"), Need("rate")}; break;
    case DistId::Beta:
      D->D = lir::Dist::Beta;
      D->Params = {Need("concentration1"), Need("concentration0")};
      break;
    case DistId::Poisson: D->D = lir::Dist::Poisson; D->Params = {Need("rate")}; break;
    case DistId::Dirichlet: D->D = lir::Dist::Dirichlet; D->Params = {Need("concentration")}; break;
    case DistId::Bernoulli: Either(lir::Dist::BernoulliProbs, lir::Dist::BernoulliLogits); break;
    case DistId::Categorical: Either(lir::Dist::CategoricalProbs, lir::Dist::CategoricalLogits); break;
    case DistId::OneHotCategorical:
      Either(lir::Dist::CategoricalProbs, lir::Dist::CategoricalLogits);
      D->OneHot = true;
      break;
    case DistId::Laplace:
    case DistId::Cauchy: D->Params = {Need("loc"), Need("scale")}; break;
    case DistId::HalfCauchy: D->Params = {Need("scale")}; break;
    case DistId::VonMises: D->Params = {Need("loc"), Need("concentration")}; break;
    case DistId::MultivariateNormal: {
      ValuePtr Loc = Ops.asTensor(Need("loc"), X.Loc), Tril = Arg("scale_tril"), Cov = Arg("covariance_matrix");
      if (Arg("precision_matrix") || (Tril != nullptr) == (Cov != nullptr))
        unsupported(X.Loc, "MultivariateNormal without exactly one of scale_tril= and covariance_matrix=");
      if (Loc->Shape.empty())
        invalid(X.Loc, "MultivariateNormal needs a vector loc");
      int64_t K = Loc->Shape.back();
      ValuePtr M = Ops.asTensor(Tril ? Tril : Cov, X.Loc);
      if (M->Shape != Dims{K, K})
        unsupported(X.Loc, std::string(Tril ? "scale_tril" : "covariance_matrix") + " of shape " +
                               dimsString(M->Shape) + " (svic supports one [" + std::to_string(K) + ", " +
                               std::to_string(K) + "] matrix for a loc of " + std::to_string(K) + " components)");
      if (K > 32)
        unsupported(X.Loc, "MultivariateNormal with more than 32 components (its triangular solve is unrolled)");
      D->Params = {Loc, Tril ? lowerTriangle(M, X.Loc) : cholesky(M, X.Loc)};
      D->Full.assign(Loc->Shape.begin(), Loc->Shape.end() - 1);
      break;
    }
    case DistId::StudentT: {
      ValuePtr Loc = Arg("loc"), Scale = Arg("scale");
      D->Params = {Need("df"), Loc ? Loc : makeFloat(0), Scale ? Scale : makeFloat(1)};
      break;
    }
    case DistId::Geometric:
      Either(lir::Dist::BernoulliProbs, lir::Dist::BernoulliLogits);
      break;
    case DistId::ZeroInflatedNegativeBinomial: {
      // As logits: logit(p) = log p - log1p(-p), for both the success and the gate probability.
      auto AsLogits = [&](const char *ProbName, const char *LogitName) {
        ValuePtr Pr = Arg(ProbName), Lg = Arg(LogitName);
        if ((Pr != nullptr) == (Lg != nullptr))
          invalid(X.Loc, Info.Name + " needs exactly one of " + ProbName + "= and " + LogitName + "=");
        return Lg ? Lg
                  : Ops.binary(lir::Op::Sub, Ops.unary(lir::Op::Log, Pr, X.Loc),
                               Ops.unary(lir::Op::Log1p, Ops.unary(lir::Op::Neg, Pr, X.Loc), X.Loc), X.Loc);
      };
      D->Params = {Need("total_count"), AsLogits("probs", "logits"), AsLogits("gate", "gate_logits")};
      break;
    }
    case DistId::Binomial: {
      ValuePtr N = Arg("total_count");
      Either(lir::Dist::BernoulliProbs, lir::Dist::BernoulliLogits);
      D->Params.insert(D->Params.begin(), N ? N : makeFloat(1)); // torch's default total_count is 1
      break;
    }
    case DistId::Multinomial: {
      ValuePtr N = Arg("total_count");
      if (N && N->K != Value::Kind::Int && N->K != Value::Kind::Bool)
        invalid(X.Loc, "Multinomial's total_count is a " + typeName(*N) +
                           ", not a Python int (torch: inhomogeneous total_count is not supported)");
      Either(lir::Dist::CategoricalProbs, lir::Dist::CategoricalLogits);
      D->Params.push_back(N ? N : makeInt(1));
      break;
    }
    case DistId::Delta: {
      // A log_density term would sit outside the event sum; AutoDelta and
      // MAP guides leave it 0.
      ValuePtr LogDensity = Arg("log_density");
      if (LogDensity && !(LogDensity->isNumber() && LogDensity->number() == 0))
        unsupported(X.Loc, "Delta with a log_density other than 0");
      if (auto I = paramIndex(Info.Params, "event_dim"); I && *I < X.Args.Args.size() && X.Args.Args[*I])
        DeltaEventDims = staticInt(*X.Args.Args[*I], "Delta's event_dim");
      D->Params = {Need("v")};
      break;
    }
    case DistId::MaskedMixture: {
      D->Params = {Need("mask")};
      for (const char *N : {"component0", "component1"}) {
        ValuePtr C = Need(N);
        if (C->K != Value::Kind::Dist)
          invalid(X.Loc, std::string("MaskedMixture's ") + N + " is a " + typeName(*C) + ", not a distribution");
        if (C->Dist->Reinterpreted || !eventShape(*C->Dist).empty())
          unsupported(X.Loc, "MaskedMixture of distributions with event dims");
        auto R = broadcastDims(D->Full, C->Dist->Full);
        if (!R)
          invalid(X.Loc, "MaskedMixture's components have batch shapes " + dimsString(D->Full) + " and " +
                             dimsString(C->Dist->Full) + ", which do not broadcast");
        D->Full = *R;
        D->Components.push_back(C->Dist);
      }
      break;
    }
    default:
      unsupported(X.Loc, "dist." + Info.Name + " in the estimator compiler");
    }
    switch (Info.Id) {
    case DistId::Laplace:
    case DistId::Cauchy:
    case DistId::HalfCauchy:
    case DistId::StudentT:
    case DistId::Geometric:
    case DistId::Binomial:
    case DistId::MultivariateNormal:
    case DistId::ZeroInflatedNegativeBinomial:
    case DistId::VonMises:
    case DistId::Delta:
    case DistId::MaskedMixture:
      D->Composite = Info.Id;
      D->Logits = D->D == lir::Dist::BernoulliLogits;
      D->D = lir::Dist::Normal; // unused: the shape rules of a scalar distribution
      break;
    case DistId::Multinomial: // D keeps the shape rules of a Categorical (and is its sampler)
      D->Composite = Info.Id;
      D->Logits = D->D == lir::Dist::CategoricalLogits;
      break;
    default:
      break;
    }
    for (ValuePtr &Pm : D->Params) {
      if (Pm->isNumber())
        Pm = makeStaticTensor({}, {Pm->number()});
      if (!Pm->isTensor())
        invalid(X.Loc, Info.Name + " parameter is a " + typeName(*Pm) + ", not a tensor");
    }
    bool VectorParam = D->D == lir::Dist::CategoricalProbs || D->D == lir::Dist::CategoricalLogits ||
                       D->D == lir::Dist::Dirichlet;
    for (const ValuePtr &Pm : D->Params) {
      if (D->Composite == DistId::MultivariateNormal)
        break; // Full is loc's batch shape
      Dims S = Pm->Shape;
      if (VectorParam && Pm == D->Params.front()) { // Multinomial's total_count is a scalar
        if (S.empty())
          invalid(X.Loc, Info.Name + " needs a vector parameter");
        S.pop_back();
      }
      auto R = broadcastDims(D->Full, S);
      if (!R)
        invalid(X.Loc, Info.Name + " parameters of shapes " + dimsString(D->Full) + " and " + dimsString(S) +
                           " do not broadcast");
      D->Full = *R;
    }
    if (DeltaEventDims < 0 || DeltaEventDims > static_cast<int64_t>(D->Full.size()))
      invalid(X.Loc, "Delta's event_dim=" + std::to_string(DeltaEventDims) + " but its value has " +
                         std::to_string(D->Full.size()) + " dims");
    D->Reinterpreted = static_cast<size_t>(DeltaEventDims);
    for (const DistTransform &T : X.Transforms) {
      switch (T.Kind) {
      case DistTransformKind::ToEvent:
      case DistTransformKind::Independent: {
        size_t Batch = D->Full.size() - D->Reinterpreted;
        size_t N = T.Arg ? static_cast<size_t>(staticInt(*T.Arg, "the number of event dims")) : Batch;
        if (N > Batch)
          invalid(T.Loc, "to_event(" + std::to_string(N) + ") on a distribution with " + std::to_string(Batch) +
                             " batch dims");
        D->Reinterpreted += N;
        break;
      }
      case DistTransformKind::Expand:
      case DistTransformKind::ExpandBy: {
        Dims S = Ops.shapeArg(eval(*T.Arg), T.Loc);
        Dims Batch(D->Full.begin(), D->Full.end() - int64_t(D->Reinterpreted));
        if (T.Kind == DistTransformKind::ExpandBy)
          S.insert(S.end(), Batch.begin(), Batch.end());
        auto R = broadcastDims(Batch, S);
        if (!R || *R != S)
          invalid(T.Loc, Info.Name + " of batch shape " + dimsString(Batch) + " cannot expand to " + dimsString(S));
        S.insert(S.end(), D->Full.end() - int64_t(D->Reinterpreted), D->Full.end());
        D->Full = S;
        break;
      }
      case DistTransformKind::BijectToInterval:
        D->Bounded = bijection(*D, T);
        break;
      case DistTransformKind::Mask: {
        ValuePtr M = eval(*T.Arg);
        if (isAbsentData(*M))
          invalid(T.Arg->Loc, absentData(*M));
        if (M->K == Value::Kind::Bool)
          M = makeFloat(M->B ? 1 : 0);
        if (M->isTensor() && D->Reinterpreted) {
          Dims S = M->Shape;
          S.insert(S.end(), D->Reinterpreted, 1);
          M = Ops.reshape(M, S, T.Loc);
        }
        D->Mask = D->Mask ? Ops.binary(lir::Op::Mul, D->Mask, M, T.Loc) : M;
        break;
      }
      }
    }
    auto V = std::make_shared<Value>();
    V->K = Value::Kind::Dist;
    V->Dist = D;
    return V;
  }

  //===-- modules -------------------------------------------------------------===//

  ValuePtr evalModuleCtor(const ModuleCtorExpr &X) {
    const ModuleInfo &Info = X.info();
    auto Arg = [&](const char *N) -> ValuePtr {
      auto I = paramIndex(Info.CtorParams, N);
      if (!I || *I >= X.Args.Args.size() || !X.Args.Args[*I])
        return nullptr;
      return eval(*X.Args.Args[*I]);
    };
    auto Obj = std::make_shared<ModuleObject>();
    Obj->Kind = Info.Id;
    switch (Info.Id) {
    case ModuleId::Linear: {
      ValuePtr In = Arg("in_features"), Out = Arg("out_features"), Bias = Arg("bias");
      if (!In || !Out || In->K != Value::Kind::Int || Out->K != Value::Kind::Int)
        unsupported(X.Loc, "nn.Linear sizes that are not integers known at compile time");
      // PyTorch's default: kaiming_uniform(a=sqrt 5) = U(-1/sqrt(in), 1/sqrt(in)) for both.
      double Bound = In->I > 0 ? 1.0 / std::sqrt(static_cast<double>(In->I)) : 0;
      Obj->Weights.push_back({"weight", uniformTensor({Out->I, In->I}, Bound)});
      if (!Bias || truthy(*Bias, X.Loc))
        Obj->Weights.push_back({"bias", uniformTensor({Out->I}, Bound)});
      break;
    }
    case ModuleId::RNN:
    case ModuleId::GRU:
    case ModuleId::LSTMCell:
    case ModuleId::GRUCell: {
      ValuePtr In = Arg("input_size"), Hid = Arg("hidden_size");
      if (!In || !Hid || In->K != Value::Kind::Int || Hid->K != Value::Kind::Int)
        unsupported(X.Loc, Info.QualifiedName + " sizes that are not integers known at compile time");
      bool Cell = Info.Id == ModuleId::LSTMCell || Info.Id == ModuleId::GRUCell;
      if (!Cell) {
        ValuePtr Layers = Arg("num_layers"), Bidir = Arg("bidirectional"), BatchFirst = Arg("batch_first");
        if ((Layers && Layers->number() != 1) || (Bidir && truthy(*Bidir, X.Loc)))
          unsupported(X.Loc, Info.QualifiedName + " with several layers or both directions");
        Obj->Scalar1 = BatchFirst && truthy(*BatchFirst, X.Loc) ? 1 : 0;
        if (ValuePtr NL = Arg("nonlinearity"); NL && NL->K == Value::Kind::Str) {
          if (NL->S != "relu" && NL->S != "tanh")
            invalid(X.Loc, "unknown nonlinearity '" + NL->S + "'");
          Obj->Scalar0 = NL->S == "relu" ? 1 : 0;
        }
      }
      int64_t Gates = Info.Id == ModuleId::LSTMCell ? 4 : (Info.Id == ModuleId::RNN ? 1 : 3);
      // PyTorch initialises every recurrent weight U(-1/sqrt(H), 1/sqrt(H)).
      double Bound = 1.0 / std::sqrt(static_cast<double>(Hid->I));
      std::string Sfx = Cell ? "" : "_l0";
      Obj->Weights.push_back({"weight_ih" + Sfx, uniformTensor({Gates * Hid->I, In->I}, Bound)});
      Obj->Weights.push_back({"weight_hh" + Sfx, uniformTensor({Gates * Hid->I, Hid->I}, Bound)});
      ValuePtr Bias = Arg("bias");
      if (!Bias || truthy(*Bias, X.Loc)) {
        Obj->Weights.push_back({"bias_ih" + Sfx, uniformTensor({Gates * Hid->I}, Bound)});
        Obj->Weights.push_back({"bias_hh" + Sfx, uniformTensor({Gates * Hid->I}, Bound)});
      }
      break;
    }
    case ModuleId::ReLU:
    case ModuleId::Sigmoid:
    case ModuleId::Tanh:
    case ModuleId::Identity:
      break;
    case ModuleId::BatchNorm1d: {
      ValuePtr Num = Arg("num_features"), Eps = Arg("eps"), Affine = Arg("affine");
      if (!Num || Num->K != Value::Kind::Int)
        unsupported(X.Loc, "nn.BatchNorm1d with a size that is not an integer known at compile time");
      Obj->Scalar0 = Eps && Eps->isNumber() ? Eps->number() : 1e-5;
      // torch's reset_parameters: weight 1, bias 0. The running statistics are
      // buffers, not parameters: pyro.module does not register them, and in
      // training mode (Pyro's default) the output uses the batch's own.
      if (!Affine || truthy(*Affine, X.Loc)) {
        Obj->Weights.push_back({"weight", makeStaticTensor({Num->I}, std::vector<double>(size_t(Num->I), 1.0))});
        Obj->Weights.push_back({"bias", makeStaticTensor({Num->I}, std::vector<double>(size_t(Num->I), 0.0))});
      }
      Obj->Scalar1 = static_cast<double>(Num->I);
      break;
    }
    case ModuleId::Dropout: {
      ValuePtr Pv = Arg("p");
      Obj->Scalar0 = Pv ? Pv->number() : 0.5;
      if (Pv && !Pv->isNumber())
        unsupported(X.Loc, "nn.Dropout with a probability that is not a number known at compile time");
      if (Obj->Scalar0 < 0 || Obj->Scalar0 > 1)
        invalid(X.Loc, "dropout probability has to be between 0 and 1, but got " + std::to_string(Obj->Scalar0));
      break;
    }
    case ModuleId::Softplus: {
      ValuePtr Beta = Arg("beta"), Thr = Arg("threshold");
      Obj->Scalar0 = Beta ? Beta->number() : 1.0;
      Obj->Scalar1 = Thr ? Thr->number() : 20.0;
      break;
    }
    case ModuleId::SoftmaxModule:
    case ModuleId::LogSoftmaxModule: {
      ValuePtr Dim = Arg("dim");
      if (!Dim || Dim->K != Value::Kind::Int)
        unsupported(X.Loc, "nn.Softmax without an integer dim");
      Obj->Scalar0 = static_cast<double>(Dim->I);
      break;
    }
    case ModuleId::Sequential:
      for (const ExprPtr &M : X.Members) {
        ValuePtr V = eval(*M);
        if (V->K != Value::Kind::Module)
          invalid(M->Loc, "a member of nn.Sequential that is not a module");
        Obj->Members.push_back(V);
      }
      break;
    default:
      unsupported(X.Loc, Info.QualifiedName + " in the estimator compiler");
    }
    auto V = std::make_shared<Value>();
    V->K = Value::Kind::Module;
    V->Module = Obj;
    return V;
  }

  ValuePtr uniformTensor(Dims S, double Bound) {
    std::uniform_real_distribution<double> U(-Bound, Bound);
    std::vector<double> Data(static_cast<size_t>(lir::Shape{S}.numel()));
    for (double &X : Data)
      X = U(InitRng);
    return makeStaticTensor(std::move(S), std::move(Data));
  }

  /// Rows [Lo, Hi) of the module weight \p W (all of them when Hi is 0),
  /// transposed if asked, computed once in the prologue: module weights are
  /// parameters or constants, so every call shares the copy (an unrolled RNN
  /// reads it at each of its steps).
  ValuePtr weightView(const ValuePtr &W, int64_t Lo, int64_t Hi, bool Transposed, SourceLoc L) {
    auto Key = std::make_tuple(W.get(), Lo, Hi, Transposed);
    if (auto It = WeightViews.find(Key); It != WeightViews.end())
      return It->second.second;
    InPrologue Scope(*this);
    ValuePtr V = W;
    if (Hi != 0 && (Lo != 0 || Hi != W->Shape[0])) {
      IndexItem It;
      It.IsSlice = true;
      It.Lo = Lo;
      It.Hi = Hi;
      It.Loc = L;
      V = Ops.index(V, {It}, L);
    }
    if (Transposed)
      V = Ops.transpose(V, 0, 1, L);
    WeightViews[Key] = {W, V};
    return V;
  }

  /// x W^T + b for the gate rows [G*H, (G+1)*H) of a stacked recurrent weight.
  ValuePtr gateLinear(const ModuleObject &M, size_t WeightIdx, size_t BiasIdx, const ValuePtr &X, int64_t G,
                      int64_t H, SourceLoc L) {
    ValuePtr Y = Ops.matmul(X, weightView(M.Weights[WeightIdx].second, G * H, (G + 1) * H, true, L), L);
    if (M.Weights.size() > BiasIdx)
      Y = Ops.binary(lir::Op::Add, Y, weightView(M.Weights[BiasIdx].second, G * H, (G + 1) * H, false, L), L);
    return Y;
  }

  /// One step of a recurrent cell; returns h' (and c' through \p C for LSTM).
  ValuePtr cellStep(const ModuleObject &M, const ValuePtr &X, const ValuePtr &H, ValuePtr *C, int64_t Hid,
                    SourceLoc L) {
    auto Gate = [&](int64_t G) {
      return Ops.binary(lir::Op::Add, gateLinear(M, 0, 2, X, G, Hid, L), gateLinear(M, 1, 3, H, G, Hid, L), L);
    };
    switch (M.Kind) {
    case ModuleId::RNN:
      return Ops.unary(M.Scalar0 == 1 ? lir::Op::Relu : lir::Op::Tanh, Gate(0), L);
    case ModuleId::GRU:
    case ModuleId::GRUCell: {
      ValuePtr R = Ops.unary(lir::Op::Sigmoid, Gate(0), L), Z = Ops.unary(lir::Op::Sigmoid, Gate(1), L);
      ValuePtr N = Ops.unary(lir::Op::Tanh,
                             Ops.binary(lir::Op::Add, gateLinear(M, 0, 2, X, 2, Hid, L),
                                        Ops.binary(lir::Op::Mul, R, gateLinear(M, 1, 3, H, 2, Hid, L), L), L),
                             L);
      // h' = (1 - z) * n + z * h
      return Ops.binary(lir::Op::Add, Ops.binary(lir::Op::Mul, Ops.binary(lir::Op::Sub, makeFloat(1), Z, L), N, L),
                        Ops.binary(lir::Op::Mul, Z, H, L), L);
    }
    case ModuleId::LSTMCell: {
      ValuePtr I = Ops.unary(lir::Op::Sigmoid, Gate(0), L), F = Ops.unary(lir::Op::Sigmoid, Gate(1), L);
      ValuePtr G = Ops.unary(lir::Op::Tanh, Gate(2), L), O = Ops.unary(lir::Op::Sigmoid, Gate(3), L);
      *C = Ops.binary(lir::Op::Add, Ops.binary(lir::Op::Mul, F, *C, L), Ops.binary(lir::Op::Mul, I, G, L), L);
      return Ops.binary(lir::Op::Mul, O, Ops.unary(lir::Op::Tanh, *C, L), L);
    }
    default:
      break;
    }
    invalid(L, "internal: not a recurrent module");
  }

  ValuePtr callRecurrent(const ModuleObject &M, const std::vector<ValuePtr> &Args, SourceLoc L) {
    int64_t Hid = M.Weights[1].second->Shape[1];
    ValuePtr X = Ops.asTensor(Args[0], L);
    if (M.Kind == ModuleId::LSTMCell || M.Kind == ModuleId::GRUCell) {
      if (X->Shape.size() != 2)
        unsupported(L, "a recurrent cell on an input that is not [batch, features]");
      Dims HS{X->Shape[0], Hid};
      auto Zeros = makeStaticTensor(HS, std::vector<double>(static_cast<size_t>(HS[0] * HS[1]), 0.0));
      ValuePtr H = Zeros, C = Zeros;
      if (Args.size() > 1 && Args[1]->K != Value::Kind::None) {
        if (M.Kind == ModuleId::LSTMCell) {
          if (Args[1]->K != Value::Kind::Tuple || Args[1]->Items.size() != 2)
            invalid(L, "LSTMCell needs its state as a tuple (h, c)");
          H = Args[1]->Items[0];
          C = Args[1]->Items[1];
        } else {
          H = Args[1];
        }
      }
      ValuePtr Next = cellStep(M, X, H, &C, Hid, L);
      if (M.Kind == ModuleId::LSTMCell)
        return makeSequence(Value::Kind::Tuple, {Next, C});
      return Next;
    }
    // nn.RNN / nn.GRU over a whole sequence, unrolled.
    if (X->Shape.size() != 3)
      unsupported(L, "a recurrent module on an input that is not 3-D");
    bool BatchFirst = M.Scalar1 == 1;
    int64_t B = BatchFirst ? X->Shape[0] : X->Shape[1], T = BatchFirst ? X->Shape[1] : X->Shape[0];
    ValuePtr H = makeStaticTensor({B, Hid}, std::vector<double>(static_cast<size_t>(B * Hid), 0.0));
    if (Args.size() > 1 && Args[1]->K != Value::Kind::None)
      H = Ops.reshape(Args[1], {B, Hid}, L);
    std::vector<ValuePtr> Outs;
    for (int64_t Step = 0; Step < T; ++Step) {
      IndexItem All, At;
      All.IsSlice = true;
      All.Loc = At.Loc = L;
      At.Index = makeInt(Step);
      ValuePtr Xt = BatchFirst ? Ops.index(X, {All, At}, L) : Ops.index(X, {At}, L);
      H = cellStep(M, Xt, H, nullptr, Hid, L);
      Outs.push_back(H);
    }
    ValuePtr Out = Ops.concat(Outs, BatchFirst ? 1 : 0, /*Stack=*/true, L);
    return makeSequence(Value::Kind::Tuple, {Out, Ops.reshape(H, {1, B, Hid}, L)});
  }

  /// nn.BatchNorm1d in training mode on [batch, features]: each feature
  /// normalised by the batch's mean and biased variance, then scaled and
  /// shifted; the batch statistics are part of the differentiated function,
  /// as in torch.
  ValuePtr batchNorm(const ModuleObject &M, const ValuePtr &Xv, SourceLoc L) {
    ValuePtr X = Ops.asTensor(Xv, L);
    int64_t C = static_cast<int64_t>(M.Scalar1);
    if (X->Shape.size() != 2 || X->Shape[1] != C)
      unsupported(L, "nn.BatchNorm1d(" + std::to_string(C) + ") on an input of shape " + dimsString(X->Shape) +
                         " (svic supports [batch, " + std::to_string(C) + "])");
    if (X->Shape[0] < 2)
      invalid(L, "nn.BatchNorm1d in training mode needs more than 1 value per channel, got a batch of " +
                     std::to_string(X->Shape[0]));
    ValuePtr InvB = makeFloat(1.0 / static_cast<double>(X->Shape[0]));
    ValuePtr Mean = Ops.binary(lir::Op::Mul, Ops.reduce(lir::Op::Sum, X, {0}, true, L), InvB, L);
    ValuePtr D = Ops.binary(lir::Op::Sub, X, Mean, L);
    ValuePtr Var = Ops.binary(lir::Op::Mul, Ops.reduce(lir::Op::Sum, Ops.binary(lir::Op::Mul, D, D, L), {0}, true, L),
                              InvB, L);
    ValuePtr Y = Ops.binary(lir::Op::Mul, D,
                            Ops.unary(lir::Op::Rsqrt, Ops.binary(lir::Op::Add, Var, makeFloat(M.Scalar0), L), L), L);
    if (!M.Weights.empty())
      Y = Ops.binary(lir::Op::Add, Ops.binary(lir::Op::Mul, Y, M.Weights[0].second, L), M.Weights[1].second, L);
    return Y;
  }

  /// nn.Dropout in training mode (Pyro's default): each element kept with
  /// probability 1 - p and scaled by 1 / (1 - p); the mask is Philox noise
  /// on its own stream.
  ValuePtr dropout(double Pr, const ValuePtr &Xv, SourceLoc L) {
    ValuePtr X = Ops.asTensor(Xv, L);
    if (Pr == 0)
      return X;
    if (Pr == 1)
      return Ops.binary(lir::Op::Mul, X, makeFloat(0), L);
    lir::Instr U;
    U.Opcode = lir::Op::Uniform01;
    U.Site = noiseStream(L);
    ValuePtr Keep = Ops.compare(ir::CompareOp::Lt, tensorOf(E.emit(std::move(U), X->Shape), X->Shape),
                                makeFloat(1 - Pr), L);
    if (Opts.RecordTrace)
      record(TraceEntry::Kind::Replay, "dropout:" + std::to_string(DropoutCalls++),
             E.materialize(*Ops.binary(lir::Op::Mul, Keep, makeFloat(1 / (1 - Pr)), L), L), X->Shape, 1);
    return Ops.binary(lir::Op::Mul, Ops.binary(lir::Op::Mul, X, Keep, L), makeFloat(1 / (1 - Pr)), L);
  }

  /// Element (I, J) of a static-shaped matrix, as a scalar.
  ValuePtr element(const ValuePtr &M, int64_t I, int64_t J, SourceLoc L) {
    IndexItem A, B;
    A.Index = makeInt(I);
    B.Index = makeInt(J);
    A.Loc = B.Loc = L;
    return Ops.index(M, {A, B}, L);
  }

  /// A [K, K] matrix from its elements, row-major.
  ValuePtr matrixOf(const std::vector<ValuePtr> &E, int64_t K, SourceLoc L) {
    std::vector<ValuePtr> Rows;
    for (int64_t I = 0; I < K; ++I)
      Rows.push_back(Ops.concat(std::vector<ValuePtr>(E.begin() + I * K, E.begin() + (I + 1) * K), 0, true, L));
    return Ops.concat(Rows, 0, true, L);
  }

  /// torch reads only the lower triangle of scale_tril.
  ValuePtr lowerTriangle(const ValuePtr &M, SourceLoc L) {
    int64_t K = M->Shape[0];
    std::vector<double> Mask(static_cast<size_t>(K * K), 0.0);
    for (int64_t I = 0; I < K; ++I)
      for (int64_t J = 0; J <= I; ++J)
        Mask[static_cast<size_t>(I * K + J)] = 1;
    return Ops.binary(lir::Op::Mul, M, makeStaticTensor({K, K}, std::move(Mask)), L);
  }

  /// Cholesky-Banachiewicz, unrolled over the K x K elements: differentiable
  /// (through sqrt, products and divisions), like torch.linalg.cholesky; a
  /// matrix that is not positive definite gives NaN, which the site's finite
  /// check reports.
  ValuePtr cholesky(const ValuePtr &M, SourceLoc L) {
    int64_t K = M->Shape[0];
    std::vector<ValuePtr> C(static_cast<size_t>(K * K), makeFloat(0));
    auto At = [&](int64_t I, int64_t J) -> ValuePtr & { return C[static_cast<size_t>(I * K + J)]; };
    for (int64_t I = 0; I < K; ++I)
      for (int64_t J = 0; J <= I; ++J) {
        ValuePtr S = element(M, I, J, L);
        for (int64_t P = 0; P < J; ++P)
          S = Ops.binary(lir::Op::Sub, S, Ops.binary(lir::Op::Mul, At(I, P), At(J, P), L), L);
        At(I, J) = I == J ? Ops.unary(lir::Op::Sqrt, S, L) : Ops.binary(lir::Op::Div, S, At(J, J), L);
      }
    return matrixOf(C, K, L);
  }

  /// An RNG stream for noise that is not a site's own draw (dropout masks,
  /// StudentT's Gamma): numbered down from 0xFFFF, so that it never meets a
  /// site's stream (sites are numbered up).
  uint32_t noiseStream(SourceLoc L) {
    if (NextNoiseStream <= Desc.Sites.size() + 1)
      unsupported(L, "more than 65535 sites, dropout layers and StudentT draws");
    return NextNoiseStream--;
  }

  ValuePtr callModule(const ModuleObject &M, const std::vector<ValuePtr> &Args, SourceLoc L) {
    if (M.Kind == ModuleId::RNN || M.Kind == ModuleId::GRU || M.Kind == ModuleId::LSTMCell ||
        M.Kind == ModuleId::GRUCell) {
      if (Args.empty() || Args.size() > 2)
        invalid(L, "a recurrent module takes an input and an optional state");
      return callRecurrent(M, Args, L);
    }
    if (Args.size() != 1)
      unsupported(L, "a module call with " + std::to_string(Args.size()) + " arguments");
    ValuePtr X = Args[0];
    switch (M.Kind) {
    case ModuleId::Linear: {
      ValuePtr Y = Ops.matmul(X, weightView(M.Weights[0].second, 0, 0, true, L), L);
      if (M.Weights.size() > 1)
        Y = Ops.binary(lir::Op::Add, Y, M.Weights[1].second, L);
      return Y;
    }
    case ModuleId::ReLU: return Ops.unary(lir::Op::Relu, X, L);
    case ModuleId::Sigmoid: return Ops.unary(lir::Op::Sigmoid, X, L);
    case ModuleId::Tanh: return Ops.unary(lir::Op::Tanh, X, L);
    case ModuleId::Identity: return X;
    case ModuleId::BatchNorm1d: return batchNorm(M, X, L);
    case ModuleId::Dropout: return dropout(M.Scalar0, X, L);
    case ModuleId::Softplus: return Ops.softplus(X, M.Scalar0, M.Scalar1, L);
    case ModuleId::SoftmaxModule: return Ops.softmax(X, static_cast<int64_t>(M.Scalar0), false, L);
    case ModuleId::LogSoftmaxModule: return Ops.softmax(X, static_cast<int64_t>(M.Scalar0), true, L);
    case ModuleId::Sequential:
      for (const ValuePtr &Member : M.Members)
        X = callModule(*Member->Module, {X}, L);
      return X;
    default:
      break;
    }
    unsupported(L, "calling this nn module in the estimator compiler");
  }

  //===-- calls ---------------------------------------------------------------===//

  ValuePtr evalCall(const CallExpr &C) {
    if (C.Op == OpId::OpaqueCall)
      unsupported(C.Loc, "opaque call to '" + C.Callee + "' (not modelled)");
    std::vector<ValuePtr> Args;
    for (const ExprPtr &A : C.Args.Args)
      Args.push_back(A ? eval(*A) : nullptr);
    return Ops.call(C.Op, Args, C.Loc, InInit ? &InitRng : nullptr);
  }

  //===-- the estimator's bookkeeping -------------------------------------------===//

  /// Lays the data buffer out with only the prefix of each argument the
  /// program reads (all of it, unless it reads a minibatch through a static
  /// index or slice), so that a large data set costs only what is read.
  void placeInputs() {
    std::map<int64_t, int64_t> Reads = lir::inputReads(F);
    std::map<int64_t, std::pair<int64_t, int64_t>> To;
    int64_t Next = 0;
    for (runtime::InputDesc &In : Desc.Inputs) {
      auto It = Reads.find(In.Offset);
      In.Read = It == Reads.end() ? 0 : It->second;
      To[In.Offset] = {Next, In.Read};
      In.Offset = Next;
      Next += In.Read;
    }
    lir::relocateInputs(F.Entry, To);
    Desc.DataDoubles = Next;
    F.DataDoubles = Next;
  }

  void finish() {
    // Hoist parameter reads and input loads before everything.
    Prologue.Body.insert(Prologue.Body.end(), std::make_move_iterator(F.Entry.Body.begin()),
                         std::make_move_iterator(F.Entry.Body.end()));
    F.Entry.Body = std::move(Prologue.Body);
    F.ParamDoubles = Desc.ParamDoubles;
    placeInputs();
    for (const OpBuilder::IndexCheck &C : Ops.IndexChecks)
      Desc.Checks.push_back({loc(C.Loc), C.Low, C.High});
    // The data arguments this program was specialised to: the entry checks
    // that it runs on these values (runtime::bindInputs).
    for (const auto &[Name, L] : E.Fixed)
      for (runtime::InputDesc &In : Desc.Inputs)
        if (In.Name == Name) {
          In.Fixed = Opts.Data.at(Name).Values;
          In.FixedAt = loc(L);
        }
    for (const FactorRec &Fr : Factors)
      F.Factors.push_back({Fr.V, Fr.Sign, Fr.Site});
    for (size_t K = 0; K < ScoreNames.size(); ++K) {
      lir::ScoreSite S;
      S.Name = ScoreNames[K];
      for (size_t I = 0; I < Factors.size(); ++I) {
        if (Factors[I].ScoreOf == static_cast<int>(K))
          S.LogQ = I;
        const DepSet &D = E.deps(Factors[I].V);
        bool Downstream = Opts.Estimator == EstimatorKind::Pyro ||
                          std::binary_search(D.begin(), D.end(), static_cast<uint32_t>(K));
        if (Downstream)
          S.Downstream.push_back(I);
      }
      F.ScoreSites.push_back(std::move(S));
    }
  }
};

} // namespace

std::optional<LoweredSimulator> lowerSimulator(const Program &Model, const LowerOptions &Opts,
                                               const SourceManager &SM, DiagnosticEngine &DE) {
  try {
    Lowerer L(Model, Model, Opts, SM);
    return L.runSimulator();
  } catch (const CompileFailure &Fail) {
    DE.report(Fail.Unsupported ? DiagId::CompileUnsupported : DiagId::CompileError, Fail.Loc, Fail.what());
    return std::nullopt;
  }
}

std::optional<LoweredProgram> lowerEstimator(const Program &Model, const Program &Guide,
                                             const LowerOptions &Opts, const SourceManager &SM,
                                             DiagnosticEngine &DE) {
  try {
    Lowerer L(Model, Guide, Opts, SM);
    return L.run();
  } catch (const CompileFailure &Fail) {
    DE.report(Fail.Unsupported ? DiagId::CompileUnsupported : DiagId::CompileError, Fail.Loc, Fail.what());
    return std::nullopt;
  }
}

} // namespace svic::backend
