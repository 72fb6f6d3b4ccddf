//===- SiteFilter.cpp - poutine.block's hide_fn/expose_fn on site names ---===//

#include "SiteFilter.h"

#include "svic/ir/IR.h"

namespace svic::frontend {

using ir::dyn_cast;

namespace {

bool isStr(const ast::Expr &E, std::string &Out) {
  auto *K = dyn_cast<ast::Constant>(&E);
  if (!K || K->Ty != ast::Constant::Type::Str)
    return false;
  Out = K->Str;
  return true;
}

/// `msg["name"]` with \p Msg the lambda's parameter.
bool isName(const ast::Expr &E, const std::string &Msg) {
  auto *S = dyn_cast<ast::Subscript>(&E);
  auto *N = S ? dyn_cast<ast::Name>(S->Value.get()) : nullptr;
  std::string Key;
  return N && N->Id == Msg && S->Indices.size() == 1 && isStr(*S->Indices[0], Key) &&
         Key == "name";
}

NameFilter leaf(NameFilter::Kind K, std::string Text) {
  NameFilter F;
  F.K = K;
  F.Text = std::move(Text);
  return F;
}

NameFilter combine(NameFilter::Kind K, std::vector<NameFilter> Parts) {
  NameFilter F;
  F.K = K;
  F.Parts = std::move(Parts);
  return F;
}

/// `msg["name"]` (Len unset), its first Len characters (`[:Len]`,
/// `[0:Len]`) or its last Len (`[-Len:]`).
struct NamePart {
  bool FromEnd = false;
  std::optional<size_t> Len;
};

std::optional<int64_t> intLiteral(const ast::Expr *E) {
  if (!E)
    return std::nullopt;
  bool Negative = false;
  if (auto *U = dyn_cast<ast::UnaryOp>(E); U && U->Op == ast::UnaryOpKind::USub) {
    Negative = true;
    E = U->Operand.get();
  }
  auto *K = dyn_cast<ast::Constant>(E);
  if (!K || K->Ty != ast::Constant::Type::Int)
    return std::nullopt;
  return Negative ? -K->Int : K->Int;
}

std::optional<NamePart> namePart(const ast::Expr &E, const std::string &Msg) {
  if (isName(E, Msg))
    return NamePart{};
  auto *S = dyn_cast<ast::Subscript>(&E);
  auto *Sl = S && S->Indices.size() == 1 ? dyn_cast<ast::Slice>(S->Indices[0].get()) : nullptr;
  if (!Sl || Sl->Step || !isName(*S->Value, Msg))
    return std::nullopt;
  std::optional<int64_t> Lo = intLiteral(Sl->Lower.get()), Hi = intLiteral(Sl->Upper.get());
  if (!Sl->Upper && Lo && *Lo < 0)
    return NamePart{true, static_cast<size_t>(-*Lo)};
  if ((!Sl->Lower || (Lo && *Lo == 0)) && Hi && *Hi >= 0)
    return NamePart{false, static_cast<size_t>(*Hi)};
  return std::nullopt;
}

/// `Part == Text`: a slice of Len characters equals a longer text never, a
/// text of that length when the name begins (ends) with it, and a shorter
/// one only when the whole name is that text.
NameFilter partEquals(const NamePart &Part, const std::string &Text) {
  if (!Part.Len || Text.size() < *Part.Len)
    return leaf(NameFilter::Kind::Equals, Text);
  if (Text.size() > *Part.Len)
    return combine(NameFilter::Kind::Or, {}); // false
  return leaf(Part.FromEnd ? NameFilter::Kind::EndsWith : NameFilter::Kind::StartsWith, Text);
}

std::optional<NameFilter> parse(const ast::Expr &E, const std::string &Msg) {
  if (auto *U = dyn_cast<ast::UnaryOp>(&E); U && U->Op == ast::UnaryOpKind::Not) {
    std::optional<NameFilter> In = parse(*U->Operand, Msg);
    if (!In)
      return std::nullopt;
    return combine(NameFilter::Kind::Not, {std::move(*In)});
  }
  if (auto *B = dyn_cast<ast::BoolOp>(&E)) {
    std::vector<NameFilter> Parts;
    for (const ast::ExprPtr &V : B->Values) {
      std::optional<NameFilter> P = parse(*V, Msg);
      if (!P)
        return std::nullopt;
      Parts.push_back(std::move(*P));
    }
    return combine(B->IsAnd ? NameFilter::Kind::And : NameFilter::Kind::Or, std::move(Parts));
  }
  // msg["name"].startswith("p") / .endswith("p")
  if (auto *C = dyn_cast<ast::Call>(&E)) {
    auto *At = dyn_cast<ast::Attribute>(C->Func.get());
    std::string Text;
    if (!At || !isName(*At->Value, Msg) || C->Args.size() != 1 ||
        C->Args[0].K != ast::Arg::Kind::Positional || !isStr(*C->Args[0].Value, Text))
      return std::nullopt;
    if (At->Attr == "startswith")
      return leaf(NameFilter::Kind::StartsWith, Text);
    if (At->Attr == "endswith")
      return leaf(NameFilter::Kind::EndsWith, Text);
    return std::nullopt;
  }
  // msg["name"] == "a", != "a", in ["a", "b"], not in (...); also a prefix
  // or suffix slice of the name (`msg["name"][0:3] in ["phi", "rho"]`)
  if (auto *Cmp = dyn_cast<ast::Compare>(&E); Cmp && Cmp->Ops.size() == 1) {
    std::optional<NamePart> Part = namePart(*Cmp->Left, Msg);
    if (!Part)
      return std::nullopt;
    const ast::Expr &R = *Cmp->Comparators[0];
    std::vector<NameFilter> Names;
    std::string Text;
    if (isStr(R, Text)) {
      Names.push_back(partEquals(*Part, Text));
    } else if (auto *Seq = dyn_cast<ast::Sequence>(&R)) {
      for (const ast::ExprPtr &X : Seq->Elts) {
        if (!isStr(*X, Text))
          return std::nullopt;
        Names.push_back(partEquals(*Part, Text));
      }
    } else {
      return std::nullopt;
    }
    const ast::CmpOpKind Op = Cmp->Ops[0];
    const bool Single = isStr(R, Text);
    if ((Op == ast::CmpOpKind::Eq || Op == ast::CmpOpKind::NotEq) != Single)
      return std::nullopt;
    NameFilter Any = combine(NameFilter::Kind::Or, std::move(Names));
    if (Op == ast::CmpOpKind::Eq || Op == ast::CmpOpKind::In)
      return Any;
    if (Op == ast::CmpOpKind::NotEq || Op == ast::CmpOpKind::NotIn)
      return combine(NameFilter::Kind::Not, {std::move(Any)});
  }
  return std::nullopt;
}

/// The literal text of a template before its first field and after its last
/// (braces unescaped).
std::pair<std::string, std::string> literalEnds(const std::string &T) {
  std::string Head, Tail;
  bool SeenField = false;
  for (size_t I = 0; I < T.size(); ++I) {
    if (T.compare(I, 2, "{}") == 0) {
      SeenField = true;
      Tail.clear();
      ++I;
      continue;
    }
    if ((T[I] == '{' || T[I] == '}') && I + 1 < T.size() && T[I + 1] == T[I])
      ++I;
    (SeenField ? Tail : Head) += T[I];
  }
  return {Head, Tail};
}

bool startsWith(const std::string &S, const std::string &P) {
  return S.size() >= P.size() && S.compare(0, P.size(), P) == 0;
}
bool endsWith(const std::string &S, const std::string &P) {
  return S.size() >= P.size() && S.compare(S.size() - P.size(), P.size(), P) == 0;
}

} // namespace

std::optional<bool> NameFilter::eval(const std::string &Canonical, bool Template) const {
  switch (K) {
  case Kind::Not: {
    std::optional<bool> V = Parts[0].eval(Canonical, Template);
    return V ? std::optional<bool>(!*V) : std::nullopt;
  }
  case Kind::And:
  case Kind::Or: {
    // Three-valued: a decisive part decides, else any unknown part leaves it unknown.
    const bool Decisive = K == Kind::Or;
    bool Unknown = false;
    for (const NameFilter &P : Parts) {
      std::optional<bool> V = P.eval(Canonical, Template);
      if (!V)
        Unknown = true;
      else if (*V == Decisive)
        return Decisive;
    }
    return Unknown ? std::nullopt : std::optional<bool>(!Decisive);
  }
  default:
    break;
  }
  if (!Template) {
    if (K == Kind::StartsWith)
      return startsWith(Canonical, Text);
    if (K == Kind::EndsWith)
      return endsWith(Canonical, Text);
    return Canonical == Text;
  }
  // Every name of the template begins with Head and ends with Tail.
  const auto [Head, Tail] = literalEnds(Canonical);
  if (K == Kind::StartsWith) {
    if (Text.size() <= Head.size())
      return startsWith(Head, Text);
    return startsWith(Text, Head) ? std::nullopt : std::optional<bool>(false);
  }
  if (K == Kind::EndsWith) {
    if (Text.size() <= Tail.size())
      return endsWith(Tail, Text);
    return endsWith(Text, Tail) ? std::nullopt : std::optional<bool>(false);
  }
  if (!startsWith(Text, Head) || !endsWith(Text, Tail))
    return false;
  return std::nullopt;
}

std::optional<NameFilter> parseNameFilter(const ast::FunctionDef &Fn) {
  if (Fn.Params.size() != 1 || Fn.Params[0].K != ast::Param::Kind::Normal || Fn.Inner.size() != 1 ||
      !Fn.Decorators.empty())
    return std::nullopt;
  auto *R = dyn_cast<ast::Return>(Fn.Inner.front().get());
  if (!R || !R->Value)
    return std::nullopt;
  return parse(*R->Value, Fn.Params[0].Name);
}

std::optional<NameFilter> parseNameFilter(const ast::Expr &E) {
  auto *L = dyn_cast<ast::Lambda>(&E);
  return L ? parseNameFilter(*L->Fn) : std::nullopt;
}

} // namespace svic::frontend
