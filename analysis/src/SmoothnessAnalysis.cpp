//===- SmoothnessAnalysis.cpp - Transfer functions and read-out -----------===//
///
/// \file
/// The statement and expression transfer functions of the compositional
/// smoothness analysis (notes/smoothness-analysis.md §b.4–b.8, with the [R]
/// fixes of §g): every statement is analysed relative to `id` and composed
/// onto the prefix (b.3); `if` taints the written dims with the guard's inputs;
/// loops are the least fixpoint of J = id ⊔ J ; T through loopFixpoint; the
/// read-out (b.8) reports a name smooth iff its rdb dim is in neither ND(dens)
/// nor any ND(prb[m]).
///
/// Witnesses. Whenever a transfer function adds a set of inputs to an ND set
/// it records an event (operation, location, offending dims relative to the
/// statement). Each enclosing block re-bases its statements' events through
/// the prefix transformer (mapDep), so at the top an event names the input
/// dims — in particular the rdb[n] — the offending values depend on. Since
/// composition only propagates ND through Dep, every rdb[n] in a final ND set
/// is covered by at least one event.
//===----------------------------------------------------------------------===//

#include "svic/analysis/Smoothness.h"
#include "svic/ir/Walk.h"

#include <algorithm>
#include <cassert>
#include <cctype>
#include <cmath>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <unordered_set>

namespace svic::analysis {

using namespace smooth;
using ir::cast;
using ir::dyn_cast;
using ir::isa;

std::string_view propertyName(Property P) {
  switch (P) {
  case Property::Diff:
    return "diff";
  case Property::Lips:
    return "lips";
  case Property::Cont:
    return "cont";
  }
  return "diff";
}

bool classSatisfies(ir::Smoothness C, Property P) {
  switch (P) {
  case Property::Diff:
    return C == ir::Smoothness::Diff;
  case Property::Lips:
    return C == ir::Smoothness::Diff || C == ir::Smoothness::Lips;
  case Property::Cont:
    return C != ir::Smoothness::None;
  }
  return false;
}

bool Witness::operator==(const Witness &O) const {
  return Operation == O.Operation && Loc.File == O.Loc.File && Loc.Line == O.Loc.Line &&
         Loc.Col == O.Loc.Col && Chain == O.Chain;
}

const NameVerdict *SmoothnessResult::find(std::string_view Name) const {
  for (const NameVerdict &V : Names)
    if (V.Name == Name)
      return &V;
  return nullptr;
}

std::vector<std::string> SmoothnessResult::smoothNames() const {
  std::vector<std::string> R;
  for (const NameVerdict &V : Names)
    if (V.Smooth)
      R.push_back(V.Name);
  return R;
}

namespace {

void collectVarRefs(const ir::Expr &E, std::vector<ir::VarId> &Out) {
  if (auto *V = dyn_cast<ir::VarRefExpr>(&E)) {
    Out.push_back(V->Var);
    return;
  }
  ir::forEachChild(E, [&](const ir::Expr &C) { collectVarRefs(C, Out); });
}

bool isNoneConstant(const ir::Expr *E) {
  auto *C = E ? dyn_cast<ir::ConstantExpr>(E) : nullptr;
  return C && C->Ty == ir::ConstantExpr::Type::None;
}

bool isDelta(const ir::DistributionExpr &D) { return D.Dist == ir::DistId::Delta; }

/// \p D is mapped onto a simplex by Pyro's stick-breaking, whose clamped
/// sigmoid is Lipschitz but not differentiable where it saturates: in its
/// value, in its parameters (a reparameterised draw) and in its density.
bool stickBreaking(const ir::DistributionExpr &D) {
  return std::any_of(D.Transforms.begin(), D.Transforms.end(), [](const ir::DistTransform &T) {
    auto *Target = T.Kind == ir::DistTransformKind::BijectToInterval && T.Arg
                       ? dyn_cast<ir::DistributionExpr>(T.Arg.get())
                       : nullptr;
    return Target && Target->info().Support == ir::SupportKind::Simplex;
  });
}
const char *const StickBreakingOp = "stick-breaking (clamped sigmoid)";

/// The operation a witness names for \p What of \p D's density: an opaque
/// distribution is one witness for all of it.
std::string densityOp(const ir::DistributionExpr &D, const std::string &What) {
  if (D.Dist == ir::DistId::Opaque)
    return "opaque distribution '" + D.OpaqueName + "' (not modelled)";
  return D.info().Name + " " + What;
}

/// A finite integral value (inf and nan are neither).
bool isIntegerConstant(double V) { return std::isfinite(V) && V == std::trunc(V); }

/// A latent sample site: not observed (or observed with a literal None) and
/// not a point mass (Delta samples and pyro.deterministic are assignments,
/// notes a.5.4).
bool isLatentSite(const ir::SampleStmt &S) {
  return S.Dist && !isDelta(*S.Dist) && (!S.isObserve() || isNoneConstant(S.Obs.get()));
}

std::string lowerLastComponent(std::string_view Q) {
  size_t Dot = Q.rfind('.');
  std::string R(Dot == std::string_view::npos ? Q : Q.substr(Dot + 1));
  for (char &C : R)
    C = static_cast<char>(std::tolower(static_cast<unsigned char>(C)));
  return R;
}

std::string domainText(std::string_view Domain) {
  if (Domain == "positive" || Domain == "probs")
    return "> 0";
  if (Domain == "nonneg")
    return ">= 0";
  if (Domain == "unit01")
    return "in [0, 1]";
  if (Domain == "count")
    return "a non-negative integer";
  if (Domain == "bool")
    return "boolean";
  if (Domain == "posdef")
    return "positive definite";
  if (Domain == "lowerchol")
    return "lower Cholesky";
  return "in " + std::string(Domain);
}

/// Domains that need no proof: every value is in them.
bool trivialDomain(std::string_view Domain) {
  return Domain.empty() || Domain == "real" || Domain == "any" || Domain == "dist";
}

/// Attributes that read only the static shape/type of a tensor (the analysis
/// assumes shapes do not depend on latent or parameter values).
bool isShapeAttribute(std::string_view N) {
  return N == "shape" || N == "dtype" || N == "device" || N == "ndim" || N == "is_cuda" ||
         N == "requires_grad" || N == "layout";
}

/// Attributes that return the value itself or a linear view of it.
bool isSmoothAttribute(std::string_view N) {
  return N == "data" || N == "T" || N == "mT" || N == "H" || N == "real" || N == "weight" ||
         N == "bias";
}

/// Operation slots that read only the shape/dtype of their argument.
bool isShapeOnlySlot(ir::OpId Op, size_t Slot) {
  switch (Op) {
  case ir::OpId::Size:
  case ir::OpId::Dim:
  case ir::OpId::PyLen:
  case ir::OpId::NewZeros:
  case ir::OpId::NewOnes:
  case ir::OpId::NewTensor:
  case ir::OpId::NewFull:
  case ir::OpId::ZerosLike:
  case ir::OpId::OnesLike:
    return Slot == 0;
  case ir::OpId::ExpandAs:
    return Slot == 1;
  default:
    return false;
  }
}

//===-- Optional arguments that change a row ------------------------------------===//

std::optional<double> constNumber(const ir::Expr *E) {
  auto *K = E ? dyn_cast<ir::ConstantExpr>(E) : nullptr;
  if (K && K->isNumber())
    return K->number();
  return std::nullopt;
}

std::optional<std::string> constText(const ir::Expr *E) {
  auto *K = E ? dyn_cast<ir::ConstantExpr>(E) : nullptr;
  if (K && K->Ty == ir::ConstantExpr::Type::String)
    return K->StringValue;
  return std::nullopt;
}

/// torch's softplus is x itself where beta x > threshold: a jump of
/// log(1 + exp(-threshold)) / beta there, below float32's resolution only for
/// thresholds >= 20 (the default).
bool softplusThresholdJumps(const ir::Expr *Threshold) {
  if (!Threshold)
    return false;
  auto T = constNumber(Threshold);
  return !T || !(*T >= 20);
}

/// The class of slot \p Slot of call \p C where an optional argument makes it
/// weaker than the row's (checked against torch 1.13): softplus with a
/// threshold jumps; norm is Lipschitz for p >= 1 (and 'fro', 'nuc', inf),
/// continuous for 0 < p < 1, else counts or worse; grid_sample in mode
/// 'nearest' (or a mode we cannot read) jumps in the grid.
std::optional<ir::Smoothness> optionClass(const ir::CallExpr &C, size_t Slot) {
  const auto &As = C.Args.Args;
  auto Arg = [&](size_t K) -> const ir::Expr * { return K < As.size() ? As[K].get() : nullptr; };
  switch (C.Op) {
  case ir::OpId::FSoftplus:
    if ((Slot == 0 || Slot == 1) && softplusThresholdJumps(Arg(2)))
      return ir::Smoothness::None;
    return std::nullopt;
  case ir::OpId::Norm: {
    if (Slot != 0 || !Arg(1))
      return std::nullopt;
    if (auto Pt = constText(Arg(1)); Pt && (*Pt == "fro" || *Pt == "nuc"))
      return std::nullopt;
    auto Pn = constNumber(Arg(1));
    if (Pn && *Pn >= 1)
      return std::nullopt;
    return Pn && *Pn > 0 ? ir::Smoothness::Cont : ir::Smoothness::None;
  }
  case ir::OpId::FGridSample: {
    if (Slot != 1 || !Arg(2))
      return std::nullopt;
    auto Mode = constText(Arg(2));
    if (Mode && (*Mode == "bilinear" || *Mode == "bicubic"))
      return std::nullopt;
    return ir::Smoothness::None;
  }
  default:
    return std::nullopt;
  }
}

std::string optionText(ir::OpId Op) {
  switch (Op) {
  case ir::OpId::FSoftplus:
    return "threshold";
  case ir::OpId::Norm:
    return "p";
  case ir::OpId::FGridSample:
    return "mode";
  default:
    return "options";
  }
}

//===-- Module objects --------------------------------------------------------===//

struct ModSig {
  bool Known = false;
  ir::Smoothness Weights = ir::Smoothness::None;
  std::vector<ir::ParamSpec> Call;
  std::string Op;
};

ir::Smoothness reluDegrade(ir::Smoothness S) {
  return S == ir::Smoothness::Diff ? ir::Smoothness::Lips : S;
}

ModSig joinSig(const ModSig &A, const ModSig &B) {
  if (!A.Known)
    return B;
  if (!B.Known)
    return A;
  ModSig R = A;
  R.Weights = ir::weakest(A.Weights, B.Weights);
  for (size_t I = 0; I < R.Call.size(); ++I)
    if (I < B.Call.size())
      R.Call[I].Class = ir::weakest(R.Call[I].Class, B.Call[I].Class);
  if (B.Call.size() > R.Call.size())
    R.Call.insert(R.Call.end(), B.Call.begin() + static_cast<long>(R.Call.size()), B.Call.end());
  if (R.Op != B.Op)
    R.Op = R.Op + "/" + B.Op;
  return R;
}

//===-- Events -----------------------------------------------------------------===//

struct Event {
  std::string Op;
  SourceLoc Loc;
  DimSet Dims;                 ///< offending dims, re-based to the enclosing block
  std::vector<ir::VarId> Vars; ///< offending program variables (for chains)
};
using Events = std::vector<Event>;

struct EInfo {
  DimSet Dep, ND;
  void add(const EInfo &O) {
    Dep.unite(O.Dep);
    ND.unite(O.ND);
  }
};

//===-- The analyzer ------------------------------------------------------------===//

class Analyzer {
public:
  Analyzer(const ir::Program &P, const NumericFacts &N, Property Prop, const SmoothnessOptions &O)
      : P(P), N(N), Prop(Prop), Opt(O) {}

