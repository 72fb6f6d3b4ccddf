//===- Lower.cpp - AST to core IR -------------------------------------------===//
///
/// \file
/// Name resolution, inlining of user helpers, desugaring (methods, in-place
/// updates, tuple unpacking, augmented assignment), resolution of every call
/// to a row of the shared table, site names, and the Pyro constructs (sample,
/// param, module, factor, deterministic, plate, poutine contexts) — see the
/// lowering rules in IR.h and docs/language.md.
///
/// Static facts. To substitute a distribution, plate or name held in a
/// variable at its use, the lowerer remembers for each variable its latest
/// definition (Fact) together with the nest of conditional regions (if
/// branches, loop bodies) it was made in. A fact is usable only where that nest
/// is a prefix of the current one, i.e. the definition dominates the use; a
/// variable rebound inside a loop is invalidated at the loop head because a
/// later iteration sees the rebound value.
//===----------------------------------------------------------------------===//

#include "Lower.h"

#include "Reach.h"
#include "SiteFilter.h"
#include "StackGuard.h"
#include "Strings.h"
#include "svic/frontend/Parse.h"
#include "svic/ir/Walk.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <deque>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>

namespace svic::frontend {

using namespace svic::ir;
namespace A = svic::frontend::ast;

namespace {

/// The IR operator of a Python binary operator; empty for the shifts and
/// `^`, which the subset does not accept.
std::optional<BinaryOp> irBinaryOp(A::BinOpKind K) {
  switch (K) {
  case A::BinOpKind::Add:
    return BinaryOp::Add;
  case A::BinOpKind::Sub:
    return BinaryOp::Sub;
  case A::BinOpKind::Mult:
    return BinaryOp::Mul;
  case A::BinOpKind::MatMult:
    return BinaryOp::MatMul;
  case A::BinOpKind::Div:
    return BinaryOp::Div;
  case A::BinOpKind::FloorDiv:
    return BinaryOp::FloorDiv;
  case A::BinOpKind::Mod:
    return BinaryOp::Mod;
  case A::BinOpKind::Pow:
    return BinaryOp::Pow;
  case A::BinOpKind::BitAnd:
    return BinaryOp::BitAnd;
  case A::BinOpKind::BitOr:
    return BinaryOp::BitOr;
  case A::BinOpKind::LShift:
  case A::BinOpKind::RShift:
  case A::BinOpKind::BitXor:
    return std::nullopt;
  }
  return std::nullopt;
}

//===-- Table lookups (cached: findOp & co. are linear scans) -------------------===//

const std::unordered_map<std::string, OpId> &opIndex() {
  static const std::unordered_map<std::string, OpId> M = [] {
    std::unordered_map<std::string, OpId> Out;
    for (const OpInfo &O : allOps())
      Out.emplace(O.QualifiedName, O.Id);
    return Out;
  }();
  return M;
}
const std::unordered_map<std::string, ModuleId> &moduleIndex() {
  static const std::unordered_map<std::string, ModuleId> M = [] {
    std::unordered_map<std::string, ModuleId> Out;
    for (const ModuleInfo &O : allModules())
      Out.emplace(O.QualifiedName, O.Id);
    return Out;
  }();
  return M;
}
std::optional<OpId> lookupOp(const std::string &Q) {
  auto It = opIndex().find(Q);
  return It == opIndex().end() ? std::nullopt : std::optional<OpId>(It->second);
}
std::optional<ModuleId> lookupModule(const std::string &Q) {
  auto It = moduleIndex().find(Q);
  return It == moduleIndex().end() ? std::nullopt : std::optional<ModuleId>(It->second);
}

const std::vector<ParamSpec> &sig(const std::string &Spec) {
  static std::map<std::string, std::vector<ParamSpec>> Cache;
  auto It = Cache.find(Spec);
  if (It != Cache.end())
    return It->second;
  std::optional<std::vector<ParamSpec>> P = parseSignature(Spec);
  assert(P && "malformed built-in signature");
  return Cache.emplace(Spec, P ? std::move(*P) : std::vector<ParamSpec>{}).first->second;
}

// Signatures of the Pyro primitives and builtins the lowering handles itself.
const char *const SigSample = "name:n,fn:n,obs:n?,obs_mask:n?,infer:n?";
const char *const SigParam = "name:n,init_tensor:n?,constraint:n?,event_dim:n?";
const char *const SigModule = "name:n,nn_module:n,update_module_params:n?";
const char *const SigFactor = "name:n,log_factor:n,has_rsample:n?";
const char *const SigDeterministic = "name:n,value:n,event_dim:n?";
const char *const SigPlate =
    "name:n,size:n?,subsample_size:n?,subsample:n?,dim:n?,use_cuda:n?,device:n?";
const char *const SigMarkov = "fn:n?,history:n?,keep:n?,dim:n?,name:n?";
const char *const SigScale = "fn:n?,scale:n?";
const char *const SigMask = "fn:n?,mask:n?";
const char *const SigCondition = "fn:n?,data:n?";
const char *const SigReparam = "fn:n?,config:n?";
const char *const SigNoArgs = "";
const char *const SigRange = "start:n,stop:n?,step:n?";
const char *const ModuleListLoopBounds =
    "a loop over an nn.ModuleList is modelled when the bounds of its slices are ints known "
    "while lowering";
const char *const SigToEvent = "reinterpreted_batch_ndims:n?";
const char *const SigExpand = "shape:n*";
const char *const SigMaskT = "mask:n";
const char *const SigLogProb = "value:n";
const char *const SigSampleM = "sample_shape:n?";
const char *const SigBlock = "fn:n?,hide_fn:n?,expose_fn:n?,hide_all:n?,expose_all:n?,hide:n?,"
                             "expose:n?,hide_types:n?,expose_types:n?";

/// Modules svic accepts in imports (SPEC §3).
const std::set<std::string> &allowedModules() {
  static const std::set<std::string> S = {"pyro",
                                          "pyro.distributions",
                                          "pyro.distributions.constraints",
                                          "pyro.poutine",
                                          "torch",
                                          "torch.nn",
                                          "torch.nn.functional",
                                          "torch.distributions",
                                          "torch.distributions.constraints",
                                          "math"};
  return S;
}

const std::set<std::string> &builtinNames() {
  static const std::set<std::string> S = {
      "range",     "float",    "int",  "len",   "abs",    "min",   "max",
      "round",     "tuple",    "list", "str",   "dict",   "print", "isinstance",
      "enumerate", "zip",      "sum",  "type",  "bool",   "map",   "filter",
      "sorted",    "reversed", "open", "super", "object", "iter",  "next",
      "any",       "all",      "set",  "frozenset", "globals", "locals", "vars",
      "getattr",   "hasattr",  "callable", "divmod", "pow", "repr", "hash", "id"};
  return S;
}

/// Pyro 1.8.6 still accepts the pre-1.0 name `pyro.iarange` (a subclass of
/// `plate` that only adds a deprecation warning); older published examples
/// use it.
std::string withoutDeprecatedAlias(std::string Path) {
  return Path == "pyro.iarange" || Path == "pyro.primitives.iarange" ? "pyro.plate" : Path;
}

CompareOp compareOp(A::CmpOpKind K) {
  switch (K) {
  case A::CmpOpKind::Eq:
    return CompareOp::Eq;
  case A::CmpOpKind::NotEq:
    return CompareOp::Ne;
  case A::CmpOpKind::Lt:
    return CompareOp::Lt;
  case A::CmpOpKind::LtE:
    return CompareOp::Le;
  case A::CmpOpKind::Gt:
    return CompareOp::Gt;
  case A::CmpOpKind::GtE:
    return CompareOp::Ge;
  case A::CmpOpKind::Is:
    return CompareOp::Is;
  case A::CmpOpKind::IsNot:
    return CompareOp::IsNot;
  case A::CmpOpKind::In:
    return CompareOp::In;
  case A::CmpOpKind::NotIn:
    return CompareOp::NotIn;
  }
  return CompareOp::Eq;
}

bool startsWith(std::string_view S, std::string_view P) { return S.substr(0, P.size()) == P; }
bool endsWith(std::string_view S, std::string_view X) {
  return S.size() >= X.size() && S.substr(S.size() - X.size()) == X;
}

bool isNone(const A::Expr &E) {
  auto *K = dyn_cast<A::Constant>(&E);
  return K && K->Ty == A::Constant::Type::None;
}

/// Pyro's _make_name: the dotted attribute path from the root PyroModule.
std::string pyroFullName(const std::string &Prefix, const std::string &Name) {
  return Prefix.empty() ? Name : Prefix + "." + Name;
}

bool isPyroModuleClass(const std::string &Q) {
  return Q == "pyro.nn.PyroModule" || Q == "pyro.nn.module.PyroModule";
}

/// PyroModule[nn.X] for the nn modules svic models, written in Python as
/// torch defines them (torch/nn/modules/linear.py: weight (out, in), bias
/// (out); forward = input @ weight.T + bias), so that their nn.Parameters are
/// PyroModule attributes like a user's. Their initial values are zeros, not
/// torch's uniform draws: the compiled estimator refuses randomness outside
/// pyro.param initialisers, and no analysis depends on the initial value.
const char *const PyroPreludeSource = R"py(import torch
import torch.nn as nn
from pyro.nn import PyroModule


class Linear(PyroModule):
    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.weight = nn.Parameter(torch.zeros(out_features, in_features))
        self.bias = nn.Parameter(torch.zeros(out_features))

    def forward(self, input):
        return input @ self.weight.T + self.bias


class LinearNoBias(PyroModule):
    def __init__(self, in_features, out_features, bias=False, device=None, dtype=None):
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.weight = nn.Parameter(torch.zeros(out_features, in_features))

    def forward(self, input):
        return input @ self.weight.T
)py";

std::string lastComponent(const std::string &Q) {
  size_t Dot = Q.rfind('.');
  return Dot == std::string::npos ? Q : Q.substr(Dot + 1);
}

//===-- The lowerer -----------------------------------------------------------===//

class Lowerer {
public:
  Lowerer(Program &P, SourceManager &SM, DiagnosticEngine &DE) : P(P), SM(SM), DE(DE) {}

  void run(const A::Module &M, const A::FunctionDef &Entry, const A::ClassDef *EntryClass,
           const std::set<std::string> &GivenInputs, const A::Call *EntryCondition);
  /// The value of a literal parameter default (`T=20`, `scale=-1.5`,
  /// `mode="train"`, `flag=True`), else null.
  ExprPtr literalDefault(const A::Expr *Default);

private:
  Program &P;
  SourceManager &SM;
  DiagnosticEngine &DE;

  //===-- scopes and bindings --===//
  struct Scope;
  struct Binding {
    enum class Kind { Var, Qualified, Function, Class } K = Kind::Var;
    VarId Var = 0;
    std::string Qual; ///< Qualified: a dotted module path or imported name
    const A::FunctionDef *Fn = nullptr;
    const A::ClassDef *Cls = nullptr;
    Scope *FnScope = nullptr; ///< where Fn was defined (its closure)
    /// Function: the variables holding its parameters' defaults, evaluated
    /// once when the def ran; and the region nest the def ran in.
    std::map<std::string, VarId> Defaults;
    std::vector<int> Region;
  };
  struct Scope {
    Scope *Parent = nullptr;
    bool IsFunction = false;
    std::string Suffix; ///< appended to local names: "@f#2" (empty: entry and module)
    std::unordered_map<std::string, Binding> Names;
    std::set<std::string> Locals; ///< names assigned in the function (Python's local rule)
  };
  std::deque<Scope> Scopes;
  Scope *Cur = nullptr;
  Scope *ModuleScope = nullptr;
  /// The entry function's scope and its `*args`/`**kwargs` names: Pyro
  /// passes the guide the model's arguments, which a guide that never reads
  /// them may take as `*args, **kwargs`; svic binds nothing to them.
  Scope *EntryScope = nullptr;
  std::set<std::string> EntryVariadics;
  std::vector<std::string> StarImports; ///< modules of `from M import *`
  /// Sibling modules (`from .nets import Encoder`, `from nets import ...`
  /// with nets.py beside the file): parsed once, their scope by path.
  /// Statements are lowered as the names they define are needed (Done).
  struct SiblingFile {
    std::unique_ptr<A::Module> M;
    Scope *Sc = nullptr;
    std::vector<bool> Done;
  };
  std::map<std::string, SiblingFile> Siblings;
  /// `import util` of a sibling module: the module name as imported.
  std::set<std::string> SiblingImports;
  Binding *siblingMember(const A::Expr &E);
  FileId MainFile = 0;
  Scope *siblingModule(const std::string &Module, int Level, const std::vector<std::string> &Names,
                       const SourceLoc &L);

  //===-- functions being lowered --===//
  struct FunctionCtx {
    const A::FunctionDef *Def = nullptr;
    bool IsEntry = false;
    VarId RetVar = 0;
  };
  std::vector<FunctionCtx> Functions;
  std::vector<const A::FunctionDef *> InlineStack;
  std::map<std::string, int> InlineCount;
  InlineId CurFrame = 0;

  //===-- static facts --===//
  struct Instance;
  struct Fact {
    enum class Kind {
      None,
      Dist,
      Plate,
      Module,
      String,
      Template,
      Tensor,
      Instance,
      Dict,
      Constants,
      Int,
      ModuleList,
      Function
    } K = Kind::None;
    /// Dist: DistributionExpr; String: Constant; Template: StrFormat call;
    /// Dict: the DictExpr when its keys are constants (else null); Constants:
    /// a list or tuple display of constants; Int: Constant; Function: a
    /// string Constant naming the torch function.
    const Expr *Def = nullptr;
    std::shared_ptr<const PlateInfo> Plate; ///< Plate
    std::optional<ModuleId> Mod;            ///< Module (when known)
    std::shared_ptr<Instance> Inst;         ///< Instance
    std::vector<VarId> Members;             ///< ModuleList: its modules, in order
    std::vector<int> Region;                ///< region nest of the definition
    std::string Invalid;                    ///< non-empty: why the fact cannot be used
  };
  /// A PyroSample or PyroParam attribute of a PyroModule (pyro/nn/module.py).
  struct PyroAttr {
    enum class Kind { Sample, Param } K = Kind::Sample;
    /// Sample: the prior, a distribution in Value or a callable of the module
    /// (Fn, defined in FnScope). Param: the initial value in Value.
    VarId Value = 0;
    const A::FunctionDef *Fn = nullptr;
    Scope *FnScope = nullptr;
    std::shared_ptr<const Expr> Constraint; ///< Param: null for constraints.real
    SourceLoc Loc;                          ///< the PyroSample/PyroParam call
  };
  /// The call context a root PyroModule shares with its sub-PyroModules: while
  /// a call of any of them runs, each PyroSample is drawn once and cached.
  struct PyroContext {
    int Active = 0;
    int LoopDepth = 0; ///< at the outermost call
    /// Where the outermost call starts, and its region nest. A PyroSample
    /// first read deeper (in a branch or a loop) is drawn under a flag that
    /// starts false there: Pyro draws it at the first read of the call.
    Block *Home = nullptr;
    size_t HomeAt = 0;
    std::vector<int> HomeRegion;
    std::map<std::string, VarId> Drawn; ///< the flags, by site name
    struct Cached {
      VarId Var;
      std::vector<int> Region;
    };
    std::map<std::string, Cached> Cache;
  };
  /// An object of a user class (an nn.Module or PyroModule subclass): its
  /// fields are variables of the program, its methods are inlined with
  /// `self` bound to it.
  struct Instance {
    const A::ClassDef *Cls = nullptr;
    Scope *ClsScope = nullptr; ///< where the class was defined
    std::string Suffix;        ///< "@VAE#1": names its field variables
    std::map<std::string, VarId> Fields;
    SourceLoc Home; ///< the constructor call
    /// PyroModule objects: the dotted name from the root PyroModule (Pyro's
    /// _pyro_name), the shared context, the PyroSample/PyroParam attributes.
    bool Pyro = false;
    std::string PyroName;
    std::shared_ptr<PyroContext> Ctx;
    std::map<std::string, PyroAttr> PyroAttrs;
    /// What the object handed its library base class's constructor (a
    /// TorchDistribution subclass's parameters): state svic cannot see, that
    /// the library's methods may read.
    std::vector<VarId> LibraryState;
  };
  /// The instances whose methods are being inlined, with the class that
  /// defines the method (for `super()`).
  std::vector<std::pair<std::shared_ptr<Instance>, const A::ClassDef *>> SelfStack;
  /// Fields last assigned an nn.Parameter (registered by pyro.module).
  std::set<VarId> ParameterFields;
  /// Expressions lowered from a constructor call of a user class.
  std::map<const Expr *, std::shared_ptr<Instance>> InstanceValues;
  /// Expressions lowered from a torch function used as a value (`torch.tanh`).
  std::set<const Expr *> FunctionValues;
  /// Expressions lowered from an nn.ModuleList construction: its members.
  std::map<const Expr *, std::vector<VarId>> ModuleListValues;
  std::vector<Fact> Facts; // by VarId
  /// Facts reached through fact() since staleFactsReading last indexed them
  /// (every change of a fact goes through fact()), and for each variable the
  /// facts whose definition read it when indexed.
  std::vector<VarId> Touched;
  std::vector<char> IsTouched;
  std::unordered_map<VarId, std::vector<VarId>> ReadBy;
  std::vector<int> Region;
  int NextRegion = 0;
  int LoopDepth = 0;
  /// Statements dropped after an error: kept alive because facts may point into them.
  std::vector<StmtPtr> Graveyard;

  //===-- hoisting control --===//
  /// Non-empty inside an expression evaluated conditionally (or repeatedly):
  /// hoisting statements out of it would change the program.
  std::vector<std::string> NoHoist;

  std::map<std::string, int> TempCount;

  StackGuard Guard{3u << 20};
  bool DeepReported = false;
  int ExprDepth = 0;
  static constexpr int MaxExprDepth = 2000;
  /// Reports (once) and returns true when recursion went too deep.
  bool tooDeep(const SourceLoc &L) {
    if (!Guard.exceeded())
      return false;
    if (!DeepReported)
      error(DiagId::Unsupported, L,
            "the code is nested too deeply to be lowered (more than " +
                std::to_string(MaxExprDepth) + " levels); simplify it");
    DeepReported = true;
    return true;
  }

  //===-- helpers --===//
  SourceLoc loc(const SourceLoc &L) const {
    SourceLoc Out = L;
    Out.Inlined = CurFrame;
    return Out;
  }
  template <typename T> std::unique_ptr<T> make(const SourceLoc &L) { return P.make<T>(loc(L)); }

  void error(DiagId Id, const SourceLoc &L, std::string Msg) {
    DE.report(Id, loc(L), std::move(Msg));
  }
  void unsupported(const SourceLoc &L, std::string Msg) {
    error(DiagId::Unsupported, L, std::move(Msg));
  }
  std::string text(const A::Expr &E) const { return sourceText(SM, E.Loc); }

  ExprPtr constNone(const SourceLoc &L) { return make<ConstantExpr>(L); }
  ExprPtr constBool(const SourceLoc &L, bool V) {
    auto C = make<ConstantExpr>(L);
    C->Ty = ConstantExpr::Type::Bool;
    C->BoolValue = V;
    return C;
  }
  ExprPtr constInt(const SourceLoc &L, int64_t V) {
    auto C = make<ConstantExpr>(L);
    C->Ty = ConstantExpr::Type::Int;
    C->IntValue = V;
    return C;
  }
  ExprPtr constFloat(const SourceLoc &L, double V) {
    auto C = make<ConstantExpr>(L);
    C->Ty = ConstantExpr::Type::Float;
    C->FloatValue = V;
    return C;
  }
  ExprPtr constString(const SourceLoc &L, std::string V) {
    auto C = make<ConstantExpr>(L);
    C->Ty = ConstantExpr::Type::String;
    C->StringValue = std::move(V);
    return C;
  }
  /// The string \p E certainly is while lowering: a string constant or a
  /// variable whose String fact holds here.
  std::optional<std::string> knownString(const Expr &E) {
    if (auto *C = dyn_cast<ConstantExpr>(&E); C && C->Ty == ConstantExpr::Type::String)
      return C->StringValue;
    if (auto *R = dyn_cast<VarRefExpr>(&E);
        R && fact(R->Var).K == Fact::Kind::String && factProblem(R->Var).empty())
      return cast<ConstantExpr>(fact(R->Var).Def)->StringValue;
    return std::nullopt;
  }
  /// The int \p E certainly is while lowering: an int constant, a variable
  /// whose Int fact holds here, and negation, +, - and * of known ints.
  std::optional<int64_t> knownInt(const Expr &E) {
    if (auto *C = dyn_cast<ConstantExpr>(&E); C && C->Ty == ConstantExpr::Type::Int)
      return C->IntValue;
    if (auto *U = dyn_cast<UnaryExpr>(&E); U && U->Op == UnaryOp::Neg)
      if (std::optional<int64_t> V = knownInt(*U->Operand))
        return -*V;
    if (auto *B = dyn_cast<BinaryExpr>(&E);
        B && (B->Op == BinaryOp::Add || B->Op == BinaryOp::Sub || B->Op == BinaryOp::Mul)) {
      std::optional<int64_t> L = knownInt(*B->Lhs), R = knownInt(*B->Rhs);
      if (!L || !R || std::abs(*L) > (1 << 20) || std::abs(*R) > (1 << 20))
        return std::nullopt;
      return B->Op == BinaryOp::Add ? *L + *R : B->Op == BinaryOp::Sub ? *L - *R : *L * *R;
    }
    if (auto *R = dyn_cast<VarRefExpr>(&E);
        R && fact(R->Var).K == Fact::Kind::Int && factProblem(R->Var).empty())
      return cast<ConstantExpr>(fact(R->Var).Def)->IntValue;
    return std::nullopt;
  }
  ExprPtr varRef(const SourceLoc &L, VarId V) {
    auto R = make<VarRefExpr>(L);
    R->Var = V;
    return R;
  }

  VarId addVar(const std::string &Name, VarKind K, const SourceLoc &L) {
    VarId V = P.addVar(Name, K, loc(L));
    if (Facts.size() <= V)
      Facts.resize(V + 1);
    return V;
  }
  VarId newTemp(const std::string &What, const SourceLoc &L) {
    int N = ++TempCount[What];
    return addVar(What + "." + std::to_string(N), VarKind::Temp, L);
  }

  void assign(Block &Out, VarId Target, ExprPtr Value, const SourceLoc &L) {
    setFactFromValue(Target, Value.get());
    auto S = make<AssignStmt>(L);
    S->Target = Target;
    S->Value = std::move(Value);
    Out.push_back(std::move(S));
  }

  //===-- facts --===//
  Fact &fact(VarId V) {
    if (Facts.size() <= V)
      Facts.resize(V + 1);
    if (IsTouched.size() <= V)
      IsTouched.resize(Facts.size());
    if (!IsTouched[V]) {
      IsTouched[V] = 1;
      Touched.push_back(V);
    }
    return Facts[V];
  }
  void setFactFromValue(VarId Target, const Expr *Value) {
    Fact F;
    F.Region = Region;
    if (Value) {
      if (auto It = InstanceValues.find(Value); It != InstanceValues.end()) {
        F.K = Fact::Kind::Instance;
        F.Inst = It->second;
      } else if (FunctionValues.count(Value)) {
        F.K = Fact::Kind::Function;
        F.Def = Value;
      } else if (auto It = ModuleListValues.find(Value); It != ModuleListValues.end()) {
        F.K = Fact::Kind::ModuleList;
        F.Members = It->second;
      } else if (auto *D = dyn_cast<DistributionExpr>(Value)) {
        F.K = Fact::Kind::Dist;
        F.Def = D;
      } else if (auto *D = dyn_cast<DictExpr>(Value)) {
        F.K = Fact::Kind::Dict;
        if (std::all_of(D->Keys.begin(), D->Keys.end(),
                        [](const ExprPtr &K) { return isa<ConstantExpr>(K.get()); }))
          F.Def = D;
      } else if (auto *Q = dyn_cast<SequenceExpr>(Value);
                 Q && std::all_of(Q->Elements.begin(), Q->Elements.end(),
                             [](const ExprPtr &X) { return X && isa<ConstantExpr>(X.get()); })) {
        F.K = Fact::Kind::Constants;
        F.Def = Q;
      } else if (auto *M = dyn_cast<ModuleCtorExpr>(Value)) {
        F.K = Fact::Kind::Module;
        F.Mod = M->Module;
      } else if (auto *C = dyn_cast<ConstantExpr>(Value)) {
        if (C->Ty == ConstantExpr::Type::String) {
          F.K = Fact::Kind::String;
          F.Def = C;
        } else if (C->Ty == ConstantExpr::Type::Int) {
          F.K = Fact::Kind::Int;
          F.Def = C;
        }
      } else if (auto *Call = dyn_cast<CallExpr>(Value)) {
        if (Call->Op == OpId::StrFormat && !Call->Args.Args.empty() && Call->Args.Args[0] &&
            isa<ConstantExpr>(Call->Args.Args[0].get())) {
          F.K = Fact::Kind::Template;
          F.Def = Call;
        } else if (certainlyTensor(*Call)) {
          F.K = Fact::Kind::Tensor;
        } else if (Call->Op == OpId::OpaqueCall && Call->Callee == "dict") {
          F.K = Fact::Kind::Dict; // the builtin, a dict comprehension, `{**a}`
        }
      } else if (isa<BinaryExpr>(Value) || isa<UnaryExpr>(Value)) {
        if (certainlyTensor(*Value))
          F.K = Fact::Kind::Tensor;
      } else if (auto *R = dyn_cast<VarRefExpr>(Value)) {
        if (R->Var != Target) {
          Fact Copy = fact(R->Var);
          if (Copy.K == Fact::Kind::Module || Copy.K == Fact::Kind::None ||
              Copy.K == Fact::Kind::Instance || Copy.K == Fact::Kind::ModuleList) {
            F.K = Copy.K;
            F.Mod = Copy.Mod;
            F.Inst = Copy.Inst;
            F.Members = Copy.Members;
          } else {
            F = Copy;
            // The copy is made here: it is usable where this assignment is.
            if (F.Invalid.empty() && !regionDominates(Copy.Region))
              F.Invalid = "it is assigned in a branch or loop";
            F.Region = Region;
          }
        } else {
          F = fact(Target);
        }
      } else if (isa<AttrUpdateExpr>(Value) || isa<IndexUpdateExpr>(Value)) {
        // An in-place update keeps a module a module.
        const Fact &Old = fact(Target);
        if (Old.K == Fact::Kind::Module) {
          F.K = Fact::Kind::Module;
          F.Mod = Old.Mod;
        }
      }
    }
    fact(Target) = std::move(F);
  }
  /// \p Target holds a tensor from here on (a latent sample, a param).
  void setTensorFact(VarId Target) {
    Fact F;
    F.K = Fact::Kind::Tensor;
    F.Region = Region;
    fact(Target) = std::move(F);
  }
  /// \p E evaluates to a tensor whenever it does not raise: a torch
  /// operation returning one, a latent sample or param variable, arithmetic
  /// on one. Anything else (a variable that may hold an int) is not.
  bool certainlyTensor(const Expr &E) {
    if (auto *R = dyn_cast<VarRefExpr>(&E))
      return fact(R->Var).K == Fact::Kind::Tensor && factProblem(R->Var).empty();
    if (auto *C = dyn_cast<CallExpr>(&E)) {
      if (C->Op == OpId::DistSample)
        return true;
      if (C->Op == OpId::Max || C->Op == OpId::Min) // with a dim: (values, indices)
        return false;
      const OpInfo &I = C->info();
      return startsWith(I.QualifiedName, "torch.") && I.Shape != ShapeRule::Scalar &&
             I.Shape != ShapeRule::Opaque;
    }
    if (auto *B = dyn_cast<BinaryExpr>(&E))
      return certainlyTensor(*B->Lhs) || certainlyTensor(*B->Rhs);
    if (auto *U = dyn_cast<UnaryExpr>(&E))
      return U->Op != UnaryOp::Not && certainlyTensor(*U->Operand);
    return false;
  }
  bool regionDominates(const std::vector<int> &DefRegion) const {
    if (DefRegion.size() > Region.size())
      return false;
    return std::equal(DefRegion.begin(), DefRegion.end(), Region.begin());
  }
  /// Why the fact of \p V cannot be used here, or empty.
  std::string factProblem(VarId V) {
    const Fact &F = fact(V);
    if (!F.Invalid.empty())
      return F.Invalid;
    if (!regionDominates(F.Region))
      return "it is assigned in a branch or loop";
    return "";
  }

  //===-- name resolution --===//
  /// The binding of \p Name, or null; \p UnboundLocal is set when the name is a
  /// local of the current function that has no value yet.
  Binding *lookup(const std::string &Name, bool *UnboundLocal = nullptr) {
    for (Scope *S = Cur; S; S = S->Parent) {
      auto It = S->Names.find(Name);
      if (It != S->Names.end())
        return &It->second;
      if (S->IsFunction && S->Locals.count(Name)) {
        if (UnboundLocal)
          *UnboundLocal = S == Cur;
        return nullptr;
      }
    }
    return nullptr;
  }

  /// Whether \p Name, unbound here, is the entry's `*args`/`**kwargs` (read in
  /// the entry or a function nested in it).
  bool readsEntryVariadic(const std::string &Name) const {
    for (const Scope *S = Cur; S; S = S->Parent) {
      if (S->Names.count(Name))
        return false;
      if (S->IsFunction && S->Locals.count(Name))
        return S == EntryScope && EntryVariadics.count(Name);
    }
    return false;
  }

  /// The variable a store to \p Name writes (created on first assignment).
  VarId varForStore(const std::string &Name, const SourceLoc &L) {
    auto It = Cur->Names.find(Name);
    if (It != Cur->Names.end() && It->second.K == Binding::Kind::Var)
      return It->second.Var;
    VarId V = addVar(Name + Cur->Suffix, VarKind::User, L);
    Binding B;
    B.Var = V;
    Cur->Names[Name] = B; // rebinding an import or a function makes it a variable
    return V;
  }

  /// A dotted module path or imported name for \p E (`dist.Normal`,
  /// `torch.nn.functional.relu`), if \p E is one.
  std::optional<std::string> staticPath(const A::Expr &E) {
    if (auto *N = dyn_cast<A::Name>(&E)) {
      Binding *B = lookup(N->Id);
      if (B && B->K == Binding::Kind::Qualified)
        return withoutDeprecatedAlias(B->Qual);
      if (!B && builtinNames().count(N->Id) && !isLocalName(N->Id))
        return N->Id;
      if (!B && !isLocalName(N->Id))
        return starImported(N->Id);
      return std::nullopt;
    }
    if (auto *At = dyn_cast<A::Attribute>(&E)) {
      std::optional<std::string> Base = staticPath(*At->Value);
      if (Base)
        return withoutDeprecatedAlias(*Base + "." + At->Attr);
    }
    return std::nullopt;
  }
  std::optional<std::string> starImported(const std::string &Name);
  bool isLocalName(const std::string &Name) {
    for (Scope *S = Cur; S; S = S->Parent)
      if (S->Names.count(Name) || (S->IsFunction && S->Locals.count(Name)))
        return true;
    return false;
  }

  //===-- statements --===//
  void lowerBody(const A::Body &B, Block &Out, size_t First = 0) {
    for (size_t I = First; I < B.size(); ++I) {
      // `if c: ...; return x` followed by more code (an early return): the
      // rest of the block runs only in the else branch.
      auto *If = dyn_cast<A::If>(B[I].get());
      if (If && I + 1 < B.size() && !Functions.empty() && endsWithReturn(If->Then) &&
          !hasReturn(If->OrElse)) {
        lowerIf(*If, Out, &B, I + 1);
        return;
      }
      // `if c: d = TransformedDistribution(...)` / `else: d = dist.Normal(...)`
      // with d used after (Pyro's dmm guide): the rest of the block runs in
      // each branch, where d is one distribution. Copies nest at most 3 deep.
      if (If && I + 1 < B.size() && TailCopies < 3 && !hasReturn(If->Then) &&
          !hasReturn(If->OrElse) && assignsDistribution(*If)) {
        ++TailCopies;
        lowerIf(*If, Out, &B, I + 1, /*RestInThen=*/true);
        --TailCopies;
        return;
      }
      lowerStmt(*B[I], Out);
    }
  }
  void lowerStmt(const A::Stmt &S, Block &Out);
  void lowerModuleStmt(const A::Stmt &S, Block &Out);
  void lowerImport(const A::Stmt &S);
  void lowerExprStmt(const A::ExprStmt &S, Block &Out);
  void lowerAssign(const A::Assign &S, Block &Out);
  void lowerIf(const A::If &S, Block &Out, const A::Body *Rest = nullptr, size_t RestFrom = 0,
               bool RestInThen = false);
  bool assignsDistribution(const A::If &S);
  /// Tails copied into both branches of an if around the current statement.
  int TailCopies = 0;
  void lowerFor(const A::For &S, Block &Out);
  bool rangeBounds(const A::Call &Range, ForStmt &St, Block &Out);
  /// A loop over a sequence: the ForStmt and the targets its body binds
  /// (bindSequenceTargets, inside the loop's region) to an element of each
  /// sequence, indexed by the loop's index.
  struct SequenceLoop {
    std::unique_ptr<ForStmt> St;
    std::vector<std::pair<const A::Expr *, VarId>> Targets;
  };
  std::optional<SequenceLoop> sequenceLoop(const A::Expr &Target, const A::Expr &Iter,
                                           const SourceLoc &L, Block &Out);
  void bindSequenceTargets(SequenceLoop &Loop);
  std::unique_ptr<ForStmt> indexLoop(VarId Seq, VarId Index, const SourceLoc &L);
  std::optional<std::vector<ExprPtr>> staticElements(const A::Expr &Iter, Block &Out);
  std::optional<std::vector<ExprPtr>> knownElements(const A::Expr &Iter, Block &Out);
  std::optional<std::vector<ExprPtr>> unrolledList(const A::Expr &E, Block &Out);
  void unrollCompFor(const A::Comp &C, size_t K, std::vector<ExprPtr> &Elems, bool &Known,
                     Block &Out);
  const Fact *moduleListOf(const A::Expr &E);
  std::optional<VarId> moduleListVar(const A::Expr &E);
  bool iteratesModuleList(const A::Expr &Iter);
  std::optional<VarId> moduleListMember(const A::Subscript &S, Block &Out);
  ExprPtr lowerModuleList(const A::Call &C, Block &Out);
  std::optional<ExprPtr> callModuleObject(VarId V, const SourceLoc &L, const A::Call &C,
                                          Block &Out);
  std::optional<std::vector<ExprPtr>> dictElements(VarId D, const std::string &View,
                                                   const SourceLoc &L);
  ExprPtr lowerSum(const A::Call &C, Block &Out);
  void lowerWhile(const A::While &S, Block &Out);
  void lowerWith(const A::With &S, size_t Item, Block &Out);
  void lowerReturn(const A::Return &S, Block &Out);
  void defineFunction(const A::FunctionDef &F, Block &Out);

  void store(const A::Expr &Target, ExprPtr Value, Block &Out, const SourceLoc &L,
             bool Mutates = false);
  void enterRegion() { Region.push_back(++NextRegion); }
  void leaveRegion() { Region.pop_back(); }

  //===-- may-alias (Python reference semantics) --===//
  /// `View` shares its object with `Base`: the same object (`v = b`), a view
  /// by basic indexing (`v = b[i]`; the indices are constants or temps, so
  /// they keep their value), a reshaping view (`b.view(...)`, `reshape`,
  /// `squeeze`, ...) or an expanded view. An update through either name is
  /// written to the other right after it, and on along the graph.
  struct AliasEdge {
    enum class Kind { Same, Index, Reshape, Expand } K = Kind::Same;
    VarId View = 0, Base = 0;
    std::vector<ExprPtr> Idx;
    std::vector<int> Region; ///< where it was made: it holds only where that dominates
    SourceLoc Loc;
  };
  std::vector<AliasEdge> Aliases;
  /// Per enclosing loop body: the variables updated in place so far.
  std::vector<std::set<VarId>> LoopMutated;
  /// Binds \p V to \p Value: a rebinding (\p Mutates false; V leaves its
  /// alias group, which keeps the old object under a temp) or an in-place
  /// update of V's object (its aliases are updated too).
  void bindVar(Block &Out, VarId V, ExprPtr Value, const SourceLoc &L, bool Mutates);
  void noteAlias(Block &Out, VarId V, ExprPtr &Value, const SourceLoc &L);
  void detachAliases(Block &Out, VarId V, const SourceLoc &L);
  void propagateMutation(Block &Out, VarId M, const SourceLoc &L);
  bool hasAliases(VarId V) const {
    return std::any_of(Aliases.begin(), Aliases.end(),
                       [&](const AliasEdge &E) { return E.View == V || E.Base == V; });
  }
  /// V certainly holds a tensor, a list or a dict: the same object as a
  /// variable that does, or a view of a tensor.
  bool mutableObject(VarId V) {
    std::set<VarId> Seen;
    std::function<bool(VarId)> Mut = [&](VarId X) {
      if (!Seen.insert(X).second)
        return false;
      auto Ref = varRef(SourceLoc{}, X);
      if (ListVars.count(X) || certainlyTensor(*Ref))
        return true;
      for (const AliasEdge &E : Aliases) {
        if (E.K == AliasEdge::Kind::Same && (E.View == X || E.Base == X) &&
            Mut(E.View == X ? E.Base : E.View))
          return true;
        if (E.K != AliasEdge::Kind::Same && E.View == X) {
          auto B = varRef(SourceLoc{}, E.Base);
          if (certainlyTensor(*B))
            return true;
        }
      }
      return false;
    };
    return Mut(V);
  }
  /// V is a view by indexing (`v = b[i]`, `v = b[:, 0]`) of entry inputs
  /// (objects of unknown kind, unknown values), and nothing else aliases it. `v += e` is then
  /// lowered as torch's in-place add, `b[i] = b[i] + e`: were b a sequence of numbers, Python would
  /// rebind v and leave b alone, and the write to b only adds a flow from e to a value the analyses
  /// know nothing of. A view of a list or tuple the program built keeps the
  /// error (its values may be known, and the write would change them).
  bool indexViewOfUnknownObject(VarId V) {
    bool Any = false;
    for (const AliasEdge &E : Aliases) {
      if (E.View != V && E.Base != V)
        continue;
      if (E.View != V || E.K != AliasEdge::Kind::Index || P.var(E.Base).Kind != VarKind::Input ||
          ListVars.count(E.Base) || fact(E.Base).K != Fact::Kind::None)
        return false;
      Any = true;
    }
    return Any;
  }
  /// Variables made before the entry function's body (module-level names,
  /// defaults of module-level defs, the entry object): their objects outlive
  /// a call. 0 while the module level is lowered.
  VarId FirstCallVar = 0;
  /// An in-place update of such an object persists into the next call of the
  /// model or guide (Python keeps it, and both share it): not modelled.
  bool checkNotPersistent(VarId V, const SourceLoc &L) {
    if (FirstCallVar == 0 || V >= FirstCallVar || P.var(V).Kind == VarKind::Input)
      return true;
    std::string What = P.var(V).Name.rfind("default.", 0) == 0
                           ? "a default argument evaluated at module level"
                           : "'" + varName(V) + "', an object made at module level,";
    unsupported(L, "this update changes " + What + " in place; Python keeps the change into " +
                       "the next call of the model and the guide, which svic does not model");
    return false;
  }
  /// A distribution object, a name template or a plate is built when it is
  /// made: substituting its definition after a variable it reads was rebound
  /// would read the new value. Such a fact is no longer used.
  template <typename Fn> static void forEachDefinitionExpr(const Fact &F, Fn &&Visit) {
    if (F.K == Fact::Kind::Dist || F.K == Fact::Kind::Template) {
      Visit(F.Def);
    } else if (F.K == Fact::Kind::Plate && F.Plate) {
      const PlateInfo &Pl = *F.Plate;
      for (const Expr *E : {Pl.Size.get(), Pl.SubsampleSize.get(), Pl.Dim.get(),
                            Pl.Name.DynamicExpr.get()})
        Visit(E);
      for (const ExprPtr &I : Pl.Name.Indices)
        Visit(I.get());
    }
  }
  static void forEachVarRead(const Expr *E, const std::function<void(VarId)> &Fn) {
    if (!E)
      return;
    if (auto *R = dyn_cast<VarRefExpr>(E))
      return Fn(R->Var);
    ir::forEachChild(*E, [&](const Expr &C) { forEachVarRead(&C, Fn); });
  }
  void staleFactsReading(VarId V) {
    // Index the facts changed since the last call by the variables they read,
    // so that a rebinding looks only at the facts that read it: scanning all
    // facts at every assignment was quadratic in the program's length.
    for (VarId W : Touched) {
      IsTouched[W] = 0;
      const Fact &F = Facts[W];
      if (F.Invalid.empty())
        forEachDefinitionExpr(F, [&](const Expr *E) {
          forEachVarRead(E, [&](VarId R) { ReadBy[R].push_back(W); });
        });
    }
    Touched.clear();
    auto It = ReadBy.find(V);
    if (It == ReadBy.end())
      return;
    // Entries may be out of date (the fact changed since): check the fact as
    // it is. Every fact that reads V is invalid afterwards, so none is kept.
    std::vector<VarId> Readers = std::move(It->second);
    ReadBy.erase(It);
    for (VarId W : Readers) {
      Fact &F = Facts[W];
      if (!F.Invalid.empty())
        continue;
      bool Stale = false;
      forEachDefinitionExpr(F, [&](const Expr *E) {
        forEachVarRead(E, [&](VarId R) { Stale = Stale || R == V; });
      });
      if (Stale)
        F.Invalid = "'" + varName(V) + "', which it reads, is rebound after it is built";
    }
  }
  /// Indices of for loops: constant within an iteration, where their views live.
  std::set<VarId> LoopIndexVars;
  /// Locals of inlined helpers that have returned: no code reads them again.
  std::set<VarId> DeadVars;
  /// V's object may also be reachable through another name that code can
  /// still read (not a lowering temp, not a local of a returned helper).
  bool sharedWithLiveName(VarId V) const {
    std::set<VarId> Seen{V};
    std::deque<VarId> Work{V};
    while (!Work.empty()) {
      VarId C = Work.front();
      Work.pop_front();
      for (const AliasEdge &E : Aliases) {
        if (E.View != C && E.Base != C)
          continue;
        VarId O = E.View == C ? E.Base : E.View;
        if (!Seen.insert(O).second)
          continue;
        if (P.var(O).Kind != VarKind::Temp && !DeadVars.count(O))
          return true;
        Work.push_back(O);
      }
    }
    return false;
  }
  /// V holds a list or dict (mutable; `+=` extends it in place).
  std::set<VarId> ListVars;
  std::string varName(VarId V) const {
    std::string N = P.var(V).Name;
    return N.substr(0, N.find('@'));
  }
  void invalidateLoopVariant(const A::Body &Loop, const SourceLoc &LoopLoc);

  //===-- expressions --===//
  ExprPtr lowerExpr(const A::Expr &E, Block &Out);
  ExprPtr lowerName(const A::Name &N);
  ExprPtr lowerStaticValue(const std::string &Q, const A::Expr &E);
  ExprPtr lowerConstant(const A::Constant &C);
  ExprPtr lowerFString(const A::FString &F, Block &Out);
  ExprPtr lowerSubscript(const A::Subscript &S, Block &Out);
  ExprPtr lowerComp(const A::Comp &C, Block &Out);
  void lowerCompFor(const A::Comp &C, size_t K, VarId List, Block &Out);
  void lowerCompIfs(const A::Comp &C, size_t K, VarId List, Block &Body);
  ExprPtr staticDictComp(const A::Comp &C, std::vector<ExprPtr> &Elems, Block &Out);
  std::vector<ExprPtr> lowerIndices(const A::Subscript &S, Block &Out);
  std::vector<ExprPtr> lowerIndexItems(const std::vector<const A::Expr *> &Items, Block &Out);
  const A::Expr *vindexOperand(const A::Expr &E);
  ExprPtr lowerVindexCall(const A::Call &C, Block &Out);
  ExprPtr lowerCall(const A::Call &C, Block &Out, std::optional<VarId> Target = std::nullopt,
                    bool *Emitted = nullptr);
  ExprPtr lowerQualifiedCall(const std::string &Q, const A::Call &C, Block &Out,
                             std::optional<VarId> Target, bool *Emitted);
  ExprPtr lowerMethodCall(const A::Attribute &Func, const A::Call &C, Block &Out);
  std::optional<OpId> dtypeCast(const std::string &Method, const A::Call &C);
  ExprPtr lowerTableCall(OpId Op, const std::string &Spelling, const A::Call &C, Block &Out,
                         ExprPtr Receiver = nullptr);
  ExprPtr lowerModuleCtor(ModuleId M, const A::Call &C, Block &Out);
  ExprPtr lowerModuleCall(ExprPtr Callee, std::optional<ModuleId> M, const A::Call &C, Block &Out);
  ExprPtr lowerDistCtor(DistId D, const std::string &Spelling, const A::Call &C, Block &Out);
  ExprPtr lowerDistMethod(ExprPtr Recv, const std::string &Method, const std::string &Spelling,
                          const A::Call &C, size_t FirstArg, Block &Out);
  ExprPtr lowerConstraint(const std::string &Name, const A::Expr &E, const A::Call *C, Block &Out);
  ExprPtr inlineCall(const A::FunctionDef &F, Scope *DefScope, const A::Call &C, Block &Out,
                     const Fact *Self = nullptr,
                     const std::map<std::string, VarId> *Defaults = nullptr);

  // *args / **kwargs of inlined helpers: the variables holding each element,
  // so `g(*args, **kwargs)` forwards them.
  struct Pack {
    std::vector<VarId> Positional;
    std::vector<std::pair<std::string, VarId>> Keywords;
    /// Keywords svic does not know may be in it too: the entry's **kwargs
    /// reached it.
    bool UnknownKeywords = false;
  };
  std::map<VarId, Pack> Packs;
  /// Synthetic names standing for pack elements in expanded calls.
  std::deque<A::Name> PackNames;
  struct ArgRef {
    A::Arg::Kind K;
    std::string Name; ///< Keyword only
    const A::Expr *Value;
    SourceLoc Loc;
    /// `**kwargs` whose keywords svic does not know (DoubleStar only).
    bool UnknownKeywords = false;
  };
  ExprPtr unknownKeyword(const A::Expr &Pack, const std::string &Param, bool IsPack = false);
  std::vector<ArgRef> expandPacks(const A::Call &C);
  const A::Expr *packElement(VarId V, const SourceLoc &L);

  // calls svic does not model (opaque calls)
  ExprPtr lowerOpaqueCall(const std::string &Spelling, const A::Call &C, Block &Out,
                          bool MayRunUserCode, ExprPtr Receiver = nullptr);
  void opaqueArgument(const A::Expr &E, CallExpr &R, std::set<VarId> &Captured, Block &Out);
  void captureScope(Scope *S, std::set<VarId> &Captured);
  void captureInstance(const Instance &I, std::set<VarId> &Captured, int Depth = 0);
  void keepLibraryState(Instance &I, const A::Call &C, Block &Out);
  ExprPtr opaqueValue(const A::Expr &E);
  ExprPtr opaqueBuiltin(const std::string &Name, std::vector<ExprPtr> Args, const SourceLoc &L);
  void foldKnownFields(SiteName &N);
  std::unique_ptr<DistributionExpr> opaqueDistribution(const std::string &Name,
                                                       std::vector<ExprPtr> Args,
                                                       const SourceLoc &L,
                                                       const std::string &Why = "");
  std::unique_ptr<DistributionExpr> lowerOpaqueDistCtor(const std::string &Spelling,
                                                        const A::Call &C, Block &Out);
  bool isHandlerDecorator(const A::Expr &D);
  std::unique_ptr<WithStmt> handlerDecorator(const A::Expr &D, Block &Out);
  void lowerDecorated(const A::FunctionDef &F, Scope *DefScope, Block &Out,
                      const std::function<void(Block &)> &Body);
  void lowerOpaqueStatement(const A::Call &C, ExprPtr Call, Block &Out, const SourceLoc &L);

  // poutine.block: a site it hides is still drawn (or observed) but no handler
  // outside the block sees it, so it is not in the trace the ELBO scores. The
  // enclosing blocks are a lowering-time stack, like Python's handler stack.
  struct BlockRule {
    bool HideAll = true; ///< Pyro's hide_all after its hide/expose defaults
    std::set<std::string> Hide, Expose, HideTypes, ExposeTypes;
    /// hide_fn=, or the negation of expose_fn=: Pyro ignores the rest then.
    std::optional<NameFilter> HideFn;
    size_t PlateDepth = 0; ///< vectorised plates entered outside the block
  };
  std::vector<BlockRule> Blocks;
  // pyro.condition / poutine.condition: a site named in its data is observed
  // at that value. The values are evaluated where the handler is built, into
  // temporaries; the innermost handler is last, as Python's handler stack.
  struct ConditionFrame {
    std::map<std::string, VarId> Values;
  };
  std::vector<ConditionFrame> Conditions;
  static bool isConditionHandler(const std::string &Q) {
    return Q == "pyro.condition" || Q == "pyro.poutine.condition";
  }
  /// The frame of `pyro.condition(data={...})`; \p Applied: the call form
  /// whose first argument is the conditioned function.
  std::optional<ConditionFrame> conditionFrame(const A::Call &C, bool Applied, Block &Out);
  // poutine.reparam(config={"x": LocScaleReparam(centered)}): the sites it
  // rewrites, each with its centered value (nullopt: learned, Pyro's default).
  struct ReparamFrame {
    std::map<std::string, std::optional<double>> Centered;
  };
  std::vector<ReparamFrame> Reparams;
  /// A functools.partial entry: the argument expression of each parameter it binds.
  std::map<std::string, const A::Expr *> PartialArgs;
  std::optional<ReparamFrame> reparamFrame(const A::Call &C);
  bool reparamSample(std::unique_ptr<SampleStmt> &S, const A::Expr *Infer, const SourceLoc &L,
                     std::optional<VarId> Target, Block &Out);
  /// `with pyro.plate(...)` statements around the statement being lowered.
  size_t VecPlateDepth = 0;
  /// The vectorised plates around the code being lowered, outermost first
  /// (Pyro's plates are dynamically scoped, so an inlined helper sees its
  /// caller's).
  std::vector<WithStmt *> OpenPlates;
  ExprPtr lowerSubsample(const A::Call &C, Block &Out);
  /// The rule of `poutine.block(...)`; \p Applied: a call form whose first
  /// argument is the function the block applies to.
  std::optional<BlockRule> blockRule(const A::Call &C, bool Applied = false);
  /// Defaults of the enclosing config_enumerate handlers, innermost last.
  std::vector<SampleStmt::Enumeration> EnumDefaults;
  static std::optional<SampleStmt::Enumeration> configEnumerate(const A::Expr &D);
  static SampleStmt::Enumeration enumDefault(const A::Call &C, size_t FirstPositional);
  SampleStmt::Enumeration enumeration(const A::Expr *Infer, const SampleStmt &S);
  /// Whether an enclosing block hides the site \p N of \p Type ("sample",
  /// "observe"); nullopt after an error. \p ValueUsed: a latent whose value
  /// the program reads (its shape would come from plates inside the block).
  std::optional<bool> hiddenSite(const SiteName &N, const std::string &Type, const SourceLoc &L,
                                 bool ValueUsed);
  static bool mayRunUserCode(const std::string &Q);
  bool libraryBase(const Instance &I);

  // user classes
  void defineClass(const A::ClassDef &C, Block &Out);
  ExprPtr lowerDefault(const A::Expr &Default, Block &Out);
  /// Per method: its defaults, evaluated once when the class body ran.
  std::map<const A::FunctionDef *, std::map<std::string, VarId>> MethodDefaults;
  const std::map<std::string, VarId> *methodDefaults(const A::FunctionDef &F) const {
    auto It = MethodDefaults.find(&F);
    return It == MethodDefaults.end() ? nullptr : &It->second;
  }
  std::shared_ptr<Instance> instanceOf(const A::Expr &E);
  std::optional<VarId> libraryModuleVar(const A::Attribute &E);
  // PyroModule semantics
  bool derivesFromPyroModule(const A::ClassDef &Cls);
  void adoptPyroModule(Instance &Child, const std::string &Name,
                       const std::shared_ptr<PyroContext> &Ctx);
  bool lowerPyroAttrAssign(Instance &I, const A::Attribute &Target, const A::Expr &Value,
                           Block &Out);
  ExprPtr pyroAttribute(const std::shared_ptr<Instance> &I, const std::string &Attr,
                        const SourceLoc &L, Block &Out);
  void pyroModuleRead(const Instance &I, const std::string &Attr, const SourceLoc &L, Block &Out);
  ExprPtr pyroModuleOf(const A::Subscript &Cls, const A::Call &C, Block &Out);
  template <typename Fn> auto inPyroCall(Instance &I, Block &Out, Fn &&Body) {
    PyroContext &Ctx = *I.Ctx;
    if (Ctx.Active++ == 0) {
      Ctx.LoopDepth = LoopDepth;
      Ctx.Home = &Out;
      Ctx.HomeAt = Out.size();
      Ctx.HomeRegion = Region;
    }
    auto R = Body();
    if (--Ctx.Active == 0) {
      Ctx.Cache.clear();
      Ctx.Drawn.clear();
      Ctx.Home = nullptr;
    }
    return R;
  }
  /// The classes svic writes in Python for PyroModule[nn.X] (parsed once).
  struct Prelude {
    std::unique_ptr<A::Module> M;
    Scope *Sc = nullptr;
    FileId File = 0;
  };
  std::optional<Prelude> PyroPrelude;
  const A::ClassDef *preludeClass(const std::string &Name, Scope *&ClsScope,
                                  const SourceLoc &L);
  std::deque<A::Call> SyntheticCalls;
  const A::Call *inputsCall(const A::ClassDef &Cls, Scope *&Inputs);
  const A::FunctionDef *findMethod(const Instance &I, const std::string &Name);
  const A::FunctionDef *findClassMethod(const A::ClassDef &Cls, const std::string &Name);
  /// A method decorated @staticmethod: called without the object.
  static bool isStaticMethod(const A::FunctionDef &F) {
    return std::any_of(F.Decorators.begin(), F.Decorators.end(), [](const A::ExprPtr &D) {
      auto *N = dyn_cast<A::Name>(D.get());
      return N && N->Id == "staticmethod";
    });
  }
  std::shared_ptr<Instance> newInstance(const A::ClassDef &Cls, Scope *ClsScope);
  std::optional<VarId> classAttribute(Instance &I, const std::string &Name);
  ExprPtr instantiate(const A::ClassDef &Cls, Scope *ClsScope, const A::Call &C, Block &Out);
  ExprPtr callMethod(const std::shared_ptr<Instance> &I, const A::FunctionDef &M,
                     const A::Call &C, Block &Out);
  ExprPtr callInstance(const std::shared_ptr<Instance> &I, const A::Call &C, Block &Out);
  bool registerModuleObject(const std::string &Name, VarId V, const A::Call &C, Block &Out);
  void registerInstance(const std::string &Prefix, const Instance &I, const A::Call &C,
                        Block &Out);
  Fact instanceFact(const std::shared_ptr<Instance> &I) {
    Fact F;
    F.K = Fact::Kind::Instance;
    F.Inst = I;
    return F;
  }

  /// Binds the arguments of \p C (skipping the first \p Skip positional ones)
  /// to \p Formals; reports bad-arguments errors naming \p Spelling. Slots
  /// get pointers into the AST; Extra holds variadic arguments beyond the
  /// first. Returns false on errors.
  struct Bound {
    std::vector<const A::Expr *> Slots;
    std::vector<const A::Expr *> Extra;
  };
  bool bindArgs(const std::vector<ParamSpec> &Formals, const A::Call &C, size_t Skip,
                size_t PrefilledSlots, const std::string &Spelling, Bound &B,
                const std::set<std::string> &Ignored = {});
  /// Lowers the bound arguments in source order into IR BoundArgs.
  BoundArgs lowerBound(const Bound &B, const A::Call &C, Block &Out,
                       std::vector<ExprPtr> Prefilled = {});

  // Pyro
  void lowerSample(const A::Call &C, Block &Out, std::optional<VarId> Target);
  void lowerParam(const A::Call &C, Block &Out, std::optional<VarId> Target);
  void lowerModuleStmt(const A::Call &C, Block &Out, std::optional<VarId> Target);
  void lowerFactor(const A::Call &C, Block &Out);
  void lowerDeterministic(const A::Call &C, Block &Out, std::optional<VarId> Target);
  /// \p Subsample receives explicit `subsample=` indices where the caller
  /// binds them (a `with` statement); elsewhere they are unsupported.
  std::optional<PlateInfo> lowerPlate(const A::Call &C, Block &Out, ExprPtr *Subsample = nullptr);
  std::optional<PlateInfo> plateOf(const A::Expr &E, Block &Out, ExprPtr *Subsample = nullptr);
  std::unique_ptr<DistributionExpr> lowerDistArg(const A::Expr &E, Block &Out);
  ExprPtr lowerTransformedDist(const A::Call &C, Block &Out);
  ExprPtr lowerHandlerCall(const A::Call &H, const std::string &Q, const A::Call &C, Block &Out);
  ExprPtr lowerNameCall(const A::Name &N, const A::Call &C, Block &Out);
  /// The distribution the lowered value \p V of \p Spelling holds, or null
  /// after an error.
  std::unique_ptr<DistributionExpr> distOf(ExprPtr V, const std::string &Spelling,
                                           const SourceLoc &L);
  /// Completes \p S (name, distribution and observation lowered): the
  /// enumeration mark and the enclosing poutine.block handlers.
  void finishSample(std::unique_ptr<SampleStmt> S, const A::Expr *Infer, const SourceLoc &L,
                    std::optional<VarId> Target, Block &Out);
  SiteName lowerSiteName(const A::Expr &E, Block &Out);
  struct FormatPlan {
    std::string Template;               ///< replacement fields written `{}`, literal braces doubled
    std::string Literal;                ///< the text when there are no fields
    std::vector<const A::Expr *> Order; ///< the argument of each field
    std::vector<const A::Expr *> Args;  ///< every argument, in evaluation order
  };
  /// The reading of `"...".format(...)`, or nullopt when it is not one or has
  /// fields svic cannot read (`{0[1]}`, `{x.y}`, a missing argument).
  std::optional<FormatPlan> planFormat(const A::Call &Call);
  /// The same reading of printf-style `"obs_%d" % i` / `"%s_%i" % (a, b)`:
  /// `%s`, `%d` and `%i` without flags, width or precision print as `{}` (for
  /// the integer indices site names use); nullopt for anything else.
  static std::optional<FormatPlan> planPercent(const A::BinOp &B);
  /// The StrFormat value of a plan (a string constant without fields).
  ExprPtr lowerFormatValue(const FormatPlan &Plan, const SourceLoc &L, Block &Out);
  std::vector<ExprPtr> lowerFormatArgs(const FormatPlan &Plan, Block &Out);
  PlateInfo clonePlate(const PlateInfo &Src, const SourceLoc &UseLoc);
  SiteName cloneSiteName(const SiteName &Src);

  bool checkHoist(const SourceLoc &L, const std::string &What);
  const A::Call *pyroCall(const A::Expr &E, const char *Name);
  bool isInPlaceCall(const A::Expr &E, const A::Expr **Receiver);
  void checkReturns(const A::Body &B, bool Tail);
  static bool endsWithReturn(const A::Body &B);
  static bool hasReturn(const A::Body &B);
  static void collectAssigned(const A::Body &B, std::set<std::string> &Out);
  static void collectLocals(const A::Body &B, std::set<std::string> &Out);
  static void collectTargetNames(const A::Expr &T, std::set<std::string> &Out);
};

//===-- Small AST utilities ---------------------------------------------------===//

void Lowerer::collectTargetNames(const A::Expr &T, std::set<std::string> &Out) {
  if (auto *N = dyn_cast<A::Name>(&T))
    Out.insert(N->Id);
  else if (auto *S = dyn_cast<A::Sequence>(&T))
    for (const A::ExprPtr &E : S->Elts)
      collectTargetNames(*E, Out);
  else if (auto *St = dyn_cast<A::Starred>(&T))
    collectTargetNames(*St->Value, Out);
}

void Lowerer::collectAssigned(const A::Body &B, std::set<std::string> &Out) {
  for (const A::StmtPtr &S : B) {
    switch (S->Kind) {
    case A::StmtKind::Assign:
      for (const A::ExprPtr &T : cast<A::Assign>(S.get())->Targets)
        collectTargetNames(*T, Out);
      break;
    case A::StmtKind::AugAssign:
      collectTargetNames(*cast<A::AugAssign>(S.get())->Target, Out);
      break;
    case A::StmtKind::AnnAssign:
      if (cast<A::AnnAssign>(S.get())->Value)
        collectTargetNames(*cast<A::AnnAssign>(S.get())->Target, Out);
      break;
    case A::StmtKind::If:
      collectAssigned(cast<A::If>(S.get())->Then, Out);
      collectAssigned(cast<A::If>(S.get())->OrElse, Out);
      break;
    case A::StmtKind::For:
      collectTargetNames(*cast<A::For>(S.get())->Target, Out);
      collectAssigned(cast<A::For>(S.get())->Loop, Out);
      collectAssigned(cast<A::For>(S.get())->OrElse, Out);
      break;
    case A::StmtKind::While:
      collectAssigned(cast<A::While>(S.get())->Loop, Out);
      collectAssigned(cast<A::While>(S.get())->OrElse, Out);
      break;
    case A::StmtKind::With:
      for (const A::WithItem &I : cast<A::With>(S.get())->Items)
        if (I.Var)
          collectTargetNames(*I.Var, Out);
      collectAssigned(cast<A::With>(S.get())->Inner, Out);
      break;
    case A::StmtKind::FunctionDef:
      Out.insert(cast<A::FunctionDef>(S.get())->Name);
      break;
    case A::StmtKind::ClassDef:
      Out.insert(cast<A::ClassDef>(S.get())->Name);
      break;
    case A::StmtKind::Try:
      collectAssigned(cast<A::Try>(S.get())->Inner, Out);
      for (const A::Try::Handler &H : cast<A::Try>(S.get())->Handlers) {
        if (!H.Name.empty())
          Out.insert(H.Name);
        collectAssigned(H.Inner, Out);
      }
      collectAssigned(cast<A::Try>(S.get())->OrElse, Out);
      collectAssigned(cast<A::Try>(S.get())->Finally, Out);
      break;
    case A::StmtKind::Import:
      for (const A::Alias &Al : cast<A::Import>(S.get())->Names)
        Out.insert(Al.AsName.empty() ? Al.Name.substr(0, Al.Name.find('.')) : Al.AsName);
      break;
    case A::StmtKind::ImportFrom:
      for (const A::Alias &Al : cast<A::ImportFrom>(S.get())->Names)
        if (Al.Name != "*")
          Out.insert(Al.AsName.empty() ? Al.Name : Al.AsName);
      break;
    case A::StmtKind::Expr:
    case A::StmtKind::Return:
    case A::StmtKind::Pass:
    case A::StmtKind::Assert:
    case A::StmtKind::Unsupported:
      break;
    }
  }
}

void Lowerer::collectLocals(const A::Body &B, std::set<std::string> &Out) {
  collectAssigned(B, Out);
  // `global x` / `nonlocal x` (reported as unsupported) keep x non-local, so
  // the error is not followed by a spurious "used before assignment".
  std::function<void(const A::Body &)> Drop = [&](const A::Body &Body) {
    for (const A::StmtPtr &S : Body) {
      if (auto *U = dyn_cast<A::UnsupportedStmt>(S.get()))
        for (const std::string &N : U->Names)
          Out.erase(N);
      if (auto *I = dyn_cast<A::If>(S.get()))
        Drop(I->Then), Drop(I->OrElse);
      else if (auto *F = dyn_cast<A::For>(S.get()))
        Drop(F->Loop);
      else if (auto *W = dyn_cast<A::While>(S.get()))
        Drop(W->Loop);
      else if (auto *Wi = dyn_cast<A::With>(S.get()))
        Drop(Wi->Inner);
    }
  };
  Drop(B);
}

bool Lowerer::endsWithReturn(const A::Body &B) {
  if (B.empty())
    return false;
  const A::Stmt *Last = B.back().get();
  if (isa<A::Return>(Last))
    return true;
  if (auto *I = dyn_cast<A::If>(Last))
    return endsWithReturn(I->Then) && endsWithReturn(I->OrElse);
  if (auto *W = dyn_cast<A::With>(Last))
    return endsWithReturn(W->Inner);
  return false;
}

bool Lowerer::hasReturn(const A::Body &B) {
  for (const A::StmtPtr &S : B) {
    if (isa<A::Return>(S.get()))
      return true;
    if (auto *I = dyn_cast<A::If>(S.get()); I && (hasReturn(I->Then) || hasReturn(I->OrElse)))
      return true;
    if (auto *F = dyn_cast<A::For>(S.get()); F && (hasReturn(F->Loop) || hasReturn(F->OrElse)))
      return true;
    if (auto *W = dyn_cast<A::While>(S.get()); W && (hasReturn(W->Loop) || hasReturn(W->OrElse)))
      return true;
    if (auto *W = dyn_cast<A::With>(S.get()); W && hasReturn(W->Inner))
      return true;
  }
  return false;
}

/// Reports every return that is not the last statement of its path.
void Lowerer::checkReturns(const A::Body &B, bool Tail) {
  for (size_t I = 0; I < B.size(); ++I) {
    const A::Stmt *S = B[I].get();
    bool Last = Tail && I + 1 == B.size();
    if (isa<A::Return>(S)) {
      if (!Last)
        unsupported(S->Loc, "return before the end of a function is not supported; make every "
                            "return the last statement of its branch");
    } else if (auto *If = dyn_cast<A::If>(S)) {
      // An early return (`if c: return x` before more code) is lowered as if
      // the rest of the block were the else branch.
      const bool Early = Tail && !Last && endsWithReturn(If->Then) && !hasReturn(If->OrElse);
      checkReturns(If->Then, Last || Early);
      checkReturns(If->OrElse, Last);
    } else if (auto *W = dyn_cast<A::With>(S)) {
      checkReturns(W->Inner, Last);
    } else if (auto *F = dyn_cast<A::For>(S)) {
      checkReturns(F->Loop, false);
      checkReturns(F->OrElse, false);
    } else if (auto *Wh = dyn_cast<A::While>(S)) {
      checkReturns(Wh->Loop, false);
      checkReturns(Wh->OrElse, false);
    }
  }
}

const A::Call *Lowerer::pyroCall(const A::Expr &E, const char *Name) {
  auto *C = dyn_cast<A::Call>(&E);
  if (!C)
    return nullptr;
  std::optional<std::string> Q = staticPath(*C->Func);
  return Q && *Q == Name ? C : nullptr;
}

/// `x.normal_(...)`, `lst.append(v)`, `torch.Tensor.scatter_add_(x, ...)`: an
/// in-place call whose receiver (\p Receiver) is rebound.
bool Lowerer::isInPlaceCall(const A::Expr &E, const A::Expr **Receiver) {
  auto *C = dyn_cast<A::Call>(&E);
  if (!C)
    return false;
  auto *At = dyn_cast<A::Attribute>(C->Func.get());
  if (!At)
    return false;
  bool InPlaceName = (!At->Attr.empty() && At->Attr.back() == '_' && At->Attr.front() != '_') ||
                     At->Attr == "append";
  if (!InPlaceName)
    return false;
  if (std::optional<std::string> Q = staticPath(*C->Func)) {
    // Explicit form `torch.Tensor.m_(x, ...)` / `list.append(lst, v)`.
    if (!(startsWith(*Q, "torch.Tensor.") || *Q == "list.append") || C->Args.empty() ||
        C->Args[0].K != A::Arg::Kind::Positional)
      return false;
    *Receiver = C->Args[0].Value.get();
  } else {
    if (staticPath(*At->Value))
      return false;
    *Receiver = At->Value.get();
  }
  // The receiver must be a store target rooted at a variable.
  const A::Expr *R = *Receiver;
  while (true) {
    if (auto *Ra = dyn_cast<A::Attribute>(R))
      R = Ra->Value.get();
    else if (auto *Rs = dyn_cast<A::Subscript>(R))
      R = Rs->Value.get();
    else
      break;
  }
  auto *Root = dyn_cast<A::Name>(R);
  if (!Root)
    return false;
  Binding *B = lookup(Root->Id);
  return B && B->K == Binding::Kind::Var;
}

bool Lowerer::checkHoist(const SourceLoc &L, const std::string &What) {
  if (NoHoist.empty())
    return true;
  unsupported(L, What + " " + NoHoist.back() +
                     " is not supported; assign it to a variable in a statement before");
  return false;
}

//===-- Programs ----------------------------------------------------------------===//

/// The constructor call of \p Cls that passes, for each parameter of its own
/// __init__ without a default, an input of that name (bound in \p Inputs, a
/// new scope under the module's). No parameter lacks a default: a call
/// without arguments, and \p Inputs stays null.
const A::Call *Lowerer::inputsCall(const A::ClassDef &Cls, Scope *&Inputs) {
  A::Call &C = SyntheticCalls.emplace_back();
  C.Loc = Cls.Loc;
  const A::FunctionDef *Init = nullptr;
  for (const A::StmtPtr &S : Cls.Inner)
    if (auto *F = dyn_cast<A::FunctionDef>(S.get()); F && F->Name == "__init__")
      Init = F;
  if (!Init)
    return &C;
  for (size_t K = 1; K < Init->Params.size(); ++K) {
    const A::Param &Pm = Init->Params[K];
    if (Pm.K != A::Param::Kind::Normal || Pm.Default)
      continue;
    if (!Inputs) {
      Inputs = &Scopes.emplace_back();
      Inputs->Parent = ModuleScope;
    }
    Binding B;
    B.Var = addVar(Pm.Name + "@" + Cls.Name, VarKind::Input, Pm.Loc);
    P.Inputs.push_back(B.Var);
    Inputs->Names[Pm.Name] = B;
    A::Arg &Ar = C.Args.emplace_back();
    Ar.K = A::Arg::Kind::Keyword;
    Ar.Name = Pm.Name;
    Ar.Loc = Pm.Loc;
    auto N = std::make_unique<A::Name>();
    N->Id = Pm.Name;
    N->Loc = Pm.Loc;
    Ar.Value = std::move(N);
  }
  return &C;
}

void Lowerer::run(const A::Module &M, const A::FunctionDef &Entry, const A::ClassDef *EntryClass,
                  const std::set<std::string> &GivenInputs, const A::Call *EntryCondition) {
  Scopes.emplace_back();
  ModuleScope = &Scopes.back();
  Cur = ModuleScope;
  MainFile = M.File;

  // The module-level statements the entry reaches, in order; the rest
  // (argparse set-up, main(), plotting, unused code) is never analysed.
  std::set<std::string> Roots;
  if (EntryClass)
    Roots.insert(EntryClass->Name);
  if (EntryCondition)
    for (const A::Arg &Ar : EntryCondition->Args)
      for (const std::string &N : exprNames(*Ar.Value))
        Roots.insert(N);
  const std::vector<bool> Reached = reachedStatements(M, {&Entry}, Roots);
  for (size_t I = 0; I < M.Stmts.size(); ++I)
    if (Reached[I])
      lowerModuleStmt(*M.Stmts[I], P.Body);
  // Its data is evaluated at module level, where the handler was built.
  if (EntryCondition) {
    std::optional<std::string> Q = staticPath(*EntryCondition->Func);
    if (Q && *Q == "pyro.poutine.reparam") {
      if (std::optional<ReparamFrame> F = reparamFrame(*EntryCondition))
        Reparams.push_back(std::move(*F));
    } else if (Q && *Q == "functools.partial") {
      // Its arguments (after fn) bind the entry's first parameters and those
      // named, evaluated here, where the partial object was built. One built
      // inside a function (main()) binds values svic does not know: those
      // parameters stay inputs.
      const bool AtModuleLevel = std::any_of(M.Stmts.begin(), M.Stmts.end(), [&](const A::StmtPtr &S) {
        auto *As = dyn_cast<A::Assign>(S.get());
        return As && As->Value.get() == EntryCondition;
      });
      size_t Position = 0;
      for (const A::Arg &Ar : EntryCondition->Args) {
        if (!AtModuleLevel)
          break;
        const std::string *Name = nullptr;
        if (Ar.K == A::Arg::Kind::Positional && Position++ > 0) {
          size_t Slot = Position - 2;
          while (Slot < Entry.Params.size() && Entry.Params[Slot].K != A::Param::Kind::Normal)
            ++Slot;
          if (Slot < Entry.Params.size())
            Name = &Entry.Params[Slot].Name;
        } else if (Ar.K == A::Arg::Kind::Keyword && Ar.Name != "func") {
          Name = &Ar.Name;
        } else if (Ar.K != A::Arg::Kind::Positional) {
          unsupported(Ar.Loc, "functools.partial is modelled with positional and keyword "
                              "arguments only");
          continue;
        }
        if (Name)
          PartialArgs[*Name] = Ar.Value.get();
      }
    } else if (!Q || !isConditionHandler(*Q))
      unsupported(EntryCondition->Loc, "the entry '" + text(*EntryCondition->Func) +
                                           "(...)' is not a pyro.condition, poutine.reparam "
                                           "or functools.partial handler");
    else if (std::optional<ConditionFrame> F = conditionFrame(*EntryCondition, /*Applied=*/true, P.Body))
      Conditions.push_back(std::move(*F));
  }

  // An entry method runs on one object of its class, built with the
  // arguments of a constructor call in the file whose arguments are all
  // literals, else with the parameter defaults, and a parameter without one
  // is an input (`Net(args.hidden)` in main()).
  std::optional<Fact> SelfFact;
  Scope *CtorInputs = nullptr;
  if (EntryClass) {
    std::vector<const A::Call *> Calls;
    findCalls(M, EntryClass->Name, Calls);
    // A class defined more than once at module level (in a notebook's
    // cells): its constructor calls are those after this definition and
    // before the next one.
    for (const A::StmtPtr &S : M.Stmts)
      if (auto *C = dyn_cast<A::ClassDef>(S.get());
          C && C != EntryClass && C->Name == EntryClass->Name)
        Calls.erase(std::remove_if(Calls.begin(), Calls.end(),
                                   [&](const A::Call *X) {
                                     const bool Later = EntryClass->Loc < C->Loc;
                                     return Later ? C->Loc < X->Loc : X->Loc < EntryClass->Loc;
                                   }),
                    Calls.end());
    A::Call NoArgs;
    NoArgs.Loc = EntryClass->Loc;
    const A::Call *Ctor = &NoArgs;
    for (const A::Call *C : Calls) {
      bool Static = std::all_of(C->Args.begin(), C->Args.end(), [](const A::Arg &Ar) {
        const A::Expr *V = Ar.Value.get();
        if (auto *U = dyn_cast<A::UnaryOp>(V))
          V = U->Operand.get();
        return (Ar.K == A::Arg::Kind::Positional || Ar.K == A::Arg::Kind::Keyword) &&
               isa<A::Constant>(V);
      });
      if (Static) {
        Ctor = C;
        break;
      }
    }
    if (Ctor == &NoArgs)
      Ctor = inputsCall(*EntryClass, CtorInputs);
    if (CtorInputs)
      Cur = CtorInputs;
    ExprPtr Obj = instantiate(*EntryClass, ModuleScope, *Ctor, P.Body);
    Cur = ModuleScope;
    SelfFact = instanceFact(InstanceValues[Obj.get()]);
  }

  // The entry function: parameters are free inputs.
  Scopes.emplace_back();
  Scope *Fn = &Scopes.back();
  Fn->Parent = ModuleScope;
  Fn->IsFunction = true;
  collectLocals(Entry.Inner, Fn->Locals);
  for (const A::Param &Pm : Entry.Params)
    if (!Pm.Name.empty())
      Fn->Locals.insert(Pm.Name);
  Cur = Fn;
  EntryScope = Fn;
  bool SelfBound = false;
  if (SelfFact && !Entry.Params.empty() && Entry.Params[0].K == A::Param::Kind::Normal) {
    VarId V = addVar(Entry.Params[0].Name, VarKind::User, Entry.Params[0].Loc);
    Binding B;
    B.Var = V;
    Fn->Names[Entry.Params[0].Name] = B;
    fact(V) = *SelfFact;
    SelfBound = true;
  }
  if (Entry.IsAsync)
    unsupported(Entry.Loc, "async functions are not supported; use a plain def");
  for (const A::ExprPtr &D : Entry.Decorators)
    if (!isHandlerDecorator(*D))
      unsupported(D->Loc, "decorators are not supported; remove '@" + text(*D) +
                              "' (svic accepts @poutine.scale(scale=...), "
                              "@poutine.mask(mask=...), @poutine.block(...), "
                              "@poutine.reparam(config=...) and @torch.no_grad())");
  for (const A::Param &Pm : Entry.Params) {
    if (SelfBound && &Pm == &Entry.Params[0])
      continue;
    switch (Pm.K) {
    case A::Param::Kind::Normal: {
      // A literal default the caller does not override is the value, and so
      // is the value a functools.partial entry gives.
      ExprPtr Default;
      if (auto It = PartialArgs.find(Pm.Name); It != PartialArgs.end()) {
        Scope *Saved = Cur;
        Cur = ModuleScope;
        Default = lowerExpr(*It->second, P.Body);
        Cur = Saved;
      } else if (!GivenInputs.count(Pm.Name)) {
        Default = literalDefault(Pm.Default.get());
      }
      VarId V = addVar(Pm.Name, Default ? VarKind::User : VarKind::Input, Pm.Loc);
      Binding B;
      B.Var = V;
      Fn->Names[Pm.Name] = B;
      if (Default)
        assign(P.Body, V, std::move(Default), Pm.Loc);
      else
        P.Inputs.push_back(V);
      break;
    }
    case A::Param::Kind::VarArgs:
    case A::Param::Kind::VarKeywords:
      EntryVariadics.insert(Pm.Name);
      break;
    case A::Param::Kind::KwOnlyMarker:
    case A::Param::Kind::PosOnlyMarker:
      break;
    }
  }
  checkReturns(Entry.Inner, true);
  FirstCallVar = static_cast<VarId>(P.numVars());
  Functions.push_back(FunctionCtx{&Entry, true, 0});
  // `config_enumerate(model)` anywhere in the file (often in main()): Pyro
  // runs that wrapper as the entry. An ELBO that enumerates built anywhere
  // in the file sums the marked sites out.
  std::vector<const A::Call *> Calls;
  findCalls(M, "config_enumerate", Calls, true);
  for (const A::Call *C : Calls) {
    const A::Expr *Fn = nullptr;
    for (const A::Arg &Arg : C->Args)
      if (Arg.K == A::Arg::Kind::Positional ||
          (Arg.K == A::Arg::Kind::Keyword && Arg.Name == "guide")) {
        Fn = Arg.Value.get();
        break;
      }
    auto *N = Fn ? dyn_cast<A::Name>(Fn) : nullptr;
    auto *At = Fn ? dyn_cast<A::Attribute>(Fn) : nullptr;
    if ((N && N->Id == Entry.Name) || (At && At->Attr == Entry.Name)) {
      EnumDefaults.push_back(enumDefault(*C, 1));
      break;
    }
  }
  for (const char *Elbo :
       {"TraceEnum_ELBO", "JitTraceEnum_ELBO", "TraceTMC_ELBO", "JitTraceTMC_ELBO"}) {
    Calls.clear();
    findCalls(M, Elbo, Calls, true);
    P.EnumeratingElbo = P.EnumeratingElbo || !Calls.empty();
  }
  auto LowerEntry = [&] {
    lowerDecorated(Entry, ModuleScope, P.Body, [&](Block &Out) { lowerBody(Entry.Inner, Out); });
    return true;
  };
  // Calling a PyroModule object (its forward) runs in the module's context.
  if (SelfFact && SelfFact->Inst->Pyro && (Entry.Name == "forward" || Entry.Name == "__call__"))
    inPyroCall(*SelfFact->Inst, P.Body, LowerEntry);
  else
    LowerEntry();
  Functions.pop_back();
}

ExprPtr Lowerer::literalDefault(const A::Expr *Default) {
  if (!Default)
    return nullptr;
  const A::Expr *E = Default;
  bool Negate = false;
  if (auto *U = dyn_cast<A::UnaryOp>(E); U && U->Op == A::UnaryOpKind::USub) {
    Negate = true;
    E = U->Operand.get();
  }
  auto *C = dyn_cast<A::Constant>(E);
  using T = A::Constant::Type;
  const bool Number = C && (C->Ty == T::Int || C->Ty == T::Float);
  if (!C || !(Number || (!Negate && (C->Ty == T::True || C->Ty == T::False || C->Ty == T::Str))))
    return nullptr;
  ExprPtr V = lowerConstant(*C);
  if (Negate) {
    auto *K = cast<ConstantExpr>(V.get());
    if (K->Ty == ConstantExpr::Type::Int)
      K->IntValue = -K->IntValue;
    else
      K->FloatValue = -K->FloatValue;
  }
  return V;
}

void Lowerer::lowerModuleStmt(const A::Stmt &S, Block &Out) {
  // A reached try at module level (`try: import x` / `except ImportError:`):
  // the path without an exception.
  if (auto *T = dyn_cast<A::Try>(&S)) {
    lowerBody(T->Inner, Out);
    lowerBody(T->OrElse, Out);
    lowerBody(T->Finally, Out);
    return;
  }
  lowerStmt(S, Out);
}

/// A parameter default. A lambda there (`post_fn=lambda i, n, layer: None`)
/// is a value of unknown kind that depends on everything it can read (the
/// scope it is defined in): a call of it is an opaque call that may run user
/// code.
ExprPtr Lowerer::lowerDefault(const A::Expr &Default, Block &Out) {
  if (!isa<A::Lambda>(&Default))
    return lowerExpr(Default, Out);
  ExprPtr R = opaqueValue(Default);
  std::set<VarId> Captured;
  captureScope(Cur, Captured);
  for (VarId V : Captured)
    cast<CallExpr>(R.get())->Args.Args.push_back(varRef(Default.Loc, V));
  return R;
}

void Lowerer::defineFunction(const A::FunctionDef &F, Block &Out) {
  Binding B;
  B.K = Binding::Kind::Function;
  B.Fn = &F;
  B.FnScope = Cur;
  B.Region = Region;
  // Python evaluates the defaults once, here: every call shares the objects.
  for (const A::Param &Pm : F.Params)
    if (Pm.Default && !Pm.Name.empty()) {
      VarId V = newTemp("default", Pm.Default->Loc);
      bindVar(Out, V, lowerDefault(*Pm.Default, Out), Pm.Default->Loc, false);
      B.Defaults[Pm.Name] = V;
    }
  Cur->Names[F.Name] = B;
}

void Lowerer::lowerImport(const A::Stmt &S) {
  // Any module may be imported: the import only binds a name. What the entry
  // functions then call through it decides what is analysed.
  if (auto *I = dyn_cast<A::Import>(&S)) {
    for (const A::Alias &Al : I->Names) {
      // `import util` with util.py beside the file: its definitions, read
      // through `util.name`.
      if (siblingModule(Al.Name, 0, {}, I->Loc))
        SiblingImports.insert(Al.Name);
      Binding B;
      B.K = Binding::Kind::Qualified;
      if (Al.AsName.empty()) {
        B.Qual = Al.Name.substr(0, Al.Name.find('.'));
        Cur->Names[B.Qual] = B;
      } else {
        B.Qual = Al.Name;
        Cur->Names[Al.AsName] = B;
      }
    }
    return;
  }
  const auto *I = cast<A::ImportFrom>(&S);
  if (I->Module == "__future__")
    return;
  std::vector<std::string> Wanted;
  for (const A::Alias &Al : I->Names)
    Wanted.push_back(Al.Name);
  if (Scope *Sib = siblingModule(I->Module, I->Level, Wanted, I->Loc)) {
    for (const A::Alias &Al : I->Names) {
      auto It = Sib->Names.find(Al.Name);
      if (It != Sib->Names.end())
        Cur->Names[Al.AsName.empty() ? Al.Name : Al.AsName] = It->second;
    }
    return;
  }
  // A relative import keeps its dots: `.modules.Encoder` names no table row.
  const std::string Module = std::string(static_cast<size_t>(I->Level), '.') + I->Module;
  for (const A::Alias &Al : I->Names) {
    if (Al.Name == "*") {
      StarImports.push_back(Module);
      continue;
    }
    Binding B;
    B.K = Binding::Kind::Qualified;
    B.Qual = Module.empty() || Module.back() == '.' ? Module + Al.Name : Module + "." + Al.Name;
    Cur->Names[Al.AsName.empty() ? Al.Name : Al.AsName] = B;
  }
}

/// The scope of the sibling module \p Module (a file beside the model file,
/// for a relative import or a plain one), lowered as far as \p Names need it;
/// null when there is no such file.
Lowerer::Scope *Lowerer::siblingModule(const std::string &Module, int Level,
                                       const std::vector<std::string> &Names,
                                       const SourceLoc &L) {
  if (Module.empty() || Level > 1 || !MainFile)
    return nullptr;
  std::string Dir = SM.path(MainFile);
  size_t Slash = Dir.rfind('/');
  Dir = Slash == std::string::npos ? "" : Dir.substr(0, Slash + 1);
  std::string Rel = Module;
  std::replace(Rel.begin(), Rel.end(), '.', '/');
  const std::string Path = Dir + Rel + ".py";
  auto It = Siblings.find(Path);
  if (It == Siblings.end()) {
    std::string Err;
    std::ifstream Probe(Path);
    if (!Probe)
      return nullptr;
    std::optional<FileId> F = SM.loadFile(Path, Err);
    if (!F)
      return nullptr;
    std::unique_ptr<A::Module> M = parseModule(*F, SM, DE);
    if (!M) {
      error(DiagId::Syntax, L, "the sibling module '" + Path + "' imported here does not parse");
      return nullptr;
    }
    Scopes.emplace_back();
    SiblingFile File;
    File.Sc = &Scopes.back();
    File.Done.assign(M->Stmts.size(), false);
    File.M = std::move(M);
    It = Siblings.emplace(Path, std::move(File)).first;
  }
  SiblingFile &File = It->second;
  // The statements that define the names, in the module's own scope (module
  // code runs before any entry, so they go to the program's top level); for
  // a plain `import util`, its functions and classes (other names on demand,
  // siblingMember).
  std::set<std::string> Roots(Names.begin(), Names.end());
  if (Names.empty())
    for (const A::StmtPtr &St : File.M->Stmts) {
      if (auto *Fn = dyn_cast<A::FunctionDef>(St.get()))
        Roots.insert(Fn->Name);
      else if (auto *Cl = dyn_cast<A::ClassDef>(St.get()))
        Roots.insert(Cl->Name);
    }
  const std::vector<bool> Reached = reachedStatements(*File.M, {}, Roots);
  Scope *Saved = Cur;
  const InlineId SavedFrame = CurFrame;
  std::vector<int> SavedRegion;
  SavedRegion.swap(Region);
  Cur = File.Sc;
  CurFrame = 0;
  for (size_t K = 0; K < File.M->Stmts.size(); ++K)
    if (Reached[K] && !File.Done[K]) {
      File.Done[K] = true;
      lowerModuleStmt(*File.M->Stmts[K], P.Body);
    }
  Cur = Saved;
  CurFrame = SavedFrame;
  Region.swap(SavedRegion);
  return File.Sc;
}

/// `Normal` after `from pyro.distributions import *`: the qualified name of
/// \p Name in a star-imported module that svic knows, if any.
std::optional<std::string> Lowerer::starImported(const std::string &Name) {
  for (const std::string &M : StarImports) {
    std::string Q = M + "." + Name;
    if (lookupOp(Q) || lookupModule(Q) || allowedModules().count(Q) ||
        (M == "pyro.distributions" && findDistribution(Name)) ||
        startsWith(M, "torch.distributions.constraints") ||
        startsWith(M, "pyro.distributions.constraints"))
      return Q;
  }
  return std::nullopt;
}

/// The binding `util.name` reads when util is a sibling module imported with
/// `import util`, or null.
Lowerer::Binding *Lowerer::siblingMember(const A::Expr &E) {
  auto *At = dyn_cast<A::Attribute>(&E);
  if (!At || SiblingImports.empty())
    return nullptr;
  std::optional<std::string> Base = staticPath(*At->Value);
  if (!Base || !SiblingImports.count(*Base))
    return nullptr;
  Scope *Sc = siblingModule(*Base, 0, {At->Attr}, At->Loc);
  if (!Sc)
    return nullptr;
  auto M = Sc->Names.find(At->Attr);
  return M == Sc->Names.end() ? nullptr : &M->second;
}

//===-- Statements ---------------------------------------------------------------===//

void Lowerer::lowerStmt(const A::Stmt &S, Block &Out) {
  if (tooDeep(S.Loc))
    return;
  switch (S.Kind) {
  case A::StmtKind::Expr:
    lowerExprStmt(*cast<A::ExprStmt>(&S), Out);
    return;
  case A::StmtKind::Assign:
    lowerAssign(*cast<A::Assign>(&S), Out);
    return;
  case A::StmtKind::AugAssign: {
    const auto *Aug = cast<A::AugAssign>(&S);
    std::optional<BinaryOp> Op = irBinaryOp(Aug->Op);
    if (!Op) {
      unsupported(S.Loc, std::string("the '") + A::binOpSpelling(Aug->Op) +
                             "=' operator is not supported");
      return;
    }
    const A::Expr &T = *Aug->Target;
    if (!isa<A::Name>(&T) && !isa<A::Attribute>(&T) && !isa<A::Subscript>(&T)) {
      error(DiagId::Syntax, T.Loc, "invalid target of an augmented assignment");
      return;
    }
    auto B = make<BinaryExpr>(S.Loc);
    B->Op = *Op;
    B->Lhs = lowerExpr(T, Out);
    B->Rhs = lowerExpr(*Aug->Value, Out);
    // `x += v` updates a tensor or a list in place (every alias sees it) and
    // rebinds a number; where x has aliases, which one it is must be known.
    bool InPlace = false;
    if (auto *N = dyn_cast<A::Name>(&T)) {
      Binding *Bd = lookup(N->Id);
      if (Bd && Bd->K == Binding::Kind::Var && sharedWithLiveName(Bd->Var)) {
        InPlace = mutableObject(Bd->Var) || indexViewOfUnknownObject(Bd->Var);
        if (!InPlace) {
          unsupported(S.Loc, "'" + N->Id + "' may share its object with another variable, and " +
                                 "svic cannot tell whether '" + A::binOpSpelling(Aug->Op) +
                                 "=' updates it in place (a tensor or list) or rebinds it (a " +
                                 "number); write " + N->Id + " = " + N->Id + " " +
                                 A::binOpSpelling(Aug->Op) + " ...");
          return;
        }
      }
    }
    store(T, std::move(B), Out, S.Loc, InPlace || !isa<A::Name>(&T));
    return;
  }
  case A::StmtKind::AnnAssign: {
    const auto *An = cast<A::AnnAssign>(&S);
    if (An->Value) {
      ExprPtr V = lowerExpr(*An->Value, Out);
      store(*An->Target, std::move(V), Out, S.Loc);
    }
    return;
  }
  case A::StmtKind::If:
    lowerIf(*cast<A::If>(&S), Out);
    return;
  case A::StmtKind::For:
    lowerFor(*cast<A::For>(&S), Out);
    return;
  case A::StmtKind::While:
    lowerWhile(*cast<A::While>(&S), Out);
    return;
  case A::StmtKind::With:
    lowerWith(*cast<A::With>(&S), 0, Out);
    return;
  case A::StmtKind::FunctionDef: {
    const auto *F = cast<A::FunctionDef>(&S);
    if (F->IsAsync)
      unsupported(F->Loc, "async functions are not supported; use a plain def");
    for (const A::ExprPtr &D : F->Decorators)
      if (!isHandlerDecorator(*D))
        unsupported(D->Loc, "decorators are not supported; remove '@" + text(*D) +
                                "' (svic accepts @poutine.scale(scale=...), "
                                "@poutine.mask(mask=...), @poutine.block(...), "
                                "@poutine.reparam(config=...) and @torch.no_grad())");
    defineFunction(*F, Out);
    return;
  }
  case A::StmtKind::Return:
    lowerReturn(*cast<A::Return>(&S), Out);
    return;
  case A::StmtKind::Pass:
    return;
  case A::StmtKind::Assert: {
    auto St = make<AssertStmt>(S.Loc);
    St->Cond = lowerExpr(*cast<A::Assert>(&S)->Test, Out);
    Out.push_back(std::move(St));
    return;
  }
  case A::StmtKind::Import:
  case A::StmtKind::ImportFrom:
    lowerImport(S);
    return;
  case A::StmtKind::ClassDef:
    defineClass(*cast<A::ClassDef>(&S), Out);
    return;
  case A::StmtKind::Try:
    unsupported(S.Loc, "try statements are not supported");
    return;
  case A::StmtKind::Unsupported: {
    const auto *U = cast<A::UnsupportedStmt>(&S);
    unsupported(S.Loc, U->What + " are not supported" + (U->Hint.empty() ? "" : "; " + U->Hint));
    return;
  }
  }
}

void Lowerer::lowerReturn(const A::Return &S, Block &Out) {
  if (Functions.empty()) {
    error(DiagId::Syntax, S.Loc, "'return' outside a function");
    return;
  }
  // Lowering the value may inline further helpers, which grows Functions:
  // keep an index, not a reference into it.
  const size_t Current = Functions.size() - 1;
  if (Functions[Current].IsEntry) {
    auto R = make<ReturnStmt>(S.Loc);
    if (S.Value)
      R->Value = lowerExpr(*S.Value, Out);
    Out.push_back(std::move(R));
    return;
  }
  ExprPtr V = S.Value ? lowerExpr(*S.Value, Out) : constNone(S.Loc);
  if (Functions[Current].RetVar)
    bindVar(Out, Functions[Current].RetVar, std::move(V), S.Loc, false);
}

void Lowerer::lowerExprStmt(const A::ExprStmt &S, Block &Out) {
  const A::Expr &E = *S.Value;
  // Docstrings and other bare constants.
  if (isa<A::Constant>(&E) || isa<A::FString>(&E))
    return;
  const A::Expr *Recv = nullptr;
  if (isInPlaceCall(E, &Recv)) {
    ExprPtr V = lowerCall(*cast<A::Call>(&E), Out);
    store(*Recv, std::move(V), Out, S.Loc, true);
    return;
  }
  if (auto *C = dyn_cast<A::Call>(&E)) {
    bool Emitted = false;
    ExprPtr V = lowerCall(*C, Out, std::nullopt, &Emitted);
    if (Emitted || !V || isa<VarRefExpr>(V.get()) || isa<ConstantExpr>(V.get()))
      return;
    if (auto *Call = dyn_cast<CallExpr>(V.get()); Call && Call->Op == OpId::OpaqueCall) {
      lowerOpaqueStatement(*C, std::move(V), Out, S.Loc);
      return;
    }
    auto St = make<ExprStmt>(S.Loc);
    St->Value = std::move(V);
    Out.push_back(std::move(St));
    return;
  }
  ExprPtr V = lowerExpr(E, Out);
  if (isa<VarRefExpr>(V.get()) || isa<ConstantExpr>(V.get()))
    return;
  auto St = make<ExprStmt>(S.Loc);
  St->Value = std::move(V);
  Out.push_back(std::move(St));
}

void Lowerer::lowerAssign(const A::Assign &S, Block &Out) {
  const A::Expr &Value = *S.Value;
  // `f = lambda v: ...`: f names a helper function defined here.
  if (auto *L = dyn_cast<A::Lambda>(&Value); L && S.Targets.size() == 1 &&
                                             isa<A::Name>(S.Targets[0].get())) {
    Binding B;
    B.K = Binding::Kind::Function;
    B.Fn = L->Fn.get();
    B.FnScope = Cur;
    Cur->Names[cast<A::Name>(S.Targets[0].get())->Id] = B;
    return;
  }
  // `self.w = PyroSample(prior)` / `PyroParam(init, ...)` in a PyroModule.
  if (auto *At = S.Targets.size() == 1 ? dyn_cast<A::Attribute>(S.Targets[0].get()) : nullptr)
    if (std::shared_ptr<Instance> I = instanceOf(*At->Value); I && I->Pyro)
      if (lowerPyroAttrAssign(*I, *At, Value, Out))
        return;
  // A plate object: remembered, not evaluated (`p = pyro.plate(...)`).
  if (S.Targets.size() == 1 && isa<A::Name>(S.Targets[0].get())) {
    const auto &Name = cast<A::Name>(S.Targets[0].get())->Id;
    if (const A::Call *PC = pyroCall(Value, "pyro.plate")) {
      std::optional<PlateInfo> Plate = lowerPlate(*PC, Out);
      VarId V = varForStore(Name, S.Targets[0]->Loc);
      Fact F;
      F.Region = Region;
      if (Plate) {
        F.K = Fact::Kind::Plate;
        F.Plate = std::make_shared<PlateInfo>(std::move(*Plate));
      }
      fact(V) = std::move(F);
      return;
    }
    if (auto *N = dyn_cast<A::Name>(&Value)) {
      Binding *B = lookup(N->Id);
      if (B && B->K == Binding::Kind::Var && fact(B->Var).K == Fact::Kind::Plate) {
        VarId V = varForStore(Name, S.Targets[0]->Loc);
        Fact F = fact(B->Var);
        if (F.Invalid.empty() && !regionDominates(F.Region))
          F.Invalid = "it is assigned in a branch or loop";
        F.Region = Region;
        fact(V) = std::move(F);
        return;
      }
    }
    // `x = pyro.sample(...)` and friends bind their target directly.
    if (auto *C = dyn_cast<A::Call>(&Value)) {
      std::optional<std::string> Q = staticPath(*C->Func);
      if (Q && (*Q == "pyro.sample" || *Q == "pyro.param" || *Q == "pyro.module" ||
                *Q == "pyro.deterministic")) {
        VarId V = varForStore(Name, S.Targets[0]->Loc);
        detachAliases(Out, V, S.Targets[0]->Loc);
        staleFactsReading(V);
        ListVars.erase(V);
        bool Emitted = false;
        ExprPtr R = lowerCall(*C, Out, V, &Emitted);
        if (!Emitted && R)
          assign(Out, V, std::move(R), S.Loc);
        return;
      }
    }
  }
  const A::Expr *Recv = nullptr;
  if (S.Targets.size() == 1 && isInPlaceCall(Value, &Recv)) {
    ExprPtr V = lowerCall(*cast<A::Call>(&Value), Out);
    store(*Recv, std::move(V), Out, S.Loc, true);
    const A::Expr &T = *S.Targets[0];
    auto *TN = dyn_cast<A::Name>(&T);
    auto *RN = dyn_cast<A::Name>(Recv);
    if (!(TN && RN && TN->Id == RN->Id))
      store(T, lowerExpr(*Recv, Out), Out, S.Loc);
    return;
  }
  ExprPtr V = lowerExpr(Value, Out);
  if (S.Targets.size() == 1) {
    store(*S.Targets[0], std::move(V), Out, S.Loc);
    return;
  }
  // `a = b = e`: evaluate once.
  VarId Tmp = newTemp("tmp", S.Loc);
  assign(Out, Tmp, std::move(V), S.Loc);
  for (const A::ExprPtr &T : S.Targets)
    store(*T, varRef(T->Loc, Tmp), Out, S.Loc);
}

void Lowerer::store(const A::Expr &Target, ExprPtr Value, Block &Out, const SourceLoc &L,
                    bool Mutates) {
  if (auto *N = dyn_cast<A::Name>(&Target)) {
    // An in-place update changes the object the name reads (a global or a
    // closure variable too); only a rebinding makes a local.
    Binding *B = Mutates ? lookup(N->Id) : nullptr;
    VarId V = B && B->K == Binding::Kind::Var ? B->Var : varForStore(N->Id, Target.Loc);
    bindVar(Out, V, std::move(Value), L, Mutates);
    return;
  }
  if (auto *Seq = dyn_cast<A::Sequence>(&Target); Seq && Target.Kind != A::ExprKind::Set) {
    auto *Lit = dyn_cast<SequenceExpr>(Value.get());
    bool Starred = std::any_of(Seq->Elts.begin(), Seq->Elts.end(),
                               [](const A::ExprPtr &E) { return isa<A::Starred>(E.get()); });
    if (Lit && !Starred && Lit->Elements.size() == Seq->Elts.size()) {
      // `a, b = x, y`: every value into a temp first (Python evaluates the
      // right side before it binds), each temp the same object as its value.
      std::vector<VarId> Tmps;
      for (ExprPtr &X : Lit->Elements) {
        Tmps.push_back(newTemp("tuple", L));
        bindVar(Out, Tmps.back(), std::move(X), L, false);
      }
      for (size_t I = 0; I < Seq->Elts.size(); ++I)
        store(*Seq->Elts[I], varRef(Seq->Elts[I]->Loc, Tmps[I]), Out, L);
      return;
    }
    VarId Tmp = newTemp("tuple", L);
    assign(Out, Tmp, std::move(Value), L);
    for (size_t I = 0; I < Seq->Elts.size(); ++I) {
      const A::Expr &Elt = *Seq->Elts[I];
      if (isa<A::Starred>(&Elt)) {
        unsupported(Elt.Loc, "starred assignment targets are not supported; index the value");
        continue;
      }
      auto Sub = make<SubscriptExpr>(Elt.Loc);
      Sub->Base = varRef(Elt.Loc, Tmp);
      Sub->Indices.push_back(constInt(Elt.Loc, static_cast<int64_t>(I)));
      store(Elt, std::move(Sub), Out, L);
    }
    return;
  }
  if (auto *At = dyn_cast<A::Attribute>(&Target)) {
    if (std::shared_ptr<Instance> I = instanceOf(*At->Value)) {
      if (auto A = I->PyroAttrs.find(At->Attr); A != I->PyroAttrs.end()) {
        // A plain value shadows a PyroSample; it updates a PyroParam's value.
        if (A->second.K == PyroAttr::Kind::Param) {
          unsupported(Target.Loc, "assigning to the PyroParam attribute '" + At->Attr +
                                      "' is not modelled; assign a new PyroParam");
          return;
        }
        I->PyroAttrs.erase(A);
      }
      VarId &V = I->Fields[At->Attr];
      if (!V)
        V = addVar(At->Attr + I->Suffix, VarKind::User, Target.Loc);
      auto *PC = dyn_cast<CallExpr>(Value.get());
      if (PC && PC->Op == OpId::Parameter)
        ParameterFields.insert(V);
      else
        ParameterFields.erase(V);
      assign(Out, V, std::move(Value), L);
      if (const Fact &F = fact(V); I->Pyro && F.K == Fact::Kind::Instance && F.Inst->Pyro)
        adoptPyroModule(*F.Inst, pyroFullName(I->PyroName, At->Attr), I->Ctx);
      return;
    }
  }
  // `self.lin.weight.data = torch.eye(d)`: an update of the library module
  // held in the field, as `lin.weight.data = ...` is of a variable (the
  // object itself stays the module; `self` is not rebound).
  if (auto *At = dyn_cast<A::Attribute>(&Target)) {
    std::vector<std::string> Path{At->Attr};
    for (auto *Node = dyn_cast<A::Attribute>(At->Value.get()); Node;
         Node = dyn_cast<A::Attribute>(Node->Value.get())) {
      if (std::optional<VarId> M = libraryModuleVar(*Node)) {
        auto U = make<AttrUpdateExpr>(Target.Loc);
        U->Base = varRef(Target.Loc, *M);
        U->Path = std::move(Path);
        U->Value = std::move(Value);
        bindVar(Out, *M, std::move(U), L, true);
        return;
      }
      Path.insert(Path.begin(), Node->Attr);
    }
  }
  if (isa<A::Attribute>(&Target)) {
    std::vector<std::string> Path;
    const A::Expr *Base = &Target;
    while (auto *At = dyn_cast<A::Attribute>(Base)) {
      Path.insert(Path.begin(), At->Attr);
      Base = At->Value.get();
    }
    if (staticPath(*Base)) {
      unsupported(Target.Loc,
                  "assigning to an attribute of module '" + text(*Base) + "' is not supported");
      return;
    }
    auto U = make<AttrUpdateExpr>(Target.Loc);
    U->Base = lowerExpr(*Base, Out);
    U->Path = std::move(Path);
    U->Value = std::move(Value);
    store(*Base, std::move(U), Out, L, true);
    return;
  }
  if (auto *Sub = dyn_cast<A::Subscript>(&Target)) {
    auto U = make<IndexUpdateExpr>(Target.Loc);
    U->Base = lowerExpr(*Sub->Value, Out);
    U->Indices = lowerIndices(*Sub, Out);
    U->Value = std::move(Value);
    store(*Sub->Value, std::move(U), Out, L, true);
    return;
  }
  if (isa<A::Starred>(&Target)) {
    unsupported(Target.Loc, "starred assignment targets are not supported; index the value");
    return;
  }
  error(DiagId::Syntax, Target.Loc, "cannot assign to '" + text(Target) + "'");
}

void Lowerer::bindVar(Block &Out, VarId V, ExprPtr Value, const SourceLoc &L, bool Mutates) {
  if (Mutates) {
    if (!checkNotPersistent(V, L))
      return;
    assign(Out, V, std::move(Value), L);
    for (std::set<VarId> &M : LoopMutated)
      M.insert(V);
    propagateMutation(Out, V, L);
    return;
  }
  detachAliases(Out, V, L);
  staleFactsReading(V);
  ListVars.erase(V);
  if (isa<SequenceExpr>(Value.get()) ? Value->Kind == ExprKind::List : isa<DictExpr>(Value.get()))
    ListVars.insert(V);
  noteAlias(Out, V, Value, L);
  assign(Out, V, std::move(Value), L);
}

void Lowerer::detachAliases(Block &Out, VarId V, const SourceLoc &L) {
  if (!hasAliases(V))
    return;
  if (!sharedWithLiveName(V)) {
    // No other name can reach the old object: the group is gone.
    Aliases.erase(std::remove_if(Aliases.begin(), Aliases.end(),
                                 [&](const AliasEdge &E) { return E.View == V || E.Base == V; }),
                  Aliases.end());
    return;
  }
  // V leaves its group; a temp keeps the old object in it. It is assigned
  // only where an alias of V holds (one made in a sibling branch does not:
  // V may be unbound here, and that alias can never be followed from here).
  VarId Ghost = newTemp("alias", L);
  bool Holds = false;
  for (AliasEdge &E : Aliases) {
    if (E.View != V && E.Base != V)
      continue;
    Holds = Holds || regionDominates(E.Region);
    (E.View == V ? E.View : E.Base) = Ghost;
  }
  if (Holds)
    assign(Out, Ghost, varRef(L, V), L);
  if (ListVars.count(V))
    ListVars.insert(Ghost);
}

void Lowerer::noteAlias(Block &Out, VarId V, ExprPtr &Value, const SourceLoc &L) {
  AliasEdge E;
  E.View = V;
  E.Region = Region;
  E.Loc = L;
  if (auto *R = dyn_cast<VarRefExpr>(Value.get())) {
    const Fact &F = fact(R->Var);
    if (R->Var == V || F.K == Fact::Kind::Dist || F.K == Fact::Kind::Plate ||
        F.K == Fact::Kind::String || F.K == Fact::Kind::Template)
      return; // immutable objects, or objects svic tracks statically
    E.K = AliasEdge::Kind::Same;
    E.Base = R->Var;
    if (ListVars.count(R->Var))
      ListVars.insert(V);
  } else if (auto *S = dyn_cast<SubscriptExpr>(Value.get())) {
    auto *R = dyn_cast<VarRefExpr>(S->Base.get());
    if (!R || R->Var == V)
      return;
    // Basic indexing (ints, slices, None, ...) makes a view; an index that
    // may be a tensor or a list is advanced indexing, which copies.
    for (ExprPtr &I : S->Indices) {
      if (!I || isa<ConstantExpr>(I.get()) || isa<EllipsisExpr>(I.get()))
        continue;
      if (isa<SequenceExpr>(I.get()) || isa<CompareExpr>(I.get()) || certainlyTensor(*I))
        return;
      auto Freeze = [&](ExprPtr &X) {
        if (!X || isa<ConstantExpr>(X.get()))
          return;
        auto *U = dyn_cast<UnaryExpr>(X.get());
        auto *R = dyn_cast<VarRefExpr>(X.get());
        if ((U && isa<ConstantExpr>(U->Operand.get())) || (R && LoopIndexVars.count(R->Var)))
          return;
        VarId T = newTemp("index", L);
        SourceLoc XL = X->Loc;
        assign(Out, T, std::move(X), L);
        X = varRef(XL, T);
      };
      if (auto *Sl = dyn_cast<SliceExpr>(I.get())) {
        Freeze(Sl->Lower);
        Freeze(Sl->Upper);
        Freeze(Sl->Step);
      } else {
        Freeze(I);
      }
    }
    E.K = AliasEdge::Kind::Index;
    E.Base = R->Var;
    for (const ExprPtr &I : S->Indices)
      E.Idx.push_back(I ? cloneExpr(*I, P) : nullptr);
  } else if (auto *C = dyn_cast<CallExpr>(Value.get())) {
    bool Reshape = C->Op == OpId::Reshape || C->Op == OpId::View || C->Op == OpId::Squeeze ||
                   C->Op == OpId::Unsqueeze || C->Op == OpId::Flatten;
    bool Expand = C->Op == OpId::Expand || C->Op == OpId::ExpandAs;
    auto *R = C->Args.Args.empty() ? nullptr : dyn_cast<VarRefExpr>(C->Args.Args[0].get());
    if (!(Reshape || Expand) || !R || R->Var == V)
      return;
    E.K = Reshape ? AliasEdge::Kind::Reshape : AliasEdge::Kind::Expand;
    E.Base = R->Var;
  } else {
    return;
  }
  for (const std::set<VarId> &M : LoopMutated)
    if (M.count(V) || M.count(E.Base)) {
      // An earlier update in this loop body runs again in the next
      // iteration, when this alias already exists.
      unsupported(L, "'" + varName(V) + "' shares its object with '" + varName(E.Base) +
                         "', which this loop updates in place before the alias is made; " +
                         "svic cannot follow the update into the next iteration");
      return;
    }
  Aliases.push_back(std::move(E));
}

void Lowerer::propagateMutation(Block &Out, VarId M, const SourceLoc &L) {
  std::set<VarId> Done{M};
  std::deque<VarId> Work{M};
  while (!Work.empty()) {
    VarId C = Work.front();
    Work.pop_front();
    for (size_t K = 0; K < Aliases.size(); ++K) {
      const AliasEdge &E = Aliases[K];
      if (E.View != C && E.Base != C)
        continue;
      bool FromBase = E.Base == C;
      VarId O = FromBase ? E.View : E.Base;
      if (Done.count(O))
        continue;
      if (!regionDominates(E.Region)) {
        unsupported(L, "'" + varName(C) + "' may share its object with '" + varName(O) +
                           "' (made in a branch or loop at line " + std::to_string(E.Loc.Line) +
                           "), so svic cannot tell which objects this in-place update changes");
        return;
      }
      auto Shape = [&](VarId X) {
        auto At = make<AttributeExpr>(L);
        At->Base = varRef(L, X);
        At->Name = "shape";
        return At;
      };
      ExprPtr New;
      switch (E.K) {
      case AliasEdge::Kind::Same:
        New = varRef(L, C);
        break;
      case AliasEdge::Kind::Index:
        if (FromBase) {
          auto S = make<SubscriptExpr>(L);
          S->Base = varRef(L, C);
          for (const ExprPtr &I : E.Idx)
            S->Indices.push_back(I ? cloneExpr(*I, P) : nullptr);
          New = std::move(S);
        } else {
          auto U = make<IndexUpdateExpr>(L);
          U->Base = varRef(L, O);
          for (const ExprPtr &I : E.Idx)
            U->Indices.push_back(I ? cloneExpr(*I, P) : nullptr);
          U->Value = varRef(L, C);
          New = std::move(U);
        }
        break;
      case AliasEdge::Kind::Reshape:
      case AliasEdge::Kind::Expand: {
        if (!FromBase && E.K == AliasEdge::Kind::Expand) {
          unsupported(L, "'" + varName(C) + "' is an expanded view of '" + varName(O) +
                             "'; torch rejects most in-place writes through one, and svic does " +
                             "not model them");
          return;
        }
        auto Call = make<CallExpr>(L);
        Call->Op = E.K == AliasEdge::Kind::Expand ? OpId::Expand : OpId::Reshape;
        Call->Args.Args.push_back(varRef(L, C));
        Call->Args.Args.push_back(Shape(O));
        New = std::move(Call);
        break;
      }
      }
      if (!checkNotPersistent(O, L))
        return;
      // Written directly: the aliases already hold the updated object.
      assign(Out, O, std::move(New), L);
      Done.insert(O);
      Work.push_back(O);
    }
  }
}

void Lowerer::invalidateLoopVariant(const A::Body &Loop, const SourceLoc &LoopLoc) {
  std::set<std::string> Names;
  collectAssigned(Loop, Names);
  for (const std::string &N : Names) {
    Binding *B = lookup(N);
    if (!B || B->K != Binding::Kind::Var)
      continue;
    Fact &F = fact(B->Var);
    if (F.K == Fact::Kind::None || F.K == Fact::Kind::Module || F.K == Fact::Kind::Instance ||
        F.K == Fact::Kind::ModuleList)
      continue;
    F.Invalid = "it changes between iterations of the loop at line " + std::to_string(LoopLoc.Line);
  }
}

/// Whether a branch of \p S binds a name to a distribution built there
/// (`d = dist.Normal(...)`, `d = TransformedDistribution(...)`, with
/// `.to_event(...)`, `.mask(...)`, ... after it).
bool Lowerer::assignsDistribution(const A::If &S) {
  std::function<bool(const A::Expr &)> IsDist = [&](const A::Expr &E) {
    auto *C = dyn_cast<A::Call>(&E);
    if (!C)
      return false;
    if (std::optional<std::string> Q = staticPath(*C->Func))
      return startsWith(*Q, "pyro.distributions.") || startsWith(*Q, "torch.distributions.");
    auto *At = dyn_cast<A::Attribute>(C->Func.get());
    static const std::set<std::string> Methods = {"to_event", "independent", "expand", "expand_by",
                                                  "mask"};
    return At && Methods.count(At->Attr) && IsDist(*At->Value);
  };
  for (const A::Body *B : {&S.Then, &S.OrElse})
    for (const A::StmtPtr &St : *B)
      if (auto *As = dyn_cast<A::Assign>(St.get());
          As && As->Targets.size() == 1 && isa<A::Name>(As->Targets[0].get()) && IsDist(*As->Value))
        return true;
  return false;
}

void Lowerer::lowerIf(const A::If &S, Block &Out, const A::Body *Rest, size_t RestFrom,
                      bool RestInThen) {
  auto St = make<IfStmt>(S.Loc);
  St->Cond = lowerExpr(*S.Test, Out);
  enterRegion();
  lowerBody(S.Then, St->Then);
  if (Rest && RestInThen)
    lowerBody(*Rest, St->Then, RestFrom);
  leaveRegion();
  enterRegion();
  lowerBody(S.OrElse, St->Else);
  if (Rest)
    lowerBody(*Rest, St->Else, RestFrom);
  leaveRegion();
  Out.push_back(std::move(St));
}

void Lowerer::lowerWhile(const A::While &S, Block &Out) {
  if (!S.OrElse.empty())
    unsupported(S.Loc, "while-else statements are not supported; move the else block after the "
                       "loop");
  invalidateLoopVariant(S.Loop, S.Loc);
  auto St = make<WhileStmt>(S.Loc);
  NoHoist.push_back("inside a while condition");
  St->Cond = lowerExpr(*S.Test, Out);
  NoHoist.pop_back();
  enterRegion();
  ++LoopDepth;
  LoopMutated.emplace_back();
  lowerBody(S.Loop, St->Body);
  LoopMutated.pop_back();
  --LoopDepth;
  leaveRegion();
  Out.push_back(std::move(St));
}

void Lowerer::lowerFor(const A::For &S, Block &Out) {
  if (!S.OrElse.empty())
    unsupported(S.Loc, "for-else statements are not supported; move the else block after the "
                       "loop");
  auto St = make<ForStmt>(S.Loc);
  const A::Expr *Iter = S.Iter.get();
  bool Ok = true;
  // pyro.markov(range(...)) iterates like its argument.
  if (const A::Call *Mk = pyroCall(*Iter, "pyro.markov")) {
    Bound B;
    if (bindArgs(sig(SigMarkov), *Mk, 0, 0, "pyro.markov", B) && B.Slots[0])
      Iter = B.Slots[0];
    else {
      unsupported(Iter->Loc, "pyro.markov is supported only around range(...) in a for loop");
      Ok = false;
    }
  }
  const A::Call *RangeCall = dyn_cast<A::Call>(Iter);
  std::optional<std::string> Q = RangeCall ? staticPath(*RangeCall->Func) : std::nullopt;
  bool IsPlate = pyroCall(*Iter, "pyro.plate") != nullptr;
  if (auto *N = dyn_cast<A::Name>(Iter)) {
    Binding *Bd = lookup(N->Id);
    IsPlate = Bd && Bd->K == Binding::Kind::Var && fact(Bd->Var).K == Fact::Kind::Plate;
  }
  if (Ok && !IsPlate && !(Q && *Q == "range")) {
    if (iteratesModuleList(*Iter)) {
      std::optional<std::vector<ExprPtr>> Elems = knownElements(*Iter, Out);
      if (!Elems) {
        unsupported(Iter->Loc, ModuleListLoopBounds);
        return;
      }
      for (ExprPtr &X : *Elems) {
        store(*S.Target, std::move(X), Out, S.Loc);
        lowerBody(S.Loop, Out);
      }
      return;
    }
    if (std::optional<std::vector<ExprPtr>> Elems = staticElements(*Iter, Out)) {
      for (ExprPtr &X : *Elems) {
        store(*S.Target, std::move(X), Out, S.Loc);
        lowerBody(S.Loop, Out);
      }
      return;
    }
    std::optional<SequenceLoop> Loop = sequenceLoop(*S.Target, *Iter, S.Loc, Out);
    if (!Loop)
      return;
    invalidateLoopVariant(S.Loop, S.Loc);
    enterRegion();
    ++LoopDepth;
    LoopMutated.emplace_back();
    bindSequenceTargets(*Loop);
    lowerBody(S.Loop, Loop->St->Body);
    LoopMutated.pop_back();
    --LoopDepth;
    leaveRegion();
    Out.push_back(std::move(Loop->St));
    return;
  }
  if (Ok && Q && *Q == "range") {
    St->Over = ForStmt::Iter::Range;
    Ok = rangeBounds(*RangeCall, *St, Out);
  } else if (Ok) {
    std::optional<PlateInfo> Plate = plateOf(*Iter, Out);
    if (Plate) {
      St->Over = ForStmt::Iter::Plate;
      St->Plate = std::move(*Plate);
    } else {
      Ok = false;
    }
  }
  if (auto *N = dyn_cast<A::Name>(S.Target.get())) {
    St->Index = varForStore(N->Id, N->Loc);
    LoopIndexVars.insert(St->Index);
    fact(St->Index) = Fact{};
  } else {
    unsupported(S.Target->Loc, "for loops over several targets are not supported; use one loop "
                               "variable and index with it");
    Ok = false;
  }
  invalidateLoopVariant(S.Loop, S.Loc);
  enterRegion();
  ++LoopDepth;
  LoopMutated.emplace_back();
  lowerBody(S.Loop, St->Body);
  LoopMutated.pop_back();
  --LoopDepth;
  leaveRegion();
  if (Ok)
    Out.push_back(std::move(St));
  else
    Graveyard.push_back(std::move(St));
}

/// The bounds of a loop over `range(...)` into \p St; false after an error.
bool Lowerer::rangeBounds(const A::Call &Range, ForStmt &St, Block &Out) {
  Bound B;
  if (!bindArgs(sig(SigRange), Range, 0, 0, "range", B))
    return false;
  BoundArgs Args = lowerBound(B, Range, Out);
  const bool OneArg = !Args.Args[1];
  St.Start = OneArg ? constInt(Range.Loc, 0) : std::move(Args.Args[0]);
  St.Stop = OneArg ? std::move(Args.Args[0]) : std::move(Args.Args[1]);
  St.Step = Args.Args[2] ? std::move(Args.Args[2]) : constInt(Range.Loc, 1);
  return true;
}

/// `for i, x in enumerate(xs)`, `for a, b in zip(xs, ys)` and `for x in xs`
/// over any other iterable (a list, a tuple, a tensor along its first dim, an
/// opaque value such as `d.items()`): a loop over range(len(xs)) whose targets
/// index the sequences, each evaluated once, before the loop, as Python does.
/// Nullopt after an error.
std::optional<Lowerer::SequenceLoop> Lowerer::sequenceLoop(const A::Expr &Target,
                                                           const A::Expr &Iter,
                                                           const SourceLoc &L, Block &Out) {
  const auto *C = dyn_cast<A::Call>(&Iter);
  std::optional<std::string> Q = C ? staticPath(*C->Func) : std::nullopt;
  auto *Targets = dyn_cast<A::Sequence>(&Target);
  const bool Enumerate = Q && *Q == "enumerate";
  // zip and enumerate with as many targets as sequences are unpacked here;
  // in any other form they are the opaque iterable of a plain loop.
  const bool Unpack =
      Q && (Enumerate || *Q == "zip") && Targets && Targets->Kind != A::ExprKind::Set &&
      !C->Args.empty() && (!Enumerate || C->Args.size() == 1) &&
      Targets->Elts.size() == C->Args.size() + (Enumerate ? 1 : 0) &&
      std::all_of(C->Args.begin(), C->Args.end(),
                  [](const A::Arg &Ar) { return Ar.K == A::Arg::Kind::Positional; }) &&
      (!Enumerate || isa<A::Name>(Targets->Elts[0].get()));
  if (Q && *Q == "pyro.markov") {
    unsupported(Iter.Loc, "pyro.markov is supported only around range(...) in a for loop");
    return std::nullopt;
  }
  SequenceLoop Loop;
  std::vector<VarId> Seqs;
  auto Evaluate = [&](const A::Expr &E) {
    VarId T = newTemp("iter", E.Loc);
    assign(Out, T, lowerExpr(E, Out), E.Loc);
    Seqs.push_back(T);
  };
  if (Unpack)
    for (const A::Arg &Ar : C->Args)
      Evaluate(*Ar.Value);
  else
    Evaluate(Iter);
  Loop.St = indexLoop(Seqs[0],
                      Unpack && Enumerate
                          ? varForStore(cast<A::Name>(Targets->Elts[0].get())->Id,
                                        Targets->Elts[0]->Loc)
                          : newTemp("i", L),
                      L);
  for (size_t K = 0; K < Seqs.size(); ++K)
    Loop.Targets.emplace_back(Unpack ? Targets->Elts[K + (Enumerate ? 1 : 0)].get() : &Target,
                              Seqs[K]);
  return Loop;
}

/// Python's elements of \p Iter when they are known while lowering: a list or
/// tuple display (its elements evaluated here, in order), a variable holding
/// a display of constants, a dict with constant keys (a display or a
/// variable holding one) and its `.keys()`, `.values()` and `.items()`, and
/// `enumerate` of any of these. A loop
/// over them unrolls, so a site name built from an element stays literal.
std::optional<std::vector<ExprPtr>> Lowerer::staticElements(const A::Expr &Iter, Block &Out) {
  constexpr size_t MaxUnrolled = 64;
  // enumerate(xs): the pairs (i, x).
  if (const auto *C = dyn_cast<A::Call>(&Iter);
      C && C->Args.size() == 1 && C->Args[0].K == A::Arg::Kind::Positional &&
      staticPath(*C->Func) == "enumerate") {
    std::optional<std::vector<ExprPtr>> Elems = staticElements(*C->Args[0].Value, Out);
    if (!Elems)
      return std::nullopt;
    for (size_t I = 0; I < Elems->size(); ++I) {
      auto Pair = P.makeSequence(ExprKind::Tuple, loc(Iter.Loc));
      Pair->Elements.push_back(constInt(Iter.Loc, static_cast<int64_t>(I)));
      Pair->Elements.push_back(std::move((*Elems)[I]));
      (*Elems)[I] = std::move(Pair);
    }
    return Elems;
  }
  const A::Expr *Base = &Iter;
  std::string View = "keys";
  if (const auto *C = dyn_cast<A::Call>(&Iter); C && C->Args.empty())
    if (const auto *At = dyn_cast<A::Attribute>(C->Func.get());
        At && (At->Attr == "keys" || At->Attr == "values" || At->Attr == "items")) {
      Base = At->Value.get();
      View = At->Attr;
    }
  if (const auto *D = dyn_cast<A::Dict>(Base)) {
    if (D->Keys.size() > MaxUnrolled ||
        !std::all_of(D->Keys.begin(), D->Keys.end(),
                     [](const A::ExprPtr &K) { return K && isa<A::Constant>(K.get()); }))
      return std::nullopt;
    VarId T = newTemp("dict", D->Loc);
    assign(Out, T, lowerExpr(*D, Out), D->Loc);
    return dictElements(T, View, Iter.Loc);
  }
  if (const auto *N = dyn_cast<A::Name>(Base)) {
    Binding *B = lookup(N->Id);
    if (!B || B->K != Binding::Kind::Var || !fact(B->Var).Def || !factProblem(B->Var).empty())
      return std::nullopt;
    const Fact &F = fact(B->Var);
    if (F.K == Fact::Kind::Dict)
      return dictElements(B->Var, View, Iter.Loc);
    if (F.K != Fact::Kind::Constants || Base != &Iter)
      return std::nullopt;
    std::vector<ExprPtr> Elems;
    for (const ExprPtr &X : cast<SequenceExpr>(F.Def)->Elements)
      Elems.push_back(cloneExpr(*X, P));
    return Elems;
  }
  const auto *Seq = dyn_cast<A::Sequence>(&Iter);
  if (!Seq || Seq->Kind == A::ExprKind::Set || Seq->Elts.size() > MaxUnrolled ||
      std::any_of(Seq->Elts.begin(), Seq->Elts.end(),
                  [](const A::ExprPtr &X) { return isa<A::Starred>(X.get()); }))
    return std::nullopt;
  std::vector<ExprPtr> Elems;
  for (const A::ExprPtr &X : Seq->Elts) {
    ExprPtr V = lowerExpr(*X, Out);
    if (!isa<ConstantExpr>(V.get())) {
      VarId T = newTemp("iter", X->Loc);
      assign(Out, T, std::move(V), X->Loc);
      V = varRef(X->Loc, T);
    }
    Elems.push_back(std::move(V));
  }
  return Elems;
}

/// The elements of `D.keys()`, `D.values()` or `D.items()` for a dict \p D
/// with constant keys: the keys, and the values read at each step (as
/// Python's views do).
std::optional<std::vector<ExprPtr>> Lowerer::dictElements(VarId D, const std::string &View,
                                                          const SourceLoc &L) {
  const auto *Def = fact(D).Def ? dyn_cast<DictExpr>(fact(D).Def) : nullptr;
  if (fact(D).K != Fact::Kind::Dict || !Def || !factProblem(D).empty())
    return std::nullopt;
  std::vector<ExprPtr> Elems;
  for (const ExprPtr &K : Def->Keys) {
    auto Value = [&] {
      auto Sub = make<SubscriptExpr>(L);
      Sub->Base = varRef(L, D);
      Sub->Indices.push_back(cloneExpr(*K, P));
      return Sub;
    };
    if (View == "keys") {
      Elems.push_back(cloneExpr(*K, P));
    } else if (View == "values") {
      Elems.push_back(Value());
    } else {
      auto Pair = P.makeSequence(ExprKind::Tuple, L);
      Pair->Elements.push_back(cloneExpr(*K, P));
      Pair->Elements.push_back(Value());
      Elems.push_back(std::move(Pair));
    }
  }
  return Elems;
}

/// Python's elements of \p Iter when they are known while lowering, as
/// building an nn.ModuleList needs them: those of staticElements, an
/// nn.ModuleList's members, `range(...)` with known int bounds, and `zip`,
/// `enumerate` and slices with known bounds of such sequences.
std::optional<std::vector<ExprPtr>> Lowerer::knownElements(const A::Expr &Iter, Block &Out) {
  constexpr size_t MaxUnrolled = 64;
  if (const Fact *F = moduleListOf(Iter)) {
    std::vector<ExprPtr> Elems;
    for (VarId M : F->Members)
      Elems.push_back(varRef(Iter.Loc, M));
    return Elems;
  }
  if (const auto *S = dyn_cast<A::Subscript>(&Iter);
      S && S->Indices.size() == 1 && isa<A::Slice>(S->Indices[0].get())) {
    std::optional<std::vector<ExprPtr>> Base = knownElements(*S->Value, Out);
    if (!Base)
      return std::nullopt;
    const auto &Sl = *cast<A::Slice>(S->Indices[0].get());
    auto Bound = [&](const A::ExprPtr &X, int64_t Default) -> std::optional<int64_t> {
      return X ? knownInt(*lowerExpr(*X, Out)) : std::optional<int64_t>(Default);
    };
    const auto N = static_cast<int64_t>(Base->size());
    std::optional<int64_t> Lo = Bound(Sl.Lower, 0), Hi = Bound(Sl.Upper, N),
                           Step = Bound(Sl.Step, 1);
    if (!Lo || !Hi || !Step || *Step <= 0)
      return std::nullopt;
    auto Clamp = [N](int64_t I) { return std::clamp<int64_t>(I < 0 ? I + N : I, 0, N); };
    std::vector<ExprPtr> Elems;
    for (int64_t I = Clamp(*Lo); I < Clamp(*Hi); I += *Step)
      Elems.push_back(std::move((*Base)[static_cast<size_t>(I)]));
    return Elems;
  }
  const auto *C = dyn_cast<A::Call>(&Iter);
  std::optional<std::string> Q = C ? staticPath(*C->Func) : std::nullopt;
  const bool Positional = C && std::all_of(C->Args.begin(), C->Args.end(), [](const A::Arg &A) {
                            return A.K == A::Arg::Kind::Positional;
                          });
  if (Q && *Q == "range" && Positional && !C->Args.empty() && C->Args.size() <= 3) {
    std::vector<int64_t> B;
    for (const A::Arg &A : C->Args)
      if (std::optional<int64_t> V = knownInt(*lowerExpr(*A.Value, Out)))
        B.push_back(*V);
      else
        return std::nullopt;
    const int64_t Start = B.size() == 1 ? 0 : B[0], Stop = B.size() == 1 ? B[0] : B[1],
                  Step = B.size() == 3 ? B[2] : 1;
    if (Step <= 0 || (Stop - Start) / Step > static_cast<int64_t>(MaxUnrolled))
      return std::nullopt;
    std::vector<ExprPtr> Elems;
    for (int64_t I = Start; I < Stop; I += Step)
      Elems.push_back(constInt(Iter.Loc, I));
    return Elems;
  }
  if (Q && (*Q == "zip" || *Q == "enumerate") && Positional && !C->Args.empty() &&
      (*Q == "zip" || C->Args.size() == 1)) {
    std::vector<std::vector<ExprPtr>> Seqs;
    if (*Q == "enumerate")
      Seqs.emplace_back();
    for (const A::Arg &A : C->Args) {
      std::optional<std::vector<ExprPtr>> E = knownElements(*A.Value, Out);
      if (!E)
        return std::nullopt;
      Seqs.push_back(std::move(*E));
    }
    if (*Q == "enumerate")
      for (size_t I = 0; I < Seqs[1].size(); ++I)
        Seqs[0].push_back(constInt(Iter.Loc, static_cast<int64_t>(I)));
    size_t Len = Seqs[0].size();
    for (const auto &S : Seqs)
      Len = std::min(Len, S.size());
    std::vector<ExprPtr> Elems;
    for (size_t I = 0; I < Len; ++I) {
      auto Tuple = P.makeSequence(ExprKind::Tuple, loc(Iter.Loc));
      for (auto &S : Seqs)
        Tuple->Elements.push_back(std::move(S[I]));
      Elems.push_back(std::move(Tuple));
    }
    return Elems;
  }
  return staticElements(Iter, Out);
}

/// The elements of the list \p E builds when they are known while lowering: a
/// display or anything knownElements reads, and a list comprehension (or
/// generator) whose `for` clauses all run over such sequences, unrolled.
std::optional<std::vector<ExprPtr>> Lowerer::unrolledList(const A::Expr &E, Block &Out) {
  const auto *C = dyn_cast<A::Comp>(&E);
  if (!C)
    return knownElements(E, Out);
  if (C->F != A::Comp::Form::List && C->F != A::Comp::Form::Generator)
    return std::nullopt;
  Scopes.emplace_back();
  Scope *S = &Scopes.back();
  S->Parent = Cur;
  S->Suffix = "@unrolled#" + std::to_string(++TempCount["unrolled"]);
  Scope *Saved = Cur;
  Cur = S;
  std::vector<ExprPtr> Elems;
  bool Known = true;
  unrollCompFor(*C, 0, Elems, Known, Out);
  Cur = Saved;
  return Known ? std::optional<std::vector<ExprPtr>>(std::move(Elems)) : std::nullopt;
}

/// The `for` clause \p K of \p C over known elements, and the clauses inside
/// it; \p Known becomes false when an iterable or an `if` is not known.
void Lowerer::unrollCompFor(const A::Comp &C, size_t K, std::vector<ExprPtr> &Elems, bool &Known,
                            Block &Out) {
  if (!Known)
    return;
  if (K == C.Fors.size()) {
    // Evaluated now, while the targets hold this step's values.
    VarId T = newTemp("elt", C.Elt->Loc);
    assign(Out, T, lowerExpr(*C.Elt, Out), C.Elt->Loc);
    Elems.push_back(varRef(C.Elt->Loc, T));
    return;
  }
  std::optional<std::vector<ExprPtr>> Iter = knownElements(*C.Fors[K].Iter, Out);
  if (!Iter || !C.Fors[K].Ifs.empty()) {
    Known = false;
    return;
  }
  for (ExprPtr &X : *Iter) {
    store(*C.Fors[K].Target, std::move(X), Out, C.Loc);
    unrollCompFor(C, K + 1, Elems, Known, Out);
  }
}

/// The ModuleList fact of the variable or object field \p E names, or null.
const Lowerer::Fact *Lowerer::moduleListOf(const A::Expr &E) {
  std::optional<VarId> V = moduleListVar(E);
  return V ? &fact(*V) : nullptr;
}

/// The variable or object field \p E names when it holds a ModuleList fact.
std::optional<VarId> Lowerer::moduleListVar(const A::Expr &E) {
  VarId V = 0;
  if (auto *N = dyn_cast<A::Name>(&E)) {
    Binding *B = lookup(N->Id);
    if (!B || B->K != Binding::Kind::Var)
      return std::nullopt;
    V = B->Var;
  } else if (auto *At = dyn_cast<A::Attribute>(&E)) {
    std::shared_ptr<Instance> Base = instanceOf(*At->Value);
    if (!Base)
      return std::nullopt;
    auto F = Base->Fields.find(At->Attr);
    if (F == Base->Fields.end())
      return std::nullopt;
    V = F->second;
  } else {
    return std::nullopt;
  }
  return fact(V).K == Fact::Kind::ModuleList ? std::optional<VarId>(V) : std::nullopt;
}

/// True when the loop over \p Iter runs over an nn.ModuleList (directly, a
/// slice of it, or in `zip`/`enumerate`): such a loop is unrolled, so each
/// step calls a known module.
bool Lowerer::iteratesModuleList(const A::Expr &Iter) {
  if (moduleListOf(Iter))
    return true;
  if (const auto *S = dyn_cast<A::Subscript>(&Iter))
    return iteratesModuleList(*S->Value);
  if (const auto *C = dyn_cast<A::Call>(&Iter)) {
    std::optional<std::string> Q = staticPath(*C->Func);
    if (Q && (*Q == "zip" || *Q == "enumerate"))
      return std::any_of(C->Args.begin(), C->Args.end(),
                         [&](const A::Arg &A) { return iteratesModuleList(*A.Value); });
  }
  return false;
}

/// `layers[i]` for an nn.ModuleList `layers` and a known int i: the member.
std::optional<VarId> Lowerer::moduleListMember(const A::Subscript &S, Block &Out) {
  const Fact *F = moduleListOf(*S.Value);
  if (!F || S.Indices.size() != 1 || isa<A::Slice>(S.Indices[0].get()))
    return std::nullopt;
  const std::vector<VarId> Members = F->Members; // lowering the index may move the facts
  std::optional<int64_t> I = knownInt(*lowerExpr(*S.Indices[0], Out));
  const auto N = static_cast<int64_t>(Members.size());
  if (!I || *I >= N || *I < -N) {
    unsupported(S.Loc, I ? "index " + std::to_string(*I) + " is out of range for an " +
                               "nn.ModuleList of " + std::to_string(N) + " modules"
                         : "an nn.ModuleList is modelled only when indexed by an int known "
                           "while lowering");
    return std::nullopt;
  }
  return Members[static_cast<size_t>(*I < 0 ? *I + N : *I)];
}

/// `nn.ModuleList(modules)` with modules known while lowering: the list of
/// them, whose members are called, iterated and registered (as `name.i`) one
/// by one. Null when they are not known: the call is then opaque.
ExprPtr Lowerer::lowerModuleList(const A::Call &C, Block &Out) {
  Bound B;
  if (!bindArgs(sig("modules:n?"), C, 0, 0, text(*C.Func), B))
    return constNone(C.Loc);
  std::vector<VarId> Members;
  if (B.Slots[0]) {
    Block Unrolled;
    std::optional<std::vector<ExprPtr>> Elems = unrolledList(*B.Slots[0], Unrolled);
    if (!Elems) {
      for (StmtPtr &St : Unrolled)
        Graveyard.push_back(std::move(St));
      return nullptr;
    }
    for (StmtPtr &St : Unrolled)
      Out.push_back(std::move(St));
    for (ExprPtr &X : *Elems) {
      VarId M = 0;
      if (auto *R = dyn_cast<VarRefExpr>(X.get())) {
        M = R->Var;
      } else {
        M = newTemp("member", C.Loc);
        assign(Out, M, std::move(X), C.Loc);
      }
      if (fact(M).K != Fact::Kind::Module && fact(M).K != Fact::Kind::Instance) {
        unsupported(B.Slots[0]->Loc, "the members of an nn.ModuleList must be nn modules");
        return constNone(C.Loc);
      }
      Members.push_back(M);
    }
  }
  // The list of its members: a use svic does not model (an opaque call) reads them all.
  auto R = P.makeSequence(ExprKind::List, loc(C.Loc));
  for (VarId M : Members)
    R->Elements.push_back(varRef(C.Loc, M));
  ModuleListValues[R.get()] = std::move(Members);
  return R;
}

/// Calls the module object, user-class object or torch function variable \p V
/// holds; nullopt when it holds none of them.
std::optional<ExprPtr> Lowerer::callModuleObject(VarId V, const SourceLoc &L, const A::Call &C,
                                                 Block &Out) {
  const Fact &F = fact(V);
  if (F.K == Fact::Kind::Function && factProblem(V).empty())
    return lowerQualifiedCall(cast<ConstantExpr>(F.Def)->StringValue, C, Out, std::nullopt,
                              nullptr);
  if (F.K == Fact::Kind::Instance)
    return callInstance(F.Inst, C, Out);
  if (F.K == Fact::Kind::Module)
    return lowerModuleCall(varRef(L, V), F.Mod, C, Out);
  return std::nullopt;
}

/// `for Index in range(len(Seq))`.
std::unique_ptr<ForStmt> Lowerer::indexLoop(VarId Seq, VarId Index, const SourceLoc &L) {
  auto St = make<ForStmt>(L);
  St->Over = ForStmt::Iter::Range;
  St->Start = constInt(L, 0);
  St->Step = constInt(L, 1);
  auto Len = make<CallExpr>(L);
  Len->Op = OpId::PyLen;
  Len->Args.Args.push_back(varRef(L, Seq));
  St->Stop = std::move(Len);
  St->Index = Index;
  LoopIndexVars.insert(St->Index);
  fact(St->Index) = Fact{};
  return St;
}

/// `sum(xs[, start])` as Python computes it: start (0) plus each element of
/// xs in turn.
ExprPtr Lowerer::lowerSum(const A::Call &C, Block &Out) {
  Bound B;
  if (!bindArgs(sig("iterable:d,start:d?"), C, 0, 0, "sum", B))
    return constNone(C.Loc);
  VarId Seq = newTemp("iter", C.Loc);
  assign(Out, Seq, lowerExpr(*B.Slots[0], Out), C.Loc);
  VarId Acc = newTemp("sum", C.Loc);
  assign(Out, Acc, B.Slots[1] ? lowerExpr(*B.Slots[1], Out) : constInt(C.Loc, 0), C.Loc);
  std::unique_ptr<ForStmt> St = indexLoop(Seq, newTemp("i", C.Loc), C.Loc);
  enterRegion();
  ++LoopDepth;
  auto Elt = make<SubscriptExpr>(C.Loc);
  Elt->Base = varRef(C.Loc, Seq);
  Elt->Indices.push_back(varRef(C.Loc, St->Index));
  auto Add = make<BinaryExpr>(C.Loc);
  Add->Op = BinaryOp::Add;
  Add->Lhs = varRef(C.Loc, Acc);
  Add->Rhs = std::move(Elt);
  assign(St->Body, Acc, std::move(Add), C.Loc);
  --LoopDepth;
  leaveRegion();
  Out.push_back(std::move(St));
  return varRef(C.Loc, Acc);
}

void Lowerer::bindSequenceTargets(SequenceLoop &Loop) {
  ForStmt &St = *Loop.St;
  for (auto &[T, Seq] : Loop.Targets) {
    auto Sub = make<SubscriptExpr>(T->Loc);
    Sub->Base = varRef(T->Loc, Seq);
    Sub->Indices.push_back(varRef(T->Loc, St.Index));
    store(*T, std::move(Sub), St.Body, T->Loc);
  }
}

void Lowerer::lowerWith(const A::With &S, size_t Item, Block &Out) {
  if (Item == S.Items.size()) {
    lowerBody(S.Inner, Out);
    return;
  }
  const A::WithItem &It = S.Items[Item];
  const A::Expr &Ctx = *It.Context;
  auto St = make<WithStmt>(Item == 0 ? S.Loc : Ctx.Loc);
  bool Ok = true;
  ExprPtr Subsample; // explicit `subsample=` indices of a plate
  const A::Call *C = dyn_cast<A::Call>(&Ctx);
  std::optional<std::string> Q = C ? staticPath(*C->Func) : std::nullopt;
  bool IsPlateVar = false;
  if (auto *N = dyn_cast<A::Name>(&Ctx)) {
    Binding *B = lookup(N->Id);
    IsPlateVar = B && B->K == Binding::Kind::Var && fact(B->Var).K == Fact::Kind::Plate;
  }
  // `with pyro.markov():` only tells enumeration which variables it may
  // forget, and the warning filters change no value: the body runs as written.
  if (Q && (*Q == "pyro.markov" || *Q == "pyro.util.ignore_jit_warnings" ||
            *Q == "warnings.catch_warnings")) {
    Bound B;
    if ((*Q != "pyro.markov" || bindArgs(sig(SigMarkov), *C, 0, 0, "pyro.markov", B)) && It.Var)
      unsupported(It.Var->Loc, "'as' is supported only on pyro.plate");
    lowerWith(S, Item + 1, Out);
    return;
  }
  // A handler that holds over the rest of the with statement: its frame
  // (null after a reported error) is pushed while the rest is lowered.
  auto InFrame = [&](auto &Stack, auto Frame) {
    if (Frame && It.Var)
      unsupported(It.Var->Loc, "'as' is supported only on pyro.plate");
    if (Frame)
      Stack.push_back(std::move(*Frame));
    lowerWith(S, Item + 1, Out);
    if (Frame)
      Stack.pop_back();
  };
  if (Q && isConditionHandler(*Q))
    return InFrame(Conditions, conditionFrame(*C, /*Applied=*/false, Out));
  if (Q && *Q == "pyro.poutine.reparam")
    return InFrame(Reparams, reparamFrame(*C));
  if (Q && *Q == "pyro.poutine.block")
    return InFrame(Blocks, blockRule(*C));
  if ((Q && *Q == "pyro.plate") || IsPlateVar) {
    St->Ctx = WithStmt::Context::Plate;
    std::optional<PlateInfo> Plate = plateOf(Ctx, Out, &Subsample);
    if (Plate)
      St->Plate = std::move(*Plate);
    else
      Ok = false;
  } else if (Q && (*Q == "pyro.poutine.scale" || *Q == "pyro.poutine.mask")) {
    bool IsScale = *Q == "pyro.poutine.scale";
    St->Ctx = IsScale ? WithStmt::Context::Scale : WithStmt::Context::Mask;
    Bound B;
    std::string Spell = IsScale ? "poutine.scale" : "poutine.mask";
    if (bindArgs(sig(IsScale ? SigScale : SigMask), *C, 0, 0, Spell, B)) {
      auto *Fn = B.Slots[0] ? dyn_cast<A::Constant>(B.Slots[0]) : nullptr;
      if (B.Slots[0] && !(Fn && Fn->Ty == A::Constant::Type::None))
        unsupported(B.Slots[0]->Loc, Spell + " with a function argument is not supported; use it "
                                             "as a context manager");
      if (!B.Slots[1]) {
        error(DiagId::BadArguments, C->Loc,
              "'" + Spell + "' is missing the required argument '" + (IsScale ? "scale" : "mask") +
                  "'");
        Ok = false;
      } else {
        St->Arg = lowerExpr(*B.Slots[1], Out);
      }
    } else {
      Ok = false;
    }
  } else if (Q && *Q == "torch.no_grad") {
    St->Ctx = WithStmt::Context::NoGrad;
    Bound B;
    Ok = bindArgs(sig(SigNoArgs), *C, 0, 0, "torch.no_grad", B);
  } else {
    unsupported(Ctx.Loc, "with statements over '" + text(Ctx) +
                             "' are not supported; svic accepts pyro.plate, poutine.scale, "
                             "poutine.mask, poutine.block, poutine.reparam and torch.no_grad");
    Ok = false;
  }
  if (It.Var) {
    if (St->Ctx != WithStmt::Context::Plate) {
      if (Ok)
        unsupported(It.Var->Loc, "'as' is supported only on pyro.plate");
    } else if (auto *N = dyn_cast<A::Name>(It.Var.get())) {
      VarId V = varForStore(N->Id, N->Loc);
      fact(V) = Fact{};
      St->IndexVar = V;
    } else {
      unsupported(It.Var->Loc, "the target of 'as' must be a name");
    }
  }
  if (Subsample) { // the plate's index value is the given indices (read by pyro.subsample too)
    if (!St->IndexVar)
      St->IndexVar = newTemp("subsample_indices", Ctx.Loc);
    assign(St->Body, *St->IndexVar, std::move(Subsample), Ctx.Loc);
  }
  const bool VecPlate = St->Ctx == WithStmt::Context::Plate;
  VecPlateDepth += VecPlate;
  if (VecPlate)
    OpenPlates.push_back(St.get());
  lowerWith(S, Item + 1, St->Body);
  if (VecPlate)
    OpenPlates.pop_back();
  VecPlateDepth -= VecPlate;
  if (Ok)
    Out.push_back(std::move(St));
  else
    Graveyard.push_back(std::move(St));
}

//===-- Expressions ---------------------------------------------------------------===//

ExprPtr Lowerer::lowerConstant(const A::Constant &C) {
  auto E = make<ConstantExpr>(C.Loc);
  switch (C.Ty) {
  case A::Constant::Type::None:
    break;
  case A::Constant::Type::True:
  case A::Constant::Type::False:
    E->Ty = ConstantExpr::Type::Bool;
    E->BoolValue = C.Ty == A::Constant::Type::True;
    break;
  case A::Constant::Type::Int:
    E->Ty = ConstantExpr::Type::Int;
    E->IntValue = C.Int;
    break;
  case A::Constant::Type::Float:
    E->Ty = ConstantExpr::Type::Float;
    E->FloatValue = C.Float;
    break;
  case A::Constant::Type::Str:
    E->Ty = ConstantExpr::Type::String;
    E->StringValue = C.Str;
    break;
  case A::Constant::Type::Bytes:
    unsupported(C.Loc, "bytes literals are not supported; use a str literal");
    break;
  case A::Constant::Type::Imaginary:
    unsupported(C.Loc, "complex numbers are not supported");
    break;
  case A::Constant::Type::Ellipsis:
    return make<EllipsisExpr>(C.Loc);
  }
  return E;
}

ExprPtr Lowerer::lowerName(const A::Name &N) {
  bool UnboundLocal = false;
  Binding *B = lookup(N.Id, &UnboundLocal);
  if (!B) {
    if (readsEntryVariadic(N.Id)) {
      unsupported(N.Loc, "the entry's variadic parameter '" + N.Id +
                             "' is read: svic does not know what the caller passes in it; list the "
                             "parameters by name");
      return constNone(N.Loc);
    }
    if (UnboundLocal && LoopDepth > 0) {
      // Assigned later in the loop: the value of the previous iteration.
      return varRef(N.Loc, varForStore(N.Id, N.Loc));
    }
    if (UnboundLocal) {
      error(DiagId::UnknownName, N.Loc,
            "local variable '" + N.Id + "' is used before it is assigned");
      return constNone(N.Loc);
    }
    if (builtinNames().count(N.Id))
      return lowerStaticValue(N.Id, N);
    error(DiagId::UnknownName, N.Loc, "name '" + N.Id + "' is not defined");
    return constNone(N.Loc);
  }
  switch (B->K) {
  case Binding::Kind::Var:
    if (fact(B->Var).K == Fact::Kind::Plate) {
      unsupported(N.Loc,
                  "the plate object '" + N.Id + "' can only be used in a with or for statement");
      return constNone(N.Loc);
    }
    return varRef(N.Loc, B->Var);
  case Binding::Kind::Qualified:
    return lowerStaticValue(B->Qual, N);
  case Binding::Kind::Function: {
    // A function handed on as a value (a returned closure, a stored
    // callback): a value svic does not follow, reading all it can see.
    // Building it runs nothing; a later call of it is an opaque call of a
    // value of unknown kind, which may sample.
    auto R = make<CallExpr>(N.Loc);
    R->Op = OpId::OpaqueCall;
    R->Callee = N.Id;
    std::set<VarId> Captured;
    captureScope(B->FnScope ? B->FnScope : Cur, Captured);
    for (VarId V : Captured)
      R->Args.Args.push_back(varRef(N.Loc, V));
    DE.report(DiagId::OpaqueCall, loc(N.Loc),
              "function '" + N.Id + "' used as a value (not followed): its value may break "
              "every smoothness property in what it reads, and a call of it is an opaque call");
    return R;
  }
  case Binding::Kind::Class: {
    // Handed on to be built later (`output_activation=[None, Exp]`): a value
    // of unknown kind that depends on what the class can read; building it
    // is an opaque call that may run user code.
    ExprPtr R = opaqueValue(N);
    std::set<VarId> Captured;
    captureScope(B->FnScope ? B->FnScope : Cur, Captured);
    for (VarId V : Captured)
      cast<CallExpr>(R.get())->Args.Args.push_back(varRef(N.Loc, V));
    return R;
  }
  }
  return constNone(N.Loc);
}

/// A module path used as a value: constants, dtypes and constraints.
ExprPtr Lowerer::lowerStaticValue(const std::string &Q, const A::Expr &E) {
  static const std::map<std::string, double> MathConstants = {
      {"math.pi", 3.141592653589793},  {"math.e", 2.718281828459045},
      {"math.tau", 6.283185307179586}, {"math.inf", HUGE_VAL},
      {"math.nan", NAN},               {"numpy.pi", 3.141592653589793},
      {"numpy.e", 2.718281828459045},  {"numpy.inf", HUGE_VAL},
      {"numpy.nan", NAN}};
  if (Q == "numpy.newaxis")
    return constNone(E.Loc);
  auto MC = MathConstants.find(Q);
  if (MC != MathConstants.end())
    return constFloat(E.Loc, MC->second);
  static const std::set<std::string> DTypes = {
      "float", "float16", "float32", "float64", "double", "half",  "bfloat16", "int",
      "int8",  "int16",   "int32",   "int64",   "long",   "short", "uint8",    "bool"};
  if (startsWith(Q, "torch.") && DTypes.count(Q.substr(6)))
    return constString(E.Loc, Q);
  for (const char *Prefix : {"torch.distributions.constraints.", "pyro.distributions.constraints."})
    if (startsWith(Q, Prefix)) {
      Block Dummy;
      return lowerConstraint(Q.substr(std::strlen(Prefix)), E, nullptr, Dummy);
    }
  if (allowedModules().count(Q))
    return opaqueValue(E); // `getattr(nn, name)`: a module object of unknown use
  if (lookupOp(Q) && !builtinNames().count(Q)) {
    // `activation=torch.tanh`: called later through the variable.
    ExprPtr R = constString(E.Loc, Q);
    FunctionValues.insert(R.get());
    return R;
  } else if ((lookupOp(Q) && !builtinNames().count(Q)) ||
             (startsWith(Q, "pyro.distributions.") && findDistribution(Q.substr(19))))
    unsupported(E.Loc, "'" + text(E) + "' cannot be used as a value; call it");
  else
    // An nn module class handed on to be built later (`activation=nn.ReLU`)
    // or a builtin type tested against (`isinstance(n, (int, list))`) is an
    // object of unknown kind, as a class of another library is.
    return opaqueValue(E);
  return constNone(E.Loc);
}

ExprPtr Lowerer::lowerConstraint(const std::string &Name, const A::Expr &E, const A::Call *C,
                                 Block &Out) {
  std::optional<ConstraintId> Id = findConstraint(Name);
  if (!Id) {
    error(DiagId::UnknownName, E.Loc, "unknown constraint 'constraints." + Name + "'");
    return constNone(E.Loc);
  }
  const ConstraintInfo &Info = constraintInfo(*Id);
  auto CE = make<ConstraintExpr>(C ? C->Loc : E.Loc);
  CE->Constraint = *Id;
  if (!C) {
    if (Info.NumArgs >= 0)
      error(DiagId::BadArguments, E.Loc,
            "'constraints." + Name + "' needs " + std::to_string(Info.NumArgs) + " argument" +
                (Info.NumArgs == 1 ? "" : "s") + "; call it");
    return CE;
  }
  if (Info.NumArgs < 0) {
    error(DiagId::BadArguments, C->Loc,
          "'constraints." + Name +
              "' is not callable; write it "
              "without parentheses");
    return CE;
  }
  std::string Sig = Info.NumArgs == 2     ? "lower_bound:n,upper_bound:n"
                    : Name == "less_than" ? "upper_bound:n"
                                          : "lower_bound:n";
  Bound B;
  if (!bindArgs(sig(Sig), *C, 0, 0, "constraints." + Name, B))
    return CE;
  BoundArgs Args = lowerBound(B, *C, Out);
  for (ExprPtr &A : Args.Args)
    CE->Args.push_back(std::move(A));
  return CE;
}

ExprPtr Lowerer::lowerFString(const A::FString &F, Block &Out) {
  std::string Template;
  std::vector<ExprPtr> Fields;
  for (const A::FString::Part &Part : F.Parts) {
    if (!Part.IsField) {
      for (char C : Part.Text)
        Template += C == '{' ? "{{" : C == '}' ? "}}" : std::string(1, C);
      continue;
    }
    // A conversion or format spec stays in the template: only "{}" fields
    // are filled in by the analyses, anything else makes the string unknown.
    Template += "{" + (Part.Conversion.empty() ? "" : "!" + Part.Conversion) +
                (Part.FormatSpec.empty() ? "" : ":" + Part.FormatSpec) + "}";
    Fields.push_back(lowerExpr(*Part.Value, Out));
  }
  if (Fields.empty()) {
    std::string Plain;
    for (const A::FString::Part &Part : F.Parts)
      Plain += Part.Text;
    return constString(F.Loc, Plain);
  }
  auto C = make<CallExpr>(F.Loc);
  C->Op = OpId::StrFormat;
  C->Args.Args.push_back(constString(F.Loc, Template));
  for (ExprPtr &E : Fields)
    C->Args.Args.push_back(std::move(E));
  return C;
}

std::vector<ExprPtr> Lowerer::lowerIndices(const A::Subscript &S, Block &Out) {
  std::vector<const A::Expr *> Items;
  if (S.Indices.size() == 1 && !S.TrailingComma && S.Indices[0]->Kind == A::ExprKind::Tuple) {
    for (const A::ExprPtr &E : cast<A::Sequence>(S.Indices[0].get())->Elts)
      Items.push_back(E.get());
  } else {
    for (const A::ExprPtr &E : S.Indices)
      Items.push_back(E.get());
  }
  return lowerIndexItems(Items, Out);
}

std::vector<ExprPtr> Lowerer::lowerIndexItems(const std::vector<const A::Expr *> &Items, Block &Out) {
  std::vector<ExprPtr> Out2;
  for (const A::Expr *I : Items) {
    if (auto *Sl = dyn_cast<A::Slice>(I)) {
      auto E = make<SliceExpr>(Sl->Loc);
      if (Sl->Lower)
        E->Lower = lowerExpr(*Sl->Lower, Out);
      if (Sl->Upper)
        E->Upper = lowerExpr(*Sl->Upper, Out);
      if (Sl->Step)
        E->Step = lowerExpr(*Sl->Step, Out);
      Out2.push_back(std::move(E));
    } else if (isa<A::Starred>(I)) {
      unsupported(I->Loc, "starred indices are not supported");
      Out2.push_back(constNone(I->Loc));
    } else {
      Out2.push_back(lowerExpr(*I, Out));
    }
  }
  return Out2;
}

ExprPtr Lowerer::lowerSubscript(const A::Subscript &S, Block &Out) {
  if (moduleListOf(*S.Value)) {
    std::optional<VarId> M = moduleListMember(S, Out);
    return M ? varRef(S.Loc, *M) : constNone(S.Loc);
  }
  auto E = make<SubscriptExpr>(S.Loc);
  // `Vindex(x)[...]` indexes x itself (with broadcasting), not a wrapper object.
  const A::Expr *Vindexed = vindexOperand(*S.Value);
  E->Base = lowerExpr(Vindexed ? *Vindexed : *S.Value, Out);
  E->Vectorized = Vindexed != nullptr;
  E->Indices = lowerIndices(S, Out);
  return E;
}

/// The tensor of `Vindex(tensor)` (pyro.ops.indexing.Vindex), or null.
const A::Expr *Lowerer::vindexOperand(const A::Expr &E) {
  auto *C = dyn_cast<A::Call>(&E);
  std::optional<std::string> Q = C ? staticPath(*C->Func) : std::nullopt;
  if (!Q || *Q != "pyro.ops.indexing.Vindex")
    return nullptr;
  Bound B;
  if (!bindArgs(sig("tensor:n"), *C, 0, 0, text(*C->Func), B))
    return nullptr;
  return B.Slots[0];
}

/// `vindex(tensor, (i0, i1, ...))`, the function behind Vindex: the index
/// tuple is written out, with `...`/`Ellipsis` and `slice(None)` as in Pyro's
/// docs. A single index that is not a tuple is plain indexing, as in Pyro.
ExprPtr Lowerer::lowerVindexCall(const A::Call &C, Block &Out) {
  Bound B;
  if (!bindArgs(sig("tensor:n,args:n"), C, 0, 0, text(*C.Func), B))
    return constNone(C.Loc);
  auto E = make<SubscriptExpr>(C.Loc);
  E->Base = lowerExpr(*B.Slots[0], Out);
  const A::Expr &Args = *B.Slots[1];
  if (Args.Kind != A::ExprKind::Tuple) {
    E->Indices = lowerIndexItems({&Args}, Out);
    return E;
  }
  E->Vectorized = true;
  auto Builtin = [&](const A::Expr *X, const char *Name) {
    auto *N = dyn_cast<A::Name>(X);
    return N && N->Id == Name && !isLocalName(N->Id);
  };
  for (const A::ExprPtr &Elt : cast<A::Sequence>(&Args)->Elts) {
    auto *Call = dyn_cast<A::Call>(Elt.get());
    if (Builtin(Elt.get(), "Ellipsis")) {
      E->Indices.push_back(make<EllipsisExpr>(Elt->Loc));
    } else if (Call && Builtin(Call->Func.get(), "slice")) {
      if (Call->Args.size() != 1 || Call->Args[0].K != A::Arg::Kind::Positional ||
          !isa<A::Constant>(Call->Args[0].Value.get()) ||
          cast<A::Constant>(Call->Args[0].Value.get())->Ty != A::Constant::Type::None)
        unsupported(Elt->Loc, "vindex supports only the full slice slice(None), as Pyro does");
      E->Indices.push_back(make<SliceExpr>(Elt->Loc));
    } else {
      std::vector<ExprPtr> One = lowerIndexItems({Elt.get()}, Out);
      E->Indices.push_back(std::move(One.front()));
    }
  }
  return E;
}

ExprPtr Lowerer::lowerExpr(const A::Expr &E, Block &Out) {
  // Bound the depth of IR expressions too: every consumer walks them recursively.
  struct DepthScope {
    int &D;
    explicit DepthScope(int &D) : D(D) { ++D; }
    ~DepthScope() { --D; }
  } Scope(ExprDepth);
  if (tooDeep(E.Loc) || ExprDepth > MaxExprDepth) {
    if (!DeepReported)
      error(DiagId::Unsupported, E.Loc,
            "the code is nested too deeply to be lowered (more than " +
                std::to_string(MaxExprDepth) + " levels); simplify it");
    DeepReported = true;
    return constNone(E.Loc);
  }
  switch (E.Kind) {
  case A::ExprKind::Name:
    return lowerName(*cast<A::Name>(&E));
  case A::ExprKind::Constant:
    return lowerConstant(*cast<A::Constant>(&E));
  case A::ExprKind::FString:
    return lowerFString(*cast<A::FString>(&E), Out);
  case A::ExprKind::Attribute: {
    const auto *At = cast<A::Attribute>(&E);
    if (Binding *B = siblingMember(E); B && B->K == Binding::Kind::Var)
      return varRef(E.Loc, B->Var);
    if (std::optional<std::string> Q = staticPath(E))
      return lowerStaticValue(*Q, E);
    if (std::shared_ptr<Instance> I = instanceOf(*At->Value)) {
      if (ExprPtr R = pyroAttribute(I, At->Attr, E.Loc, Out))
        return R;
      auto F = I->Fields.find(At->Attr);
      if (F != I->Fields.end()) {
        pyroModuleRead(*I, At->Attr, E.Loc, Out);
        return varRef(E.Loc, F->second);
      }
      if (std::optional<VarId> V = classAttribute(*I, At->Attr))
        return varRef(E.Loc, *V);
      unsupported(E.Loc, "'" + At->Attr + "' is not a field of the '" + I->Cls->Name +
                             "' object (fields are the attributes its __init__ assigns)");
      return constNone(E.Loc);
    }
    if (auto *N = dyn_cast<A::Name>(At->Value.get())) {
      Binding *B = lookup(N->Id);
      if (B && B->K == Binding::Kind::Function) {
        unsupported(E.Loc, "attributes of functions are not supported");
        return constNone(E.Loc);
      }
    }
    auto R = make<AttributeExpr>(E.Loc);
    R->Base = lowerExpr(*At->Value, Out);
    R->Name = At->Attr;
    return R;
  }
  case A::ExprKind::Subscript:
    return lowerSubscript(*cast<A::Subscript>(&E), Out);
  case A::ExprKind::Slice:
    unsupported(E.Loc, "a slice outside an index is not supported");
    return constNone(E.Loc);
  case A::ExprKind::Call:
    return lowerCall(*cast<A::Call>(&E), Out);
  case A::ExprKind::BinOp: {
    const auto *B = cast<A::BinOp>(&E);
    if (B->Op == A::BinOpKind::Mod && isa<A::FString>(B->Left.get())) {
      unsupported(E.Loc, "'%' formatting of an f-string is not supported; put the values in "
                         "the f-string");
      return constNone(E.Loc);
    }
    if (B->Op == A::BinOpKind::Mod && isa<A::Constant>(B->Left.get()) &&
        cast<A::Constant>(B->Left.get())->Ty == A::Constant::Type::Str) {
      if (std::optional<FormatPlan> Plan = planPercent(*B))
        return lowerFormatValue(*Plan, E.Loc, Out);
      // "%03d", "%.2f", "%r", ...: a string svic does not compute (a site
      // named by it has a dynamic name).
      auto R = make<CallExpr>(E.Loc);
      R->Op = OpId::OpaqueCall;
      R->Callee = "'%' formatting";
      R->Args.Args.push_back(lowerExpr(*B->Left, Out));
      R->Args.Args.push_back(lowerExpr(*B->Right, Out));
      DE.report(DiagId::OpaqueCall, loc(E.Loc),
                "opaque call to '%' formatting with fields other than %s, %d and %i (not "
                "modelled): its value may break every smoothness property in its arguments");
      return R;
    }
    std::optional<BinaryOp> Op = irBinaryOp(B->Op);
    if (!Op) {
      unsupported(E.Loc,
                  std::string("the '") + A::binOpSpelling(B->Op) + "' operator is not supported");
      return constNone(E.Loc);
    }
    auto R = make<BinaryExpr>(E.Loc);
    R->Op = *Op;
    R->Lhs = lowerExpr(*B->Left, Out);
    R->Rhs = lowerExpr(*B->Right, Out);
    // `name + "_loc"` of known strings is a known string (a site name).
    if (std::optional<std::string> L = *Op == BinaryOp::Add ? knownString(*R->Lhs) : std::nullopt)
      if (std::optional<std::string> Rt = knownString(*R->Rhs))
        return constString(E.Loc, *L + *Rt);
    return R;
  }
  case A::ExprKind::UnaryOp: {
    const auto *U = cast<A::UnaryOp>(&E);
    auto R = make<UnaryExpr>(E.Loc);
    switch (U->Op) {
    case A::UnaryOpKind::UAdd:
      R->Op = UnaryOp::Pos;
      break;
    case A::UnaryOpKind::USub:
      R->Op = UnaryOp::Neg;
      break;
    case A::UnaryOpKind::Not:
      R->Op = UnaryOp::Not;
      break;
    case A::UnaryOpKind::Invert:
      R->Op = UnaryOp::Invert;
      break;
    }
    R->Operand = lowerExpr(*U->Operand, Out);
    return R;
  }
  case A::ExprKind::BoolOp: {
    const auto *B = cast<A::BoolOp>(&E);
    ExprPtr Acc = lowerExpr(*B->Values[0], Out);
    NoHoist.push_back(B->IsAnd ? "inside 'and'" : "inside 'or'");
    for (size_t I = 1; I < B->Values.size(); ++I) {
      auto L = make<LogicalExpr>(E.Loc);
      L->Op = B->IsAnd ? LogicalOp::And : LogicalOp::Or;
      L->Lhs = std::move(Acc);
      L->Rhs = lowerExpr(*B->Values[I], Out);
      Acc = std::move(L);
    }
    NoHoist.pop_back();
    return Acc;
  }
  case A::ExprKind::Compare: {
    // `a < b < c` is `a < b and b < c` with b evaluated once; operands after
    // the first comparison are evaluated only when it holds, so nothing in
    // them may be hoisted.
    const auto *C = cast<A::Compare>(&E);
    ExprPtr Acc;
    ExprPtr Left = lowerExpr(*C->Left, Out);
    for (size_t I = 0; I < C->Ops.size(); ++I) {
      if (I == 1)
        NoHoist.push_back("in a chained comparison");
      auto R = make<CompareExpr>(E.Loc);
      R->Op = compareOp(C->Ops[I]);
      R->Lhs = std::move(Left);
      ExprPtr Right = lowerExpr(*C->Comparators[I], Out);
      if (I + 1 < C->Ops.size()) {
        VarId Mid = newTemp("cmp", C->Comparators[I]->Loc);
        assign(Out, Mid, std::move(Right), C->Comparators[I]->Loc);
        Right = varRef(C->Comparators[I]->Loc, Mid);
        Left = varRef(C->Comparators[I]->Loc, Mid);
      }
      R->Rhs = std::move(Right);
      if (!Acc) {
        Acc = std::move(R);
        continue;
      }
      auto L = make<LogicalExpr>(E.Loc);
      L->Op = LogicalOp::And;
      L->Lhs = std::move(Acc);
      L->Rhs = std::move(R);
      Acc = std::move(L);
    }
    if (C->Ops.size() > 1)
      NoHoist.pop_back();
    return Acc;
  }
  case A::ExprKind::IfExp: {
    // Each branch is lowered into its own block. A branch that needs
    // statements (`pyro.sample(...) if t > 0 else 1.0`, an inlined helper)
    // may run only when taken: the expression becomes an if statement that
    // assigns a temporary.
    const auto *I = cast<A::IfExp>(&E);
    ExprPtr Cond = lowerExpr(*I->Test, Out);
    auto Branch = [&](const A::Expr &X, Block &B) {
      enterRegion();
      ExprPtr V = lowerExpr(X, B);
      leaveRegion();
      return V;
    };
    Block ThenB, ElseB;
    ExprPtr Then = Branch(*I->Body, ThenB), Else = Branch(*I->OrElse, ElseB);
    if (ThenB.empty() && ElseB.empty()) {
      auto R = make<ConditionalExpr>(E.Loc);
      R->Cond = std::move(Cond);
      R->Then = std::move(Then);
      R->Else = std::move(Else);
      return R;
    }
    if (!checkHoist(E.Loc, "a conditional expression whose branch samples or calls a helper"))
      return constNone(E.Loc);
    VarId V = newTemp("ifexp", E.Loc);
    auto St = make<IfStmt>(E.Loc);
    St->Cond = std::move(Cond);
    St->Then = std::move(ThenB);
    St->Else = std::move(ElseB);
    enterRegion();
    assign(St->Then, V, std::move(Then), I->Body->Loc);
    leaveRegion();
    enterRegion();
    assign(St->Else, V, std::move(Else), I->OrElse->Loc);
    leaveRegion();
    Out.push_back(std::move(St));
    return varRef(E.Loc, V);
  }
  case A::ExprKind::Tuple:
  case A::ExprKind::List: {
    // `[a, *b, c]` is `[a] + list(b) + [c]` (a tuple display likewise).
    const bool IsTuple = E.Kind == A::ExprKind::Tuple;
    auto NewPart = [&] { return P.makeSequence(IsTuple ? ExprKind::Tuple : ExprKind::List, loc(E.Loc)); };
    ExprPtr Acc;
    auto Append = [&](ExprPtr Part) {
      if (!Acc) {
        Acc = std::move(Part);
        return;
      }
      auto Cat = make<BinaryExpr>(E.Loc);
      Cat->Op = BinaryOp::Add;
      Cat->Lhs = std::move(Acc);
      Cat->Rhs = std::move(Part);
      Acc = std::move(Cat);
    };
    auto R = NewPart();
    for (const A::ExprPtr &Elt : cast<A::Sequence>(&E)->Elts) {
      if (auto *St = dyn_cast<A::Starred>(Elt.get())) {
        if (!R->Elements.empty())
          Append(std::exchange(R, NewPart()));
        auto Conv = make<CallExpr>(Elt->Loc);
        Conv->Op = IsTuple ? OpId::PyTuple : OpId::PyList;
        Conv->Args.Args.push_back(lowerExpr(*St->Value, Out));
        Append(std::move(Conv));
        continue;
      }
      R->Elements.push_back(lowerExpr(*Elt, Out));
    }
    if (!Acc || !R->Elements.empty())
      Append(std::move(R));
    return Acc;
  }
  case A::ExprKind::Set: {
    // A set display: an opaque `set(...)` of its elements (svic does not
    // model the merging of equal ones).
    std::vector<ExprPtr> Elems;
    for (const A::ExprPtr &Elt : cast<A::Sequence>(&E)->Elts)
      Elems.push_back(isa<A::Starred>(Elt.get())
                          ? lowerExpr(*cast<A::Starred>(Elt.get())->Value, Out)
                          : lowerExpr(*Elt, Out));
    return opaqueBuiltin("set", std::move(Elems), E.Loc);
  }
  case A::ExprKind::Dict: {
    const auto *D = cast<A::Dict>(&E);
    // `{**a, "k": v}` merges dictionaries svic does not see into: an opaque
    // function of all the parts.
    if (std::any_of(D->Keys.begin(), D->Keys.end(), [](const A::ExprPtr &K) { return !K; })) {
      std::vector<ExprPtr> Parts;
      for (size_t I = 0; I < D->Keys.size(); ++I) {
        if (D->Keys[I])
          Parts.push_back(lowerExpr(*D->Keys[I], Out));
        Parts.push_back(lowerExpr(*D->Values[I], Out));
      }
      return opaqueBuiltin("dict", std::move(Parts), E.Loc);
    }
    auto R = make<DictExpr>(E.Loc);
    for (size_t I = 0; I < D->Keys.size(); ++I) {
      R->Keys.push_back(lowerExpr(*D->Keys[I], Out));
      R->Values.push_back(lowerExpr(*D->Values[I], Out));
    }
    return R;
  }
  case A::ExprKind::Starred:
    unsupported(E.Loc, "starred expressions are not supported; write the elements out");
    return constNone(E.Loc);
  case A::ExprKind::Comp:
    return lowerComp(*cast<A::Comp>(&E), Out);
  case A::ExprKind::Lambda:
    unsupported(E.Loc, "lambda expressions are supported only when assigned to a name, as "
                       "the initial value of pyro.param or as an argument of an opaque call; "
                       "define a helper function with def");
    return constNone(E.Loc);
  case A::ExprKind::Unsupported: {
    const auto *U = cast<A::Unsupported>(&E);
    unsupported(E.Loc, U->What + " are not supported" + (U->Hint.empty() ? "" : "; " + U->Hint));
    return constNone(E.Loc);
  }
  }
  return constNone(E.Loc);
}

/// A comprehension: the list built by its `for` clauses, nested left to
/// right, appending Elt where every `if` holds, with the loop names in the
/// comprehension's own scope. A generator expression is that list (whatever
/// consumes it reads it whole); a set or dict comprehension is an opaque
/// `set(...)`/`dict(...)` of it (of (key, value) pairs), since svic does not
/// model their merging of equal keys.
ExprPtr Lowerer::lowerComp(const A::Comp &C, Block &Out) {
  static const char *const Kinds[] = {"listcomp", "setcomp", "dictcomp", "genexpr"};
  const std::string Kind = Kinds[static_cast<int>(C.F)];
  const std::string Suffix = "@" + Kind + "#" + std::to_string(++TempCount[Kind]);
  VarId List = addVar("list" + Suffix, VarKind::Temp, C.Loc);
  assign(Out, List, P.makeSequence(ExprKind::List, loc(C.Loc)), C.Loc);
  Scopes.emplace_back();
  Scope *S = &Scopes.back();
  S->Parent = Cur;
  S->Suffix = Suffix;
  Scope *Saved = Cur;
  Cur = S;
  if (C.F == A::Comp::Form::Dict && C.Fors.size() == 1 && C.Fors[0].Ifs.empty())
    if (std::optional<std::vector<ExprPtr>> Elems = staticElements(*C.Fors[0].Iter, Out)) {
      ExprPtr D = staticDictComp(C, *Elems, Out);
      Cur = Saved;
      return D;
    }
  lowerCompFor(C, 0, List, Out);
  Cur = Saved;
  if (C.F == A::Comp::Form::List || C.F == A::Comp::Form::Generator)
    return varRef(C.Loc, List);
  std::vector<ExprPtr> Args;
  Args.push_back(varRef(C.Loc, List));
  return opaqueBuiltin(C.F == A::Comp::Form::Set ? "set" : "dict", std::move(Args), C.Loc);
}

/// `{k: v for x in xs}` over known elements \p Elems: the dict display of
/// each step's key and value (a later equal key replaces the value), or the
/// opaque builtin of the pairs when a key is not a known string.
ExprPtr Lowerer::staticDictComp(const A::Comp &C, std::vector<ExprPtr> &Elems, Block &Out) {
  std::vector<std::pair<ExprPtr, VarId>> Pairs;
  bool Known = true;
  for (ExprPtr &X : Elems) {
    store(*C.Fors[0].Target, std::move(X), Out, C.Loc);
    ExprPtr K = lowerExpr(*C.Elt, Out);
    std::optional<std::string> Key = knownString(*K);
    if (Key) {
      K = constString(C.Elt->Loc, *Key);
    } else {
      Known = false;
      VarId T = newTemp("key", C.Elt->Loc);
      assign(Out, T, std::move(K), C.Elt->Loc);
      K = varRef(C.Elt->Loc, T);
    }
    VarId V = newTemp("value", C.Value->Loc);
    assign(Out, V, lowerExpr(*C.Value, Out), C.Value->Loc);
    auto Same = std::find_if(Pairs.begin(), Pairs.end(), [&](const auto &Pr) {
      return Key && knownString(*Pr.first) == Key;
    });
    if (Same != Pairs.end())
      Same->second = V;
    else
      Pairs.emplace_back(std::move(K), V);
  }
  if (Known) {
    auto D = make<DictExpr>(C.Loc);
    for (auto &[K, V] : Pairs) {
      D->Keys.push_back(std::move(K));
      D->Values.push_back(varRef(C.Loc, V));
    }
    return D;
  }
  auto List = P.makeSequence(ExprKind::List, loc(C.Loc));
  for (auto &[K, V] : Pairs) {
    auto Pair = P.makeSequence(ExprKind::Tuple, loc(C.Loc));
    Pair->Elements.push_back(std::move(K));
    Pair->Elements.push_back(varRef(C.Loc, V));
    List->Elements.push_back(std::move(Pair));
  }
  std::vector<ExprPtr> Args;
  Args.push_back(std::move(List));
  return opaqueBuiltin("dict", std::move(Args), C.Loc);
}

/// The `for` clause \p K of \p C and the clauses inside it, into \p Out.
void Lowerer::lowerCompFor(const A::Comp &C, size_t K, VarId List, Block &Out) {
  if (K == C.Fors.size()) {
    auto Append = make<CallExpr>(C.Loc);
    Append->Op = OpId::ListAppend;
    Append->Args.Args.push_back(varRef(C.Loc, List));
    if (C.F == A::Comp::Form::Dict) {
      auto Pair = P.makeSequence(ExprKind::Tuple, loc(C.Loc));
      Pair->Elements.push_back(lowerExpr(*C.Elt, Out));
      Pair->Elements.push_back(lowerExpr(*C.Value, Out));
      Append->Args.Args.push_back(std::move(Pair));
    } else {
      Append->Args.Args.push_back(lowerExpr(*C.Elt, Out));
    }
    assign(Out, List, std::move(Append), C.Loc);
    return;
  }
  const A::CompFor &F = C.Fors[K];
  const auto *Range = dyn_cast<A::Call>(F.Iter.get());
  std::optional<std::string> Q = Range ? staticPath(*Range->Func) : std::nullopt;
  std::optional<std::vector<ExprPtr>> Elems;
  if (iteratesModuleList(*F.Iter) && !(Elems = knownElements(*F.Iter, Out))) {
    unsupported(F.Iter->Loc, ModuleListLoopBounds);
    return;
  }
  if (Elems || (!(Q && *Q == "range") && (Elems = staticElements(*F.Iter, Out)))) {
    for (ExprPtr &X : *Elems) {
      store(*F.Target, std::move(X), Out, C.Loc);
      lowerCompIfs(C, K, List, Out);
    }
    return;
  }
  SequenceLoop Loop;
  if (Q && *Q == "range") {
    auto *Target = dyn_cast<A::Name>(F.Target.get());
    if (!Target) {
      unsupported(F.Target->Loc, "a loop over range(...) has one loop name");
      return;
    }
    Loop.St = make<ForStmt>(C.Loc);
    Loop.St->Over = ForStmt::Iter::Range;
    if (!rangeBounds(*Range, *Loop.St, Out))
      return;
    Loop.St->Index = varForStore(Target->Id, Target->Loc);
    LoopIndexVars.insert(Loop.St->Index);
  } else if (pyroCall(*F.Iter, "pyro.plate")) {
    unsupported(F.Iter->Loc, "comprehensions over pyro.plate are not supported; use a for loop");
    return;
  } else if (std::optional<SequenceLoop> L = sequenceLoop(*F.Target, *F.Iter, C.Loc, Out)) {
    Loop = std::move(*L);
  } else {
    return;
  }
  enterRegion();
  ++LoopDepth;
  bindSequenceTargets(Loop);
  lowerCompIfs(C, K, List, Loop.St->Body);
  --LoopDepth;
  leaveRegion();
  Out.push_back(std::move(Loop.St));
}

/// The `if`s of the `for` clause \p K of \p C, nested, around the clauses
/// after it, into \p Body.
void Lowerer::lowerCompIfs(const A::Comp &C, size_t K, VarId List, Block &Body) {
  Block *In = &Body;
  const std::vector<A::ExprPtr> &Ifs = C.Fors[K].Ifs;
  for (const A::ExprPtr &If : Ifs) {
    auto I = make<IfStmt>(If->Loc);
    I->Cond = lowerExpr(*If, *In);
    Block *Then = &I->Then;
    In->push_back(std::move(I));
    In = Then;
    enterRegion();
  }
  lowerCompFor(C, K + 1, List, *In);
  for (size_t I = 0; I < Ifs.size(); ++I)
    leaveRegion();
}

//===-- Calls ------------------------------------------------------------------------===//

bool Lowerer::bindArgs(const std::vector<ParamSpec> &Formals, const A::Call &C, size_t Skip,
                       size_t Prefilled, const std::string &Spelling, Bound &B,
                       const std::set<std::string> &Ignored) {
  B.Slots.assign(Formals.size(), nullptr);
  B.Extra.clear();
  bool Ok = true;
  size_t Next = Prefilled;
  const bool HasVariadic = !Formals.empty() && Formals.back().Variadic;
  size_t Positionals = 0;
  for (const A::Arg &Arg : C.Args)
    if (Arg.K == A::Arg::Kind::Positional)
      ++Positionals;
  size_t Seen = 0;
  for (const A::Arg &Arg : C.Args) {
    switch (Arg.K) {
    case A::Arg::Kind::Star:
    case A::Arg::Kind::DoubleStar:
      unsupported(Arg.Loc, "argument unpacking (*args, **kwargs) is not supported; pass the "
                           "arguments one by one");
      Ok = false;
      continue;
    case A::Arg::Kind::Positional: {
      if (Seen++ < Skip)
        continue;
      if (Next < Formals.size() && !Formals[Next].Variadic) {
        B.Slots[Next++] = Arg.Value.get();
      } else if (HasVariadic) {
        if (!B.Slots.back())
          B.Slots.back() = Arg.Value.get();
        else
          B.Extra.push_back(Arg.Value.get());
      } else {
        size_t Max = Formals.size() - Prefilled;
        error(DiagId::BadArguments, Arg.Loc,
              "'" + Spelling + "' takes at most " + std::to_string(Max) + " positional argument" +
                  (Max == 1 ? "" : "s") + " but " + std::to_string(Positionals - Skip) +
                  " were given");
        return false;
      }
      break;
    }
    case A::Arg::Kind::Keyword: {
      if (Ignored.count(Arg.Name))
        continue;
      std::optional<size_t> Idx = paramIndex(Formals, Arg.Name);
      if (!Idx || *Idx < Prefilled) {
        error(DiagId::BadArguments, Arg.Loc,
              "'" + Spelling + "' got an unexpected keyword argument '" + Arg.Name + "'");
        Ok = false;
        continue;
      }
      if (B.Slots[*Idx]) {
        error(DiagId::BadArguments, Arg.Loc,
              "'" + Spelling + "' got multiple values for the argument '" + Arg.Name + "'");
        Ok = false;
        continue;
      }
      B.Slots[*Idx] = Arg.Value.get();
      break;
    }
    }
  }
  if (!Ok)
    return false;
  for (size_t I = Prefilled; I < Formals.size(); ++I) {
    if (!Formals[I].Optional && !B.Slots[I]) {
      error(DiagId::BadArguments, C.Loc,
            "'" + Spelling + "' is missing the required argument '" + Formals[I].Name + "'");
      Ok = false;
    }
  }
  return Ok;
}

BoundArgs Lowerer::lowerBound(const Bound &B, const A::Call &C, Block &Out,
                              std::vector<ExprPtr> Prefilled) {
  // Python evaluates arguments left to right: lower them in source order.
  std::map<const A::Expr *, ExprPtr> Lowered;
  std::set<const A::Expr *> Wanted(B.Slots.begin(), B.Slots.end());
  Wanted.insert(B.Extra.begin(), B.Extra.end());
  for (const A::Arg &Arg : C.Args)
    if (Wanted.count(Arg.Value.get()))
      Lowered[Arg.Value.get()] = lowerExpr(*Arg.Value, Out);
  BoundArgs R;
  for (size_t I = 0; I < B.Slots.size(); ++I) {
    if (I < Prefilled.size() && Prefilled[I])
      R.Args.push_back(std::move(Prefilled[I]));
    else
      R.Args.push_back(B.Slots[I] ? std::move(Lowered[B.Slots[I]]) : nullptr);
  }
  for (const A::Expr *E : B.Extra)
    R.Args.push_back(std::move(Lowered[E]));
  return R;
}

ExprPtr Lowerer::lowerCall(const A::Call &C, Block &Out, std::optional<VarId> Target,
                           bool *Emitted) {
  const A::Expr &Func = *C.Func;
  if (Binding *B = siblingMember(Func)) {
    if (B->K == Binding::Kind::Function)
      return inlineCall(*B->Fn, B->FnScope, C, Out);
    if (B->K == Binding::Kind::Class)
      return instantiate(*B->Cls, B->FnScope, C, Out);
  }
  if (std::optional<std::string> Q = staticPath(Func))
    return lowerQualifiedCall(*Q, C, Out, Target, Emitted);
  // `poutine.block(fn, hide=[...])(args)`: fn called inside the handler.
  if (auto *H = dyn_cast<A::Call>(&Func))
    if (std::optional<std::string> Q = staticPath(*H->Func);
        Q && (*Q == "pyro.poutine.block" || *Q == "pyro.poutine.scale" ||
              *Q == "pyro.poutine.mask" || *Q == "pyro.poutine.reparam" ||
              isConditionHandler(*Q)))
      return lowerHandlerCall(*H, *Q, C, Out);
  if (auto *N = dyn_cast<A::Name>(&Func))
    return lowerNameCall(*N, C, Out);
  if (auto *At = dyn_cast<A::Attribute>(&Func))
    return lowerMethodCall(*At, C, Out);
  if (auto *Sub = dyn_cast<A::Subscript>(&Func)) {
    if (std::optional<std::string> Q = staticPath(*Sub->Value); Q && isPyroModuleClass(*Q))
      return pyroModuleOf(*Sub, C, Out);
    if (moduleListOf(*Sub->Value)) {
      std::optional<VarId> M = moduleListMember(*Sub, Out);
      if (!M)
        return constNone(C.Loc);
      return *callModuleObject(*M, Func.Loc, C, Out);
    }
  }
  // Calling the value of an expression: `nn.ReLU()(x)`.
  ExprPtr Callee = lowerExpr(Func, Out);
  if (auto *M = dyn_cast<ModuleCtorExpr>(Callee.get())) {
    ModuleId Id = M->Module;
    return lowerModuleCall(std::move(Callee), Id, C, Out);
  }
  return lowerOpaqueCall(text(Func), C, Out, true, std::move(Callee));
}

/// `poutine.block(fn, ...)(args)`, `poutine.scale(fn, scale=s)(args)`,
/// `poutine.mask(fn, mask=m)(args)`: the call `fn(args)` inside the handler,
/// as under `with` or a decorator.
ExprPtr Lowerer::lowerHandlerCall(const A::Call &H, const std::string &Q, const A::Call &C,
                                  Block &Out) {
  const bool IsBlock = Q == "pyro.poutine.block", IsCondition = isConditionHandler(Q),
             IsReparam = Q == "pyro.poutine.reparam";
  Bound B;
  if (!bindArgs(sig(IsBlock       ? SigBlock
                    : IsCondition ? SigCondition
                    : IsReparam   ? SigReparam
                    : Q == "pyro.poutine.scale" ? SigScale
                                                : SigMask),
                H, 0, 0, text(*H.Func), B))
    return constNone(C.Loc);
  const A::Expr *Fn = B.Slots[0];
  if (!Fn || !(isa<A::Name>(Fn) || isa<A::Attribute>(Fn))) {
    unsupported(H.Loc, "'" + text(*H.Func) +
                           "(fn, ...)(...)' is modelled when fn is a function, method or module "
                           "object named in the file");
    return constNone(C.Loc);
  }
  auto CallFn = [&](Block &In) {
    return isa<A::Name>(Fn) ? lowerNameCall(*cast<A::Name>(Fn), C, In)
                            : lowerMethodCall(*cast<A::Attribute>(Fn), C, In);
  };
  if (IsBlock) {
    std::optional<BlockRule> R = blockRule(H, true);
    if (!R)
      return constNone(C.Loc);
    Blocks.push_back(std::move(*R));
    ExprPtr V = CallFn(Out);
    Blocks.pop_back();
    return V;
  }
  if (IsCondition) {
    std::optional<ConditionFrame> F = conditionFrame(H, /*Applied=*/true, Out);
    if (!F)
      return constNone(C.Loc);
    Conditions.push_back(std::move(*F));
    ExprPtr V = CallFn(Out);
    Conditions.pop_back();
    return V;
  }
  if (IsReparam) {
    std::optional<ReparamFrame> F = reparamFrame(H);
    if (!F)
      return constNone(C.Loc);
    Reparams.push_back(std::move(*F));
    ExprPtr V = CallFn(Out);
    Reparams.pop_back();
    return V;
  }
  std::unique_ptr<WithStmt> W = handlerDecorator(H, Out);
  if (!W)
    return constNone(C.Loc);
  VarId T = newTemp("handled", C.Loc);
  ExprPtr V = CallFn(W->Body);
  assign(W->Body, T, std::move(V), C.Loc);
  Out.push_back(std::move(W));
  return varRef(C.Loc, T);
}

ExprPtr Lowerer::lowerNameCall(const A::Name &N, const A::Call &C, Block &Out) {
  bool Unbound = false;
  Binding *B = lookup(N.Id, &Unbound);
  if (B && B->K == Binding::Kind::Function) {
    if (!regionDominates(B->Region)) {
      unsupported(C.Loc, "'" + N.Id + "' is defined in a branch or loop: whether this call " +
                             "runs that definition depends on the path; define it " +
                             "unconditionally");
      return constNone(C.Loc);
    }
    return inlineCall(*B->Fn, B->FnScope, C, Out, nullptr, &B->Defaults);
  }
  if (B && B->K == Binding::Kind::Class)
    return instantiate(*B->Cls, B->FnScope, C, Out);
  if (B && B->K == Binding::Kind::Var) {
    if (std::optional<ExprPtr> R = callModuleObject(B->Var, N.Loc, C, Out))
      return std::move(*R);
    const Fact &F = fact(B->Var);
    // A value of unknown kind (an input, a function returned by a helper):
    // it may be user code.
    if (F.K != Fact::Kind::Plate)
      return lowerOpaqueCall(N.Id, C, Out, true, varRef(N.Loc, B->Var));
    return lowerExpr(N, Out); // reports the misused plate object
  }
  lowerName(N); // reports the unknown name
  return constNone(C.Loc);
}

/// The builtin or torch function that computes what the numpy function \p Q
/// computes on the arguments of \p C (scalar constructors, one-argument
/// elementwise math), if there is one.
static std::optional<std::string> numpyEquivalent(const std::string &Q, const A::Call &C) {
  static const std::map<std::string, std::string> Scalars = {
      {"numpy.float16", "float"}, {"numpy.float32", "float"}, {"numpy.float64", "float"},
      {"numpy.float_", "float"},  {"numpy.double", "float"},  {"numpy.single", "float"},
      {"numpy.int32", "int"},     {"numpy.int64", "int"},     {"numpy.int_", "int"}};
  static const std::set<std::string> Elementwise = {
      "exp",  "expm1", "log", "log1p", "sqrt",  "tanh",  "sin",
      "cos",  "abs",   "floor", "ceil", "sign", "round"};
  const bool OnePositional = C.Args.size() == 1 && C.Args[0].K == A::Arg::Kind::Positional;
  if (!OnePositional || !startsWith(Q, "numpy."))
    return std::nullopt;
  if (auto It = Scalars.find(Q); It != Scalars.end())
    return It->second;
  if (Elementwise.count(Q.substr(6)))
    return "torch." + Q.substr(6);
  return std::nullopt;
}

ExprPtr Lowerer::lowerQualifiedCall(const std::string &Q, const A::Call &C, Block &Out,
                                    std::optional<VarId> Target, bool *Emitted) {
  if (std::optional<std::string> Same = numpyEquivalent(Q, C))
    return lowerQualifiedCall(*Same, C, Out, Target, Emitted);
  const std::string Spell = text(*C.Func);
  auto EmitAs = [&](auto Fn) -> ExprPtr {
    // A statement-producing primitive: bound to Target, or to a temporary
    // when used inside an expression.
    if (Emitted) {
      Fn(Target);
      *Emitted = true;
      return nullptr;
    }
    if (!checkHoist(C.Loc, "'" + Spell + "'"))
      return constNone(C.Loc);
    VarId Tmp = newTemp(lastComponent(Q), C.Loc);
    Fn(std::optional<VarId>(Tmp));
    return varRef(C.Loc, Tmp);
  };
  if (Q == "pyro.sample")
    return EmitAs([&](std::optional<VarId> T) { lowerSample(C, Out, T); });
  if (Q == "pyro.param")
    return EmitAs([&](std::optional<VarId> T) { lowerParam(C, Out, T); });
  if (Q == "pyro.module")
    return EmitAs([&](std::optional<VarId> T) { lowerModuleStmt(C, Out, T); });
  if (Q == "pyro.factor") {
    if (Emitted) {
      lowerFactor(C, Out);
      *Emitted = true;
      return nullptr;
    }
    if (checkHoist(C.Loc, "'" + Spell + "'"))
      lowerFactor(C, Out);
    return constNone(C.Loc);
  }
  if (Q == "pyro.deterministic") {
    if (Emitted) {
      lowerDeterministic(C, Out, Target);
      *Emitted = true;
      return nullptr;
    }
    Bound B;
    if (!bindArgs(sig(SigDeterministic), C, 0, 0, Spell, B))
      return constNone(C.Loc);
    lowerSiteName(*B.Slots[0], Out);
    return lowerExpr(*B.Slots[1], Out);
  }
  if (Q == "pyro.plate") {
    unsupported(C.Loc, "pyro.plate can only be used in a with or for statement, or assigned to a "
                       "variable used there");
    return constNone(C.Loc);
  }
  if (Q == "pyro.markov") {
    unsupported(C.Loc, "pyro.markov is supported only around range(...) in a for loop");
    return constNone(C.Loc);
  }
  // torch.Size is a tuple of ints: `torch.Size((n, d))` keeps the shape known.
  if (Q == "torch.Size") {
    Bound B;
    if (!bindArgs(sig("sizes:n?"), C, 0, 0, Spell, B))
      return constNone(C.Loc);
    auto *Seq = B.Slots[0] ? dyn_cast<A::Sequence>(B.Slots[0]) : nullptr;
    if (B.Slots[0] && !(Seq && B.Slots[0]->Kind != A::ExprKind::Set))
      return lowerQualifiedCall("tuple", C, Out, Target, Emitted);
    auto R = P.makeSequence(ExprKind::Tuple, loc(C.Loc));
    if (Seq)
      for (const A::ExprPtr &Elt : Seq->Elts)
        R->Elements.push_back(lowerExpr(*Elt, Out));
    return R;
  }
  if (Q == "range") {
    unsupported(C.Loc, "range(...) is supported only as the iterable of a for loop");
    return constNone(C.Loc);
  }
  if (Q == "pyro.ops.indexing.vindex")
    return lowerVindexCall(C, Out);
  if (Q == "torch.nn.ModuleList")
    if (ExprPtr R = lowerModuleList(C, Out))
      return R;
  if (Q == "len" && C.Args.size() == 1 && C.Args[0].K == A::Arg::Kind::Positional)
    if (const Fact *F = moduleListOf(*C.Args[0].Value))
      return constInt(C.Loc, static_cast<int64_t>(F->Members.size()));
  if (Q == "pyro.subsample" || Q == "pyro.primitives.subsample")
    return lowerSubsample(C, Out);
  if (Q == "sum")
    return lowerSum(C, Out);
  // dict(pairs), dict(d, k=v), dict(**d): an opaque function of its arguments.
  if (Q == "dict" && std::all_of(C.Args.begin(), C.Args.end(), [](const A::Arg &Arg) {
        return Arg.K == A::Arg::Kind::Keyword;
      })) {
    auto D = make<DictExpr>(C.Loc);
    for (const A::Arg &Arg : C.Args) {
      D->Keys.push_back(constString(Arg.Loc, Arg.Name));
      D->Values.push_back(lowerExpr(*Arg.Value, Out));
    }
    return D;
  }
  // A handler wrapped around a function as a value (`AutoDelta(poutine.block(
  // model, expose=[...]))`): a callable svic does not model, which may sample.
  const bool WrapsFunction =
      (!C.Args.empty() && C.Args.front().K == A::Arg::Kind::Positional) ||
      std::any_of(C.Args.begin(), C.Args.end(), [](const A::Arg &Arg) {
        return Arg.K == A::Arg::Kind::Keyword && Arg.Name == "fn";
      });
  if (startsWith(Q, "pyro.poutine.") && WrapsFunction)
    return lowerOpaqueCall(Spell, C, Out, /*MayRunUserCode=*/true);
  if (startsWith(Q, "pyro.poutine.")) {
    unsupported(C.Loc, "'" + Spell +
                           "' is not supported here; svic accepts poutine.scale, "
                           "poutine.mask and poutine.block as context managers of a with "
                           "statement or as decorators");
    return constNone(C.Loc);
  }
  if (Q == "torch.no_grad") {
    unsupported(C.Loc, "torch.no_grad is supported only as the context manager of a with "
                       "statement");
    return constNone(C.Loc);
  }
  for (const char *Prefix : {"torch.distributions.constraints.", "pyro.distributions.constraints."})
    if (startsWith(Q, Prefix))
      return lowerConstraint(Q.substr(std::strlen(Prefix)), *C.Func, &C, Out);
  if (Q == "pyro.distributions.TransformedDistribution" ||
      Q == "torch.distributions.TransformedDistribution" ||
      Q == "torch.distributions.transformed_distribution.TransformedDistribution")
    return lowerTransformedDist(C, Out);
  if (startsWith(Q, "pyro.distributions.")) {
    std::string Rest = Q.substr(19);
    size_t Dot = Rest.find('.');
    std::string Cls = Rest.substr(0, Dot);
    std::optional<DistId> D = findDistribution(Cls);
    if (!D) {
      // A class outside the table is a distribution; a function
      // (`dist.kl_divergence`), a transform or a member of a submodule is
      // an opaque call, and a distribution too if a site samples it.
      const bool DistClass = Dot == std::string::npos && !Cls.empty() &&
                             std::isupper(static_cast<unsigned char>(Cls[0])) &&
                             !endsWith(Cls, "Transform");
      if (DistClass)
        return lowerOpaqueDistCtor(Spell, C, Out);
      return lowerOpaqueCall(Spell, C, Out, false);
    }
    if (Dot == std::string::npos)
      return lowerDistCtor(*D, Spell, C, Out);
    std::string Method = Rest.substr(Dot + 1);
    // `dist.Normal.log_prob(d, x)`: the receiver is the first argument.
    if (C.Args.empty() || C.Args[0].K != A::Arg::Kind::Positional) {
      error(DiagId::BadArguments, C.Loc, "'" + Spell + "' is missing the distribution argument");
      return constNone(C.Loc);
    }
    ExprPtr Recv = lowerExpr(*C.Args[0].Value, Out);
    return lowerDistMethod(std::move(Recv), Method, Spell, C, 1, Out);
  }
  if (std::optional<ModuleId> M = lookupModule(Q))
    return lowerModuleCtor(*M, C, Out);
  if (std::optional<OpId> Op = lookupOp(Q))
    return lowerTableCall(*Op, Spell, C, Out);
  if (startsWith(Q, "torch.Tensor.")) {
    if (std::optional<OpId> Op = lookupOp("torch." + Q.substr(13)))
      return lowerTableCall(*Op, Spell, C, Out);
  }
  return lowerOpaqueCall(Spell, C, Out, mayRunUserCode(Q));
}

ExprPtr Lowerer::lowerTableCall(OpId Op, const std::string &Spelling, const A::Call &C, Block &Out,
                                ExprPtr Receiver) {
  const OpInfo &Info = opInfo(Op);
  // Tensor-creation options that do not change values (PyTorch accepts them on
  // most functions): ignored when the row does not list them.
  std::set<std::string> Ignored;
  for (const char *K :
       {"dtype", "device", "requires_grad", "layout", "pin_memory", "memory_format"})
    if (!paramIndex(Info.Params, K))
      Ignored.insert(K);
  Bound B;
  size_t Pre = Receiver ? 1 : 0;
  if (!bindArgs(Info.Params, C, 0, Pre, Spelling, B, Ignored))
    return constNone(C.Loc);
  auto R = make<CallExpr>(C.Loc);
  R->Op = Op;
  std::vector<ExprPtr> Prefilled;
  if (Receiver)
    Prefilled.push_back(std::move(Receiver));
  R->Args = lowerBound(B, C, Out, std::move(Prefilled));
  // torch.max(a, b) / torch.min(a, b) with a tensor b is torch.maximum /
  // torch.minimum (elementwise, Lipschitz), not the reduction along dim b.
  auto &As = R->Args.Args;
  if ((Op == OpId::Max || Op == OpId::Min) && As.size() > 1 && As[1] &&
      (As.size() < 3 || !As[2]) && certainlyTensor(*As[1]) &&
      std::any_of(C.Args.begin(), C.Args.end(), [&](const A::Arg &X) {
        return X.K == A::Arg::Kind::Positional && X.Value.get() == B.Slots[1];
      })) {
    R->Op = Op == OpId::Max ? OpId::Maximum : OpId::Minimum;
    As.resize(2);
  }
  return R;
}

/// The cast op that `x.type(D)` or `x.to(D)` (D alone, or `dtype=D`) is, for
/// a dtype D whose cast keeps every value; otherwise none (`x.to(device)`,
/// `x.type(torch.int8)`, which wraps, stay opaque).
std::optional<OpId> Lowerer::dtypeCast(const std::string &Method, const A::Call &C) {
  if ((Method != "type" && Method != "to") || C.Args.size() != 1)
    return std::nullopt;
  const A::Arg &Arg = C.Args[0];
  if (Arg.K != A::Arg::Kind::Positional && !(Arg.K == A::Arg::Kind::Keyword && Arg.Name == "dtype"))
    return std::nullopt;
  std::optional<std::string> Q = staticPath(*Arg.Value);
  if (!Q)
    return std::nullopt;
  static const std::map<std::string, OpId> Casts = {
      {"torch.long", OpId::Long},        {"torch.int64", OpId::Long},
      {"torch.LongTensor", OpId::Long},  {"torch.int", OpId::IntCast},
      {"torch.int32", OpId::IntCast},    {"torch.IntTensor", OpId::IntCast},
      {"torch.float", OpId::FloatCast},  {"torch.float32", OpId::FloatCast},
      {"torch.Tensor", OpId::FloatCast}, {"torch.FloatTensor", OpId::FloatCast},
      {"torch.double", OpId::Double},    {"torch.float64", OpId::Double},
      {"torch.DoubleTensor", OpId::Double}, {"torch.bool", OpId::Bool},
      {"torch.BoolTensor", OpId::Bool}};
  auto It = Casts.find(*Q);
  if (It == Casts.end())
    return std::nullopt;
  // `.type(torch.LongTensor)` names a tensor type; `.to` takes only dtypes.
  if (Method == "to" && endsWith(*Q, "Tensor"))
    return std::nullopt;
  return It->second;
}

ExprPtr Lowerer::lowerMethodCall(const A::Attribute &Func, const A::Call &C, Block &Out) {
  const std::string &M = Func.Attr;
  const A::Expr &RecvAst = *Func.Value;
  // A method of an nn.ModuleList (append, extend, insert, ...) may change its
  // members: from here on every variable holding that list is an opaque list,
  // and the call an opaque call.
  if (std::optional<VarId> List = moduleListVar(RecvAst)) {
    const std::vector<VarId> Members = fact(*List).Members;
    for (VarId V = 0; V < Facts.size(); ++V)
      if (Facts[V].K == Fact::Kind::ModuleList && Facts[V].Members == Members)
        fact(V) = Fact{};
  }
  // `super().__init__(...)` and `super(Cls, self).m(...)` in a method: the
  // next user class up the bases, else nn.Module's own (a no-op).
  if (auto *SC = dyn_cast<A::Call>(&RecvAst)) {
    std::optional<std::string> Q = staticPath(*SC->Func);
    if (Q && *Q == "super" && !SelfStack.empty()) {
      auto [Self, Cls] = SelfStack.back();
      for (const A::ExprPtr &Base : Cls->Bases) {
        auto *BN = dyn_cast<A::Name>(Base.get());
        Binding *BB = BN ? lookup(BN->Id) : nullptr;
        if (!BB || BB->K != Binding::Kind::Class)
          continue;
        Instance View = *Self;
        View.Cls = BB->Cls;
        if (const A::FunctionDef *Fn = findMethod(View, M)) {
          SelfStack.emplace_back(Self, BB->Cls);
          Fact SelfFact = instanceFact(Self);
          ExprPtr R = inlineCall(*Fn, BB->FnScope, C, Out, &SelfFact, methodDefaults(*Fn));
          SelfStack.pop_back();
          return R;
        }
      }
      if (M == "__init__") {
        if (libraryBase(*Self))
          keepLibraryState(*Self, C, Out);
        return constNone(C.Loc);
      }
    }
  }
  // `Helpers.link(x, w)`: a @staticmethod called through its class.
  if (auto *N = dyn_cast<A::Name>(&RecvAst))
    if (Binding *B = lookup(N->Id); B && B->K == Binding::Kind::Class)
      if (const A::FunctionDef *Fn = findClassMethod(*B->Cls, M); Fn && isStaticMethod(*Fn))
        return inlineCall(*Fn, B->FnScope, C, Out, nullptr, methodDefaults(*Fn));
  if (std::shared_ptr<Instance> I = instanceOf(RecvAst)) {
    if (const A::FunctionDef *Fn = findMethod(*I, M))
      return isStaticMethod(*Fn) ? inlineCall(*Fn, I->ClsScope, C, Out, nullptr, methodDefaults(*Fn))
                                 : callMethod(I, *Fn, C, Out);
    auto F = I->Fields.find(M);
    if (F == I->Fields.end() && classAttribute(*I, M))
      F = I->Fields.find(M);
    if (F != I->Fields.end()) {
      pyroModuleRead(*I, M, Func.Loc, Out);
      if (std::optional<ExprPtr> R = callModuleObject(F->second, Func.Loc, C, Out))
        return std::move(*R);
      // A field holding a value svic does not know (`self.net = net`, a
      // constructor argument such as a pre-trained network): like a variable
      // of unknown kind, an opaque call of that value, which may be user code.
      if (const Fact &FF = fact(F->second); FF.K != Fact::Kind::Plate && FF.K != Fact::Kind::Dist)
        return lowerOpaqueCall(text(*C.Func), C, Out, /*MayRunUserCode=*/true,
                               varRef(Func.Loc, F->second));
    }
    // A method of nn.Module that user classes inherit (parameters(), train(), ...).
    static const std::set<std::string> ModuleMethods = {
        "parameters", "named_parameters", "buffers",    "named_buffers", "children",
        "named_children", "modules",      "named_modules", "train",      "eval",
        "to",         "cuda",             "cpu",        "float",         "double",
        "half",       "zero_grad",        "state_dict", "load_state_dict", "apply",
        "register_buffer", "register_parameter", "add_module", "requires_grad_",
        "get_submodule", "get_parameter", "type"};
    // Moving a module between devices changes no value: the call returns
    // the module.
    if ((M == "cuda" || M == "cpu" || M == "to") && libraryBase(*I)) {
      for (const A::Arg &Arg : C.Args)
        lowerExpr(*Arg.Value, Out);
      ExprPtr R = constNone(C.Loc);
      InstanceValues[R.get()] = I;
      return R;
    }
    if (ModuleMethods.count(M) && libraryBase(*I)) {
      std::set<VarId> Fields;
      captureInstance(*I, Fields);
      auto R = lowerOpaqueCall(text(*C.Func), C, Out, false);
      for (VarId V : Fields)
        cast<CallExpr>(R.get())->Args.Args.push_back(varRef(C.Loc, V));
      return R;
    }
    error(DiagId::UnknownFunction, Func.Loc,
          "'" + I->Cls->Name + "' has no method or callable field '" + M + "'");
    return constNone(C.Loc);
  }
  // `"z_{}".format(t)` as a value.
  if (auto *K = dyn_cast<A::Constant>(&RecvAst);
      K && K->Ty == A::Constant::Type::Str && M == "format") {
    auto R = make<CallExpr>(C.Loc);
    R->Op = OpId::StrFormat;
    if (std::optional<FormatPlan> Plan = planFormat(C))
      return lowerFormatValue(*Plan, C.Loc, Out);
    // A template svic cannot read: the raw template and the positional arguments.
    R->Args.Args.push_back(constString(K->Loc, K->Str));
    for (const A::Arg &Arg : C.Args)
      if (Arg.K == A::Arg::Kind::Positional)
        R->Args.Args.push_back(lowerExpr(*Arg.Value, Out));
    return R;
  }
  if (auto *N = dyn_cast<A::Name>(&RecvAst)) {
    Binding *B = lookup(N->Id);
    if (B && B->K == Binding::Kind::Var && fact(B->Var).K == Fact::Kind::Module)
      return lowerOpaqueCall(text(*C.Func), C, Out, false, varRef(RecvAst.Loc, B->Var));
    if (B && B->K == Binding::Kind::Var && fact(B->Var).K == Fact::Kind::Dist) {
      static const std::set<std::string> Transforms = {"to_event", "independent", "expand",
                                                       "expand_by", "mask"};
      if (Transforms.count(M)) {
        std::string Why = factProblem(B->Var);
        if (!Why.empty()) {
          unsupported(RecvAst.Loc, "the distribution in '" + N->Id +
                                       "' is ambiguous here because " + Why +
                                       "; construct the distribution where it is used");
          return constNone(C.Loc);
        }
        ExprPtr Copy = cloneExpr(*fact(B->Var).Def, P);
        return lowerDistMethod(std::move(Copy), M, "." + M, C, 0, Out);
      }
      return lowerDistMethod(varRef(RecvAst.Loc, B->Var), M, "." + M, C, 0, Out);
    }
  }
  ExprPtr Recv = lowerExpr(RecvAst, Out);
  if (isa<DistributionExpr>(Recv.get()))
    return lowerDistMethod(std::move(Recv), M, "." + M, C, 0, Out);
  // `x.type(torch.long)`, `x.to(torch.float64)`: the cast method of that dtype.
  if (std::optional<OpId> Cast = dtypeCast(M, C)) {
    auto R = make<CallExpr>(C.Loc);
    R->Op = *Cast;
    R->Args.Args.push_back(std::move(Recv));
    return R;
  }
  // A tensor's `.numpy()` holds its values.
  if (M == "numpy" && certainlyTensor(*Recv))
    return lowerTableCall(OpId::Detach, ".numpy", C, Out, std::move(Recv));
  for (const std::string &Q : {"torch.Tensor." + M, "torch." + M, "list." + M}) {
    if (std::optional<OpId> Op = lookupOp(Q))
      return lowerTableCall(*Op, "." + M, C, Out, std::move(Recv));
  }
  // A tensor's or a dict's method runs no user code; an object of unknown
  // kind's may.
  const auto *R = dyn_cast<VarRefExpr>(Recv.get());
  const bool Plain = certainlyTensor(*Recv) || isa<DictExpr>(Recv.get()) ||
                     (R && fact(R->Var).K == Fact::Kind::Dict && factProblem(R->Var).empty());
  return lowerOpaqueCall(text(*C.Func), C, Out, !Plain, std::move(Recv));
}

/// `pyro.subsample(data, event_dim=e)` as Pyro 1.8.6 computes it: each
/// enclosing vectorised plate with a subsample_size selects its indices
/// along its dim (counted from the right of the batch dims, so dim - e of
/// data); with none it is data itself. A subsampling plate whose dim svic
/// cannot read, or an event_dim that is not a literal, leaves the call opaque.
ExprPtr Lowerer::lowerSubsample(const A::Call &C, Block &Out) {
  const std::string Spell = text(*C.Func);
  Bound B;
  if (!bindArgs(sig("data:n,event_dim:n"), C, 0, 0, Spell, B))
    return constNone(C.Loc);
  // A literal integer, lowered (`-1` is the negation of 1).
  auto LiteralInt = [](const Expr *E) -> std::optional<int64_t> {
    int64_t Sign = 1;
    if (auto *U = E ? dyn_cast<UnaryExpr>(E) : nullptr; U && U->Op == UnaryOp::Neg) {
      Sign = -1;
      E = U->Operand.get();
    }
    if (auto *K = E ? dyn_cast<ConstantExpr>(E) : nullptr; K && K->Ty == ConstantExpr::Type::Int)
      return Sign * K->IntValue;
    return std::nullopt;
  };
  std::vector<WithStmt *> Subsampling;
  for (WithStmt *W : OpenPlates)
    if (W->Plate.SubsampleSize)
      Subsampling.push_back(W);
  if (Subsampling.empty())
    return lowerExpr(*B.Slots[0], Out);
  Block Scratch;
  ExprPtr EventArg = lowerExpr(*B.Slots[1], Scratch);
  std::optional<int64_t> EventDim = LiteralInt(EventArg.get());
  bool Static = Scratch.empty() && EventDim && *EventDim >= 0;
  for (WithStmt *W : Subsampling) {
    std::optional<int64_t> Dim = LiteralInt(W->Plate.Dim.get());
    Static &= Dim && *Dim < 0;
  }
  if (!Static)
    return lowerOpaqueCall(Spell, C, Out, false);
  ExprPtr Data = lowerExpr(*B.Slots[0], Out);
  for (WithStmt *W : Subsampling) {
    if (!W->IndexVar)
      W->IndexVar = newTemp("subsample_indices", C.Loc);
    auto Sel = make<CallExpr>(C.Loc);
    Sel->Op = OpId::IndexSelect;
    Sel->Args.Args.push_back(std::move(Data));
    Sel->Args.Args.push_back(constInt(C.Loc, *LiteralInt(W->Plate.Dim.get()) - *EventDim));
    Sel->Args.Args.push_back(varRef(C.Loc, *W->IndexVar));
    Data = std::move(Sel);
  }
  return Data;
}

//===-- Opaque calls -------------------------------------------------------------===//
//
// A call svic does not model (a library function outside the tables, a method
// of an object of unknown kind, a value of unknown kind called) is analysed as
// an opaque function of all its arguments: an OpaqueCall that may break every
// property in each of them, may raise, and has an unknown value. When it may
// run user code (it is handed a user callable, or what it calls is not a known
// library) it may also sample, observe or add factors that svic cannot see.

/// True unless \p Q belongs to a library whose functions never run Pyro
/// primitives by themselves (they may still call a callable they are handed,
/// which opaqueArgument sees).
bool Lowerer::mayRunUserCode(const std::string &Q) {
  static const std::set<std::string> Plain = {
      "numpy",    "scipy",    "math",        "torch",     "pandas",   "sklearn",  "matplotlib",
      "seaborn",  "os",       "sys",         "time",      "random",   "itertools", "functools",
      "collections", "json",  "logging",     "argparse",  "warnings", "re",       "typing",
      "copy",     "pickle",   "pathlib",     "tqdm",      "PIL",      "torchvision", "h5py",
      "statistics", "string", "csv",         "operator",  "datetime", "numbers",  "str",
      "list",     "dict"};
  if (builtinNames().count(Q))
    return false;
  if (Q.empty() || Q[0] == '.')
    return true;
  return !Plain.count(Q.substr(0, Q.find('.')));
}

ExprPtr Lowerer::lowerOpaqueCall(const std::string &Spelling, const A::Call &C, Block &Out,
                                 bool MayRunUserCode, ExprPtr Receiver) {
  auto R = make<CallExpr>(C.Loc);
  R->Op = OpId::OpaqueCall;
  R->Callee = Spelling;
  R->MayRunUserCode = MayRunUserCode;
  if (Receiver)
    R->Args.Args.push_back(std::move(Receiver));
  std::set<VarId> Captured;
  for (const A::Arg &Arg : C.Args)
    opaqueArgument(*Arg.Value, *R, Captured, Out);
  for (VarId V : Captured)
    R->Args.Args.push_back(varRef(C.Loc, V));
  if (R->MayRunUserCode)
    P.OpaqueUserCode.insert(Spelling);
  DE.report(DiagId::OpaqueCall, loc(C.Loc),
            "opaque call to '" + Spelling +
                "' (not modelled): its value may break every smoothness property in its "
                "arguments" +
                (R->MayRunUserCode ? "; it may run code that samples, so the support match of "
                                     "sites missing on one side is unknown"
                                   : ""));
  return R;
}

/// A distribution svic does not model, built from \p Args (every value its
/// density may read): a site of it is found and listed, its density may break
/// every property in every argument and in the value, its support is unknown
/// and it is never reparameterised.
std::unique_ptr<DistributionExpr> Lowerer::opaqueDistribution(const std::string &Name,
                                                              std::vector<ExprPtr> Args,
                                                              const SourceLoc &L,
                                                              const std::string &Why) {
  auto D = make<DistributionExpr>(L);
  D->Dist = DistId::Opaque;
  D->OpaqueName = Name;
  D->Args.Args = std::move(Args);
  DE.report(DiagId::OpaqueCall, loc(L),
            "opaque distribution '" + Name + "' (not modelled" + (Why.empty() ? "" : ": " + Why) +
                "): its density may break every smoothness property in its "
                "arguments and its value, and its support is unknown");
  return D;
}

/// `dist.ZeroInflatedPoisson(rate, gate=g)`: a class of pyro.distributions
/// outside the table. Its arguments are those of an opaque call; one that
/// may run user code stays an opaque call, so the analyses see that.
std::unique_ptr<DistributionExpr> Lowerer::lowerOpaqueDistCtor(const std::string &Spelling,
                                                               const A::Call &C, Block &Out) {
  auto Call = make<CallExpr>(C.Loc);
  Call->Op = OpId::OpaqueCall;
  Call->Callee = Spelling;
  std::set<VarId> Captured;
  for (const A::Arg &Arg : C.Args)
    opaqueArgument(*Arg.Value, *Call, Captured, Out);
  for (VarId V : Captured)
    Call->Args.Args.push_back(varRef(C.Loc, V));
  std::vector<ExprPtr> Args;
  if (Call->MayRunUserCode) {
    P.OpaqueUserCode.insert(Spelling);
    Args.push_back(std::move(Call));
  } else {
    Args = std::move(Call->Args.Args);
  }
  return opaqueDistribution(Spelling, std::move(Args), C.Loc);
}

/// The builtin \p Name (it runs no user code) of \p Args, which svic does not
/// model: a dict or set built from a comprehension or from `**` unpacking.
ExprPtr Lowerer::opaqueBuiltin(const std::string &Name, std::vector<ExprPtr> Args,
                               const SourceLoc &L) {
  auto R = make<CallExpr>(L);
  R->Op = OpId::OpaqueCall;
  R->Callee = Name;
  R->Args.Args = std::move(Args);
  DE.report(DiagId::OpaqueCall, loc(L),
            "opaque call to '" + Name +
                "' (not modelled): its value may break every smoothness property in its "
                "arguments");
  return R;
}

/// A module attribute svic does not know used as a value (`np.newaxis`,
/// `config.LATENT_DIM` from a module it cannot read): any value.
ExprPtr Lowerer::opaqueValue(const A::Expr &E) {
  auto R = make<CallExpr>(E.Loc);
  R->Op = OpId::OpaqueCall;
  R->Callee = text(E);
  DE.report(DiagId::OpaqueCall, loc(E.Loc),
            "opaque value '" + R->Callee + "' (not modelled): it may be anything");
  return R;
}

/// Adds the argument \p E of an opaque call to \p R. A user callable (a
/// function, lambda, class, object or bound method) is not lowered — whether
/// and how often it runs is unknown — but everything it can read is an
/// argument (\p Captured), and the call may run user code.
void Lowerer::opaqueArgument(const A::Expr &E, CallExpr &R, std::set<VarId> &Captured,
                             Block &Out) {
  if (isa<A::Lambda>(&E)) {
    R.MayRunUserCode = true;
    captureScope(Cur, Captured);
    return;
  }
  if (auto *N = dyn_cast<A::Name>(&E)) {
    Binding *B = lookup(N->Id);
    if (B && (B->K == Binding::Kind::Function || B->K == Binding::Kind::Class)) {
      R.MayRunUserCode = true;
      captureScope(B->FnScope ? B->FnScope : Cur, Captured);
      return;
    }
    // A builtin function handed over (`map(int, xs)`): it samples nothing.
    if (!B && builtinNames().count(N->Id) && !isLocalName(N->Id))
      return;
  }
  std::shared_ptr<Instance> I = instanceOf(E);
  if (auto *At = dyn_cast<A::Attribute>(&E); !I && At) {
    std::shared_ptr<Instance> Owner = instanceOf(*At->Value);
    if (Owner && findMethod(*Owner, At->Attr))
      I = Owner; // a bound method
  }
  if (I) {
    R.MayRunUserCode = true;
    captureInstance(*I, Captured);
    captureScope(I->ClsScope, Captured);
    return;
  }
  R.Args.Args.push_back(lowerExpr(E, Out));
}

/// Every variable visible from \p S (what a closure defined there can read).
void Lowerer::captureScope(Scope *S, std::set<VarId> &Captured) {
  for (; S; S = S->Parent)
    for (const auto &[Name, B] : S->Names) {
      if (B.K != Binding::Kind::Var)
        continue;
      const Fact &F = fact(B.Var);
      if (F.K == Fact::Kind::Instance)
        captureInstance(*F.Inst, Captured);
      else if (F.K != Fact::Kind::Plate)
        Captured.insert(B.Var);
    }
}

/// The arguments of \p C, a call of \p I's library base constructor, kept
/// in variables as the object's library state.
void Lowerer::keepLibraryState(Instance &I, const A::Call &C, Block &Out) {
  auto Scratch = make<CallExpr>(C.Loc);
  std::set<VarId> Captured;
  for (const A::Arg &Arg : C.Args)
    opaqueArgument(*Arg.Value, *Scratch, Captured, Out);
  I.LibraryState.insert(I.LibraryState.end(), Captured.begin(), Captured.end());
  for (ExprPtr &E : Scratch->Args.Args) {
    VarId T = newTemp("library_state", C.Loc);
    assign(Out, T, std::move(E), C.Loc);
    I.LibraryState.push_back(T);
  }
}

void Lowerer::captureInstance(const Instance &I, std::set<VarId> &Captured, int Depth) {
  if (Depth > 16)
    return;
  Captured.insert(I.LibraryState.begin(), I.LibraryState.end());
  for (const auto &[Name, V] : I.Fields) {
    const Fact &F = fact(V);
    if (F.K == Fact::Kind::Instance)
      captureInstance(*F.Inst, Captured, Depth + 1);
    else if (F.K != Fact::Kind::Plate)
      Captured.insert(V);
  }
}

/// An opaque call used as a statement is called for its effect: it may update
/// the objects it is handed (numpy's in-place functions, `obj.update(z)`), so
/// each variable passed to it, or whose method it is, may hold anything the
/// call could compute afterwards.
void Lowerer::lowerOpaqueStatement(const A::Call &C, ExprPtr Call, Block &Out,
                                   const SourceLoc &L) {
  const std::string Callee = cast<CallExpr>(Call.get())->Callee;
  std::vector<VarId> Updated;
  auto Consider = [&](const A::Expr *X) {
    auto *N = dyn_cast<A::Name>(X);
    Binding *B = N ? lookup(N->Id) : nullptr;
    if (!B || B->K != Binding::Kind::Var)
      return;
    Fact::Kind K = fact(B->Var).K;
    if (K != Fact::Kind::Plate && K != Fact::Kind::Instance && K != Fact::Kind::String &&
        std::find(Updated.begin(), Updated.end(), B->Var) == Updated.end())
      Updated.push_back(B->Var);
  };
  if (auto *At = dyn_cast<A::Attribute>(C.Func.get()))
    Consider(At->Value.get());
  for (const A::Arg &Arg : C.Args)
    Consider(Arg.Value.get());
  if (Updated.empty()) {
    auto St = make<ExprStmt>(L);
    St->Value = std::move(Call);
    Out.push_back(std::move(St));
    return;
  }
  VarId Result = newTemp("opaque", L);
  assign(Out, Result, std::move(Call), L);
  for (VarId V : Updated) {
    auto U = make<CallExpr>(C.Loc);
    U->Op = OpId::OpaqueCall;
    U->Callee = Callee;
    U->Args.Args.push_back(varRef(C.Loc, V));
    U->Args.Args.push_back(varRef(C.Loc, Result));
    assign(Out, V, std::move(U), L);
  }
}

ExprPtr Lowerer::lowerDistMethod(ExprPtr Recv, const std::string &Method,
                                 const std::string &Spelling, const A::Call &C, size_t FirstArg,
                                 Block &Out) {
  static const std::map<std::string, DistTransformKind> Transforms = {
      {"to_event", DistTransformKind::ToEvent},
      {"independent", DistTransformKind::Independent},
      {"expand", DistTransformKind::Expand},
      {"expand_by", DistTransformKind::ExpandBy},
      {"mask", DistTransformKind::Mask}};
  auto T = Transforms.find(Method);
  if (T != Transforms.end()) {
    auto *D = dyn_cast<DistributionExpr>(Recv.get());
    if (!D) {
      unsupported(C.Loc, "'" + Spelling + "' needs a distribution object");
      return constNone(C.Loc);
    }
    const char *Spec =
        T->second == DistTransformKind::ToEvent || T->second == DistTransformKind::Independent
            ? SigToEvent
        : T->second == DistTransformKind::Mask ? SigMaskT
                                               : SigExpand;
    Bound B;
    if (!bindArgs(sig(Spec), C, FirstArg, 0, Spelling, B))
      return Recv;
    BoundArgs Args = lowerBound(B, C, Out);
    ExprPtr Arg;
    if (Args.Args.size() > 1) {
      auto Tup = P.makeSequence(ExprKind::Tuple, loc(C.Loc));
      for (ExprPtr &E : Args.Args)
        Tup->Elements.push_back(std::move(E));
      Arg = std::move(Tup);
    } else if (!Args.Args.empty()) {
      Arg = std::move(Args.Args[0]);
    }
    D->Transforms.push_back(DistTransform{T->second, std::move(Arg), loc(C.Loc)});
    D->Loc.EndLine = loc(C.Loc).EndLine;
    D->Loc.EndCol = loc(C.Loc).EndCol;
    return Recv;
  }
  OpId Op;
  const char *Spec;
  if (Method == "log_prob") {
    Op = OpId::DistLogProb;
    Spec = SigLogProb;
  } else if (Method == "sample" || Method == "rsample") {
    Op = OpId::DistSample;
    Spec = SigSampleM;
  } else {
    // .entropy(), .cdf(x), .icdf(q), ...: not modelled.
    return lowerOpaqueCall(text(*C.Func), C, Out, false, std::move(Recv));
  }
  Bound B;
  if (!bindArgs(sig(Spec), C, FirstArg, 0, Spelling, B))
    return constNone(C.Loc);
  auto R = make<CallExpr>(C.Loc);
  R->Op = Op;
  BoundArgs Args = lowerBound(B, C, Out);
  R->Args.Args.push_back(std::move(Recv));
  for (ExprPtr &E : Args.Args)
    R->Args.Args.push_back(std::move(E));
  return R;
}

ExprPtr Lowerer::lowerDistCtor(DistId D, const std::string &Spelling, const A::Call &C,
                               Block &Out) {
  const DistInfo &Info = distInfo(D);
  // torch's Multinomial defaults total_count to 1 (its log_prob does not read
  // it); the table requires the slot, so the default is written in.
  std::vector<ParamSpec> Params = Info.Params;
  const bool DefaultCount = D == DistId::Multinomial;
  if (DefaultCount)
    Params[0].Optional = true;
  Bound B;
  if (!bindArgs(Params, C, 0, 0, Spelling, B, {"validate_args"}))
    return constNone(C.Loc);
  auto R = make<DistributionExpr>(C.Loc);
  R->Dist = D;
  R->Args = lowerBound(B, C, Out);
  if (DefaultCount && !R->Args.Args[0])
    R->Args.Args[0] = constInt(C.Loc, 1);
  return R;
}

/// `TransformedDistribution(base, transforms)` where it is exactly a
/// distribution of the table: exp of a Normal is a LogNormal, an affine map
/// of a Normal a Normal, the sigmoid of a Normal Pyro's biject_to(unit
/// interval) of it (the autoguides' BijectToInterval). The transforms apply
/// elementwise, so they commute with the base's expand and to_event.
ExprPtr Lowerer::lowerTransformedDist(const A::Call &C, Block &Out) {
  const std::string Spell = text(*C.Func);
  Bound B;
  if (!bindArgs(sig("base_distribution:n,transforms:n"), C, 0, 0, Spell, B, {"validate_args"}))
    return constNone(C.Loc);
  std::unique_ptr<DistributionExpr> D = lowerDistArg(*B.Slots[0], Out);
  if (!D)
    return constNone(C.Loc);
  std::vector<const A::Expr *> Steps;
  if (auto *Seq = dyn_cast<A::Sequence>(B.Slots[1]); Seq && B.Slots[1]->Kind != A::ExprKind::Set)
    for (const A::ExprPtr &T : Seq->Elts)
      Steps.push_back(T.get());
  else
    Steps.push_back(B.Slots[1]);
  // A map svic does not model: an opaque distribution of the base (as far as
  // it was mapped) and of every transform from this one on.
  auto Refuse = [&](const A::Expr &T, const std::string &Why) -> ExprPtr {
    std::vector<ExprPtr> Args;
    Args.push_back(std::move(D));
    for (auto It = std::find(Steps.begin(), Steps.end(), &T); It != Steps.end(); ++It)
      Args.push_back(lowerExpr(**It, Out));
    return opaqueDistribution(Spell, std::move(Args), C.Loc, Why);
  };
  for (const A::Expr *T : Steps) {
    auto *TC = dyn_cast<A::Call>(T);
    std::optional<std::string> TQ = TC ? staticPath(*TC->Func) : std::nullopt;
    std::string Kind = TQ ? lastComponent(*TQ) : "";
    if (!TQ || !(startsWith(*TQ, "torch.distributions.transforms.") ||
                 startsWith(*TQ, "pyro.distributions.transforms.") ||
                 *TQ == "torch.distributions." + Kind || *TQ == "pyro.distributions." + Kind))
      return Refuse(*T, "the transform '" + text(*T) + "' is not modelled");
    const bool Elementwise = std::all_of(D->Transforms.begin(), D->Transforms.end(),
                                         [](const DistTransform &X) {
                                           return X.Kind == DistTransformKind::ToEvent ||
                                                  X.Kind == DistTransformKind::Independent ||
                                                  X.Kind == DistTransformKind::Expand ||
                                                  X.Kind == DistTransformKind::ExpandBy;
                                         });
    if (D->Dist != DistId::Normal || !Elementwise)
      return Refuse(*T, "'" + text(*T) + "' of a " + std::string(D->info().Name) +
                            (Elementwise ? "" : " already mapped or masked") + " is not modelled");
    Bound TB;
    if (Kind == "ExpTransform" || Kind == "SigmoidTransform") {
      if (!bindArgs(sig("cache_size:n?"), *TC, 0, 0, Kind, TB))
        return constNone(C.Loc);
      if (Kind == "ExpTransform")
        D->Dist = DistId::LogNormal;
      else
        D->Transforms.push_back(DistTransform{DistTransformKind::BijectToInterval, nullptr, T->Loc});
      continue;
    }
    if (Kind != "AffineTransform")
      return Refuse(*T, "the transform '" + Kind + "' is not modelled");
    if (!bindArgs(sig("loc:n,scale:n,event_dim:n?,cache_size:n?"), *TC, 0, 0, Kind, TB))
      return constNone(C.Loc);
    if (TB.Slots[2])
      return Refuse(*T, "an AffineTransform with event_dim is not modelled");
    // a + b * Normal(m, s) = Normal(a + b * m, |b| * s)
    ExprPtr Shift = lowerExpr(*TB.Slots[0], Out);
    ExprPtr Factor = lowerExpr(*TB.Slots[1], Out);
    VarId FactorVar = newTemp("affine_scale", TB.Slots[1]->Loc);
    assign(Out, FactorVar, std::move(Factor), TB.Slots[1]->Loc);
    ExprPtr &Loc = D->Args.Args[0];
    ExprPtr &Scale = D->Args.Args[1];
    auto Mul = make<BinaryExpr>(T->Loc);
    Mul->Op = BinaryOp::Mul;
    Mul->Lhs = varRef(T->Loc, FactorVar);
    Mul->Rhs = std::move(Loc);
    auto Add = make<BinaryExpr>(T->Loc);
    Add->Op = BinaryOp::Add;
    Add->Lhs = std::move(Shift);
    Add->Rhs = std::move(Mul);
    Loc = std::move(Add);
    auto Abs = make<CallExpr>(T->Loc);
    Abs->Op = OpId::Abs;
    Abs->Args.Args.push_back(varRef(T->Loc, FactorVar));
    auto Times = make<BinaryExpr>(T->Loc);
    Times->Op = BinaryOp::Mul;
    Times->Lhs = std::move(Abs);
    Times->Rhs = std::move(Scale);
    Scale = std::move(Times);
  }
  return D;
}

ExprPtr Lowerer::lowerModuleCtor(ModuleId M, const A::Call &C, Block &Out) {
  const ModuleInfo &Info = moduleInfo(M);
  const std::string Spell = text(*C.Func);
  auto R = make<ModuleCtorExpr>(C.Loc);
  R->Module = M;
  if (M == ModuleId::Sequential) {
    // `nn.Sequential(*layers)`, layers a list the code builds (make_fc in
    // Pyro's scanvi example): its members are not known here, so the object
    // is opaque and so is every call of it.
    if (std::any_of(C.Args.begin(), C.Args.end(),
                    [](const A::Arg &Arg) { return Arg.K == A::Arg::Kind::Star; }))
      return lowerOpaqueCall(Spell, C, Out, false);
    bool Unknown = false;
    for (const A::Arg &Arg : C.Args) {
      if (Arg.K != A::Arg::Kind::Positional) {
        error(DiagId::BadArguments, Arg.Loc,
              "'" + Spell +
                  "' takes only positional module "
                  "arguments");
        continue;
      }
      ExprPtr Member = lowerExpr(*Arg.Value, Out);
      bool IsModule = isa<ModuleCtorExpr>(Member.get());
      auto *Ref = dyn_cast<VarRefExpr>(Member.get());
      if (Ref)
        IsModule = fact(Ref->Var).K == Fact::Kind::Module;
      // A member of unknown kind (`act()`, act a class svic cannot see)
      // makes the whole object opaque.
      auto *Call = dyn_cast<CallExpr>(Member.get());
      if ((Ref && fact(Ref->Var).K == Fact::Kind::None && !certainlyTensor(*Member)) ||
          (Call && Call->Op == OpId::OpaqueCall))
        Unknown = true;
      else if (!IsModule)
        unsupported(Arg.Loc, "the members of nn.Sequential must be nn modules");
      R->Members.push_back(std::move(Member));
    }
    if (Unknown) {
      auto O = make<CallExpr>(C.Loc);
      O->Op = OpId::OpaqueCall;
      O->Callee = Spell;
      for (ExprPtr &M : R->Members)
        O->Args.Args.push_back(std::move(M));
      DE.report(DiagId::OpaqueCall, loc(C.Loc),
                "opaque call to '" + Spell + "' (not modelled: a member may be any object): its "
                "value may break every smoothness property in its arguments");
      return O;
    }
    return R;
  }
  Bound B;
  if (!bindArgs(Info.CtorParams, C, 0, 0, Spell, B))
    return R;
  R->Args = lowerBound(B, C, Out);
  return R;
}

ExprPtr Lowerer::lowerModuleCall(ExprPtr Callee, std::optional<ModuleId> M, const A::Call &C,
                                 Block &Out) {
  auto R = make<ModuleCallExpr>(C.Loc);
  std::string Spell = text(*C.Func);
  if (M && *M != ModuleId::Sequential) {
    Bound B;
    if (!bindArgs(moduleInfo(*M).CallParams, C, 0, 0, Spell, B))
      return constNone(C.Loc);
    BoundArgs Args = lowerBound(B, C, Out);
    while (!Args.Args.empty() && !Args.Args.back())
      Args.Args.pop_back();
    R->Args = std::move(Args.Args);
  } else {
    for (const A::Arg &Arg : C.Args) {
      if (Arg.K != A::Arg::Kind::Positional) {
        error(DiagId::BadArguments, Arg.Loc,
              "'" + Spell + "' got an unexpected keyword argument '" + Arg.Name + "'");
        continue;
      }
      R->Args.push_back(lowerExpr(*Arg.Value, Out));
    }
  }
  R->Callee = std::move(Callee);
  return R;
}

//===-- User classes ------------------------------------------------------------===//

/// nn modules without parameters: pyro.module registers nothing for them.
static bool weightless(ModuleId M) {
  switch (M) {
  case ModuleId::ReLU:
  case ModuleId::LeakyReLU:
  case ModuleId::ELU:
  case ModuleId::Softplus:
  case ModuleId::Sigmoid:
  case ModuleId::Tanh:
  case ModuleId::SoftmaxModule:
  case ModuleId::LogSoftmaxModule:
  case ModuleId::Identity:
  case ModuleId::Dropout:
    return true;
  default:
    return false;
  }
}

void Lowerer::defineClass(const A::ClassDef &C, Block &Out) {
  for (const A::ExprPtr &D : C.Decorators)
    unsupported(D->Loc, "class decorators are not supported; remove '@" + text(*D) + "'");
  Binding B;
  B.K = Binding::Kind::Class;
  B.Cls = &C;
  B.FnScope = Cur;
  // The class body runs once: so do its methods' defaults.
  for (const A::StmtPtr &St : C.Inner)
    if (auto *F = dyn_cast<A::FunctionDef>(St.get()))
      for (const A::Param &Pm : F->Params)
        if (Pm.Default && !Pm.Name.empty()) {
          VarId V = newTemp("default", Pm.Default->Loc);
          bindVar(Out, V, lowerDefault(*Pm.Default, Out), Pm.Default->Loc, false);
          MethodDefaults[F][Pm.Name] = V;
        }
  Cur->Names[C.Name] = B;
}

/// The field variable holding the library nn module \p E names
/// (`self.lin`), if any.
std::optional<VarId> Lowerer::libraryModuleVar(const A::Attribute &E) {
  std::shared_ptr<Instance> I = instanceOf(*E.Value);
  if (!I)
    return std::nullopt;
  auto F = I->Fields.find(E.Attr);
  if (F == I->Fields.end() || fact(F->second).K != Fact::Kind::Module ||
      !factProblem(F->second).empty())
    return std::nullopt;
  return F->second;
}

std::shared_ptr<Lowerer::Instance> Lowerer::instanceOf(const A::Expr &E) {
  VarId V = 0;
  if (auto *N = dyn_cast<A::Name>(&E)) {
    Binding *B = lookup(N->Id);
    if (!B || B->K != Binding::Kind::Var)
      return nullptr;
    V = B->Var;
  } else if (auto *At = dyn_cast<A::Attribute>(&E)) {
    std::shared_ptr<Instance> Base = instanceOf(*At->Value);
    if (!Base)
      return nullptr;
    auto F = Base->Fields.find(At->Attr);
    if (F == Base->Fields.end())
      return nullptr;
    V = F->second;
  } else {
    return nullptr;
  }
  const Fact &F = fact(V);
  return F.K == Fact::Kind::Instance ? F.Inst : nullptr;
}

/// The method \p Name of the object's class or of a user base class.
const A::FunctionDef *Lowerer::findMethod(const Instance &I, const std::string &Name) {
  return findClassMethod(*I.Cls, Name);
}

/// The method \p Name of \p Cls or of a user base class.
const A::FunctionDef *Lowerer::findClassMethod(const A::ClassDef &Cls, const std::string &Name) {
  std::vector<const A::ClassDef *> Work{&Cls};
  for (size_t K = 0; K < Work.size() && K < 64; ++K) {
    const A::FunctionDef *Found = nullptr;
    for (const A::StmtPtr &S : Work[K]->Inner)
      if (auto *F = dyn_cast<A::FunctionDef>(S.get()); F && F->Name == Name)
        Found = F;
    if (Found)
      return Found;
    for (const A::ExprPtr &Base : Work[K]->Bases)
      if (auto *BN = dyn_cast<A::Name>(Base.get()))
        if (Binding *B = lookup(BN->Id); B && B->K == Binding::Kind::Class)
          Work.push_back(B->Cls);
  }
  return nullptr;
}

/// True when the object's class, or a user base class of it, derives from a
/// class svic does not have the source of (nn.Module, PyroModule, ...).
bool Lowerer::libraryBase(const Instance &I) {
  std::vector<const A::ClassDef *> Work{I.Cls};
  for (size_t K = 0; K < Work.size() && K < 64; ++K)
    for (const A::ExprPtr &Base : Work[K]->Bases) {
      auto *BN = dyn_cast<A::Name>(Base.get());
      Binding *B = BN ? lookup(BN->Id) : nullptr;
      if (B && B->K == Binding::Kind::Class)
        Work.push_back(B->Cls);
      else if (!(BN && BN->Id == "object"))
        return true;
    }
  return false;
}

std::shared_ptr<Lowerer::Instance> Lowerer::newInstance(const A::ClassDef &Cls,
                                                        Scope *ClsScope) {
  auto I = std::make_shared<Instance>();
  I->Cls = &Cls;
  I->ClsScope = ClsScope;
  I->Suffix = "@" + Cls.Name + "#" + std::to_string(++InlineCount[Cls.Name]);
  if (derivesFromPyroModule(Cls)) {
    // A root until assigned to a PyroModule's attribute (named "" in Pyro).
    I->Pyro = true;
    I->Ctx = std::make_shared<PyroContext>();
  }
  return I;
}

/// A class attribute (`z_dim = 50` in the class body of the object's class or
/// a user base) read for the first time: evaluated in the class's scope and
/// kept as a field. Only the attributes the reach reads are evaluated. The
/// assignment goes to the program's top level (before the statement being
/// lowered), so it dominates every later read.
std::optional<VarId> Lowerer::classAttribute(Instance &I, const std::string &Name) {
  std::vector<std::pair<const A::ClassDef *, Scope *>> Work{{I.Cls, I.ClsScope}};
  for (size_t K = 0; K < Work.size() && K < 64; ++K) {
    const A::Assign *Found = nullptr;
    for (const A::StmtPtr &S : Work[K].first->Inner)
      if (auto *As = dyn_cast<A::Assign>(S.get()); As && As->Targets.size() == 1)
        if (auto *T = dyn_cast<A::Name>(As->Targets[0].get()); T && T->Id == Name)
          Found = As;
    if (Found) {
      Scope *Saved = Cur;
      const InlineId SavedFrame = CurFrame;
      std::vector<int> SavedRegion;
      SavedRegion.swap(Region);
      std::vector<std::string> SavedNoHoist;
      SavedNoHoist.swap(NoHoist);
      Cur = Work[K].second;
      CurFrame = 0;
      VarId V = addVar(Name + I.Suffix, VarKind::User, Found->Loc);
      assign(P.Body, V, lowerExpr(*Found->Value, P.Body), Found->Loc);
      Cur = Saved;
      CurFrame = SavedFrame;
      Region.swap(SavedRegion);
      NoHoist.swap(SavedNoHoist);
      I.Fields[Name] = V;
      return V;
    }
    for (const A::ExprPtr &Base : Work[K].first->Bases)
      if (auto *BN = dyn_cast<A::Name>(Base.get()))
        if (Binding *B = lookup(BN->Id); B && B->K == Binding::Kind::Class)
          Work.emplace_back(B->Cls, B->FnScope);
  }
  return std::nullopt;
}

ExprPtr Lowerer::instantiate(const A::ClassDef &Cls, Scope *ClsScope, const A::Call &C,
                             Block &Out) {
  std::shared_ptr<Instance> I = newInstance(Cls, ClsScope);
  I->Home = C.Loc;
  Instance View = *I;
  if (const A::FunctionDef *Init = findMethod(View, "__init__"))
    callMethod(I, *Init, C, Out);
  else if (libraryBase(*I))
    keepLibraryState(*I, C, Out);
  ExprPtr R = constNone(C.Loc);
  InstanceValues[R.get()] = I;
  return R;
}

ExprPtr Lowerer::callMethod(const std::shared_ptr<Instance> &I, const A::FunctionDef &M,
                            const A::Call &C, Block &Out) {
  // The class that defines M: its bases are where super() looks.
  const A::ClassDef *Owner = I->Cls;
  std::vector<const A::ClassDef *> Work{I->Cls};
  for (size_t K = 0; K < Work.size() && K < 64; ++K) {
    for (const A::StmtPtr &S : Work[K]->Inner)
      if (S.get() == &M)
        Owner = Work[K];
    for (const A::ExprPtr &Base : Work[K]->Bases)
      if (auto *BN = dyn_cast<A::Name>(Base.get()))
        if (Binding *B = lookup(BN->Id); B && B->K == Binding::Kind::Class)
          Work.push_back(B->Cls);
  }
  SelfStack.emplace_back(I, Owner);
  Fact SelfFact = instanceFact(I);
  ExprPtr R = inlineCall(M, I->ClsScope, C, Out, &SelfFact, methodDefaults(M));
  SelfStack.pop_back();
  return R;
}

ExprPtr Lowerer::callInstance(const std::shared_ptr<Instance> &I, const A::Call &C, Block &Out) {
  if (const A::FunctionDef *F = findMethod(*I, "forward")) {
    if (I->Pyro)
      return inPyroCall(*I, Out, [&] { return callMethod(I, *F, C, Out); });
    return callMethod(I, *F, C, Out);
  }
  error(DiagId::UnknownFunction, C.Loc,
        "calling a '" + I->Cls->Name + "' object needs a forward method in its class");
  return constNone(C.Loc);
}

/// Registers the module object \p V holds (an nn module, a user-class
/// object or an nn.ModuleList, whose members are `Name.0`, `Name.1`, ... as
/// in Pyro) as `pyro.module(Name, ...)` does; true if it holds one.
bool Lowerer::registerModuleObject(const std::string &Name, VarId V, const A::Call &C,
                                   Block &Out) {
  const Fact F = fact(V); // a copy: registering adds variables, and facts
  if (F.K == Fact::Kind::Instance) {
    registerInstance(Name, *F.Inst, C, Out);
  } else if (F.K == Fact::Kind::ModuleList) {
    for (size_t I = 0; I < F.Members.size(); ++I)
      registerModuleObject(Name + "." + std::to_string(I), F.Members[I], C, Out);
  } else if (F.K == Fact::Kind::Module) {
    if (F.Mod && weightless(*F.Mod))
      return true;
    auto S = make<ModuleStmt>(C.Loc);
    S->Name.Canonical = Name;
    S->Name.Loc = loc(C.Loc);
    S->ModuleVar = V;
    Out.push_back(std::move(S));
  } else {
    return false;
  }
  return true;
}

void Lowerer::registerInstance(const std::string &Prefix, const Instance &I, const A::Call &C,
                               Block &Out) {
  // Pyro's names are `name$$$` and the path of named_parameters():
  // "vae$$$encoder.fc1".
  const std::string Sep = Prefix.find("$$$") == std::string::npos ? "$$$" : ".";
  for (const auto &[Field, V] : I.Fields) {
    if (registerModuleObject(Prefix + Sep + Field, V, C, Out))
      continue;
    if (ParameterFields.count(V)) {
      // An nn.Parameter field is the param Prefix$$$Field from here on.
      auto S = make<ParamStmt>(C.Loc);
      S->Target = V;
      S->Name.Canonical = Prefix + Sep + Field;
      S->Name.Loc = loc(C.Loc);
      S->Init = varRef(C.Loc, V);
      Out.push_back(std::move(S));
      setTensorFact(V);
    }
  }
}

//===-- PyroModule --------------------------------------------------------------===//
//
// Pyro 1.8.6's pyro/nn/module.py: while a call of a PyroModule runs (its
// context is active), reading a PyroSample attribute samples
// `pyro.sample(fullname, prior)` once per outermost call, reading a PyroParam
// or an nn.Parameter is `pyro.param(fullname, ...)`, and reading a plain
// nn.Module is `pyro.module(fullname, module)`; fullname is the dotted
// attribute path from the root PyroModule.

bool Lowerer::derivesFromPyroModule(const A::ClassDef &Cls) {
  std::vector<const A::ClassDef *> Work{&Cls};
  for (size_t K = 0; K < Work.size() && K < 64; ++K)
    for (const A::ExprPtr &Base : Work[K]->Bases) {
      if (std::optional<std::string> Q = staticPath(*Base); Q && isPyroModuleClass(*Q))
        return true;
      if (auto *BN = dyn_cast<A::Name>(Base.get()))
        if (Binding *B = lookup(BN->Id); B && B->K == Binding::Kind::Class)
          Work.push_back(B->Cls);
    }
  return false;
}

/// Pyro's _pyro_set_supermodule: \p Child and its sub-PyroModules take their
/// names under \p Name and share the root's context.
void Lowerer::adoptPyroModule(Instance &Child, const std::string &Name,
                              const std::shared_ptr<PyroContext> &Ctx) {
  Child.PyroName = Name;
  Child.Ctx = Ctx;
  for (const auto &[Field, V] : Child.Fields)
    if (const Fact &F = fact(V); F.K == Fact::Kind::Instance && F.Inst->Pyro && F.Inst.get() != &Child)
      adoptPyroModule(*F.Inst, pyroFullName(Name, Field), Ctx);
}

bool Lowerer::lowerPyroAttrAssign(Instance &I, const A::Attribute &Target, const A::Expr &Value,
                                  Block &Out) {
  auto *C = dyn_cast<A::Call>(&Value);
  std::optional<std::string> Q = C ? staticPath(*C->Func) : std::nullopt;
  const bool Sample = Q && (*Q == "pyro.nn.PyroSample" || *Q == "pyro.nn.module.PyroSample");
  const bool Param = Q && (*Q == "pyro.nn.PyroParam" || *Q == "pyro.nn.module.PyroParam");
  if (!Sample && !Param)
    return false;
  Bound B;
  if (!bindArgs(sig(Sample ? "prior:n" : "init_value:n?,constraint:n?,event_dim:n?"), *C, 0, 0,
                *Q, B))
    return true;
  PyroAttr A;
  A.K = Sample ? PyroAttr::Kind::Sample : PyroAttr::Kind::Param;
  A.Loc = C->Loc;
  const A::Expr *Init = B.Slots[0];
  if (!Init) {
    unsupported(C->Loc, "a PyroParam without an initial value is not modelled");
    return true;
  }
  // A callable prior is called with the module at each draw; a zero-argument
  // initialiser once, here.
  const A::FunctionDef *Fn = nullptr;
  Scope *FnScope = Cur;
  if (auto *L = dyn_cast<A::Lambda>(Init)) {
    Fn = L->Fn.get();
  } else if (auto *N = dyn_cast<A::Name>(Init)) {
    if (Binding *Bd = lookup(N->Id); Bd && Bd->K == Binding::Kind::Function) {
      Fn = Bd->Fn;
      FnScope = Bd->FnScope;
    }
  }
  if (Sample && Fn) {
    A.Fn = Fn;
    A.FnScope = FnScope;
  } else if (Param && Fn) {
    if (!Fn->Params.empty() || Fn->Inner.size() != 1 || !isa<A::Return>(Fn->Inner.front().get())) {
      unsupported(Init->Loc, "a PyroParam initialiser must be a value or a lambda without "
                             "parameters");
      return true;
    }
    Init = cast<A::Return>(Fn->Inner.front().get())->Value.get();
  }
  if (!A.Fn) {
    A.Value = newTemp(Sample ? "prior" : "init", Init->Loc);
    assign(Out, A.Value, lowerExpr(*Init, Out), Init->Loc);
    if (Sample && fact(A.Value).K != Fact::Kind::Dist) {
      unsupported(Init->Loc, "the prior of PyroSample must be a distribution or a function of "
                             "the module returning one, not '" + text(*Init) + "'");
      return true;
    }
  }
  if (Param && B.Slots[1] && !isNone(*B.Slots[1])) {
    ExprPtr Cn = lowerExpr(*B.Slots[1], Out);
    if (!isa<ConstraintExpr>(Cn.get())) {
      error(DiagId::BadArguments, B.Slots[1]->Loc,
            "the constraint of PyroParam must be a torch.distributions.constraints value, not '" +
                text(*B.Slots[1]) + "'");
      return true;
    }
    A.Constraint = std::shared_ptr<const Expr>(std::move(Cn));
  }
  // Pyro deletes the old attribute (an nn.Parameter, a submodule) first.
  if (auto F = I.Fields.find(Target.Attr); F != I.Fields.end()) {
    ParameterFields.erase(F->second);
    I.Fields.erase(F);
  }
  I.PyroAttrs[Target.Attr] = std::move(A);
  return true;
}

/// The value of reading \p Attr of the PyroModule \p I when it is a
/// PyroSample, a PyroParam or an nn.Parameter read in an active context;
/// null for any other attribute.
ExprPtr Lowerer::pyroAttribute(const std::shared_ptr<Instance> &I, const std::string &Attr,
                               const SourceLoc &L, Block &Out) {
  if (!I->Pyro)
    return nullptr;
  auto A = I->PyroAttrs.find(Attr);
  VarId ParamField = 0;
  if (A == I->PyroAttrs.end()) {
    auto F = I->Fields.find(Attr);
    if (F == I->Fields.end() || !ParameterFields.count(F->second) || !I->Ctx->Active)
      return nullptr;
    ParamField = F->second;
  }
  const bool IsSample = !ParamField && A->second.K == PyroAttr::Kind::Sample;
  if (!I->Ctx->Active) {
    unsupported(L, "reading the " + std::string(IsSample ? "PyroSample" : "PyroParam") +
                       " attribute '" + Attr +
                       "' outside a call of its PyroModule is not modelled (Pyro gives it no "
                       "site name there)");
    return constNone(L);
  }
  const std::string Name = pyroFullName(I->PyroName, Attr);
  // A PyroSample/PyroParam site is located at its declaration; an
  // nn.Parameter of a PyroModule[nn.X] at the constructor call.
  const SourceLoc SiteLoc = !ParamField                                   ? A->second.Loc
                            : PyroPrelude && L.File == PyroPrelude->File ? I->Home
                                                                          : L;
  PyroContext &Ctx = *I->Ctx;
  auto Cached = Ctx.Cache.find(Name);
  if (Cached != Ctx.Cache.end() && regionDominates(Cached->second.Region))
    return varRef(L, Cached->second.Var);
  SiteName N;
  N.NameForm = SiteName::Form::Literal;
  N.Canonical = Name;
  N.Loc = loc(SiteLoc);
  VarId T = Cached != Ctx.Cache.end() ? Cached->second.Var
            : ParamField              ? ParamField
                                      : addVar(Attr + I->Suffix, VarKind::User, SiteLoc);
  // Read deeper than the top of the call (in a loop or a branch), or after
  // such a read: drawn only if no read of this call drew it yet.
  std::unique_ptr<IfStmt> Guard;
  Block *Draw = &Out;
  if (IsSample && (Region != Ctx.HomeRegion || LoopDepth > Ctx.LoopDepth ||
                   Ctx.Drawn.count(Name))) {
    auto [Flag, New] = Ctx.Drawn.try_emplace(Name, 0);
    if (New) {
      Flag->second = newTemp("drawn", SiteLoc);
      auto Init = make<AssignStmt>(SiteLoc);
      Init->Target = Flag->second;
      Init->Value = constBool(SiteLoc, false);
      Ctx.Home->insert(Ctx.Home->begin() + static_cast<std::ptrdiff_t>(Ctx.HomeAt),
                       std::move(Init));
    }
    Guard = make<IfStmt>(L);
    auto Not = make<UnaryExpr>(L);
    Not->Op = UnaryOp::Not;
    Not->Operand = varRef(L, Flag->second);
    Guard->Cond = std::move(Not);
    Draw = &Guard->Then;
    auto Set = make<AssignStmt>(L);
    Set->Target = Flag->second;
    Set->Value = constBool(L, true);
    Draw->push_back(std::move(Set));
    enterRegion();
  }
  if (IsSample) {
    std::unique_ptr<DistributionExpr> D;
    if (const A::FunctionDef *Fn = A->second.Fn) {
      A::Call &NoArgs = SyntheticCalls.emplace_back();
      NoArgs.Loc = A->second.Loc;
      Fact SelfFact = instanceFact(I);
      D = distOf(inlineCall(*Fn, A->second.FnScope, NoArgs, *Draw, &SelfFact, nullptr),
                 "the prior of '" + Name + "'", A->second.Loc);
    } else {
      D = distOf(varRef(SiteLoc, A->second.Value), "the prior of '" + Name + "'", A->second.Loc);
    }
    const bool Drawn = D != nullptr;
    if (Drawn) {
      auto S = make<SampleStmt>(SiteLoc);
      S->Target = T;
      S->Name = std::move(N);
      S->Dist = std::move(D);
      finishSample(std::move(S), nullptr, SiteLoc, T, *Draw);
    }
    if (Guard) {
      leaveRegion();
      Out.push_back(std::move(Guard));
    }
    if (!Drawn)
      return constNone(L);
  } else {
    auto S = make<ParamStmt>(SiteLoc);
    S->Target = T;
    S->Name = std::move(N);
    S->Init = varRef(SiteLoc, ParamField ? ParamField : A->second.Value);
    if (!ParamField && A->second.Constraint) {
      ExprPtr Cn = cloneExpr(*A->second.Constraint, P);
      S->Constraint.reset(cast<ConstraintExpr>(Cn.release()));
    }
    Out.push_back(std::move(S));
    setTensorFact(T);
  }
  Ctx.Cache[Name] = PyroContext::Cached{T, Region};
  return varRef(L, T);
}

/// Reading a plain nn.Module attribute of a PyroModule in an active context
/// registers it: `pyro.module(fullname, module)`.
void Lowerer::pyroModuleRead(const Instance &I, const std::string &Attr, const SourceLoc &L,
                             Block &Out) {
  auto F = I.Fields.find(Attr);
  if (!I.Pyro || !I.Ctx->Active || F == I.Fields.end())
    return;
  const Fact &Fc = fact(F->second);
  if (Fc.K == Fact::Kind::Instance && Fc.Inst->Pyro)
    return;
  A::Call &At = SyntheticCalls.emplace_back();
  At.Loc = L;
  registerModuleObject(pyroFullName(I.PyroName, Attr), F->second, At, Out);
}

/// `PyroModule[nn.Linear](...)`: an object of svic's Python rendering of the
/// class (PyroPreludeSource).
ExprPtr Lowerer::pyroModuleOf(const A::Subscript &Cls, const A::Call &C, Block &Out) {
  std::optional<std::string> Q =
      Cls.Indices.size() == 1 ? staticPath(*Cls.Indices[0]) : std::nullopt;
  if (!Q || *Q != "torch.nn.Linear") {
    unsupported(Cls.Loc, "PyroModule[...] is modelled for nn.Linear only, not '" +
                             text(Cls) + "'; subclass PyroModule instead");
    return constNone(C.Loc);
  }
  // bias=False (a literal) drops the bias attribute.
  std::string Name = "Linear";
  for (size_t K = 0; K < C.Args.size(); ++K) {
    const A::Arg &Ar = C.Args[K];
    if ((Ar.K == A::Arg::Kind::Keyword && Ar.Name == "bias") ||
        (Ar.K == A::Arg::Kind::Positional && K == 2)) {
      auto *B = dyn_cast<A::Constant>(Ar.Value.get());
      if (!B || (B->Ty != A::Constant::Type::True && B->Ty != A::Constant::Type::False)) {
        unsupported(Ar.Loc, "the bias argument of PyroModule[nn.Linear] must be True or False");
        return constNone(C.Loc);
      }
      if (B->Ty == A::Constant::Type::False)
        Name = "LinearNoBias";
    }
  }
  Scope *ClsScope = nullptr;
  const A::ClassDef *Def = preludeClass(Name, ClsScope, C.Loc);
  if (!Def)
    return constNone(C.Loc);
  return instantiate(*Def, ClsScope, C, Out);
}

const A::ClassDef *Lowerer::preludeClass(const std::string &Name, Scope *&ClsScope,
                                         const SourceLoc &L) {
  if (!PyroPrelude) {
    Prelude Pr;
    Pr.File = SM.addFile("<svic: pyro.nn.PyroModule[...]>", PyroPreludeSource);
    Pr.M = parseModule(Pr.File, SM, DE);
    if (!Pr.M) {
      error(DiagId::Syntax, L, "svic's PyroModule prelude does not parse");
      return nullptr;
    }
    Scopes.emplace_back();
    Pr.Sc = &Scopes.back();
    PyroPrelude = std::move(Pr);
    Scope *Saved = Cur;
    const InlineId SavedFrame = CurFrame;
    std::vector<int> SavedRegion;
    SavedRegion.swap(Region);
    Cur = PyroPrelude->Sc;
    CurFrame = 0;
    for (const A::StmtPtr &St : PyroPrelude->M->Stmts)
      lowerModuleStmt(*St, P.Body);
    Cur = Saved;
    CurFrame = SavedFrame;
    Region.swap(SavedRegion);
  }
  auto It = PyroPrelude->Sc->Names.find(Name);
  if (It == PyroPrelude->Sc->Names.end() || It->second.K != Binding::Kind::Class)
    return nullptr;
  ClsScope = It->second.FnScope;
  return It->second.Cls;
}

/// The arguments of \p C with `*args` / `**kwargs` of a helper's variadic
/// parameters replaced by their elements (synthetic names bound to the
/// element variables); other arguments as written.
std::vector<Lowerer::ArgRef> Lowerer::expandPacks(const A::Call &C) {
  std::vector<ArgRef> Out;
  for (const A::Arg &Arg : C.Args) {
    const Pack *Pk = nullptr;
    if (auto *N = dyn_cast<A::Name>(Arg.Value.get());
        N && (Arg.K == A::Arg::Kind::Star || Arg.K == A::Arg::Kind::DoubleStar)) {
      Binding *B = lookup(N->Id);
      auto It = B && B->K == Binding::Kind::Var ? Packs.find(B->Var) : Packs.end();
      // A pack rebound since (`args = ...`) is not one any more.
      if (It != Packs.end() && factProblem(B->Var).empty())
        Pk = &It->second;
    }
    // The entry's own **kwargs: what the caller passes is not known.
    const bool EntryKeywords = Arg.K == A::Arg::Kind::DoubleStar && !Pk &&
                               isa<A::Name>(Arg.Value.get()) &&
                               readsEntryVariadic(cast<A::Name>(Arg.Value.get())->Id);
    if (!Pk) {
      Out.push_back(ArgRef{Arg.K, Arg.Name, Arg.Value.get(), Arg.Loc, EntryKeywords});
    } else if (Arg.K == A::Arg::Kind::Star) {
      for (VarId V : Pk->Positional)
        Out.push_back(ArgRef{A::Arg::Kind::Positional, "", packElement(V, Arg.Loc), Arg.Loc});
    } else {
      for (const auto &[K, V] : Pk->Keywords)
        Out.push_back(ArgRef{A::Arg::Kind::Keyword, K, packElement(V, Arg.Loc), Arg.Loc});
      if (Pk->UnknownKeywords)
        Out.push_back(ArgRef{Arg.K, Arg.Name, Arg.Value.get(), Arg.Loc, true});
    }
  }
  return Out;
}

/// The value of the parameter \p Param of a call that forwards keywords svic
/// does not know (`self.prior(n, **kwargs)` in an entry taking **kwargs):
/// the caller may pass it, so it may be anything.
ExprPtr Lowerer::unknownKeyword(const A::Expr &Pack, const std::string &Param, bool IsPack) {
  auto R = make<CallExpr>(Pack.Loc);
  R->Op = OpId::OpaqueCall;
  R->Callee = "**" + text(Pack);
  DE.report(DiagId::OpaqueCall, loc(Pack.Loc),
            IsPack ? "the keywords '**" + Param + "' receives from '**" + text(Pack) +
                         "' are not known: the dict may hold anything"
                   : "'" + Param + "' may be passed in '**" + text(Pack) +
                         "', whose keywords svic does not know: it may be anything");
  return R;
}

/// A name in the current scope bound to \p V (spelled so no Python name
/// collides with it).
const A::Expr *Lowerer::packElement(VarId V, const SourceLoc &L) {
  A::Name &N = PackNames.emplace_back();
  N.Loc = L;
  N.Id = "*pack" + std::to_string(PackNames.size());
  Binding B;
  B.Var = V;
  Cur->Names[N.Id] = B;
  return &N;
}

ExprPtr Lowerer::inlineCall(const A::FunctionDef &F, Scope *DefScope, const A::Call &C,
                            Block &Out, const Fact *Self,
                            const std::map<std::string, VarId> *Defaults) {
  for (const A::FunctionDef *Active : InlineStack) {
    if (Active == &F) {
      error(DiagId::Recursion, C.Loc,
            "recursive call to '" + F.Name +
                "' cannot be inlined; svic inlines every helper "
                "function, so recursion is not supported");
      return constNone(C.Loc);
    }
  }
  if (!Functions.empty() && Functions.front().Def == &F) {
    error(DiagId::Recursion, C.Loc,
          "recursive call to the entry function '" + F.Name + "' is not supported");
    return constNone(C.Loc);
  }
  if (!checkHoist(C.Loc, "a call to the helper function '" + F.Name + "'"))
    return constNone(C.Loc);

  // Bind the arguments to the parameters; `*xs` / `**kw` of a pack forward
  // its elements.
  const std::vector<ArgRef> Args = expandPacks(C);
  std::vector<const A::Param *> Params;
  const A::Param *VarArgs = nullptr, *VarKeywords = nullptr;
  for (const A::Param &Pm : F.Params) {
    if (Pm.K == A::Param::Kind::VarArgs)
      VarArgs = &Pm;
    else if (Pm.K == A::Param::Kind::VarKeywords)
      VarKeywords = &Pm;
    else if (Pm.K == A::Param::Kind::Normal)
      Params.push_back(&Pm);
  }
  std::vector<const A::Expr *> ExtraPositional;
  std::vector<std::pair<std::string, const A::Expr *>> ExtraKeywords;
  // A method: `self` is bound to the instance, not to an argument.
  const A::Param *SelfParam = nullptr;
  if (Self && !Params.empty()) {
    SelfParam = Params.front();
    Params.erase(Params.begin());
  }
  std::vector<const A::Expr *> Slots(Params.size(), nullptr);
  size_t Next = 0;
  bool Ok = true;
  const A::Expr *UnknownKeywords = nullptr;
  for (const ArgRef &Arg : Args) {
    if (Arg.UnknownKeywords) {
      UnknownKeywords = Arg.Value;
    } else if (Arg.K == A::Arg::Kind::Star || Arg.K == A::Arg::Kind::DoubleStar) {
      unsupported(Arg.Loc, "argument unpacking (*args, **kwargs) is supported only to forward "
                           "the *args / **kwargs of a helper; pass the arguments one by one");
      Ok = false;
    } else if (Arg.K == A::Arg::Kind::Positional) {
      if (Next >= Params.size() && VarArgs) {
        ExtraPositional.push_back(Arg.Value);
        continue;
      }
      if (Next >= Params.size()) {
        error(DiagId::BadArguments, Arg.Loc,
              "'" + F.Name + "' takes " + std::to_string(Params.size()) + " argument" +
                  (Params.size() == 1 ? "" : "s") + " but more were given");
        Ok = false;
        break;
      }
      Slots[Next++] = Arg.Value;
    } else {
      size_t I = 0;
      while (I < Params.size() && Params[I]->Name != Arg.Name)
        ++I;
      if (I == Params.size() && VarKeywords) {
        ExtraKeywords.emplace_back(Arg.Name, Arg.Value);
      } else if (I == Params.size()) {
        error(DiagId::BadArguments, Arg.Loc,
              "'" + F.Name + "' got an unexpected keyword argument '" + Arg.Name + "'");
        Ok = false;
      } else if (Slots[I]) {
        error(DiagId::BadArguments, Arg.Loc,
              "'" + F.Name + "' got multiple values for the argument '" + Arg.Name + "'");
        Ok = false;
      } else {
        Slots[I] = Arg.Value;
      }
    }
  }
  for (size_t I = 0; I < Params.size(); ++I)
    if (!Slots[I] && !Params[I]->Default && !UnknownKeywords) {
      error(DiagId::BadArguments, C.Loc,
            "'" + F.Name + "' is missing the required argument '" + Params[I]->Name + "'");
      Ok = false;
    }
  if (!Ok)
    return constNone(C.Loc);

  // Evaluate the arguments in the caller; plate objects pass by fact only.
  std::vector<ExprPtr> Values(Params.size());
  std::vector<std::optional<Fact>> PlateFacts(Params.size());
  Pack Extra;
  for (const ArgRef &Arg : Args) {
    if (Arg.UnknownKeywords)
      continue;
    // Variadic arguments: each into a variable of the caller, in order.
    auto IsExtra = [&](const std::pair<std::string, const A::Expr *> &K) {
      return K.second == Arg.Value;
    };
    if (std::find(ExtraPositional.begin(), ExtraPositional.end(), Arg.Value) !=
            ExtraPositional.end() ||
        std::any_of(ExtraKeywords.begin(), ExtraKeywords.end(), IsExtra)) {
      VarId V = newTemp("vararg", Arg.Loc);
      assign(Out, V, lowerExpr(*Arg.Value, Out), Arg.Loc);
      if (Arg.K == A::Arg::Kind::Positional)
        Extra.Positional.push_back(V);
      else
        Extra.Keywords.emplace_back(Arg.Name, V);
      continue;
    }
    for (size_t I = 0; I < Params.size(); ++I) {
      if (Slots[I] != Arg.Value)
        continue;
      if (auto *N = dyn_cast<A::Name>(Slots[I])) {
        Binding *B = lookup(N->Id);
        if (B && B->K == Binding::Kind::Var &&
            (fact(B->Var).K == Fact::Kind::Plate || fact(B->Var).K == Fact::Kind::Instance)) {
          PlateFacts[I] = fact(B->Var);
          continue;
        }
      }
      Values[I] = lowerExpr(*Slots[I], Out);
    }
  }

  const int Instance = ++InlineCount[F.Name];
  const std::string Suffix = "@" + F.Name + "#" + std::to_string(Instance);
  const InlineId Frame = SM.addInlineFrame(loc(C.Loc), F.Name);
  const InlineId SavedFrame = CurFrame;
  Scope *SavedScope = Cur;

  Scopes.emplace_back();
  Scope *S = &Scopes.back();
  S->Parent = DefScope;
  S->IsFunction = true;
  S->Suffix = Suffix;
  collectLocals(F.Inner, S->Locals);
  for (const A::Param *Pm : Params)
    S->Locals.insert(Pm->Name);

  // Defaults: the objects made when the def (or the class body) ran; else
  // (a class whose body svic did not run) evaluated in the definition's scope.
  for (size_t I = 0; I < Params.size(); ++I) {
    if (Slots[I])
      continue;
    if (UnknownKeywords) {
      Values[I] = unknownKeyword(*UnknownKeywords, Params[I]->Name);
      continue;
    }
    if (Defaults) {
      if (auto It = Defaults->find(Params[I]->Name); It != Defaults->end()) {
        Values[I] = varRef(Params[I]->Default->Loc, It->second);
        continue;
      }
    }
    Cur = DefScope;
    CurFrame = Frame;
    Values[I] = lowerExpr(*Params[I]->Default, Out);
  }
  Cur = S;
  CurFrame = Frame;
  if (SelfParam) {
    S->Locals.insert(SelfParam->Name);
    VarId V = addVar(SelfParam->Name + Suffix, VarKind::User, SelfParam->Loc);
    Binding B;
    B.Var = V;
    S->Names[SelfParam->Name] = B;
    fact(V) = *Self;
  }
  for (size_t I = 0; I < Params.size(); ++I) {
    VarId V = addVar(Params[I]->Name + Suffix, VarKind::User, Params[I]->Loc);
    Binding B;
    B.Var = V;
    S->Names[Params[I]->Name] = B;
    if (PlateFacts[I]) {
      Fact Fc = *PlateFacts[I];
      fact(V) = std::move(Fc);
      continue;
    }
    bindVar(Out, V, std::move(Values[I]), Params[I]->Loc, false);
  }
  // `args` is the tuple of the extra positional arguments, `kwargs` the dict
  // of the extra keywords; both remember their elements for forwarding.
  for (const A::Param *Pm : {VarArgs, VarKeywords}) {
    if (!Pm)
      continue;
    S->Locals.insert(Pm->Name);
    VarId V = addVar(Pm->Name + Suffix, VarKind::User, Pm->Loc);
    Binding B;
    B.Var = V;
    S->Names[Pm->Name] = B;
    Pack Pk;
    ExprPtr Value;
    if (Pm == VarArgs) {
      auto T = P.makeSequence(ExprKind::Tuple, loc(Pm->Loc));
      for (VarId E : Extra.Positional)
        T->Elements.push_back(varRef(Pm->Loc, E));
      Pk.Positional = Extra.Positional;
      Value = std::move(T);
    } else if (UnknownKeywords) {
      Pk.Keywords = Extra.Keywords;
      Pk.UnknownKeywords = true;
      Value = unknownKeyword(*UnknownKeywords, Pm->Name, /*IsPack=*/true);
    } else {
      auto D = make<DictExpr>(Pm->Loc);
      for (const auto &[K, E] : Extra.Keywords) {
        D->Keys.push_back(constString(Pm->Loc, K));
        D->Values.push_back(varRef(Pm->Loc, E));
      }
      Pk.Keywords = Extra.Keywords;
      Value = std::move(D);
    }
    assign(Out, V, std::move(Value), Pm->Loc);
    Packs[V] = std::move(Pk);
  }

  VarId Ret = 0;
  if (hasReturn(F.Inner)) {
    Ret = addVar("ret" + Suffix, VarKind::Temp, F.Loc);
    if (!endsWithReturn(F.Inner))
      assign(Out, Ret, constNone(F.Loc), F.Loc);
  }
  checkReturns(F.Inner, true);
  InlineStack.push_back(&F);
  Functions.push_back(FunctionCtx{&F, false, Ret});
  std::vector<std::string> SavedNoHoist;
  SavedNoHoist.swap(NoHoist);
  int SavedLoopDepth = LoopDepth;
  LoopDepth = 0;
  lowerDecorated(F, DefScope, Out, [&](Block &Body) { lowerBody(F.Inner, Body); });
  for (const auto &[Name, B] : S->Names)
    if (B.K == Binding::Kind::Var)
      DeadVars.insert(B.Var);
  LoopDepth = SavedLoopDepth;
  NoHoist.swap(SavedNoHoist);
  Functions.pop_back();
  InlineStack.pop_back();
  Cur = SavedScope;
  CurFrame = SavedFrame;
  if (!Ret)
    return constNone(C.Loc);
  return varRef(C.Loc, Ret);
}

//===-- Handler decorators -----------------------------------------------------------===//

/// `@poutine.scale(scale=s)`, `@poutine.mask(mask=m)`, `@torch.no_grad()`:
/// handlers that run the decorated function's body inside them.
bool Lowerer::isHandlerDecorator(const A::Expr &D) {
  if (configEnumerate(D))
    return true;
  if (std::optional<std::string> Q = staticPath(D); Q && *Q == "pyro.poutine.block")
    return true; // `@poutine.block`: hides every site
  auto *C = dyn_cast<A::Call>(&D);
  std::optional<std::string> Q = C ? staticPath(*C->Func) : std::nullopt;
  return Q && (*Q == "pyro.poutine.scale" || *Q == "pyro.poutine.mask" ||
               *Q == "pyro.poutine.block" || *Q == "pyro.poutine.reparam" ||
               *Q == "torch.no_grad");
}

/// The with statement a handler decorator stands for (its arguments lowered
/// into \p Out), or null after an error.
std::unique_ptr<WithStmt> Lowerer::handlerDecorator(const A::Expr &D, Block &Out) {
  const auto &C = *cast<A::Call>(&D);
  const std::string Q = *staticPath(*C.Func);
  auto W = make<WithStmt>(D.Loc);
  Bound B;
  if (Q == "torch.no_grad") {
    W->Ctx = WithStmt::Context::NoGrad;
    return bindArgs(sig(SigNoArgs), C, 0, 0, "torch.no_grad", B) ? std::move(W) : nullptr;
  }
  const bool IsScale = Q == "pyro.poutine.scale";
  const std::string Spell = IsScale ? "poutine.scale" : "poutine.mask";
  W->Ctx = IsScale ? WithStmt::Context::Scale : WithStmt::Context::Mask;
  if (!bindArgs(sig(IsScale ? SigScale : SigMask), C, 0, 0, Spell, B))
    return nullptr;
  if (!B.Slots[1]) {
    error(DiagId::BadArguments, C.Loc,
          "'" + Spell + "' is missing the required argument '" + (IsScale ? "scale" : "mask") +
              "'");
    return nullptr;
  }
  W->Arg = lowerExpr(*B.Slots[1], Out);
  return W;
}

/// Lowers the body of \p F (through \p Body) inside the handlers its
/// decorators stand for, the first decorator outermost. Decorator arguments
/// are evaluated in the scope of the definition, at the call.
void Lowerer::lowerDecorated(const A::FunctionDef &F, Scope *DefScope, Block &Out,
                             const std::function<void(Block &)> &Body) {
  std::vector<std::unique_ptr<WithStmt>> Handlers;
  Scope *Saved = Cur;
  Cur = DefScope;
  bool Ok = true;
  // Blocks hide sites from every handler outside them; scale, mask and
  // no_grad do not change which sites are hidden, so their relative order
  // does not matter.
  const size_t OuterBlocks = Blocks.size(), OuterEnums = EnumDefaults.size(),
               OuterReparams = Reparams.size();
  for (const A::ExprPtr &D : F.Decorators) {
    if (!isHandlerDecorator(*D))
      continue;
    if (std::optional<SampleStmt::Enumeration> E = configEnumerate(*D)) {
      EnumDefaults.push_back(*E);
      continue;
    }
    if (!isa<A::Call>(D.get())) { // `@poutine.block`
      BlockRule R;
      R.PlateDepth = VecPlateDepth;
      Blocks.push_back(std::move(R));
      continue;
    }
    const auto &C = *cast<A::Call>(D.get());
    if (*staticPath(*C.Func) == "pyro.poutine.block") {
      if (std::optional<BlockRule> R = blockRule(C))
        Blocks.push_back(std::move(*R));
      continue;
    }
    if (*staticPath(*C.Func) == "pyro.poutine.reparam") {
      if (std::optional<ReparamFrame> R = reparamFrame(C))
        Reparams.push_back(std::move(*R));
      continue;
    }
    Handlers.push_back(handlerDecorator(*D, Out));
    Ok = Ok && Handlers.back();
  }
  Cur = Saved;
  if (Handlers.empty() || !Ok) {
    Body(Out);
  } else {
    Body(Handlers.back()->Body);
    for (size_t I = Handlers.size() - 1; I > 0; --I)
      Handlers[I - 1]->Body.push_back(std::move(Handlers[I]));
    Out.push_back(std::move(Handlers.front()));
  }
  Blocks.resize(OuterBlocks);
  EnumDefaults.resize(OuterEnums);
  Reparams.resize(OuterReparams);
}

/// `@config_enumerate`, `@config_enumerate(default="sequential")`: the
/// default it gives the sites with enumerate support (Unknown when it is not
/// a literal), or nullopt when \p D is not config_enumerate.
std::optional<SampleStmt::Enumeration> Lowerer::configEnumerate(const A::Expr &D) {
  auto Is = [](const A::Expr &F) {
    std::string Last;
    if (auto *N = dyn_cast<A::Name>(&F))
      Last = N->Id;
    else if (auto *At = dyn_cast<A::Attribute>(&F))
      Last = At->Attr;
    return Last == "config_enumerate";
  };
  if (Is(D))
    return SampleStmt::Enumeration::Parallel;
  auto *C = dyn_cast<A::Call>(&D);
  if (!C || !Is(*C->Func))
    return std::nullopt;
  // A positional argument would be config_enumerate's function, not a default.
  for (const A::Arg &Arg : C->Args)
    if (Arg.K != A::Arg::Kind::Keyword)
      return SampleStmt::Enumeration::Unknown;
  return enumDefault(*C, 0);
}

/// The default of `config_enumerate(guide=None, default="parallel", ...)`
/// whose positional arguments from \p FirstPositional on are the default
/// and the rest.
SampleStmt::Enumeration Lowerer::enumDefault(const A::Call &C, size_t FirstPositional) {
  using E = SampleStmt::Enumeration;
  E Default = E::Parallel;
  size_t Pos = 0;
  for (const A::Arg &Arg : C.Args) {
    const A::Expr *V = nullptr;
    if (Arg.K == A::Arg::Kind::Positional && Pos++ == FirstPositional)
      V = Arg.Value.get();
    else if (Arg.K == A::Arg::Kind::Keyword && Arg.Name == "default")
      V = Arg.Value.get();
    else if (Arg.K == A::Arg::Kind::Keyword && Arg.Name == "guide")
      continue;
    else if (!(Arg.K == A::Arg::Kind::Positional && Pos <= FirstPositional)) {
      Default = E::Unknown; // expand=, num_samples= (Monte Carlo), tmc=: not modelled
      continue;
    }
    if (!V)
      continue;
    auto *K = dyn_cast<A::Constant>(V);
    if (K && K->Ty == A::Constant::Type::None)
      Default = E::None;
    else if (K && K->Ty == A::Constant::Type::Str && K->Str == "sequential")
      Default = E::Sequential;
    else if (!(K && K->Ty == A::Constant::Type::Str && K->Str == "parallel"))
      Default = E::Unknown;
  }
  return Default;
}

namespace {
/// Whether Pyro can enumerate a site of \p D (`has_enumerate_support` and a
/// support it enumerates without raising); nullopt when that depends on
/// values svic does not know.
std::optional<bool> enumerable(const DistributionExpr &D) {
  // Binomial enumerates only a homogeneous total_count: not modelled.
  if (D.Dist == DistId::Binomial)
    return std::nullopt;
  if (D.Dist != DistId::Bernoulli && D.Dist != DistId::Categorical &&
      D.Dist != DistId::OneHotCategorical)
    return false;
  for (const DistTransform &T : D.Transforms) {
    if (T.Kind != DistTransformKind::ToEvent && T.Kind != DistTransformKind::Independent)
      continue;
    if (!T.Arg)
      return std::nullopt; // to_event() reinterprets every batch dim, however many
    auto *K = dyn_cast<ConstantExpr>(T.Arg.get());
    if (!K || K->Ty != ConstantExpr::Type::Int)
      return std::nullopt;
    if (K->IntValue > 0)
      return false; // an Independent over events has no enumerate support
  }
  return true;
}
} // namespace

/// Pyro's infer["enumerate"] of a latent site: a literal in `infer={...}`
/// wins over the innermost config_enumerate's default, which applies only to
/// distributions with enumerate support.
SampleStmt::Enumeration Lowerer::enumeration(const A::Expr *Infer, const SampleStmt &S) {
  using E = SampleStmt::Enumeration;
  auto *ObsK = S.Obs ? dyn_cast<ConstantExpr>(S.Obs.get()) : nullptr;
  if (S.Obs && !(ObsK && ObsK->Ty == ConstantExpr::Type::None))
    return E::None;
  std::optional<E> Asked;
  if (Infer && !isNone(*Infer)) {
    auto *D = dyn_cast<A::Dict>(Infer);
    if (!D)
      Asked = E::Unknown; // a dict built elsewhere
    for (size_t I = 0; D && I < D->Keys.size() && !Asked; ++I) {
      auto *K = D->Keys[I] ? dyn_cast<A::Constant>(D->Keys[I].get()) : nullptr;
      if (!K || K->Ty != A::Constant::Type::Str) {
        Asked = E::Unknown; // `**d` or a computed key
        continue;
      }
      if (K->Str != "enumerate")
        continue;
      auto *V = dyn_cast<A::Constant>(D->Values[I].get());
      if (V && (V->Ty == A::Constant::Type::None || V->Ty == A::Constant::Type::False))
        Asked = E::None;
      else if (V && V->Ty == A::Constant::Type::Str && V->Str == "parallel")
        Asked = E::Parallel;
      else if (V && V->Ty == A::Constant::Type::Str && V->Str == "sequential")
        Asked = E::Sequential;
      else
        Asked = E::Unknown;
    }
  }
  if (!Asked) {
    if (EnumDefaults.empty() || EnumDefaults.back() == E::None)
      return E::None;
    std::optional<bool> Can = enumerable(*S.Dist);
    if (Can && !*Can)
      return E::None; // config_enumerate skips it
    Asked = Can ? EnumDefaults.back() : E::Unknown;
  }
  if (*Asked == E::Parallel || *Asked == E::Sequential) {
    // Asked explicitly of a distribution Pyro cannot enumerate: it raises.
    std::optional<bool> Can = enumerable(*S.Dist);
    if (!Can || !*Can)
      return E::Unknown;
  }
  return *Asked;
}

std::optional<Lowerer::ConditionFrame> Lowerer::conditionFrame(const A::Call &C, bool Applied,
                                                               Block &Out) {
  Bound B;
  if (!bindArgs(sig(SigCondition), C, 0, 0, text(*C.Func), B))
    return std::nullopt;
  if (!Applied && B.Slots[0]) {
    unsupported(C.Loc, "pyro.condition's first argument is the function it conditions; pass the values as data=");
    return std::nullopt;
  }
  auto *D = B.Slots[1] ? dyn_cast<A::Dict>(B.Slots[1]) : nullptr;
  if (!D) {
    unsupported(B.Slots[1] ? B.Slots[1]->Loc : C.Loc,
                "pyro.condition is modelled with data={\"site\": value, ...} written as a dict display");
    return std::nullopt;
  }
  ConditionFrame F;
  for (size_t I = 0; I < D->Keys.size(); ++I) {
    auto *K = D->Keys[I] ? dyn_cast<A::Constant>(D->Keys[I].get()) : nullptr;
    if (!K || K->Ty != A::Constant::Type::Str) {
      unsupported(D->Keys[I] ? D->Keys[I]->Loc : D->Loc,
                  "the keys of pyro.condition's data must be string literals (site names)");
      return std::nullopt;
    }
    VarId T = newTemp("conditioned", D->Values[I]->Loc);
    assign(Out, T, lowerExpr(*D->Values[I], Out), D->Values[I]->Loc);
    F.Values[K->Str] = T;
  }
  return F;
}

std::optional<Lowerer::BlockRule> Lowerer::blockRule(const A::Call &C, bool Applied) {
  Bound B;
  if (!bindArgs(sig(SigBlock), C, 0, 0, "poutine.block", B))
    return std::nullopt;
  bool Ok = true;
  auto Refuse = [&](size_t Slot, const std::string &Why) {
    unsupported(B.Slots[Slot]->Loc, "poutine.block with " + Why);
    Ok = false;
  };
  if (!Applied && B.Slots[0] && !isNone(*B.Slots[0]))
    Refuse(0, "a function argument is supported when the result is called at once "
              "(poutine.block(fn, ...)(args)); else use it as a decorator or a context manager");
  BlockRule R;
  for (size_t I : {1, 2}) {
    if (!B.Slots[I] || isNone(*B.Slots[I]))
      continue;
    // A lambda, or a def named here (`expose_fn=expose_fn`).
    std::optional<NameFilter> Fn;
    Binding *Def = nullptr;
    if (auto *N = dyn_cast<A::Name>(B.Slots[I]))
      Def = lookup(N->Id);
    if (Def && Def->K == Binding::Kind::Function)
      Fn = parseNameFilter(*Def->Fn);
    else
      Fn = parseNameFilter(*B.Slots[I]);
    if (!Fn)
      Refuse(I, "a hide_fn or expose_fn that is not a lambda or one-line def testing "
                "msg[\"name\"] (startswith, endswith, ==, in a literal list, also on "
                "msg[\"name\"][:k], not/and/or) is not supported; "
                "list the sites in hide=[...] or expose=[...]");
    else if (R.HideFn)
      Refuse(I, "both hide_fn and expose_fn is an error in Pyro");
    else
      R.HideFn = I == 1 ? std::move(*Fn) : NameFilter{NameFilter::Kind::Not, "", {std::move(*Fn)}};
  }
  auto Flag = [&](size_t Slot, bool Default) {
    if (!B.Slots[Slot])
      return Default;
    auto *K = dyn_cast<A::Constant>(B.Slots[Slot]);
    if (K && (K->Ty == A::Constant::Type::True || K->Ty == A::Constant::Type::False))
      return K->Ty == A::Constant::Type::True;
    Refuse(Slot, "a " + std::string(Slot == 3 ? "hide_all" : "expose_all") +
                     " that is not True or False is not supported");
    return Default;
  };
  R.HideAll = Flag(3, true);
  const bool ExposeAll = Flag(4, false);
  if (Ok && !(!R.HideAll && !ExposeAll) && R.HideAll == ExposeAll) {
    error(DiagId::BadArguments, C.Loc, "poutine.block cannot both hide and expose all sites");
    Ok = false;
  }
  // Pyro's defaults: a hide list (of names or types) exposes the rest, an
  // expose list hides the rest; the later argument wins.
  auto Names = [&](size_t Slot, std::set<std::string> &To, bool HideRest) {
    if (!B.Slots[Slot] || isNone(*B.Slots[Slot]))
      return;
    R.HideAll = HideRest;
    auto *Seq = dyn_cast<A::Sequence>(B.Slots[Slot]);
    if (Seq)
      for (const A::ExprPtr &X : Seq->Elts) {
        auto *K = dyn_cast<A::Constant>(X.get());
        if (!K || K->Ty != A::Constant::Type::Str) {
          Seq = nullptr;
          break;
        }
        To.insert(K->Str);
      }
    if (!Seq)
      Refuse(Slot, "a list that is not of literal strings is not supported; write the site "
                   "names (or types) in the call");
  };
  Names(5, R.Hide, false);
  Names(6, R.Expose, true);
  Names(7, R.HideTypes, false);
  Names(8, R.ExposeTypes, true);
  auto Disjoint = [](const std::set<std::string> &A, const std::set<std::string> &B) {
    return std::none_of(A.begin(), A.end(), [&](const std::string &X) { return B.count(X); });
  };
  if (Ok && (!Disjoint(R.Hide, R.Expose) || !Disjoint(R.HideTypes, R.ExposeTypes))) {
    error(DiagId::BadArguments, C.Loc, "poutine.block cannot both hide and expose a site");
    Ok = false;
  }
  R.PlateDepth = VecPlateDepth;
  if (!Ok)
    return std::nullopt;
  return R;
}

std::optional<bool> Lowerer::hiddenSite(const SiteName &N, const std::string &Type,
                                        const SourceLoc &L, bool ValueUsed) {
  // Pyro asks the innermost handler first: the innermost block that hides
  // the site stops it.
  for (size_t I = Blocks.size(); I-- > 0;) {
    const BlockRule &R = Blocks[I];
    std::optional<bool> ByFn;
    if (R.HideFn) {
      if (N.NameForm != SiteName::Form::Dynamic)
        ByFn = R.HideFn->eval(N.Canonical, N.NameForm == SiteName::Form::Template);
      if (!ByFn) {
        unsupported(L, "poutine.block's hide_fn/expose_fn cannot be decided for the site '" +
                           N.Canonical + "' from its name's literal text");
        return std::nullopt;
      }
    }
    bool ByName = !R.Hide.empty() || !R.Expose.empty();
    if (!R.HideFn && ByName && N.NameForm != SiteName::Form::Literal) {
      unsupported(L, "a site with a computed name inside poutine.block(hide=[...]) or "
                     "(expose=[...]) is not supported; give the site a literal name");
      return std::nullopt;
    }
    const bool Hidden =
        ByFn ? *ByFn
             : R.Hide.count(N.Canonical) || R.HideTypes.count(Type) ||
                   (!R.Expose.count(N.Canonical) && !R.ExposeTypes.count(Type) && R.HideAll);
    if (!Hidden)
      continue;
    // Plates entered inside the block still broadcast the hidden draw;
    // plates outside it do not. The first is not modelled.
    if (ValueUsed && VecPlateDepth > R.PlateDepth) {
      unsupported(L, "a site hidden by poutine.block inside a pyro.plate entered within the block "
                     "is not supported (Pyro broadcasts the hidden value to that plate, which svic "
                     "does not model)");
      return std::nullopt;
    }
    return true;
  }
  return false;
}

//===-- Pyro -------------------------------------------------------------------------===//

std::optional<Lowerer::FormatPlan> Lowerer::planFormat(const A::Call &Call) {
  auto *At = dyn_cast<A::Attribute>(Call.Func.get());
  auto *K = At ? dyn_cast<A::Constant>(At->Value.get()) : nullptr;
  if (!At || At->Attr != "format" || !K || K->Ty != A::Constant::Type::Str)
    return std::nullopt;
  std::vector<FormatField> Fields;
  if (!splitFormatTemplate(K->Str, Fields))
    return std::nullopt;
  FormatPlan Plan;
  std::vector<const A::Expr *> Positional;
  std::map<std::string, const A::Expr *> Keywords;
  for (const A::Arg &Arg : Call.Args) {
    Plan.Args.push_back(Arg.Value.get());
    if (Arg.K == A::Arg::Kind::Positional)
      Positional.push_back(Arg.Value.get());
    else if (Arg.K == A::Arg::Kind::Keyword)
      Keywords[Arg.Name] = Arg.Value.get();
    else
      return std::nullopt;
  }
  auto EscapeBraces = [](const std::string &S) {
    std::string Out;
    for (char C : S)
      Out += C == '{' ? "{{" : C == '}' ? "}}" : std::string(1, C);
    return Out;
  };
  size_t Auto = 0;
  for (const FormatField &Fd : Fields) {
    if (!Fd.IsField) {
      Plan.Template += EscapeBraces(Fd.Text);
      Plan.Literal += Fd.Text;
      continue;
    }
    if (!Fd.FormatSpec.empty() || !Fd.Conversion.empty())
      return std::nullopt; // "{:02d}" is not "{}": the name is known only at run time
    const A::Expr *Arg = nullptr;
    if (Fd.Text.empty()) {
      if (Auto < Positional.size())
        Arg = Positional[Auto++];
    } else if (std::all_of(Fd.Text.begin(), Fd.Text.end(),
                           [](char Ch) { return std::isdigit(static_cast<unsigned char>(Ch)); })) {
      size_t Idx = std::stoul(Fd.Text);
      if (Idx < Positional.size())
        Arg = Positional[Idx];
    } else {
      auto It = Keywords.find(Fd.Text);
      if (It != Keywords.end())
        Arg = It->second;
    }
    if (!Arg)
      return std::nullopt;
    Plan.Order.push_back(Arg);
    Plan.Template += "{}";
  }
  return Plan;
}

std::optional<Lowerer::FormatPlan> Lowerer::planPercent(const A::BinOp &B) {
  auto *K = dyn_cast<A::Constant>(B.Left.get());
  if (B.Op != A::BinOpKind::Mod || !K || K->Ty != A::Constant::Type::Str)
    return std::nullopt;
  FormatPlan Plan;
  if (auto *T = dyn_cast<A::Sequence>(B.Right.get()); T && B.Right->Kind == A::ExprKind::Tuple)
    for (const A::ExprPtr &X : T->Elts)
      Plan.Args.push_back(X.get());
  else
    Plan.Args.push_back(B.Right.get());
  size_t Next = 0;
  const std::string &F = K->Str;
  for (size_t I = 0; I < F.size(); ++I) {
    const char C = F[I];
    if (C != '%') {
      Plan.Template += C == '{' ? "{{" : C == '}' ? "}}" : std::string(1, C);
      Plan.Literal += C;
      continue;
    }
    const char Spec = I + 1 < F.size() ? F[I + 1] : '\0';
    ++I;
    if (Spec == '%') {
      Plan.Template += '%';
      Plan.Literal += '%';
      continue;
    }
    if ((Spec != 's' && Spec != 'd' && Spec != 'i') || Next >= Plan.Args.size() ||
        isa<A::Starred>(Plan.Args[Next]))
      return std::nullopt;
    Plan.Order.push_back(Plan.Args[Next++]);
    Plan.Template += "{}";
  }
  if (Next != Plan.Args.size())
    return std::nullopt; // Python raises "not all arguments converted"
  return Plan;
}

ExprPtr Lowerer::lowerFormatValue(const FormatPlan &Plan, const SourceLoc &L, Block &Out) {
  std::vector<ExprPtr> Indices = lowerFormatArgs(Plan, Out);
  if (Indices.empty())
    return constString(L, Plan.Literal);
  auto R = make<CallExpr>(L);
  R->Op = OpId::StrFormat;
  R->Args.Args.push_back(constString(L, Plan.Template));
  for (ExprPtr &I : Indices)
    R->Args.Args.push_back(std::move(I));
  return R;
}

std::vector<ExprPtr> Lowerer::lowerFormatArgs(const FormatPlan &Plan, Block &Out) {
  // Every argument is evaluated once, left to right; a field that repeats an
  // argument gets a copy.
  std::map<const A::Expr *, ExprPtr> Lowered;
  for (const A::Expr *Arg : Plan.Args)
    Lowered[Arg] = lowerExpr(*Arg, Out);
  std::vector<ExprPtr> Indices;
  std::map<const A::Expr *, size_t> FirstUse;
  for (const A::Expr *Arg : Plan.Order) {
    auto It = FirstUse.find(Arg);
    if (It == FirstUse.end()) {
      FirstUse[Arg] = Indices.size();
      Indices.push_back(std::move(Lowered[Arg]));
    } else {
      Indices.push_back(cloneExpr(*Indices[It->second], P));
    }
  }
  return Indices;
}

/// Writes each field of the template \p N whose index is a known string into
/// its text (a loop over known names, a helper called with a literal name);
/// a literal when no field is left.
void Lowerer::foldKnownFields(SiteName &N) {
  if (N.NameForm != SiteName::Form::Template)
    return;
  const std::string &T = N.Canonical;
  std::string Template, Literal;
  std::vector<ExprPtr> Left;
  size_t Field = 0;
  for (size_t I = 0; I < T.size(); ++I) {
    const bool Pair = I + 1 < T.size() && (T[I] == '{' || T[I] == '}') && T[I + 1] == T[I];
    if (Pair) { // an escaped brace
      Template += T.substr(I++, 2);
      Literal += T[I];
    } else if (T[I] == '{' && I + 1 < T.size() && T[I + 1] == '}' && Field < N.Indices.size()) {
      ExprPtr &X = N.Indices[Field++];
      ++I;
      if (std::optional<std::string> Text = knownString(*X)) {
        for (char C : *Text)
          Template += C == '{' ? "{{" : C == '}' ? "}}" : std::string(1, C);
        Literal += *Text;
      } else {
        Template += "{}";
        Left.push_back(std::move(X));
      }
    } else {
      Template += T[I];
      Literal += T[I];
    }
  }
  N.Indices = std::move(Left);
  N.NameForm = N.Indices.empty() ? SiteName::Form::Literal : SiteName::Form::Template;
  N.Canonical = N.Indices.empty() ? Literal : Template;
}

SiteName Lowerer::lowerSiteName(const A::Expr &E, Block &Out) {
  SiteName N;
  N.Loc = loc(E.Loc);
  auto Dynamic = [&](ExprPtr Lowered = nullptr) {
    N = SiteName{};
    N.Loc = loc(E.Loc);
    N.NameForm = SiteName::Form::Dynamic;
    N.Canonical = "<" + text(E) + ">";
    N.DynamicExpr = Lowered ? std::move(Lowered) : lowerExpr(E, Out);
    return std::move(N);
  };
  auto EscapeBraces = [](const std::string &S) {
    std::string Out;
    for (char C : S)
      Out += C == '{' ? "{{" : C == '}' ? "}}" : std::string(1, C);
    return Out;
  };
  if (auto *C = dyn_cast<A::Constant>(&E); C && C->Ty == A::Constant::Type::Str) {
    N.NameForm = SiteName::Form::Literal;
    N.Canonical = C->Str;
    return N;
  }
  auto PlainFields = [](const A::FString &F) {
    return std::all_of(F.Parts.begin(), F.Parts.end(), [](const A::FString::Part &P) {
      return P.FormatSpec.empty() && P.Conversion.empty();
    });
  };
  if (auto *F = dyn_cast<A::FString>(&E); F && PlainFields(*F)) {
    std::string Literal, Template;
    for (const A::FString::Part &Part : F->Parts) {
      if (Part.IsField) {
        Template += "{}";
        N.Indices.push_back(lowerExpr(*Part.Value, Out));
      } else {
        Template += EscapeBraces(Part.Text);
        Literal += Part.Text;
      }
    }
    N.NameForm = N.Indices.empty() ? SiteName::Form::Literal : SiteName::Form::Template;
    N.Canonical = N.Indices.empty() ? Literal : Template;
    foldKnownFields(N);
    return N;
  }
  std::optional<FormatPlan> Plan;
  if (auto *Call = dyn_cast<A::Call>(&E))
    Plan = planFormat(*Call);
  else if (auto *B = dyn_cast<A::BinOp>(&E))
    Plan = planPercent(*B);
  if (Plan) {
    N.Indices = lowerFormatArgs(*Plan, Out);
    N.NameForm = N.Indices.empty() ? SiteName::Form::Literal : SiteName::Form::Template;
    N.Canonical = N.Indices.empty() ? Plan->Literal : Plan->Template;
    foldKnownFields(N);
    return N;
  }
  if (auto *Add = dyn_cast<A::BinOp>(&E); Add && Add->Op == A::BinOpKind::Add) {
    ExprPtr V = lowerExpr(E, Out);
    if (std::optional<std::string> Text = knownString(*V)) {
      N.NameForm = SiteName::Form::Literal;
      N.Canonical = *Text;
      return N;
    }
    return Dynamic(std::move(V));
  }
  if (auto *Nm = dyn_cast<A::Name>(&E)) {
    Binding *B = lookup(Nm->Id);
    if (B && B->K == Binding::Kind::Var && factProblem(B->Var).empty()) {
      const Fact &F = fact(B->Var);
      if (F.K == Fact::Kind::String) {
        N.NameForm = SiteName::Form::Literal;
        N.Canonical = cast<ConstantExpr>(F.Def)->StringValue;
        return N;
      }
      if (F.K == Fact::Kind::Template) {
        const auto *Call = cast<CallExpr>(F.Def);
        N.NameForm = SiteName::Form::Template;
        N.Canonical = cast<ConstantExpr>(Call->Args.Args[0].get())->StringValue;
        for (size_t I = 1; I < Call->Args.Args.size(); ++I)
          N.Indices.push_back(cloneExpr(*Call->Args.Args[I], P));
        foldKnownFields(N);
        return N;
      }
    }
  }
  return Dynamic();
}

std::unique_ptr<DistributionExpr> Lowerer::lowerDistArg(const A::Expr &E, Block &Out) {
  if (auto *N = dyn_cast<A::Name>(&E)) {
    Binding *B = lookup(N->Id);
    if (B && B->K == Binding::Kind::Var && fact(B->Var).K == Fact::Kind::Dist) {
      std::string Why = factProblem(B->Var);
      if (!Why.empty()) {
        unsupported(E.Loc, "the distribution in '" + N->Id + "' is ambiguous here because " + Why +
                               "; construct the distribution in the pyro.sample call");
        return nullptr;
      }
      ExprPtr Copy = cloneExpr(*fact(B->Var).Def, P);
      return std::unique_ptr<DistributionExpr>(cast<DistributionExpr>(Copy.release()));
    }
  }
  return distOf(lowerExpr(E, Out), text(E), E.Loc);
}

std::unique_ptr<DistributionExpr> Lowerer::distOf(ExprPtr V, const std::string &Spelling,
                                                  const SourceLoc &L) {
  if (auto *D = dyn_cast<DistributionExpr>(V.get())) {
    V.release();
    return std::unique_ptr<DistributionExpr>(D);
  }
  if (auto *R = dyn_cast<VarRefExpr>(V.get())) {
    // A helper that returned a distribution: its return variable holds it.
    if (fact(R->Var).K == Fact::Kind::Dist) {
      std::string Why = factProblem(R->Var);
      if (Why.empty()) {
        ExprPtr Copy = cloneExpr(*fact(R->Var).Def, P);
        return std::unique_ptr<DistributionExpr>(cast<DistributionExpr>(Copy.release()));
      }
      unsupported(L, "the distribution of '" + Spelling + "' is ambiguous here because " + Why +
                         "; construct the distribution in the pyro.sample call");
      return nullptr;
    }
  }
  std::shared_ptr<Instance> Obj;
  if (auto It = InstanceValues.find(V.get()); It != InstanceValues.end())
    Obj = It->second;
  else if (auto *R = dyn_cast<VarRefExpr>(V.get()); R && fact(R->Var).K == Fact::Kind::Instance)
    Obj = fact(R->Var).Inst;
  std::vector<ExprPtr> Args;
  if (Obj) {
    // An object of a user class (a TorchDistribution subclass): its methods
    // may read every field of it and everything its class can see.
    std::set<VarId> Captured;
    captureInstance(*Obj, Captured);
    captureScope(Obj->ClsScope, Captured);
    for (VarId C : Captured)
      Args.push_back(varRef(L, C));
    return opaqueDistribution(Obj->Cls->Name, std::move(Args), L);
  }
  // A number, string or tensor is no distribution: Pyro raises. None is
  // what a construct that failed to lower left (its error is reported).
  if (isa<ConstantExpr>(V.get()) || isa<SequenceExpr>(V.get()) || certainlyTensor(*V)) {
    auto *K = dyn_cast<ConstantExpr>(V.get());
    if (!K || K->Ty != ConstantExpr::Type::None || !DE.hasErrors())
      unsupported(L, "the second argument of pyro.sample must be a distribution, not '" + Spelling +
                         "'");
    return nullptr;
  }
  // A value of unknown kind (a distribution of another library, an object
  // built by an opaque call, an entry argument): an opaque distribution of it.
  auto *C = dyn_cast<CallExpr>(V.get());
  std::string Name = C && C->Op == OpId::OpaqueCall ? C->Callee : Spelling;
  Args.push_back(std::move(V));
  return opaqueDistribution(Name, std::move(Args), L);
}

void Lowerer::lowerSample(const A::Call &C, Block &Out, std::optional<VarId> Target) {
  // Pyro reads obs, obs_mask and infer as keywords only: a third positional
  // argument goes to the distribution (its sample shape), it is no observation.
  size_t Positional = 0;
  for (const A::Arg &Arg : C.Args)
    if (Arg.K == A::Arg::Kind::Positional && ++Positional == 3) {
      error(DiagId::BadArguments, Arg.Loc,
            "pyro.sample takes obs, obs_mask and infer as keyword arguments; a positional "
            "argument after the distribution is passed to it, which svic does not model "
            "(write obs=...)");
      return;
    }
  Bound B;
  if (!bindArgs(sig(SigSample), C, 0, 0, text(*C.Func), B))
    return;
  if (B.Slots[3])
    unsupported(B.Slots[3]->Loc, "the obs_mask argument of pyro.sample is not supported; use "
                                 ".mask(...) on the distribution");
  auto S = make<SampleStmt>(C.Loc);
  S->Target = Target;
  S->Name = lowerSiteName(*B.Slots[0], Out);
  S->Dist = lowerDistArg(*B.Slots[1], Out);
  if (B.Slots[2])
    S->Obs = lowerExpr(*B.Slots[2], Out);
  finishSample(std::move(S), B.Slots[4], C.Loc, Target, Out);
}

void Lowerer::finishSample(std::unique_ptr<SampleStmt> S, const A::Expr *Infer,
                           const SourceLoc &L, std::optional<VarId> Target, Block &Out) {
  if (Target && !S->Obs)
    setTensorFact(*Target);
  else if (Target)
    fact(*Target) = Fact{};
  if (!S->Dist)
    return;
  if (!S->Obs && !Conditions.empty()) {
    if (S->Name.NameForm != SiteName::Form::Literal) {
      unsupported(L, "a site with a computed name under pyro.condition is not supported; give the site a "
                     "literal name");
      return;
    }
    for (size_t I = Conditions.size(); I-- > 0;)
      if (auto It = Conditions[I].Values.find(S->Name.Canonical); It != Conditions[I].Values.end()) {
        S->Obs = varRef(L, It->second);
        if (Target)
          fact(*Target) = Fact{};
        break;
      }
  }
  S->Enumerate = enumeration(Infer, *S);
  if (!Reparams.empty() && reparamSample(S, Infer, L, Target, Out))
    return;
  if (!Blocks.empty()) {
    std::optional<bool> Hidden =
        hiddenSite(S->Name, S->Obs ? "observe" : "sample", L, Target && !S->Obs);
    if (!Hidden)
      return;
    if (*Hidden) {
      // Not a site: the call returns the observation, or a fresh draw of
      // the distribution that no handler outside the block sees.
      if (!Target)
        return;
      if (S->Obs) {
        assign(Out, *Target, std::move(S->Obs), L);
        return;
      }
      auto Draw = make<CallExpr>(L);
      Draw->Op = OpId::DistSample;
      Draw->Args.Args.push_back(std::move(S->Dist));
      assign(Out, *Target, std::move(Draw), L);
      setTensorFact(*Target);
      return;
    }
  }
  Out.push_back(std::move(S));
}

/// The sites `poutine.reparam(fn, config={...})` rewrites: a dict display
/// with literal site names, each mapped to `LocScaleReparam(centered)`.
std::optional<Lowerer::ReparamFrame> Lowerer::reparamFrame(const A::Call &C) {
  Bound B;
  if (!bindArgs(sig(SigReparam), C, 0, 0, text(*C.Func), B))
    return std::nullopt;
  const auto *Config = B.Slots[1] ? dyn_cast<A::Dict>(B.Slots[1]) : nullptr;
  if (!Config) {
    unsupported(B.Slots[1] ? B.Slots[1]->Loc : C.Loc,
                "poutine.reparam is modelled with config={...}, a dict display from literal "
                "site names to LocScaleReparam(...)");
    return std::nullopt;
  }
  ReparamFrame F;
  for (size_t I = 0; I < Config->Keys.size(); ++I) {
    const auto *Key = Config->Keys[I] ? dyn_cast<A::Constant>(Config->Keys[I].get()) : nullptr;
    const auto *R = dyn_cast<A::Call>(Config->Values[I].get());
    std::optional<std::string> Q = R ? staticPath(*R->Func) : std::nullopt;
    if (!Key || Key->Ty != A::Constant::Type::Str) {
      unsupported(Config->Keys[I] ? Config->Keys[I]->Loc : Config->Loc,
                  "the keys of poutine.reparam's config must be literal site names");
      return std::nullopt;
    }
    if (!Q || (*Q != "pyro.infer.reparam.LocScaleReparam" &&
               *Q != "pyro.infer.reparam.loc_scale.LocScaleReparam")) {
      unsupported(Config->Values[I]->Loc, "'" + text(*Config->Values[I]) +
                                              "' is not modelled; svic models poutine.reparam "
                                              "with LocScaleReparam only");
      return std::nullopt;
    }
    Bound RB;
    if (!bindArgs(sig("centered:n?,shape_params:n?"), *R, 0, 0, text(*R->Func), RB))
      return std::nullopt;
    auto IsNone = [](const A::Expr *E) {
      auto *K = E ? dyn_cast<A::Constant>(E) : nullptr;
      return !E || (K && K->Ty == A::Constant::Type::None);
    };
    if (!IsNone(RB.Slots[1])) {
      unsupported(RB.Slots[1]->Loc, "LocScaleReparam's shape_params is not modelled");
      return std::nullopt;
    }
    std::optional<double> Centered;
    if (!IsNone(RB.Slots[0])) {
      const auto *K = dyn_cast<A::Constant>(RB.Slots[0]);
      if (K && K->Ty == A::Constant::Type::Int) {
        // Pyro 1.8.6 asserts isinstance(centered, (float, torch.Tensor)).
        unsupported(K->Loc, "LocScaleReparam's centered must be a float (Pyro rejects the int " +
                                text(*K) + "); write " + text(*K) + ".0");
        return std::nullopt;
      }
      if (!K || K->Ty != A::Constant::Type::Float || !(K->Float >= 0 && K->Float <= 1)) {
        unsupported(RB.Slots[0]->Loc, "LocScaleReparam's centered is modelled as None or a "
                                      "float literal in [0, 1]");
        return std::nullopt;
      }
      Centered = K->Float;
    }
    F.Centered[Key->Str] = Centered;
  }
  return F;
}

/// Pyro's LocScaleReparam.apply (pyro/infer/reparam/loc_scale.py) on the
/// latent site \p S when a poutine.reparam around it names it: with c its
/// centered value (or the param `NAME_centered` in [0, 1], 0.5 at first),
/// `NAME_decentered` is drawn from the same family with loc * c and
/// scale ** c, and NAME, a deterministic site svic does not list (as
/// pyro.deterministic), is loc + scale ** (1 - c) * (draw - c * loc). c = 1
/// changes nothing. True when \p S was handled here.
bool Lowerer::reparamSample(std::unique_ptr<SampleStmt> &S, const A::Expr *Infer,
                            const SourceLoc &L, std::optional<VarId> Target, Block &Out) {
  if (S->Name.NameForm != SiteName::Form::Literal) {
    unsupported(L, "a site with a computed name under poutine.reparam is not supported; give "
                   "the site a literal name");
    return true;
  }
  std::optional<std::optional<double>> Centered;
  for (size_t I = Reparams.size(); I-- > 0 && !Centered;)
    if (auto It = Reparams[I].Centered.find(S->Name.Canonical); It != Reparams[I].Centered.end())
      Centered = It->second;
  if (!Centered || *Centered == std::optional<double>(1.0))
    return false;
  DistributionExpr &D = *S->Dist;
  const std::vector<ParamSpec> &Params = D.info().Params;
  std::optional<size_t> LocI = paramIndex(Params, "loc"), ScaleI = paramIndex(Params, "scale");
  const bool Family = D.Dist == DistId::Normal || D.Dist == DistId::StudentT ||
                      D.Dist == DistId::Cauchy || D.Dist == DistId::Laplace;
  auto Fail = [&](const std::string &Why) {
    unsupported(L, "LocScaleReparam of site '" + S->Name.Canonical + "' " + Why);
    return true;
  };
  if (!Family || !LocI || !ScaleI)
    return Fail("is modelled for Normal, StudentT, Cauchy and Laplace, not " + D.info().Name);
  if (S->Obs)
    return Fail("is modelled for latent sites, not observed ones");
  if (!Blocks.empty() || !Conditions.empty())
    return Fail("inside poutine.block or pyro.condition is not modelled");
  bool Independent = false;
  for (const DistTransform &T : D.Transforms) {
    if (T.Kind == DistTransformKind::Mask || T.Kind == DistTransformKind::BijectToInterval)
      return Fail("needs the distribution's loc and scale: Pyro cannot rewrite a masked or "
                  "transformed one");
    Independent = Independent || T.Kind == DistTransformKind::ToEvent ||
                  T.Kind == DistTransformKind::Independent;
  }
  if (!*Centered && Independent)
    return Fail("with a learned centered (centered=None) is modelled for distributions without "
                "event dims only");
  // Where loc and scale are among the arguments; each is evaluated once.
  auto ArgOf = [&](size_t Slot) -> std::optional<size_t> {
    for (size_t K = 0; K < D.Args.Args.size(); ++K)
      if (BoundArgs::slotOf(K, Params) == Slot && D.Args.Args[K])
        return K;
    return std::nullopt;
  };
  std::optional<size_t> LocAt = ArgOf(*LocI), ScaleAt = ArgOf(*ScaleI);
  if (!LocAt || !ScaleAt)
    return Fail("needs its loc and scale written out");
  auto Once = [&](size_t At, const std::string &What) {
    VarId T = newTemp(What, L);
    assign(Out, T, cloneExpr(*D.Args.Args[At], P), L);
    return T;
  };
  const VarId Loc = Once(*LocAt, "loc"), Scale = Once(*ScaleAt, "scale");
  VarId CVar = 0;
  if (!*Centered) {
    auto Pm = make<ParamStmt>(L);
    CVar = newTemp("centered", L);
    Pm->Target = CVar;
    Pm->Name.Canonical = S->Name.Canonical + "_centered";
    Pm->Name.Loc = S->Name.Loc;
    Pm->Init = constFloat(L, 0.5);
    Pm->Constraint = make<ConstraintExpr>(L);
    Pm->Constraint->Constraint = ConstraintId::UnitInterval;
    Out.push_back(std::move(Pm));
    setTensorFact(CVar);
  }
  auto Cent = [&]() -> ExprPtr { return CVar ? varRef(L, CVar) : constFloat(L, **Centered); };
  auto Bin = [&](BinaryOp Op, ExprPtr A, ExprPtr B) -> ExprPtr {
    auto E = make<BinaryExpr>(L);
    E->Op = Op;
    E->Lhs = std::move(A);
    E->Rhs = std::move(B);
    return E;
  };
  // The decentered family: loc * c, scale ** c, the other parameters kept.
  auto Dec = std::unique_ptr<DistributionExpr>(cast<DistributionExpr>(cloneExpr(D, P).release()));
  Dec->Args.Args[*LocAt] = Bin(BinaryOp::Mul, varRef(L, Loc), Cent());
  Dec->Args.Args[*ScaleAt] = Bin(BinaryOp::Pow, varRef(L, Scale), Cent());
  auto New = make<SampleStmt>(L);
  New->Name.Canonical = S->Name.Canonical + "_decentered";
  New->Name.Loc = S->Name.Loc;
  New->Dist = std::move(Dec);
  VarId Draw = newTemp("decentered", L);
  New->Target = Draw;
  New->Enumerate = enumeration(Infer, *New);
  Out.push_back(std::move(New));
  setTensorFact(Draw);
  if (Target) {
    ExprPtr OneMinus = CVar ? Bin(BinaryOp::Sub, constFloat(L, 1.0), Cent())
                            : constFloat(L, 1.0 - **Centered);
    ExprPtr Delta = Bin(BinaryOp::Sub, varRef(L, Draw), Bin(BinaryOp::Mul, Cent(), varRef(L, Loc)));
    assign(Out, *Target,
           Bin(BinaryOp::Add, varRef(L, Loc),
               Bin(BinaryOp::Mul, Bin(BinaryOp::Pow, varRef(L, Scale), std::move(OneMinus)),
                   std::move(Delta))),
           L);
    setTensorFact(*Target);
  }
  return true;
}

void Lowerer::lowerParam(const A::Call &C, Block &Out, std::optional<VarId> Target) {
  Bound B;
  if (!bindArgs(sig(SigParam), C, 0, 0, text(*C.Func), B))
    return;
  auto S = make<ParamStmt>(C.Loc);
  S->Target = Target;
  S->Name = lowerSiteName(*B.Slots[0], Out);
  if (B.Slots[1]) {
    // `pyro.param("k", lambda: torch.ones(3))`: Pyro calls the initialiser.
    const A::Expr *Init = B.Slots[1];
    if (auto *L = dyn_cast<A::Lambda>(Init); L && L->Fn->Params.empty())
      Init = cast<A::Return>(L->Fn->Inner.front().get())->Value.get();
    S->Init = lowerExpr(*Init, Out);
  }
  if (B.Slots[2]) {
    ExprPtr Cn = lowerExpr(*B.Slots[2], Out);
    if (auto *CE = dyn_cast<ConstraintExpr>(Cn.get())) {
      Cn.release();
      S->Constraint.reset(CE);
    } else if (!isa<ConstantExpr>(Cn.get())) {
      error(DiagId::BadArguments, B.Slots[2]->Loc,
            "the constraint of pyro.param must be a torch.distributions.constraints value, not '" +
                text(*B.Slots[2]) + "'");
    }
  }
  if (Target)
    setTensorFact(*Target);
  Out.push_back(std::move(S));
}

void Lowerer::lowerModuleStmt(const A::Call &C, Block &Out, std::optional<VarId> Target) {
  Bound B;
  if (!bindArgs(sig(SigModule), C, 0, 0, text(*C.Func), B))
    return;
  // `pyro.module("vae", self)`: every submodule and nn.Parameter field of the
  // object, under Pyro's names ("vae$$$encoder").
  if (std::shared_ptr<Instance> I = instanceOf(*B.Slots[1])) {
    SiteName Name = lowerSiteName(*B.Slots[0], Out);
    registerInstance(Name.Canonical, *I, C, Out);
    if (Target)
      fact(*Target) = instanceFact(I);
    return;
  }
  auto S = make<ModuleStmt>(C.Loc);
  S->Target = Target;
  S->Name = lowerSiteName(*B.Slots[0], Out);
  ExprPtr Net = lowerExpr(*B.Slots[1], Out);
  if (auto *R = dyn_cast<VarRefExpr>(Net.get())) {
    S->ModuleVar = R->Var;
  } else {
    VarId Tmp = newTemp("module", B.Slots[1]->Loc);
    assign(Out, Tmp, std::move(Net), B.Slots[1]->Loc);
    S->ModuleVar = Tmp;
  }
  if (Target) {
    Fact F = fact(S->ModuleVar);
    fact(*Target) = F.K == Fact::Kind::Module ? F : Fact{};
  }
  Out.push_back(std::move(S));
}

void Lowerer::lowerFactor(const A::Call &C, Block &Out) {
  Bound B;
  if (!bindArgs(sig(SigFactor), C, 0, 0, text(*C.Func), B))
    return;
  auto S = make<FactorStmt>(C.Loc);
  S->Name = lowerSiteName(*B.Slots[0], Out);
  S->LogProb = lowerExpr(*B.Slots[1], Out);
  if (!Blocks.empty()) {
    // Pyro's factor is an observed site: a block hides it as an "observe".
    std::optional<bool> Hidden = hiddenSite(S->Name, "observe", C.Loc, false);
    if (!Hidden)
      return;
    if (*Hidden) {
      if (!isa<VarRefExpr>(S->LogProb.get()) && !isa<ConstantExpr>(S->LogProb.get())) {
        auto E = make<ExprStmt>(C.Loc);
        E->Value = std::move(S->LogProb);
        Out.push_back(std::move(E));
      }
      return;
    }
  }
  Out.push_back(std::move(S));
}

void Lowerer::lowerDeterministic(const A::Call &C, Block &Out, std::optional<VarId> Target) {
  Bound B;
  if (!bindArgs(sig(SigDeterministic), C, 0, 0, text(*C.Func), B))
    return;
  lowerSiteName(*B.Slots[0], Out); // evaluated for its errors; the name is not a site
  ExprPtr V = lowerExpr(*B.Slots[1], Out);
  if (Target) {
    assign(Out, *Target, std::move(V), C.Loc);
    return;
  }
  if (isa<VarRefExpr>(V.get()) || isa<ConstantExpr>(V.get()))
    return;
  auto S = make<ExprStmt>(C.Loc);
  S->Value = std::move(V);
  Out.push_back(std::move(S));
}

std::optional<PlateInfo> Lowerer::lowerPlate(const A::Call &C, Block &Out, ExprPtr *Subsample) {
  Bound B;
  if (!bindArgs(sig(SigPlate), C, 0, 0, text(*C.Func), B))
    return std::nullopt;
  if (B.Slots[3] && !Subsample)
    unsupported(B.Slots[3]->Loc,
                "explicit subsample indices are supported in 'with pyro.plate(..., "
                "subsample=indices)' only; use subsample_size here");
  PlateInfo Pl;
  Pl.Loc = loc(C.Loc);
  Pl.Name = lowerSiteName(*B.Slots[0], Out);
  if (B.Slots[1])
    Pl.Size = lowerExpr(*B.Slots[1], Out);
  if (B.Slots[2])
    Pl.SubsampleSize = lowerExpr(*B.Slots[2], Out);
  if (B.Slots[3] && Subsample) {
    // Pyro: the plate holds len(indices) of its size entries, scaled by
    // size / len, and its index value is the indices themselves.
    *Subsample = lowerExpr(*B.Slots[3], Out);
    if (!Pl.SubsampleSize) {
      auto Len = make<CallExpr>(B.Slots[3]->Loc);
      Len->Op = OpId::PyLen;
      Len->Args.Args.push_back(cloneExpr(**Subsample, P));
      Pl.SubsampleSize = std::move(Len);
    }
  }
  if (B.Slots[4])
    Pl.Dim = lowerExpr(*B.Slots[4], Out);
  return Pl;
}

SiteName Lowerer::cloneSiteName(const SiteName &Src) {
  SiteName N;
  N.NameForm = Src.NameForm;
  N.Canonical = Src.Canonical;
  N.Loc = Src.Loc;
  for (const ExprPtr &I : Src.Indices)
    N.Indices.push_back(cloneExpr(*I, P));
  if (Src.DynamicExpr)
    N.DynamicExpr = cloneExpr(*Src.DynamicExpr, P);
  return N;
}

PlateInfo Lowerer::clonePlate(const PlateInfo &Src, const SourceLoc &) {
  PlateInfo Pl;
  Pl.Name = cloneSiteName(Src.Name);
  if (Src.Size)
    Pl.Size = cloneExpr(*Src.Size, P);
  if (Src.SubsampleSize)
    Pl.SubsampleSize = cloneExpr(*Src.SubsampleSize, P);
  if (Src.Dim)
    Pl.Dim = cloneExpr(*Src.Dim, P);
  Pl.Loc = Src.Loc;
  return Pl;
}

std::optional<PlateInfo> Lowerer::plateOf(const A::Expr &E, Block &Out, ExprPtr *Subsample) {
  if (const A::Call *C = pyroCall(E, "pyro.plate"))
    return lowerPlate(*C, Out, Subsample);
  auto *N = cast<A::Name>(&E);
  Binding *B = lookup(N->Id);
  std::string Why = factProblem(B->Var);
  if (!Why.empty()) {
    unsupported(E.Loc, "the plate in '" + N->Id + "' is ambiguous here because " + Why +
                           "; create the plate where it is used");
    return std::nullopt;
  }
  return clonePlate(*fact(B->Var).Plate, E.Loc);
}

} // namespace

std::unique_ptr<Program> lowerProgram(const A::Module &M, const A::FunctionDef &Entry,
                                      const A::ClassDef *EntryClass, Role R,
                                      const std::set<std::string> &GivenInputs, SourceManager &SM,
                                      DiagnosticEngine &DE, const A::Call *EntryCondition) {
  auto P = std::make_unique<Program>();
  P->ProgramRole = R;
  P->File = M.File;
  P->EntryFunction = EntryClass ? EntryClass->Name + "." + Entry.Name : Entry.Name;
  Lowerer L(*P, SM, DE);
  L.run(M, Entry, EntryClass, GivenInputs, EntryCondition);
  return P;
}

} // namespace svic::frontend
