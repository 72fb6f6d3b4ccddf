//===- Sites.cpp - The site inventory of a Program (`svic sites`) -----------===//

#include "svic/ir/Sites.h"

#include "svic/ir/Printer.h"
#include "svic/ir/Walk.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <tuple>

namespace svic::ir {

namespace {

/// A numeric constant, possibly negated (`-1` is Neg(1) in the IR).
std::optional<double> constantNumber(const Expr *E) {
  if (!E)
    return std::nullopt;
  if (auto *C = dyn_cast<ConstantExpr>(E))
    return C->isNumber() ? std::optional<double>(C->number()) : std::nullopt;
  if (auto *U = dyn_cast<UnaryExpr>(E)) {
    std::optional<double> V = constantNumber(U->Operand.get());
    if (V && U->Op == UnaryOp::Neg)
      return -*V;
    if (V && U->Op == UnaryOp::Pos)
      return V;
  }
  // torch.tensor(3.) is a constant too.
  if (auto *Call = dyn_cast<CallExpr>(E))
    if (Call->Op == OpId::Tensor && !Call->Args.Args.empty())
      return constantNumber(Call->Args.Args[0].get());
  return std::nullopt;
}

std::string number(double V) {
  if (V == static_cast<double>(static_cast<int64_t>(V)) && V > -1e15 && V < 1e15)
    return std::to_string(static_cast<int64_t>(V));
  return formatNumber(V);
}

/// "name(a, b)" when every argument is a numeric constant, else "".
std::string detail(const std::string &Name, const std::vector<const Expr *> &Args) {
  std::string S = Name + "(";
  for (size_t I = 0; I < Args.size(); ++I) {
    std::optional<double> V = constantNumber(Args[I]);
    if (!V)
      return "";
    S += (I ? ", " : "") + number(*V);
  }
  return S + ")";
}

class Collector {
public:
  std::vector<SiteRecord> Sites;

  void block(const Block &B) {
    for (const StmtPtr &S : B)
      stmt(*S);
  }

private:
  void add(SiteRecord R) { Sites.push_back(std::move(R)); }

  void plate(const PlateInfo &Pl) {
    SiteRecord R;
    R.Name = Pl.Name.Canonical;
    R.Kind = "plate";
    R.Loc = Pl.Loc;
    add(std::move(R));
  }