  SmoothnessResult run();

private:
  const ir::Program &P;
  const NumericFacts &N;
  Property Prop;
  const SmoothnessOptions &Opt;

  // Names and dims.
  std::vector<std::string> Names; // sorted
  std::unordered_map<std::string, uint32_t> NameIdx;
  std::vector<uint8_t> IsParam, IsLatent, IsDiscrete;
  std::vector<SourceLoc> FirstLoc;
  uint32_t NumNames = 0;
  Dim VarBase = 0;
  Dim NextSynthetic = 0;
  std::unordered_set<std::string> ReparamSet;

  Dim dens() const { return 0; }
  Dim rdb(uint32_t I) const { return 1 + I; }
  Dim prb(uint32_t I) const { return 1 + NumNames + I; }
  Dim val(uint32_t I) const { return 1 + 2 * NumNames + I; }
  Dim varDim(ir::VarId V) const { return VarBase + V; }
  bool isVarDim(Dim D) const { return D >= VarBase && D < VarBase + P.numVars(); }
  Dim newSynthetic() { return NextSynthetic++; }

  // Side tables (flow-insensitive).
  std::unordered_map<ir::VarId, ModSig> ModTable;
  std::unordered_map<ir::VarId, ir::Smoothness> DistValueTable;
  /// The support of the distributions a variable holds; empty when they differ.
  std::unordered_map<ir::VarId, std::optional<ir::SupportKind>> DistSupportTable;
  std::optional<ir::SupportKind> distSupport(const ir::Expr &E) const;
  std::vector<std::vector<ir::VarId>> Preds;
  std::vector<std::vector<uint32_t>> SourceNames;

  std::unordered_map<ir::VarId, std::vector<ir::VarId>> Members, Containers, ObjectAliases;
  std::vector<ir::VarId> sharing(ir::VarId M);

  std::vector<Dim> CtxDims;
  FixpointStats Stats;

  void collect();
  void addName(const std::string &N, bool Param, bool Latent, bool Discrete, SourceLoc Loc);
  uint32_t nameOf(const ir::SiteName &S) const { return NameIdx.at(S.Canonical); }

  // Expressions.
  void nonSmooth(EInfo &R, const DimSet &Off, std::string Op, SourceLoc Loc, Events &Ev);
  /// An operand of E may be ±inf or NaN: inf * z jumps at z = 0 and inf - inf
  /// is NaN, so E may break in every input it reads (and, with \p Raises,
  /// validation may reject it).
  void nonFiniteOperands(EInfo &R, const ir::Expr &E, bool Raises, Events &Ev);
  /// A partial operation outside its proved domain: non-smooth in Off, and the
  /// program may stop there (Python raises on math.log(-1) or 1/0., torch on
  /// invalid distribution arguments and values), so Off also decides
  /// termination: the statement's V component (notes a.4, "Partiality").
  void partial(EInfo &R, const DimSet &Off, std::string Op, SourceLoc Loc, Events &Ev) {
    nonSmooth(R, Off, std::move(Op), Loc, Ev);
    Raises.unite(Off);
  }
  /// The numeric analysis proves \p V inside support \p K (torch validates
  /// observed and log_prob values and raises outside the support).
  bool provedInSupport(ir::SupportKind K, const ir::Expr &V) const;
  /// Inputs on which the statement being analysed may raise.
  DimSet Raises;
  /// Inputs of opaque calls in the statement that may run user code: that
  /// code may sample, observe or add factors, so the density may break in them.
  DimSet OpaqueDensity;
  Transformer stmtKind(const ir::Stmt &S, Events &Ev);
  EInfo expr(const ir::Expr &E, Events &Ev);
  EInfo call(const ir::CallExpr &C, Events &Ev);
  EInfo opaqueCall(const ir::CallExpr &C, Events &Ev);
  EInfo moduleCall(const ir::ModuleCallExpr &C, Events &Ev);
  EInfo indices(const std::vector<ir::ExprPtr> &Idx, Events &Ev);
  struct DistParts {
    EInfo Args, Mask;
  };
  DistParts dist(const ir::DistributionExpr &D, bool CheckDomains, Events &Ev);
  ModSig sigOfCtor(const ir::ModuleCtorExpr &C) const;
  ModSig sigOfCallee(const ir::Expr &E) const;
  ir::Smoothness distValueClass(const ir::Expr &E) const;
  EInfo siteName(const ir::SiteName &S, Events &Ev);
  DimSet ctxSet() const;

  // Statements.
  Transformer block(const ir::Block &B, Events &Ev);
  /// An expression whose value is dropped: only where it may raise matters
  /// (witnessed as \p Op).
  void discarded(const ir::Expr &E, std::string Op, SourceLoc Loc, Events &Ev);
  Transformer stmt(const ir::Stmt &S, Events &Ev);
  Transformer sample(const ir::SampleStmt &S, Events &Ev);
  Transformer loop(const DimSet &G, const DimSet &ExitG, Transformer Body, Events &BodyEv,
                   std::string Op, SourceLoc Loc, Events &Ev);

