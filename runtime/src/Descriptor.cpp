//===- Descriptor.cpp - The model descriptor JSON ----------------------------===//
//
// The backend writes the descriptor next to svic_gen_sample; everything the
// runtime knows about params, inputs and sites comes from it, so parse checks
// the layout (sizes, offsets) instead of trusting it.
//
//===----------------------------------------------------------------------===//

#include "svic/runtime/Engine.h"

#include <sstream>

namespace svic::runtime {

using nlohmann::json;

namespace {

struct KindName {
  Constraint::Kind K;
  const char *Name;
};
constexpr KindName KindNames[] = {{Constraint::Kind::Real, "real"},
                                  {Constraint::Kind::Positive, "positive"},
                                  {Constraint::Kind::SoftplusPositive, "softplus_positive"},
                                  {Constraint::Kind::GreaterThan, "greater_than"},
                                  {Constraint::Kind::Interval, "interval"},
                                  {Constraint::Kind::UnitInterval, "unit_interval"},
                                  {Constraint::Kind::Simplex, "simplex"}};

[[noreturn]] void fail(const std::string &Msg) {
  throw RuntimeError("invalid model descriptor: " + Msg);
}

std::vector<int64_t> shapeOf(const json &J, const std::string &What) {
  std::vector<int64_t> Shape = J.get<std::vector<int64_t>>();
  for (int64_t D : Shape)
    if (D < 0)
      fail(What + " has a negative dimension");
  return Shape;
}

Constraint constraintOf(const json &J, const std::string &Param) {
  Constraint C;
  std::string Name = J.at("kind").get<std::string>();
  bool Known = false;
  for (const KindName &K : KindNames)
    if (Name == K.Name) {
      C.K = K.K;
      Known = true;
    }
  if (!Known)
    fail("param '" + Param + "' has an unknown constraint '" + Name + "'");
  if (C.K == Constraint::Kind::GreaterThan || C.K == Constraint::Kind::Interval)
    C.Low = J.at("low").get<double>();
  if (C.K == Constraint::Kind::Interval) {
    C.High = J.at("high").get<double>();
    if (!(C.Low < C.High))
      fail("param '" + Param + "' has an empty interval");
  }
  return C;
}

void checkRange(int64_t Offset, int64_t Size, int64_t Total, const std::string &What) {
  if (Offset < 0 || Size < 0 || Offset + Size > Total)
    fail(What + " lies outside its buffer");
}

} // namespace

int64_t numElements(const std::vector<int64_t> &Shape) {
  int64_t N = 1;
  for (int64_t D : Shape)
    N *= D;
  return N;
}

std::string formatShape(const std::vector<int64_t> &Shape) {
  std::ostringstream OS;
  OS << '[';
  for (size_t I = 0; I < Shape.size(); ++I)
    OS << (I ? ", " : "") << Shape[I];
  OS << ']';
  return OS.str();
}

Descriptor Descriptor::parse(const std::string &Text) {
  Descriptor D;
  try {
    json J = json::parse(Text);
    D.Version = J.at("version").get<int>();
    if (D.Version != 1)
      fail("version " + std::to_string(D.Version) + " is not supported (expected 1)");
    D.Estimator = J.at("estimator").get<std::string>();
    D.ParamDoubles = J.at("paramDoubles").get<int64_t>();
    D.DataDoubles = J.at("dataDoubles").get<int64_t>();
    D.WorkspaceDoubles = J.at("workspaceDoubles").get<int64_t>();
    for (const json &P : J.at("params")) {
      ParamDesc Q;
      Q.Name = P.at("name").get<std::string>();
      std::string What = "param '" + Q.Name + "'";
      Q.Shape = shapeOf(P.at("shape"), What);
      Q.UnconstrainedShape = shapeOf(P.at("unconstrainedShape"), What);
      Q.Offset = P.at("offset").get<int64_t>();
      Q.Size = P.at("size").get<int64_t>();
      Q.C = constraintOf(P.at("constraint"), Q.Name);
      Q.Init = P.at("init").get<std::vector<double>>();
      if (Q.Size != numElements(Q.UnconstrainedShape))
        fail(What + " has size " + std::to_string(Q.Size) + " but unconstrained shape " +
             formatShape(Q.UnconstrainedShape));
      if (Q.C.K == Constraint::Kind::Simplex && (Q.Shape.empty() || Q.Shape.back() < 1))
        fail(What + " is a simplex without a last dimension");
      if (Q.Shape != Q.UnconstrainedShape) // every transform keeps the shape (softmax for the simplex)
        fail(What + " has unconstrained shape " + formatShape(Q.UnconstrainedShape) +
             " for shape " + formatShape(Q.Shape));
      if (static_cast<int64_t>(Q.Init.size()) != numElements(Q.Shape))
        fail(What + " has " + std::to_string(Q.Init.size()) + " initial values for shape " +
             formatShape(Q.Shape));
      checkRange(Q.Offset, Q.Size, D.ParamDoubles, What);
      D.Params.push_back(std::move(Q));
    }
    for (const json &I : J.at("inputs")) {
      InputDesc In;
      In.Name = I.at("name").get<std::string>();
      std::string What = "input '" + In.Name + "'";
      In.Shape = shapeOf(I.at("shape"), What);
      In.Offset = I.at("offset").get<int64_t>();
      In.Size = I.at("size").get<int64_t>();
      if (In.Size != numElements(In.Shape))
        fail(What + " has size " + std::to_string(In.Size) + " for shape " + formatShape(In.Shape));
      In.Read = I.value("read", In.Size);
      if (In.Read < 0 || In.Read > In.Size)
        fail(What + " reads " + std::to_string(In.Read) + " of its " + std::to_string(In.Size) + " elements");
      checkRange(In.Offset, In.Read, D.DataDoubles, What);
      if (I.contains("fixedAt")) {
        In.FixedAt = I.at("fixedAt").get<std::string>();
        In.Fixed = I.at("fixed").get<std::vector<double>>();
        if (static_cast<int64_t>(In.Fixed.size()) != In.Size)
          fail(What + " has " + std::to_string(In.Fixed.size()) + " fixed values for size " +
               std::to_string(In.Size));
      }
      D.Inputs.push_back(std::move(In));
    }
    for (const json &S : J.at("sites"))
      D.Sites.push_back({S.at("name").get<std::string>(), S.at("program").get<std::string>(),
                         S.at("kind").get<std::string>(), S.at("location").get<std::string>()});
    for (const json &C : J.at("checks")) {
      D.Checks.push_back({C.at("location").get<std::string>(), C.at("low").get<int64_t>(),
                          C.at("high").get<int64_t>()});
      if (D.Checks.back().Low >= D.Checks.back().High)
        fail("check at " + D.Checks.back().Location + " has an empty range");
    }
    D.ScoreSites = J.at("scoreSites").get<std::vector<std::string>>();
    D.PathwiseSites = J.at("pathwiseSites").get<std::vector<std::string>>();
    D.UseBaselines = J.value("baselines", true);
  } catch (const json::exception &E) {
    fail(E.what());
  }
  return D;
}

std::string Descriptor::toJson() const {
  json Params = json::array();
  for (const ParamDesc &P : this->Params) {
    json C = {{"kind", ""}};
    for (const KindName &K : KindNames)
      if (K.K == P.C.K)
        C["kind"] = K.Name;
    if (P.C.K == Constraint::Kind::GreaterThan || P.C.K == Constraint::Kind::Interval)
      C["low"] = P.C.Low;
    if (P.C.K == Constraint::Kind::Interval)
      C["high"] = P.C.High;
    Params.push_back({{"name", P.Name},
                      {"shape", P.Shape},
                      {"unconstrainedShape", P.UnconstrainedShape},
                      {"offset", P.Offset},
                      {"size", P.Size},
                      {"constraint", C},
                      {"init", P.Init}});
  }
  json Inputs = json::array();
  for (const InputDesc &I : this->Inputs) {
    Inputs.push_back(
        {{"name", I.Name}, {"shape", I.Shape}, {"offset", I.Offset}, {"size", I.Size}});
    if (I.Read != I.Size)
      Inputs.back()["read"] = I.Read;
    if (!I.FixedAt.empty()) {
      Inputs.back()["fixed"] = I.Fixed;
      Inputs.back()["fixedAt"] = I.FixedAt;
    }
  }
  json Sites = json::array();
  for (const SiteDesc &S : this->Sites)
    Sites.push_back(
        {{"name", S.Name}, {"program", S.Program}, {"kind", S.Kind}, {"location", S.Location}});
  json Checks = json::array();
  for (const CheckDesc &C : this->Checks)
    Checks.push_back({{"location", C.Location}, {"low", C.Low}, {"high", C.High}});
  json J = {{"version", Version},
            {"estimator", Estimator},
            {"params", Params},
            {"paramDoubles", ParamDoubles},
            {"inputs", Inputs},
            {"dataDoubles", DataDoubles},
            {"sites", Sites},
            {"checks", Checks},
            {"scoreSites", ScoreSites},
            {"pathwiseSites", PathwiseSites},
            {"baselines", UseBaselines},
            {"workspaceDoubles", WorkspaceDoubles}};
  return J.dump();
}

std::string nonFiniteSite(const Descriptor &D, int32_t BadSite) {
  if (BadSite < 0 || static_cast<size_t>(BadSite) >= D.Sites.size())
    return "non-finite value at site #" + std::to_string(BadSite);
  const SiteDesc &S = D.Sites[static_cast<size_t>(BadSite)];
  return "non-finite value at site '" + S.Name + "' (" + S.Location + ")";
}

std::optional<std::string> failedCheck(const Descriptor &D, int32_t BadSite) {
  if (BadSite < SVIC_CHECK_BASE)
    return std::nullopt;
  auto K = static_cast<size_t>(BadSite - SVIC_CHECK_BASE);
  if (K >= D.Checks.size())
    return "error: run-time check #" + std::to_string(K) + " failed (not in the descriptor)";
  const CheckDesc &C = D.Checks[K];
  return C.Location + ": error: an index is out of range: it must lie in [" +
         std::to_string(C.Low) + ", " + std::to_string(C.High) +
         ") (torch raises an IndexError here)";
}

} // namespace svic::runtime