  void stmt(const Stmt &S) {
    switch (S.Kind) {
    case StmtKind::Sample: {
      const auto *Sm = cast<SampleStmt>(&S);
      SiteRecord R;
      R.Name = Sm->Name.Canonical;
      R.Kind = Sm->isObserve() ? "observe" : "sample";
      R.Loc = S.Loc;
      if (Sm->Dist) {
        const DistInfo &Info = Sm->Dist->info();
        R.Distribution = Sm->Dist->Dist == DistId::Opaque ? Sm->Dist->OpaqueName : Info.Name;
        R.Support = std::string(supportName(Info.Support));
        R.Discrete = Info.Discrete;
        R.Reparameterizable = Info.Reparameterizable;
        const std::vector<ExprPtr> &A = Sm->Dist->Args.Args;
        auto Arg = [&](size_t I) { return I < A.size() ? A[I].get() : nullptr; };
        if (Info.Support == SupportKind::Interval && Info.Params.size() >= 2)
          R.SupportDetail = detail("interval", {Arg(0), Arg(1)});
        else if (Sm->Dist->Dist == DistId::Binomial && Arg(0)) {
          std::optional<double> N = constantNumber(Arg(0));
          if (N)
            R.SupportDetail = "integer_interval(0, " + number(*N) + ")";
        }
        for (const DistTransform &T : Sm->Dist->Transforms) {
          if (T.Kind != DistTransformKind::BijectToInterval)
            continue;
          // An autoguide's Normal mapped onto the model's interval or simplex.
          auto *U = T.Arg ? dyn_cast<DistributionExpr>(T.Arg.get()) : nullptr;
          R.Support = U ? std::string(supportName(U->info().Support)) : "unit_interval";
          R.SupportDetail =
              U && U->info().Support == SupportKind::Interval
                  ? detail("interval", {U->Args.Args.size() > 1 ? U->Args.Args[0].get() : nullptr,
                                        U->Args.Args.size() > 1 ? U->Args.Args[1].get() : nullptr})
                  : "";
        }
      }
      add(std::move(R));
      return;
    }
    case StmtKind::Param: {
      const auto *Pm = cast<ParamStmt>(&S);
      SiteRecord R;
      R.Name = Pm->Name.Canonical;
      R.Kind = "param";
      R.Loc = S.Loc;
      R.Support = "real";
      if (Pm->Constraint) {
        const ConstraintInfo &Info = constraintInfo(Pm->Constraint->Constraint);
        R.Support = std::string(supportName(Info.Support));
        if (Info.NumArgs > 0) {
          std::vector<const Expr *> Args;
          for (const ExprPtr &A : Pm->Constraint->Args)
            Args.push_back(A.get());
          R.SupportDetail = detail(Info.Name, Args);
        }
      }
      add(std::move(R));
      return;
    }
    case StmtKind::Module: {
      SiteRecord R;
      R.Name = cast<ModuleStmt>(&S)->Name.Canonical;
      R.Kind = "param";
      R.Support = "real";
      R.Loc = S.Loc;
      add(std::move(R));
      return;
    }
    case StmtKind::Factor: {
      SiteRecord R;
      R.Name = cast<FactorStmt>(&S)->Name.Canonical;
      R.Kind = "factor";
      R.Loc = S.Loc;
      add(std::move(R));
      return;
    }
    case StmtKind::If:
      block(cast<IfStmt>(&S)->Then);
      block(cast<IfStmt>(&S)->Else);
      return;
    case StmtKind::For: {
      const auto *F = cast<ForStmt>(&S);
      if (F->Over == ForStmt::Iter::Plate)
        plate(F->Plate);
      block(F->Body);
      return;
    }
    case StmtKind::While:
      block(cast<WhileStmt>(&S)->Body);
      return;
    case StmtKind::With: {
      const auto *W = cast<WithStmt>(&S);
      if (W->Ctx == WithStmt::Context::Plate)
        plate(W->Plate);
      block(W->Body);
      return;
    }
    case StmtKind::Assign:
    case StmtKind::ExprStmt:
    case StmtKind::Return:
    case StmtKind::Assert:
      return;
    }
  }
};

} // namespace

std::vector<SiteRecord> collectSites(const Program &P) {
  Collector C;
  C.block(P.Body);
  std::vector<SiteRecord> &S = C.Sites;
  auto Key = [](const SiteRecord &R) {
    return std::make_tuple(std::string_view(R.Name), R.Loc.File, R.Loc.Line, R.Loc.Col,
                           std::string_view(R.Kind));
  };
  std::stable_sort(S.begin(), S.end(),
                   [&](const SiteRecord &A, const SiteRecord &B) { return Key(A) < Key(B); });
  S.erase(std::unique(S.begin(), S.end(),
                      [&](const SiteRecord &A, const SiteRecord &B) { return Key(A) == Key(B); }),
          S.end());
  return S;
}

std::set<std::string> paramsWithMixedConstraints(const Program &P, const Program *Pair) {
  // Per name: the constraints of its declarations (Real when none is given),
  // and whether one has arguments (two such may differ in them).
  std::map<std::string, std::pair<std::set<ConstraintId>, bool>> Decls;
  std::map<std::string, int> Count;
  // Model and guide share one param store, and SVI runs the guide first.
  for (const Program *Q : {&P, Pair}) {
    if (!Q)
      continue;
    forEachStmt(Q->Body, [&](const Stmt &S) {
      const auto *Pa = dyn_cast<ParamStmt>(&S);
      if (!Pa || !Pa->Init)
        return; // a lookup never initialises the store
      auto &[Ids, Args] = Decls[Pa->Name.Canonical];
      Ids.insert(Pa->Constraint ? Pa->Constraint->Constraint : ConstraintId::Real);
      Args = Args || (Pa->Constraint && !Pa->Constraint->Args.empty());
      ++Count[Pa->Name.Canonical];
    });
  }
  std::set<std::string> Mixed;
  for (const auto &[N, D] : Decls)
    if (D.first.size() > 1 || (D.second && Count[N] > 1))
      Mixed.insert(N);
  return Mixed;
}

} // namespace svic::ir