  // Read-out.
  std::vector<std::string> namesIn(const DimSet &S) const;
  std::vector<std::vector<ir::VarId>> Succs, VarsOfName;
  std::vector<int64_t> Parent;    ///< -2 unreached, -1 bound to the name, else the BFS parent
  std::vector<ir::VarId> Reached; ///< the entries of Parent the last search set
  std::vector<uint8_t> IsTarget;
  void flowFrom(uint32_t Name, const std::vector<ir::VarId> &Targets);
  std::vector<std::string> chainFor(uint32_t Name, const Event &E);
};

void Analyzer::addName(const std::string &Nm, bool Param, bool Latent, bool Discrete,
                       SourceLoc Loc) {
  auto [It, New] = NameIdx.try_emplace(Nm, static_cast<uint32_t>(Names.size()));
  if (New) {
    Names.push_back(Nm);
    IsParam.push_back(0);
    IsLatent.push_back(0);
    IsDiscrete.push_back(0);
    FirstLoc.push_back(Loc);
  }
  uint32_t I = It->second;
  IsParam[I] |= Param;
  IsLatent[I] |= Latent;
  IsDiscrete[I] |= Discrete;
}

void Analyzer::collect() {
  for (const std::string &R : Opt.ReparamNames)
    ReparamSet.insert(R);
  // Names, in a first pass; sorted afterwards so the dims are deterministic.
  std::map<std::string, std::tuple<bool, bool, bool, SourceLoc>> Found;
  auto Note = [&](const std::string &Nm, bool Pa, bool La, bool Di, SourceLoc L) {
    auto [It, New] = Found.try_emplace(Nm, Pa, La, Di, L);
    if (!New) {
      std::get<0>(It->second) |= Pa;
      std::get<1>(It->second) |= La;
      std::get<2>(It->second) |= Di;
    }
  };
  ir::forEachStmt(P.Body, [&](const ir::Stmt &S) {
    if (auto *Pa = dyn_cast<ir::ParamStmt>(&S))
      Note(Pa->Name.Canonical, true, false, false, Pa->Loc);
    else if (auto *M = dyn_cast<ir::ModuleStmt>(&S))
      Note(M->Name.Canonical, true, false, false, M->Loc);
    else if (auto *Sa = dyn_cast<ir::SampleStmt>(&S); Sa && isLatentSite(*Sa))
      Note(Sa->Name.Canonical, false, true, Sa->Dist->info().Discrete, Sa->Loc);
  });
  for (auto &[Nm, T] : Found)
    addName(Nm, std::get<0>(T), std::get<1>(T), std::get<2>(T), std::get<3>(T));
  NumNames = static_cast<uint32_t>(Names.size());
  VarBase = 1 + 3 * NumNames;
  NextSynthetic = VarBase + static_cast<Dim>(P.numVars());

  // Module objects, distribution objects and the flow graph for chains.
  Preds.assign(P.numVars(), {});
  SourceNames.assign(P.numVars(), {});
  std::vector<std::pair<ir::VarId, ir::VarId>> Aliases; // (target, source)
  auto AddPreds = [&](ir::VarId T, const ir::Expr *E) {
    if (!E)
      return;
    std::vector<ir::VarId> Vs;
    collectVarRefs(*E, Vs);
    for (ir::VarId V : Vs)
      if (V != T)
        Preds[T].push_back(V);
  };
  ir::forEachStmt(P.Body, [&](const ir::Stmt &S) {
    switch (S.Kind) {
    case ir::StmtKind::Assign: {
      auto *A = cast<ir::AssignStmt>(&S);
      AddPreds(A->Target, A->Value.get());
      const ir::Expr *V = A->Value.get();
      if (auto *C = dyn_cast<ir::ModuleCtorExpr>(V)) {
        ModTable[A->Target] = joinSig(ModTable[A->Target], sigOfCtor(*C));
        for (const ir::ExprPtr &M : C->Members)
          if (auto *R = M ? dyn_cast<ir::VarRefExpr>(M.get()) : nullptr) {
            Members[A->Target].push_back(R->Var);
            Containers[R->Var].push_back(A->Target);
          }
      } else if (auto *R = dyn_cast<ir::VarRefExpr>(V))
        Aliases.emplace_back(A->Target, R->Var);
      else if (auto *U = dyn_cast<ir::AttrUpdateExpr>(V)) {
        if (auto *B = dyn_cast<ir::VarRefExpr>(U->Base.get()))
          Aliases.emplace_back(A->Target, B->Var);
      } else if (auto *U2 = dyn_cast<ir::IndexUpdateExpr>(V)) {
        if (auto *B = dyn_cast<ir::VarRefExpr>(U2->Base.get()))
          Aliases.emplace_back(A->Target, B->Var);
      } else if (auto *D = dyn_cast<ir::DistributionExpr>(V)) {
        auto It = DistValueTable.find(A->Target);
        ir::Smoothness VS = D->info().ValueSmooth;
        DistValueTable[A->Target] = It == DistValueTable.end() ? VS : ir::weakest(It->second, VS);
        auto [S, New] = DistSupportTable.try_emplace(A->Target, D->info().Support);
        if (!New && S->second != D->info().Support)
          S->second.reset();
      }
      break;
    }
    case ir::StmtKind::Sample: {
      auto *Sa = cast<ir::SampleStmt>(&S);
      if (!Sa->Target)
        break;
      if (isLatentSite(*Sa)) {
        SourceNames[*Sa->Target].push_back(NameIdx.at(Sa->Name.Canonical));
        if (Opt.Reparameterized)
          AddPreds(*Sa->Target, Sa->Dist.get());
      } else if (Sa->isObserve()) {
        AddPreds(*Sa->Target, Sa->Obs.get());
      } else if (Sa->Dist && !Sa->Dist->Args.Args.empty()) {
        AddPreds(*Sa->Target, Sa->Dist->Args.Args[0].get());
      }
      break;
    }
    case ir::StmtKind::Param: {
      auto *Pa = cast<ir::ParamStmt>(&S);
      uint32_t I = NameIdx.at(Pa->Name.Canonical);
      if (Pa->Target)
        SourceNames[*Pa->Target].push_back(I);
      if (auto *R = Pa->Init ? dyn_cast<ir::VarRefExpr>(Pa->Init.get()) : nullptr)
        SourceNames[R->Var].push_back(I);
      break;
    }
    case ir::StmtKind::Module: {
      auto *M = cast<ir::ModuleStmt>(&S);
      uint32_t I = NameIdx.at(M->Name.Canonical);
      SourceNames[M->ModuleVar].push_back(I);
      if (M->Target) {
        SourceNames[*M->Target].push_back(I);
        Aliases.emplace_back(*M->Target, M->ModuleVar);
      }
      break;
    }
    case ir::StmtKind::For: {
      auto *F = cast<ir::ForStmt>(&S);
      AddPreds(F->Index, F->Start.get());
      AddPreds(F->Index, F->Stop.get());
      AddPreds(F->Index, F->Step.get());
      break;
    }
    case ir::StmtKind::With: {
      auto *W = cast<ir::WithStmt>(&S);
      if (W->IndexVar) {
        AddPreds(*W->IndexVar, W->Plate.Size.get());
        AddPreds(*W->IndexVar, W->Plate.SubsampleSize.get());
      }
      break;
    }
    case ir::StmtKind::ExprStmt:
    case ir::StmtKind::Factor:
    case ir::StmtKind::If:
    case ir::StmtKind::While:
    case ir::StmtKind::Return:
    case ir::StmtKind::Assert:
      break;
    }
  });
  // Aliases of module objects (m2 = m, pyro.module's result, attribute stores).
  for (bool Changed = true; Changed;) {
    Changed = false;
    for (auto [T, Src] : Aliases) {
      auto It = ModTable.find(Src);
      if (It == ModTable.end() || !It->second.Known)
        continue;
      ModSig Old = ModTable[T];
      ModSig New = joinSig(Old, It->second);
      if (!Old.Known || New.Weights != Old.Weights || New.Op != Old.Op ||
          New.Call.size() != Old.Call.size()) {
        ModTable[T] = New;
        Changed = true;
      } else {
        bool Diff = false;
        for (size_t I = 0; I < New.Call.size(); ++I)
          Diff |= New.Call[I].Class != Old.Call[I].Class;
        if (Diff) {
          ModTable[T] = New;
          Changed = true;
        }
      }
    }
  }
  std::unordered_set<ir::VarId> ParamInits;
  ir::forEachStmt(P.Body, [&](const ir::Stmt &S) {
    if (auto *Pa = dyn_cast<ir::ParamStmt>(&S))
      if (auto *R = Pa->Init ? dyn_cast<ir::VarRefExpr>(Pa->Init.get()) : nullptr)
        ParamInits.insert(R->Var);
  });
  for (auto [T, Src] : Aliases) {
    if (T == Src || !(ModTable.count(Src) || ParamInits.count(Src) || ParamInits.count(T)))
      continue;
    ObjectAliases[T].push_back(Src);
    ObjectAliases[Src].push_back(T);
  }
}

std::vector<ir::VarId> Analyzer::sharing(ir::VarId M) {
  // pyro.module (and the statement form of pyro.param) mutates the object:
  // every alias of it, every container holding it and every member it holds
  // now carries the parameters too.
  std::set<ir::VarId> Seen{M};
  std::deque<ir::VarId> Q{M};
  while (!Q.empty()) {
    ir::VarId U = Q.front();
    Q.pop_front();
    auto It = ObjectAliases.find(U);
    if (It == ObjectAliases.end())
      continue;
    for (ir::VarId W : It->second)
      if (Seen.insert(W).second)
        Q.push_back(W);
  }
  std::set<ir::VarId> Out(Seen);
  for (ir::VarId A : Seen) {
    for (auto *Tab : {&Members, &Containers}) {
      auto It = Tab->find(A);
      if (It != Tab->end())
        Out.insert(It->second.begin(), It->second.end());
    }
  }
  Out.erase(M);
  return std::vector<ir::VarId>(Out.begin(), Out.end());
}

ModSig Analyzer::sigOfCtor(const ir::ModuleCtorExpr &C) const {
  const ir::ModuleInfo &I = C.info();
  ModSig S;
  if (C.Module == ir::ModuleId::Sequential) {
    // Data passes through every member in order; the weights of member i pass
    // through the members after it.
    std::vector<ModSig> Ms;
    for (const ir::ExprPtr &M : C.Members) {
      if (!M)
        return S;
      Ms.push_back(sigOfCallee(*M));
      if (!Ms.back().Known || Ms.back().Call.empty())
        return ModSig{};
    }
    S.Known = true;
    ir::Smoothness In = ir::Smoothness::Diff, After = ir::Smoothness::Diff;
    S.Weights = ir::Smoothness::Diff;
    for (size_t K = Ms.size(); K-- > 0;) {
      S.Weights = ir::weakest(S.Weights, ir::weakest(Ms[K].Weights, After));
      After = ir::weakest(After, Ms[K].Call[0].Class);
      In = ir::weakest(In, Ms[K].Call[0].Class);
    }
    S.Call = {ir::ParamSpec{"input", In, false, false, ""}};
    std::string Ops;
    for (const ModSig &M : Ms)
      Ops += (Ops.empty() ? "" : ", ") + M.Op;
    S.Op = "sequential(" + Ops + ")";
    return S;
  }
  S.Known = true;
  S.Call = I.CallParams;
  S.Weights = I.WeightsSmooth;
  S.Op = lowerLastComponent(I.QualifiedName);
  if (C.Module == ir::ModuleId::Softplus) {
    const auto &As = C.Args.Args;
    const ir::Expr *Beta = As.size() > 0 ? As[0].get() : nullptr;
    const ir::Expr *Threshold = As.size() > 1 ? As[1].get() : nullptr;
    auto B = constNumber(Beta);
    if (softplusThresholdJumps(Threshold) || (Beta && !(B && *B > 0))) {
      for (ir::ParamSpec &PS : S.Call)
        PS.Class = ir::Smoothness::None;
      S.Op += " (beta/threshold)";
    }
  }
  if (I.ReluVariant) {
    bool Relu = false;
    if (auto Idx = ir::paramIndex(I.CtorParams, "nonlinearity");
        Idx && *Idx < C.Args.Args.size() && C.Args.Args[*Idx]) {
      auto *K = dyn_cast<ir::ConstantExpr>(C.Args.Args[*Idx].get());
      Relu = !(K && K->Ty == ir::ConstantExpr::Type::String && K->StringValue == "tanh");
    }
    if (Relu) {
      S.Weights = reluDegrade(S.Weights);
      for (ir::ParamSpec &PS : S.Call)
        PS.Class = reluDegrade(PS.Class);
      S.Op += " (nonlinearity='relu')";
    }
  }
  return S;
}

ModSig Analyzer::sigOfCallee(const ir::Expr &E) const {
  if (auto *V = dyn_cast<ir::VarRefExpr>(&E)) {
    auto It = ModTable.find(V->Var);
    return It == ModTable.end() ? ModSig{} : It->second;
  }
  if (auto *C = dyn_cast<ir::ModuleCtorExpr>(&E))
    return sigOfCtor(*C);
  return ModSig{};
}

ir::Smoothness Analyzer::distValueClass(const ir::Expr &E) const {
  if (auto *D = dyn_cast<ir::DistributionExpr>(&E))
    return D->info().ValueSmooth;
  if (auto *V = dyn_cast<ir::VarRefExpr>(&E)) {
    auto It = DistValueTable.find(V->Var);
    if (It != DistValueTable.end())
      return It->second;
  }
  return ir::Smoothness::None;
}

std::optional<ir::SupportKind> Analyzer::distSupport(const ir::Expr &E) const {
  if (auto *D = dyn_cast<ir::DistributionExpr>(&E))
    return D->info().Support;
  if (auto *V = dyn_cast<ir::VarRefExpr>(&E)) {
    auto It = DistSupportTable.find(V->Var);
    if (It != DistSupportTable.end())
      return It->second;
  }
  return std::nullopt;
}

DimSet Analyzer::ctxSet() const {
  DimSet R;
  for (Dim D : CtxDims)
    R.insert(D);
  return R;
}

//===-- Expressions (notes b.4) -------------------------------------------------===//

void Analyzer::nonSmooth(EInfo &R, const DimSet &Off, std::string Op, SourceLoc Loc, Events &Ev) {
  if (Off.empty())
    return;
  R.ND.unite(Off);
  R.Dep.unite(Off);
  Event E{std::move(Op), Loc, Off, {}};
  Off.forEach([&](Dim D) {
    if (isVarDim(D))
      E.Vars.push_back(static_cast<ir::VarId>(D - VarBase));
  });
  Ev.push_back(std::move(E));
}

void Analyzer::nonFiniteOperands(EInfo &R, const ir::Expr &E, bool MayRaise, Events &Ev) {
  bool Any = false;
  ir::forEachChild(E, [&](const ir::Expr &C) { Any = Any || N.mayBeNonFinite(C.Id); });
  if (!Any)
    return;
  std::string Op = "operand that may be inf or nan";
  if (MayRaise)
    partial(R, R.Dep, std::move(Op), E.Loc, Ev);
  else
    nonSmooth(R, R.Dep, std::move(Op), E.Loc, Ev);
}

EInfo Analyzer::indices(const std::vector<ir::ExprPtr> &Idx, Events &Ev) {
  EInfo R;
  for (const ir::ExprPtr &I : Idx) {
    if (!I)
      continue;
    if (auto *S = dyn_cast<ir::SliceExpr>(I.get())) {
      for (const ir::ExprPtr *B : {&S->Lower, &S->Upper, &S->Step})
        if (*B)
          R.add(expr(**B, Ev));
      continue;
    }
    R.add(expr(*I, Ev));
  }
  return R;
}

EInfo Analyzer::expr(const ir::Expr &E, Events &Ev) {
  EInfo R;
  switch (E.Kind) {
  case ir::ExprKind::Constant:
  case ir::ExprKind::Ellipsis:
    return R;
  case ir::ExprKind::VarRef:
    R.Dep.insert(varDim(cast<ir::VarRefExpr>(&E)->Var));
    return R;
  case ir::ExprKind::Unary: {
    auto *U = cast<ir::UnaryExpr>(&E);
    R = expr(*U->Operand, Ev);
    switch (U->Op) {
    case ir::UnaryOp::Neg:
    case ir::UnaryOp::Pos:
      break;
    case ir::UnaryOp::Not:
      nonSmooth(R, R.Dep, "not", E.Loc, Ev);
      break;
    case ir::UnaryOp::Invert:
      nonSmooth(R, R.Dep, "bitwise operator", E.Loc, Ev);
      break;
    }
    return R;
  }
  case ir::ExprKind::Binary: {
    auto *B = cast<ir::BinaryExpr>(&E);
    EInfo L = expr(*B->Lhs, Ev), Rh = expr(*B->Rhs, Ev);
    R = L;
    R.add(Rh);
    switch (B->Op) {
    case ir::BinaryOp::Add:
    case ir::BinaryOp::Sub:
    case ir::BinaryOp::Mul:
    case ir::BinaryOp::MatMul:
      break;
    case ir::BinaryOp::Div:
      // Where the denominator may be 0, x / y jumps to +-inf or NaN as the
      // numerator crosses 0 too: both sides' inputs may break.
      if (!Rh.Dep.empty() && !N.provedNonZero(B->Rhs->Id))
        partial(R, R.Dep, "division", E.Loc, Ev);
      break;
    case ir::BinaryOp::FloorDiv:
      nonSmooth(R, R.Dep, "floor division", E.Loc, Ev);
      if (!N.provedNonZero(B->Rhs->Id))
        partial(R, Rh.Dep, "floor division", E.Loc, Ev);
      break;
    case ir::BinaryOp::Mod:
      nonSmooth(R, R.Dep, "modulo", E.Loc, Ev);
      if (!N.provedNonZero(B->Rhs->Id))
        partial(R, Rh.Dep, "modulo", E.Loc, Ev);
      break;
    case ir::BinaryOp::BitAnd:
    case ir::BinaryOp::BitOr:
      nonSmooth(R, R.Dep, "bitwise operator", E.Loc, Ev);
      break;
    case ir::BinaryOp::Pow: {
      // Smooth for a constant integer exponent >= 0, or a base proved > 0
      // (then b**e = exp(e log b)); a negative integer exponent needs b != 0.
      auto *K = dyn_cast<ir::ConstantExpr>(B->Rhs.get());
      bool IntExp = K && K->isNumber() && isIntegerConstant(K->number());
      if (IntExp && K->number() >= 0)
        break;
      if (IntExp) {
        if (!L.Dep.empty() && !N.provedNonZero(B->Lhs->Id))
          partial(R, L.Dep, "power (base not proved non-zero)", E.Loc, Ev);
        break;
      }
      auto *KB = dyn_cast<ir::ConstantExpr>(B->Lhs.get());
      bool PosBase = (KB && KB->isNumber() && KB->number() > 0) || N.provedPositive(B->Lhs->Id);
      if (!PosBase)
        partial(R, R.Dep, "power (base not proved > 0)", E.Loc, Ev);
      break;
    }
    }
    nonFiniteOperands(R, E, false, Ev);
    return R;
  }
  case ir::ExprKind::Compare: {
    auto *C = cast<ir::CompareExpr>(&E);
    R = expr(*C->Lhs, Ev);
    R.add(expr(*C->Rhs, Ev));
    nonSmooth(R, R.Dep, "comparison", E.Loc, Ev);
    return R;
  }
  case ir::ExprKind::Logical: {
    auto *L = cast<ir::LogicalExpr>(&E);
    R = expr(*L->Lhs, Ev);
    R.add(expr(*L->Rhs, Ev));
    nonSmooth(R, R.Dep, "boolean operator", E.Loc, Ev);
    return R;
  }
  case ir::ExprKind::Conditional: {
    auto *C = cast<ir::ConditionalExpr>(&E);
    EInfo G = expr(*C->Cond, Ev);
    R = expr(*C->Then, Ev);
    R.add(expr(*C->Else, Ev));
    nonSmooth(R, G.Dep, "conditional expression", E.Loc, Ev);
    return R;
  }
  case ir::ExprKind::Call:
    return call(*cast<ir::CallExpr>(&E), Ev);
  case ir::ExprKind::ModuleCtor: {
    // Constructor arguments are shapes and flags; members are module objects
    // whose weights the object's signature accounts for at each call.
    auto *C = cast<ir::ModuleCtorExpr>(&E);
    EInfo A;
    for (const ir::ExprPtr &X : C->Args.Args)
      if (X)
        A.add(expr(*X, Ev));
    R = A;
    nonSmooth(R, A.Dep, "module constructor argument", E.Loc, Ev);
    for (const ir::ExprPtr &M : C->Members)
      if (M)
        R.add(expr(*M, Ev));
    return R;
  }
  case ir::ExprKind::ModuleCall:
    return moduleCall(*cast<ir::ModuleCallExpr>(&E), Ev);
  case ir::ExprKind::Distribution: {
    DistParts D = dist(*cast<ir::DistributionExpr>(&E), true, Ev);
    R = D.Args;
    R.add(D.Mask);
    return R;
  }
  case ir::ExprKind::Subscript: {
    // Smooth in the base, not in the indices.
    auto *S = cast<ir::SubscriptExpr>(&E);
    R = expr(*S->Base, Ev);
    EInfo I = indices(S->Indices, Ev);
    nonSmooth(R, I.Dep, "index", E.Loc, Ev);
    return R;
  }
  case ir::ExprKind::Slice: {
    auto *S = cast<ir::SliceExpr>(&E);
    EInfo B;
    for (const ir::ExprPtr *X : {&S->Lower, &S->Upper, &S->Step})
      if (*X)
        B.add(expr(**X, Ev));
    nonSmooth(R, B.Dep, "slice", E.Loc, Ev);
    return R;
  }
  case ir::ExprKind::Tuple:
  case ir::ExprKind::List:
    for (const ir::ExprPtr &X : cast<ir::SequenceExpr>(&E)->Elements)
      if (X)
        R.add(expr(*X, Ev));
    return R;
  case ir::ExprKind::Dict: {
    auto *D = cast<ir::DictExpr>(&E);
    EInfo K;
    for (const ir::ExprPtr &X : D->Keys)
      if (X)
        K.add(expr(*X, Ev));
    for (const ir::ExprPtr &X : D->Values)
      if (X)
        R.add(expr(*X, Ev));
    nonSmooth(R, K.Dep, "dict key", E.Loc, Ev);
    return R;
  }
  case ir::ExprKind::Attribute: {
    auto *A = cast<ir::AttributeExpr>(&E);
    EInfo B = expr(*A->Base, Ev);
    if (isShapeAttribute(A->Name)) {
      // A shape can only change where the value is already non-smooth.
      R.Dep = B.ND;
      R.ND = B.ND;
      return R;
    }
    R = B;
    if (!isSmoothAttribute(A->Name))
      nonSmooth(R, B.Dep, "attribute ." + A->Name, E.Loc, Ev);
    return R;
  }
  case ir::ExprKind::IndexUpdate: {
    // Smooth in the base and the stored value, not in the indices.
    auto *U = cast<ir::IndexUpdateExpr>(&E);
    R = expr(*U->Base, Ev);
    R.add(expr(*U->Value, Ev));
    EInfo I = indices(U->Indices, Ev);
    nonSmooth(R, I.Dep, "index", E.Loc, Ev);
    return R;
  }
  case ir::ExprKind::AttrUpdate: {
    auto *U = cast<ir::AttrUpdateExpr>(&E);
    R = expr(*U->Base, Ev);
    R.add(expr(*U->Value, Ev));
    return R;
  }
  case ir::ExprKind::Constraint: {
    auto *C = cast<ir::ConstraintExpr>(&E);
    EInfo A;
    for (const ir::ExprPtr &X : C->Args)
      if (X)
        A.add(expr(*X, Ev));
    nonSmooth(R, A.Dep, "constraint", E.Loc, Ev);
    return R;
  }
  }
  return R;
}

EInfo Analyzer::opaqueCall(const ir::CallExpr &C, Events &Ev) {
  // Not modelled: the result may break every property in every argument, and
  // the call may raise wherever they lead.
  EInfo All;
  for (const ir::ExprPtr &A : C.Args.Args)
    if (A)
      All.add(expr(*A, Ev));
  EInfo R = All;
  partial(R, All.Dep, "opaque call to '" + C.Callee + "' (not modelled)", C.Loc, Ev);
  if (C.MayRunUserCode)
    OpaqueDensity.unite(All.Dep);
  return R;
}

EInfo Analyzer::call(const ir::CallExpr &C, Events &Ev) {
  if (C.Op == ir::OpId::OpaqueCall)
    return opaqueCall(C, Ev);
  const ir::OpInfo &I = C.info();
  const std::string Op = lowerLastComponent(I.QualifiedName);
  EInfo R;
  std::vector<EInfo> ArgInfo(C.Args.Args.size());
  for (size_t K = 0; K < C.Args.Args.size(); ++K) {
    const ir::Expr *A = C.Args.Args[K].get();
    if (!A)
      continue;
    size_t Slot = I.Params.empty() ? 0 : ir::BoundArgs::slotOf(K, I.Params);
    ir::Smoothness Cls = I.Params.empty() ? ir::Smoothness::None : I.Params[Slot].Class;
    EInfo AI = expr(*A, Ev);
    ArgInfo[K] = AI;
    if (isShapeOnlySlot(C.Op, Slot)) {
      // Reads only the (static) shape: non-smooth only where the value is.
      R.Dep.unite(AI.ND);
      R.ND.unite(AI.ND);
      continue;
    }
    std::string SlotOp = Op;
    if ((C.Op == ir::OpId::Max || C.Op == ir::OpId::Min) && Slot == 0 && C.Args.Args.size() > 1 &&
        C.Args.Args[1]) {
      // torch.max(x, dim) also returns the argmax indices: not smooth.
      Cls = ir::Smoothness::None;
      SlotOp = Op + " with dim (indices)";
    }
    if (auto Opt = optionClass(C, Slot)) {
      Cls = ir::weakest(Cls, *Opt);
      SlotOp = Op + " (" + optionText(C.Op) + ")";
    }
    if (C.Op == ir::OpId::FSoftplus && Slot == 1 && !N.provedPositive(A->Id)) {
      // (1/beta) log(1 + exp(beta x)) blows up at beta = 0.
      Cls = ir::Smoothness::None;
      SlotOp = Op + " (beta not proved > 0)";
    }
    if (C.Op == ir::OpId::DistLogProb && Slot == 1) {
      // Smooth in the value as the distribution's ValueSmooth says; smooth in
      // the distribution's parameters as its row says (the `self` argument
      // carries those classes already).
      Cls = C.Args.Args[0] ? distValueClass(*C.Args.Args[0]) : ir::Smoothness::None;
      SlotOp = "log_prob in the value";
    }
    R.add(AI);
    if (!classSatisfies(Cls, Prop))
      nonSmooth(R, AI.Dep, SlotOp, C.Loc, Ev);
    if (C.Op == ir::OpId::DistLogProb && Slot == 1 && !AI.Dep.empty()) {
      std::optional<ir::SupportKind> Sup =
          C.Args.Args[0] ? distSupport(*C.Args.Args[0]) : std::nullopt;
      if (!Sup || !provedInSupport(*Sup, *A))
        partial(R, AI.Dep, "log_prob value (not proved in the support)", C.Loc, Ev);
    }
  }
  // Partial operations: smooth only where the precondition is proved.
  auto Arg = [&](size_t K) -> const ir::Expr * {
    return K < C.Args.Args.size() ? C.Args.Args[K].get() : nullptr;
  };
  auto ArgDep = [&](size_t K) { return K < ArgInfo.size() ? ArgInfo[K].Dep : DimSet(); };
  switch (I.Pre) {
  case ir::Precondition::None:
    break;
  case ir::Precondition::PositiveArg0:
    if (!ArgDep(0).empty() && !N.provedPrecondition(C) && !(Arg(0) && N.provedPositive(Arg(0)->Id)))
      partial(R, ArgDep(0), Op + " (argument not proved > 0)", C.Loc, Ev);
    break;
  case ir::Precondition::GreaterMinusOneArg0:
    if (!ArgDep(0).empty() && !N.provedPrecondition(C))
      partial(R, ArgDep(0), Op + " (argument not proved > -1)", C.Loc, Ev);
    break;
  case ir::Precondition::SqrtArg0:
    // sqrt is neither differentiable nor locally Lipschitz at 0: needs > 0.
    if (!ArgDep(0).empty() && !(Arg(0) && N.provedPositive(Arg(0)->Id)))
      partial(R, ArgDep(0), Op + " (argument not proved > 0)", C.Loc, Ev);
    break;
  case ir::Precondition::Power: {
    const ir::Expr *Ex = Arg(1);
    auto *K = Ex ? dyn_cast<ir::ConstantExpr>(Ex) : nullptr;
    bool IntExp = K && K->isNumber() && K->number() >= 0 && isIntegerConstant(K->number());
    DimSet Off = ArgDep(0);
    Off.unite(ArgDep(1));
    if (!IntExp && !Off.empty() && !N.provedPrecondition(C) &&
        !(Arg(0) && N.provedPositive(Arg(0)->Id)))
      partial(R, Off, Op + " (base not proved > 0)", C.Loc, Ev);
    break;
  }
  }
  nonFiniteOperands(R, C, false, Ev);
  return R;
}

EInfo Analyzer::moduleCall(const ir::ModuleCallExpr &C, Events &Ev) {
  ModSig S = C.Callee ? sigOfCallee(*C.Callee) : ModSig{};
  EInfo R = C.Callee ? expr(*C.Callee, Ev) : EInfo{};
  DimSet Callee = R.Dep;
  if (!S.Known) {
    EInfo A;
    for (const ir::ExprPtr &X : C.Args)
      if (X)
        A.add(expr(*X, Ev));
    R.add(A);
    DimSet Off = A.Dep;
    Off.unite(Callee);
    nonSmooth(R, Off, "call of an unknown module", C.Loc, Ev);
    return R;
  }
  // The module variable depends on rdb[name] (pyro.module), so its weights
  // reach the result through the variable (notes g.2).
  if (!classSatisfies(S.Weights, Prop))
    nonSmooth(R, Callee, S.Op, C.Loc, Ev);
  for (size_t K = 0; K < C.Args.size(); ++K) {
    if (!C.Args[K])
      continue;
    ir::Smoothness Cls = ir::Smoothness::None;
    if (K < S.Call.size())
      Cls = S.Call[K].Class;
    else if (!S.Call.empty() && S.Call.back().Variadic)
      Cls = S.Call.back().Class;
    EInfo A = expr(*C.Args[K], Ev);
    R.add(A);
    if (!classSatisfies(Cls, Prop))
      nonSmooth(R, A.Dep, S.Op, C.Loc, Ev);
  }
  nonFiniteOperands(R, C, false, Ev);
  return R;
}

bool Analyzer::provedInSupport(ir::SupportKind K, const ir::Expr &V) const {
  switch (K) {
  case ir::SupportKind::Real:
  case ir::SupportKind::RealVector:
  case ir::SupportKind::Circular: // torch's VonMises accepts every real
    return true;
  case ir::SupportKind::Positive:
    return N.provedInDomain(V.Id, "positive");
  case ir::SupportKind::NonNegative:
    return N.provedInDomain(V.Id, "nonneg");
  case ir::SupportKind::ClosedUnitInterval:
    return N.provedInDomain(V.Id, "unit01");
  case ir::SupportKind::Boolean:
    return N.provedInDomain(V.Id, "bool");
  case ir::SupportKind::NonNegativeInteger:
    return N.provedInDomain(V.Id, "count");
  default:
    // Open intervals, parameter-dependent bounds, simplices, one-hot vectors:
    // not provable with intervals alone.
    return false;
  }
}

Analyzer::DistParts Analyzer::dist(const ir::DistributionExpr &D, bool CheckDomains, Events &Ev) {
  const ir::DistInfo &I = D.info();
  DistParts R;
  for (size_t K = 0; K < D.Args.Args.size(); ++K) {
    const ir::Expr *A = D.Args.Args[K].get();
    if (!A || I.Params.empty())
      continue;
    const ir::ParamSpec &Spec = I.Params[ir::BoundArgs::slotOf(K, I.Params)];
    EInfo AI = expr(*A, Ev);
    R.Args.add(AI);
    if (D.Dist == ir::DistId::Opaque) {
      // Not modelled: may break every property in every argument, and raise.
      partial(R.Args, AI.Dep, densityOp(D, ""), A->Loc, Ev);
      continue;
    }
    if (!classSatisfies(Spec.Class, Prop))
      nonSmooth(R.Args, AI.Dep, I.Name + " " + Spec.Name, A->Loc, Ev);
    if (CheckDomains && !trivialDomain(Spec.Domain) && !AI.Dep.empty() &&
        !N.provedInDomain(A->Id, Spec.Domain))
      partial(R.Args, AI.Dep,
              I.Name + " " + Spec.Name + " (not proved " + domainText(Spec.Domain) + ")", A->Loc,
              Ev);
  }
  for (const ir::DistTransform &T : D.Transforms) {
    if (!T.Arg)
      continue;
    EInfo AI = expr(*T.Arg, Ev);
    R.Mask.add(AI);
    std::string Op;
    switch (T.Kind) {
    case ir::DistTransformKind::Mask:
      Op = "mask";
      break;
    case ir::DistTransformKind::ToEvent:
      Op = "to_event";
      break;
    case ir::DistTransformKind::Independent:
      Op = "independent";
      break;
    case ir::DistTransformKind::Expand:
      Op = "expand";
      break;
    case ir::DistTransformKind::ExpandBy:
      Op = "expand_by";
      break;
    case ir::DistTransformKind::BijectToInterval: // the bounds move the support
      Op = "biject_to";
      break;
    }
    nonSmooth(R.Mask, AI.Dep, Op, T.Loc, Ev);
  }
  if (stickBreaking(D) && !classSatisfies(ir::Smoothness::Lips, Prop))
    nonSmooth(R.Args, R.Args.Dep, StickBreakingOp, D.Loc, Ev);
  if (CheckDomains)
    nonFiniteOperands(R.Args, D, true, Ev);
  return R;
}

EInfo Analyzer::siteName(const ir::SiteName &S, Events &Ev) {
  EInfo R, A;
  for (const ir::ExprPtr &X : S.Indices)
    if (X)
      A.add(expr(*X, Ev));
  if (S.DynamicExpr)
    A.add(expr(*S.DynamicExpr, Ev));
  nonSmooth(R, A.Dep, "site name", S.Loc, Ev);
  return R;
}

//===-- Statements (notes b.5) ---------------------------------------------------===//

Transformer Analyzer::block(const ir::Block &B, Events &Ev) {
  Transformer Acc = Transformer::identity();
  for (const ir::StmtPtr &S : B) {
    Events Local;
    Transformer T = stmt(*S, Local);
    for (Event &E : Local) {
      E.Dims = Acc.mapDep(E.Dims);
      Ev.push_back(std::move(E));
    }
    Acc.composeWith(T);
    if (!Acc.isValue())
      break;
  }
  return Acc;
}

void Analyzer::discarded(const ir::Expr &E, std::string Op, SourceLoc Loc, Events &Ev) {
  DimSet Before = Raises;
  Events Discard;
  expr(E, Discard);
  // Its non-smoothness reaches nothing; the inputs deciding a raise are the
  // statement's V (stmt() collects them in Raises), witnessed here.
  if (Raises == Before)
    return;
  Event Ex{std::move(Op), Loc, Raises, {}};
  Raises.forEach([&](Dim D) {
    if (isVarDim(D))
      Ex.Vars.push_back(static_cast<ir::VarId>(D - VarBase));
  });
  Ev.push_back(std::move(Ex));
}

Transformer Analyzer::sample(const ir::SampleStmt &S, Events &Ev) {
  Transformer T = Transformer::identity();
  if (!S.Dist)
    return Transformer::top();
  const ir::DistInfo &I = S.Dist->info();
  DimSet Ctx = ctxSet();

  if (isDelta(*S.Dist)) {
    // Point masses are assignments (notes a.5.4): x := v (or the observed value).
    bool Observed = S.isObserve() && !isNoneConstant(S.Obs.get());
    EInfo V, O;
    if (!S.Dist->Args.Args.empty() && S.Dist->Args.Args[0])
      V = expr(*S.Dist->Args.Args[0], Ev);
    if (Observed)
      O = expr(*S.Obs, Ev);
    if (S.Target)
      T.assign(varDim(*S.Target), Observed ? O.Dep : V.Dep, Observed ? O.ND : V.ND);
    EInfo Dn;
    auto *OV = Observed ? dyn_cast<ir::VarRefExpr>(S.Obs.get()) : nullptr;
    const ir::Expr *Val = S.Dist->Args.Args.empty() ? nullptr : S.Dist->Args.Args[0].get();
    auto *VV = Val ? dyn_cast<ir::VarRefExpr>(Val) : nullptr;
    if (Observed && !(OV && VV && OV->Var == VV->Var)) {
      // log_prob(o) = log_density if o == v else -inf: a jump in both
      // (unless o is v itself, as in pyro.deterministic).
      EInfo Both = V;
      Both.add(O);
      nonSmooth(Dn, Both.Dep, "observed Delta", S.Loc, Ev);
      Dn.add(Both);
    }
    if (auto Ld = ir::paramIndex(I.Params, "log_density");
        Ld && *Ld < S.Dist->Args.Args.size() && S.Dist->Args.Args[*Ld])
      Dn.add(expr(*S.Dist->Args.Args[*Ld], Ev));
    if (Observed || !Dn.Dep.empty()) {
      Dn.Dep.insert(dens());
      Dn.Dep.unite(Ctx);
      T.assign(dens(), Dn.Dep, Dn.ND);
    }
    return T;
  }

  if (!isLatentSite(S)) {
    // Observe: dens ↦ ({dens} ∪ vars(o) ∪ vars(args), P ∪ (vs ? nd(o) : vars(o)) ∪ Bad).
    DistParts D = dist(*S.Dist, true, Ev);
    EInfo O = expr(*S.Obs, Ev);
    EInfo Dn;
    Dn.add(D.Args);
    Dn.add(D.Mask);
    Dn.Dep.unite(O.Dep);
    Dn.ND.unite(O.ND);
    if (!classSatisfies(I.ValueSmooth, Prop))
      nonSmooth(Dn, O.Dep, densityOp(*S.Dist, "density in the observed value"), S.Loc, Ev);
    if (!O.Dep.empty() && !provedInSupport(I.Support, *S.Obs))
      partial(Dn, O.Dep, densityOp(*S.Dist, "observed value (not proved in the support)"), S.Loc,
              Ev);
    Dn.Dep.insert(dens());
    Dn.Dep.unite(Ctx);
    T.assign(dens(), Dn.Dep, Dn.ND);
    if (S.Target)
      T.assign(varDim(*S.Target), O.Dep, O.ND);
    return T;
  }

  uint32_t Nm = nameOf(S.Name);
  EInfo Name = siteName(S.Name, Ev);
  bool Reparam = Opt.Reparameterized && I.Reparameterizable && !I.Discrete &&
                 (ReparamSet.empty() || ReparamSet.count(S.Name.Canonical));
  bool ValueSmooth = classSatisfies(I.ValueSmooth, Prop);
  DimSet Rdb{rdb(Nm)};
  EInfo Dv;
  if (!ValueSmooth)
    nonSmooth(Dv, Rdb,
              I.Discrete ? "discrete distribution" : densityOp(*S.Dist, "density in the value"),
              S.Loc, Ev);
  else if (stickBreaking(*S.Dist) && !classSatisfies(ir::Smoothness::Lips, Prop))
    nonSmooth(Dv, Rdb, StickBreakingOp, S.Loc, Ev);

  EInfo Value, Prob;
  if (!Reparam) {
    // Score semantics: x := r(n); prb[n] *= pdf_D(args)(r(n)).
    DistParts D = dist(*S.Dist, true, Ev);
    Value.Dep = Rdb;
    Value.add(Name);
    Prob.add(D.Args);
    Prob.add(D.Mask);
    Prob.add(Dv);
    Prob.add(Name);
    Prob.Dep.unite(Rdb);
  } else {
    // Reparameterised: x := T_D(args, r(n)) with r(n) the noise; prb[n] *= pdf_ε(r(n)).
    DistParts D = dist(*S.Dist, false, Ev);
    Value.Dep = Rdb;
    Value.add(D.Args);
    Value.add(Name);
    Value.add(Dv);
    Prob.Dep = Rdb;
    Prob.add(Dv);
    Prob.add(D.Mask);
  }
  Prob.Dep.insert(prb(Nm));
  Prob.Dep.unite(Ctx);
  T.assign(prb(Nm), Prob.Dep, Prob.ND);
  T.assign(val(Nm), Value.Dep, Value.ND);
  if (S.Target)
    T.assign(varDim(*S.Target), Value.Dep, Value.ND);
  return T;
}

Transformer Analyzer::loop(const DimSet &G, const DimSet &ExitG, Transformer Body, Events &BodyEv,
                           std::string Op, SourceLoc Loc, Events &Ev) {
  // One iteration T = cond_G(body) with V ∪= G; the loop is the least J with
  // J = id ⊔ J ; T (notes b.5 [R]); leaving it depends on ExitG.
  Body.taintModified(G);
  Body.addV(G);
  // Narrowing keeps the iterate in this domain (Transformer::narrow): a
  // narrowing round would only run the body once more.
  FixpointOptions NoNarrowing;
  NoNarrowing.NarrowingIterations = 0;
  Transformer J = loopFixpoint(
      Transformer::identity(), [&](const Transformer &X) { return X.then(Body); }, NoNarrowing,
      &Stats);
  for (Event &E : BodyEv) {
    E.Dims = J.mapDep(E.Dims);
    Ev.push_back(std::move(E));
  }
  DimSet All = G;
  All.unite(ExitG);
  if (!All.empty()) {
    Event E{std::move(Op), Loc, J.mapDep(All), {}};
    All.forEach([&](Dim D) {
      if (isVarDim(D))
        E.Vars.push_back(static_cast<ir::VarId>(D - VarBase));
    });
    Ev.push_back(std::move(E));
  }
  if (!ExitG.empty()) {
    Transformer Exit = Transformer::identity();
    Exit.addV(ExitG);
    J.composeWith(Exit);
  }
  return J;
}

Transformer Analyzer::stmt(const ir::Stmt &S, Events &Ev) {
  // Each statement collects where its own expressions may raise; nested
  // statements are composed with their own V by the block rule.
  DimSet Outer = std::move(Raises), OuterDensity = std::move(OpaqueDensity);
  Raises = DimSet();
  OpaqueDensity = DimSet();
  Transformer T = stmtKind(S, Ev);
  if (!Raises.empty())
    T.addV(Raises);
  if (!OpaqueDensity.empty()) {
    // The user code runs while the statement's expressions are evaluated:
    // its density contribution comes first, then the statement's own effect.
    Transformer D = Transformer::identity();
    DimSet Dep = OpaqueDensity;
    Dep.insert(dens());
    Dep.unite(ctxSet());
    D.assign(dens(), Dep, OpaqueDensity);
    T = D.then(T);
  }
  Raises = std::move(Outer);
  OpaqueDensity = std::move(OuterDensity);
  return T;
}

Transformer Analyzer::stmtKind(const ir::Stmt &S, Events &Ev) {
  switch (S.Kind) {
  case ir::StmtKind::Assign: {
    auto *A = cast<ir::AssignStmt>(&S);
    EInfo E = expr(*A->Value, Ev);
    Transformer T = Transformer::identity();
    T.assign(varDim(A->Target), E.Dep, E.ND);
    return T;
  }
  case ir::StmtKind::ExprStmt:
    // Evaluated for its possible errors only: the state is unchanged, but a
    // raise (math.log(-1), an invalid distribution argument) stops the run.
    discarded(*cast<ir::ExprStmt>(&S)->Value, "expression statement that may raise", S.Loc, Ev);
    return Transformer::identity();
  case ir::StmtKind::Sample:
    return sample(*cast<ir::SampleStmt>(&S), Ev);
  case ir::StmtKind::Param: {
    // x ↦ ({rdb[n]}, ∅): x is the parameter (the result variable, notes g.1),
    // and in the statement form `pyro.param("h", h)` so is h.
    auto *Pa = cast<ir::ParamStmt>(&S);
    EInfo Name = siteName(Pa->Name, Ev);
    // The initial value and the constraint are evaluated on every call (and
    // may raise there); the value is the parameter's.
    if (Pa->Init)
      discarded(*Pa->Init, "pyro.param initial value that may raise", Pa->Init->Loc, Ev);
    if (Pa->Constraint)
      discarded(*Pa->Constraint, "pyro.param constraint that may raise", Pa->Constraint->Loc, Ev);
    DimSet Dep{rdb(nameOf(Pa->Name))};
    Dep.unite(Name.Dep);
    Transformer T = Transformer::identity();
    if (Pa->Target)
      T.assign(varDim(*Pa->Target), Dep, Name.ND);
    if (auto *R = Pa->Init ? dyn_cast<ir::VarRefExpr>(Pa->Init.get()) : nullptr) {
      // An unconstrained param keeps t's storage, a constrained one does not:
      // t holds its old value or the parameter.
      DimSet D = Dep;
      D.insert(varDim(R->Var));
      T.assign(varDim(R->Var), D, Name.ND);
      // Other names for the same tensor object now read the parameter too.
      for (ir::VarId A : sharing(R->Var)) {
        if (T.modifies(varDim(A)))
          continue;
        DimSet D = Dep;
        D.insert(varDim(A));
        T.assign(varDim(A), D, Name.ND);
      }
    }
    return T;
  }
  case ir::StmtKind::Module: {
    // The module variable now holds θ_n: calls read the weights through it.
    auto *M = cast<ir::ModuleStmt>(&S);
    EInfo Name = siteName(M->Name, Ev);
    DimSet Dep{rdb(nameOf(M->Name))};
    Dep.unite(Name.Dep);
    Transformer T = Transformer::identity();
    T.assign(varDim(M->ModuleVar), Dep, Name.ND);
    if (M->Target)
      T.assign(varDim(*M->Target), Dep, Name.ND);
    // Objects sharing the module (aliases, nn.Sequential containers/members)
    // keep what they had and now also hold θ_n.
    for (ir::VarId A : sharing(M->ModuleVar)) {
      if (T.modifies(varDim(A)))
        continue;
      DimSet D = Dep;
      D.insert(varDim(A));
      T.assign(varDim(A), D, Name.ND);
    }
    return T;
  }
  case ir::StmtKind::Factor: {
    // pyro.factor(n, t) adds t to the log-density: smooth in t.
    auto *F = cast<ir::FactorStmt>(&S);
    EInfo L = expr(*F->LogProb, Ev);
    DimSet Dep = L.Dep;
    Dep.insert(dens());
    Dep.unite(ctxSet());
    Transformer T = Transformer::identity();
    T.assign(dens(), Dep, L.ND);
    return T;
  }
  case ir::StmtKind::If: {
    auto *I = cast<ir::IfStmt>(&S);
    bool DeadThen = N.branchDead(*I, true), DeadElse = N.branchDead(*I, false);
    // A branch proved dead: the other always runs, independently of the guard.
    if (DeadThen && !DeadElse)
      return block(I->Else, Ev);
    if (DeadElse && !DeadThen)
      return block(I->Then, Ev);
    Events Discard;
    EInfo G = expr(*I->Cond, Discard);
    Transformer T0 = block(I->Then, Ev);
    Transformer T1 = block(I->Else, Ev);
    // A branch that may stop the program makes stopping depend on the guard.
    bool MayStop = (T0.isValue() && !T0.v().empty()) || (T1.isValue() && !T1.v().empty());
    T0.taintModified(G.Dep);
    T1.taintModified(G.Dep);
    T0.joinWith(T1);
    if (MayStop && T0.isValue())
      T0.addV(G.Dep);
    if (!G.Dep.empty() && T0.isValue() && (T0.numModified() > 0 || MayStop)) {
      Event E{"if", I->Loc, G.Dep, {}};
      G.Dep.forEach([&](Dim D) {
        if (isVarDim(D))
          E.Vars.push_back(static_cast<ir::VarId>(D - VarBase));
      });
      Ev.push_back(std::move(E));
    }
    return T0;
  }
  case ir::StmtKind::For: {
    auto *F = cast<ir::ForStmt>(&S);
    Events Discard;
    EInfo Range;
    if (F->Over == ir::ForStmt::Iter::Range) {
      for (const ir::ExprPtr *X : {&F->Start, &F->Stop, &F->Step})
        if (*X)
          Range.add(expr(**X, Discard));
    } else {
      for (const ir::ExprPtr *X : {&F->Plate.Size, &F->Plate.SubsampleSize})
        if (*X)
          Range.add(expr(**X, Discard));
    }
    // Each iteration first sets the index from the range (and its previous value).
    DimSet G = Range.Dep;
    G.insert(varDim(F->Index));
    Transformer Body = Transformer::identity();
    Body.assign(varDim(F->Index), G, G);
    Events BodyEv;
    Transformer B = block(F->Body, BodyEv);
    for (Event &E : BodyEv)
      E.Dims = Body.mapDep(E.Dims);
    Body.composeWith(B);
    return loop(G, Range.Dep, std::move(Body), BodyEv, "for", F->Loc, Ev);
  }
  case ir::StmtKind::While: {
    auto *W = cast<ir::WhileStmt>(&S);
    Events Discard;
    EInfo G = expr(*W->Cond, Discard);
    Events BodyEv;
    Transformer B = block(W->Body, BodyEv);
    return loop(G.Dep, G.Dep, std::move(B), BodyEv, "while", W->Loc, Ev);
  }
  case ir::StmtKind::With: {
    auto *W = cast<ir::WithStmt>(&S);
    Transformer T = Transformer::identity();
    bool Pushed = false;
    switch (W->Ctx) {
    case ir::WithStmt::Context::Plate:
      if (W->IndexVar) {
        // `as i`: the index tensor, a function of the sizes (random under subsampling).
        Events Discard;
        EInfo Sz;
        for (const ir::ExprPtr *X : {&W->Plate.Size, &W->Plate.SubsampleSize})
          if (*X)
            Sz.add(expr(**X, Discard));
        DimSet G = Sz.Dep;
        if (W->Plate.SubsampleSize)
          G.insert(varDim(*W->IndexVar));
        T.assign(varDim(*W->IndexVar), G, G);
      }
      break;
    case ir::WithStmt::Context::Scale:
    case ir::WithStmt::Context::Mask: {
      // The scale (smooth: density^s) or mask (discontinuous) is held in a
      // synthetic dim that every site in the block depends on.
      EInfo A = W->Arg ? expr(*W->Arg, Ev) : EInfo{};
      if (W->Ctx == ir::WithStmt::Context::Mask)
        nonSmooth(A, A.Dep, "mask", W->Loc, Ev);
      else if (W->Arg && !N.provedPositive(W->Arg->Id))
        // Pyro raises "Expected scale > 0" when it is not.
        partial(A, A.Dep, "poutine.scale (scale not proved > 0)", W->Loc, Ev);
      Dim C = newSynthetic();
      T.assign(C, A.Dep, A.ND);
      CtxDims.push_back(C);
      Pushed = true;
      break;
    }
    case ir::WithStmt::Context::NoGrad:
      break;
    }
    Events BodyEv;
    Transformer B = block(W->Body, BodyEv);
    if (Pushed)
      CtxDims.pop_back();
    for (Event &E : BodyEv) {
      E.Dims = T.mapDep(E.Dims);
      Ev.push_back(std::move(E));
    }
    T.composeWith(B);
    return T;
  }
  case ir::StmtKind::Return: {
    if (auto *R = cast<ir::ReturnStmt>(&S); R->Value)
      discarded(*R->Value, "return value that may raise", S.Loc, Ev);
    return Transformer::identity();
  }
  case ir::StmtKind::Assert: {
    // A failing assert stops the program: nothing after it is smooth in what
    // decides it (the V component).
    auto *A = cast<ir::AssertStmt>(&S);
    Events Discard;
    EInfo G = expr(*A->Cond, Discard);
    Transformer T = Transformer::identity();
    if (!G.Dep.empty()) {
      T.addV(G.Dep);
      Event E{"assert", A->Loc, G.Dep, {}};
      G.Dep.forEach([&](Dim D) {
        if (isVarDim(D))
          E.Vars.push_back(static_cast<ir::VarId>(D - VarBase));
      });
      Ev.push_back(std::move(E));
    }
    return T;
  }
  }
  return Transformer::top();
}

//===-- Read-out (notes b.8) -------------------------------------------------------===//

std::vector<std::string> Analyzer::namesIn(const DimSet &S) const {
  // The members of S, not every name: a lookup per name per site was
  // quadratic in the number of sites.
  std::vector<std::string> R;
  S.forEach([&](Dim D) {
    if (D >= rdb(0) && D < rdb(NumNames))
      R.push_back(Names[D - rdb(0)]);
  });
  return R;
}

void Analyzer::flowFrom(uint32_t Name, const std::vector<ir::VarId> &Targets) {
  // Forward BFS over the flow graph from the variables bound to the name. It
  // stops once every target is reached: the rest of the search would set no
  // parent on a path to a target, so the chains are those of the whole search,
  // and a name's search no longer costs the whole program.
  if (Succs.empty()) {
    Succs.assign(P.numVars(), {});
    for (ir::VarId V = 0; V < Preds.size(); ++V)
      for (ir::VarId U : Preds[V])
        Succs[U].push_back(V);
    VarsOfName.assign(NumNames, {});
    for (ir::VarId V = 0; V < SourceNames.size(); ++V)
      for (uint32_t Src : SourceNames[V])
        VarsOfName[Src].push_back(V);
    Parent.assign(P.numVars(), -2);
    IsTarget.assign(P.numVars(), 0);
  }
  for (ir::VarId V : Reached)
    Parent[V] = -2;
  Reached.clear();
  size_t Left = 0;
  for (ir::VarId V : Targets)
    if (V < IsTarget.size() && !IsTarget[V]) {
      IsTarget[V] = 1;
      ++Left;
    }
  std::deque<ir::VarId> Q;
  auto Reach = [&](ir::VarId V, int64_t From) {
    Parent[V] = From;
    Reached.push_back(V);
    Left -= IsTarget[V];
    Q.push_back(V);
  };
  for (ir::VarId V : VarsOfName[Name])
    if (Parent[V] == -2)
      Reach(V, -1);
  while (!Q.empty() && Left > 0) {
    ir::VarId U = Q.front();
    Q.pop_front();
    for (ir::VarId W : Succs[U])
      if (Parent[W] == -2)
        Reach(W, static_cast<int64_t>(U));
  }
  for (ir::VarId V : Targets)
    if (V < IsTarget.size())
      IsTarget[V] = 0;
}

std::vector<std::string> Analyzer::chainFor(uint32_t Name, const Event &E) {
  std::vector<std::string> Chain{Names[Name]};
  auto Printable = [&](ir::VarId V) { return P.var(V).Kind != ir::VarKind::Temp; };
  // The reached offending variable with the shortest path.
  std::optional<ir::VarId> Best;
  size_t BestLen = 0;
  for (ir::VarId V : E.Vars) {
    if (V >= Parent.size() || Parent[V] == -2)
      continue;
    size_t Len = 0;
    for (int64_t U = V; U >= 0; U = Parent[static_cast<size_t>(U)])
      ++Len;
    if (!Best || Len < BestLen) {
      Best = V;
      BestLen = Len;
    }
  }
  if (!Best) {
    for (ir::VarId V : E.Vars)
      if (Printable(V)) {
        Chain.push_back(P.var(V).Name);
        break;
      }
    return Chain;
  }
  std::vector<std::string> Rev;
  for (int64_t U = *Best; U >= 0; U = Parent[static_cast<size_t>(U)])
    if (Printable(static_cast<ir::VarId>(U)))
      Rev.push_back(P.var(static_cast<ir::VarId>(U)).Name);
  Chain.insert(Chain.end(), Rev.rbegin(), Rev.rend());
  return Chain;
}

SmoothnessResult Analyzer::run() {
  collect();
  SmoothnessResult Res;
  Res.Prop = Prop;
  Events Ev;
  Transformer A = block(P.Body, Ev);
  Res.Stats = Stats;
  Res.Failed = !A.isValue() && !A.isBottom();

  DimSet NonSmooth;
  if (A.isValue()) {
    DimSet DensND = A.nd(dens());
    NonSmooth = DensND;
    Res.DensityNonSmooth = namesIn(DensND);
    for (uint32_t I = 0; I < NumNames; ++I) {
      if (!IsLatent[I])
        continue;
      DimSet PrbND = A.nd(prb(I));
      NonSmooth.unite(PrbND);
      Res.Sites.push_back(SiteSets{Names[I], namesIn(PrbND), namesIn(A.nd(val(I)))});
    }
  }

  // The events each name's dim is in, in event order: one pass over the
  // events' sets instead of one per name.
  std::vector<std::vector<uint32_t>> EventsOf(NumNames);
  for (uint32_t K = 0; K < Ev.size(); ++K)
    Ev[K].Dims.forEach([&](Dim D) {
      if (D >= rdb(0) && D < rdb(NumNames))
        EventsOf[D - rdb(0)].push_back(K);
    });

  for (uint32_t I = 0; I < NumNames; ++I) {
    NameVerdict V;
    V.Name = Names[I];
    V.IsParam = IsParam[I] && !IsLatent[I];
    V.Discrete = IsLatent[I] && IsDiscrete[I];
    V.Smooth = !Res.Failed && !NonSmooth.contains(rdb(I)) && !V.Discrete;
    if (!V.Smooth) {
      if (Res.Failed)
        V.Witnesses.push_back(Witness{"unsupported construct", FirstLoc[I], {Names[I]}});
      if (!EventsOf[I].empty()) {
        std::vector<ir::VarId> Targets;
        for (uint32_t K : EventsOf[I])
          Targets.insert(Targets.end(), Ev[K].Vars.begin(), Ev[K].Vars.end());
        flowFrom(I, Targets);
      }
      for (uint32_t K : EventsOf[I]) {
        const Event &E = Ev[K];
        Witness W{E.Op, E.Loc, chainFor(I, E)};
        if (std::find(V.Witnesses.begin(), V.Witnesses.end(), W) == V.Witnesses.end())
          V.Witnesses.push_back(std::move(W));
      }
      if (V.Witnesses.empty())
        V.Witnesses.push_back(Witness{"unknown operation", FirstLoc[I], {Names[I]}});
      std::stable_sort(V.Witnesses.begin(), V.Witnesses.end(),
                       [](const Witness &X, const Witness &Y) {
                         if (X.Loc < Y.Loc)
                           return true;
                         if (Y.Loc < X.Loc)
                           return false;
                         return X.Operation < Y.Operation;
                       });
    }
    Res.Names.push_back(std::move(V));
  }
  return Res;
}

} // namespace

SmoothnessResult analyzeSmoothness(const ir::Program &P, const NumericFacts &N, Property Prop,
                                   const SmoothnessOptions &O) {
  Analyzer A(P, N, Prop, O);
  return A.run();
}

ProgramNames collectNames(const ir::Program &P) {
  std::map<std::string, ProgramNames::Latent> Lat;
  std::set<std::string> Params, Points;
  ir::forEachStmt(P.Body, [&](const ir::Stmt &S) {
    if (auto *Pa = dyn_cast<ir::ParamStmt>(&S))
      Params.insert(Pa->Name.Canonical);
    else if (auto *M = dyn_cast<ir::ModuleStmt>(&S))
      Params.insert(M->Name.Canonical);
    else if (auto *Sa = dyn_cast<ir::SampleStmt>(&S); Sa && isLatentSite(*Sa)) {
      const ir::DistInfo &I = Sa->Dist->info();
      auto [It, New] = Lat.try_emplace(Sa->Name.Canonical);
      ProgramNames::Latent &L = It->second;
      if (New) {
        L.Name = Sa->Name.Canonical;
        L.Loc = Sa->Loc;
      }
      L.Discrete |= I.Discrete;
      L.Reparameterizable &= I.Reparameterizable && !I.Discrete;
    } else if (Sa && Sa->Dist && isDelta(*Sa->Dist) && !Sa->isObserve()) {
      Points.insert(Sa->Name.Canonical);
    }
  });
  ProgramNames R;
  for (const auto &[N, L] : Lat) {
    Params.erase(N);
    R.Latents.push_back(L);
  }
  R.Params.assign(Params.begin(), Params.end());
  for (const std::string &N : Points)
    if (!Lat.count(N))
      R.PointMasses.push_back(N);
  return R;
}

} // namespace svic::analysis
