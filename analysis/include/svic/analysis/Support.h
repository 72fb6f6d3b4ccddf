//===- Support.h - Model–guide support match and shape checks (POPL 2020) --===//
///
/// \file
/// The support-match analysis of Lee, Yu, Rival & Yang (POPL 2020) as designed
/// in shared/notes/support-analysis.md §1b, with the artifact's known gaps
/// (§b.9) closed.
///
/// Syntax. Each program (model, guide) is run separately through a forward
/// abstract interpreter over the IR; the two final states are then compared
/// site by site. Sites are keyed by their canonical name (SPEC §8): a literal,
/// or a template whose `{}` fields are filled by index expressions.
///
/// Semantics. A state (SupportState) is ⊥ or ⟨Env, Names, Sites, Plates, Dyn⟩:
///  - Env: per variable an abstract Value (kinds it may have; an interval of
///    its numeric values, elementwise for tensors; its shape; constant strings;
///    tuple/list elements; nn-module and distribution descriptions; inside a
///    summarised loop, the exact symbolic value `c + i` of a loop counter; the
///    symbolic dim `x.shape[a]` / `len(x)` of an entry input x). Entry inputs
///    are data: any value but None, so `obs=data` is an observation.
///  - Names: per canonical name, the must/may sets of sampled index tuples,
///    each a finite union of boxes (IndexBox). A box component is an integer
///    range whose bounds are constants or `c + i` for the counter i of an
///    enclosing summarised loop, the subsample of a sequential plate, a
///    constant string, or "some unknown value".
///  - Sites: per canonical name, the joined facts of its latent samples: the
///    possible (distribution, support) pairs with bound intervals, the value
///    shape (batch ++ event) and the event shape.
///  - Plates: the plate pseudo-sites (must flag, size, subsample size).
///  - Dyn: keys of sites whose name is computed at run time (a run-time name
///    that evaluates to a constant string is that literal).
/// Shapes have known, unknown or symbolic dims; broadcasting an unknown dim
/// against a known k > 1 gives k (a run where they differ raises), and two
/// dims are equal only when both are the same known value or symbol.
///
/// Control flow (notes §b.6). `if` joins both branches (must sets meet, may
/// sets join), pruning a branch whose condition is decided. A `for` over a
/// range or a sequential plate with a constant trip count of at most
/// SupportOptions::UnrollLimit (and at most 64 nested body runs) is unrolled
/// with the counter concrete, so branches on the counter are exact; a `while`
/// runs concretely while its condition is decided. Other loops are
/// summarised: loopFixpoint (joins, then widening, then narrowing) computes
/// the loop-head invariant of everything but the names; one more pass over
/// the body with the counter symbolic gives the names of one iteration,
/// which are quantified over the counter's range (a point component `c + i`
/// becomes the loop's range shifted by c; a sequential subsampled plate gives
/// a plate component). Duplicates are detected within an iteration, across
/// iterations (a name that does not depend on the counter in a loop that
/// certainly runs twice) and against the names before the loop.
///
/// A definite error (a duplicate site name, a broadcast/plate/dim/to_event/
/// expand/cat/matmul/nn.Linear shape error with every dimension involved
/// known) is reported where it is reached and makes the state ⊥ (Pyro raises
/// there); "definite" is relative to reaching that point. Possible errors
/// with unknown dimensions are assumed away (partial correctness, as in the
/// artifact), but unknown dimensions are never treated as equal when
/// proving a match. Observed sites are not latent, but their distributions
/// are evaluated and shape-checked.
///
/// Support inclusion (guide ⊆ model, decided by guideSupportIncluded) is
/// absolute continuity q ≪ p at one site, for every value of the bound
/// parameters:
///  - Base measures must agree: Lebesgue on R^n (real, positive, intervals,
///    circular, ...), Lebesgue on the simplex (Dirichlet), counting (boolean,
///    integers, integer intervals), one-hot vectors, Dirac (Delta).
///    Continuous against discrete, and the simplex against R^n, are certain
///    mismatches. A guide Delta at a model site with a density is a mismatch
///    of base measures (the point has model probability 0); a model Delta
///    against a continuous guide likewise, and against a discrete guide that
///    puts mass on several values; Delta against Delta, or a guide Delta at
///    a discrete model site, is unknown (it depends on where the point is).
///  - Within one base measure, supports are intervals (elementwise) compared
///    up to null sets: open and closed ends are not distinguished, so
///    Exponential (support [0, inf) in torch) under Gamma ((0, inf)) is
///    accepted; Beta under Uniform(0, 1) too. Bounds that are parameters
///    (Uniform(low, high), Categorical's class count, Binomial's
///    total_count) are intervals of possible values: inclusion must hold for
///    all of them, non-inclusion is certain only when it holds for all.
///  - The support of a discrete family is its declared support (Bernoulli
///    is {0, 1} whatever its probs).
///
/// Comparison (notes §b.8): per site, `match` only when proved (both sides
/// sample exactly the same names, every guide support is included in every
/// model support, equal fully known value and event shapes); `mismatch`,
/// `model-only`, `guide-only` only when certain; `unknown` otherwise
/// (may ≠ must, unknown kinds/shapes/bounds, run-time names, names that may
/// coincide across keys or within a template).
///
/// Limits. Conditions are decided with intervals only (no relational domain);
/// a branch on the counter of a summarised loop makes the names it guards
/// may-only, so such sites come out unknown. Multi-index sets that are not
/// unions of boxes (triangular loops) are over-approximated (unknown). Ranges
/// with a symbolic bound (`for i in range(len(x))`) give unknown index sets.
/// Entry-parameter defaults are not in the IR (`ys=None` is not seen).
//===----------------------------------------------------------------------===//
#pragma once

#include "svic/analysis/Interval.h"
#include "svic/analysis/Lattice.h"
#include "svic/ir/IR.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace svic::analysis {

//===----------------------------------------------------------------------===//
// Public result
//===----------------------------------------------------------------------===//

struct SiteSupport {
  std::string Name;       ///< canonical name (SPEC §8)
  std::string IndexRange; ///< e.g. "[0, 3)" for z_{} sampled for i in 0..2; "" for literal names
  std::string ModelDistribution, GuideDistribution; ///< "" if absent on that side
  std::string ModelSupport,
      GuideSupport;    ///< supportName() text, with bounds when known; "" if absent
  std::string Verdict; ///< "match" | "mismatch" | "model-only" | "guide-only" | "unknown"
  std::string Reason;  ///< human text
  SourceLoc ModelLoc, GuideLoc;
  /// A mismatch only because the guide's Delta sits where the model has a
  /// density (AutoDelta, MAP): no ELBO exists, but Pyro's objective, the log
  /// joint at the point, is finite wherever the point lies in the support.
  bool PointEstimate = false;
};

/// A plate pseudo-site (pyro.plate's subsample site). Not a latent site: a
/// plate only in the model is fine; one the guide definitely declares and the
/// model never does is a mismatch (Pyro: "Found plate statements in guide but
/// not model"), as are subsample sizes that provably differ.
struct PlateSupport {
  std::string Name;
  std::string Model, Guide; ///< "plate(10, 5)", "plate(10)", "plate(?)"; "" if absent
  std::string Verdict;      ///< "match" | "mismatch" | "model-only" | "guide-only" | "unknown"
  std::string Reason;
  SourceLoc ModelLoc, GuideLoc;
};

struct ShapeError {
  std::string Message;
  SourceLoc Loc;
  bool DuplicateSite = false;
  ir::Role Program = ir::Role::Model; ///< the program it was found in
};

struct SupportResult {
  std::string Verdict;                 ///< "match" | "mismatch" | "unknown"
  std::vector<SiteSupport> Sites;      ///< latent sites, sorted by name
  std::vector<PlateSupport> Plates;    ///< plate pseudo-sites, sorted by name
  std::vector<ShapeError> ShapeErrors; ///< sorted by location
};

struct SupportOptions {
  /// Loops whose trip count is a known constant up to this are unrolled.
  unsigned UnrollLimit = 16;
};

/// Runs the analysis on both programs and compares them. Never throws for any
/// IR the frontend produces (an internal failure becomes verdict "unknown").
/// Overall verdict: mismatch if a site is mismatch/model-only/guide-only or a
/// plate is mismatch/guide-only; match if every site and plate matches (a
/// model-only plate counts as matching) and there are no shape errors;
/// unknown otherwise.
SupportResult analyzeSupport(const ir::Program &Model, const ir::Program &Guide);
SupportResult analyzeSupport(const ir::Program &Model, const ir::Program &Guide,
                             const SupportOptions &Opts);

//===----------------------------------------------------------------------===//
// The domain, exposed for the unit tests
//===----------------------------------------------------------------------===//
namespace support {

//===-- Shapes ---------------------------------------------------------------===//

/// A tensor shape: rank unknown, or a list of dims each known (>= 0),
/// unknown (-1) or symbolic (<= SymBase): `x.shape[a]` / `len(x)` of the
/// entry input at position k, the same value in the model and the guide
/// since SVI passes both the same arguments.
struct Shape {
  static constexpr int64_t UnknownDim = -1;
  static constexpr int64_t SymBase = -1000000;
  static bool isSym(int64_t D) { return D <= SymBase && D > SymBase - 64 * 64; }
  /// The symbolic dim `args[Input].shape[Axis]` (Axis < 64).
  static int64_t inputDim(uint32_t Input, uint32_t Axis) {
    return SymBase - (int64_t(Input) * 64 + Axis);
  }
  /// A dim that is an exact value (known or symbolic).
  static bool isExact(int64_t D) { return D >= 0 || isSym(D); }
  static std::string dimStr(int64_t D);
  bool RankKnown = false;
  std::vector<int64_t> Dims;

  static Shape unknown() { return Shape{}; }
  static Shape scalar() { return Shape{true, {}}; }
  static Shape of(std::vector<int64_t> D) { return Shape{true, std::move(D)}; }
  size_t rank() const { return Dims.size(); }
  /// Rank known and every dim exact (known or symbolic).
  bool fullyKnown() const;
  /// Product of the dims when fully known.
  std::optional<int64_t> numel() const;
  bool operator==(const Shape &O) const { return RankKnown == O.RankKnown && Dims == O.Dims; }
  bool operator!=(const Shape &O) const { return !(*this == O); }
  /// Dimension-wise: equal dims stay, different become unknown; different
  /// ranks give unknown rank.
  Shape join(const Shape &O) const;
  bool leq(const Shape &O) const;
  /// "[2, ?]" or "?".
  std::string str() const;
};

/// A shape computation that may fail definitely (Error non-empty).
struct ShapeOutcome {
  Shape S;
  std::string Error;
  bool failed() const { return !Error.empty(); }
};

/// PyTorch broadcasting. Two known dims that differ and are not 1 are a
/// definite error; an unknown dim against a known one k > 1 gives k (a run
/// where they differ raises anyway), against 1 gives unknown.
ShapeOutcome broadcastShapes(const Shape &A, const Shape &B);
/// A ++ B.
Shape concatShapes(const Shape &A, const Shape &B);
/// The first \p N dims / all but the last \p N (unknown rank stays unknown).
Shape dropLast(const Shape &S, size_t N);
Shape takeLast(const Shape &S, size_t N);

/// batch_shape and event_shape of a distribution.
struct DistShape {
  Shape Batch = Shape::scalar();
  Shape Event = Shape::scalar();
  Shape value() const { return concatShapes(Batch, Event); }
  bool operator==(const DistShape &O) const { return Batch == O.Batch && Event == O.Event; }
};

/// `.to_event(N)` / `.independent(N)`; no N: every batch dim. Error when N
/// exceeds a known batch rank.
std::string applyToEvent(DistShape &D, std::optional<int64_t> N);
/// `.expand_by(S)`: batch := S ++ batch.
std::string applyExpandBy(DistShape &D, const Shape &S);
/// `.expand(S)`: batch := S; each existing batch dim must be 1 or equal.
std::string applyExpand(DistShape &D, const Shape &S);

/// A vectorised plate on the stack at a sample site.
struct ActivePlate {
  std::string Name;
  bool HasSize = false;             ///< false: pyro.plate(name) without a size
  int64_t Size = Shape::UnknownDim; ///< the subsample size if any, else the size; -1 unknown
  int Dim = 0;                      ///< negative; 0 = unknown
  SourceLoc Loc;
};

/// Pyro's BroadcastMessenger: each plate's dim of the batch shape must be 1
/// or the plate size; it becomes the plate size (dims left of the batch shape
/// are added). An unknown plate dim makes the batch shape unknown.
std::string broadcastUnderPlates(DistShape &D, const std::vector<ActivePlate> &Plates,
                                 const std::string &Site);

/// The dim pyro.plate allocates automatically: the rightmost one not taken by
/// an enclosing plate (0 when an enclosing plate's dim is unknown).
int allocatePlateDim(const std::vector<ActivePlate> &Plates);

//===-- Supports ---------------------------------------------------------------===//

/// The reference measure a support carries a density against.
enum class BaseMeasure { Lebesgue, Simplex, Counting, OneHot, Dirac, Unknown };

/// The support of one distribution, elementwise: its lower bound lies in
/// [LoMin, LoMax] and its upper bound in [HiMin, HiMax] (bounds may be
/// parameters; infinite values allowed). Endpoints are compared up to null
/// sets, so open and closed ends are not distinguished.
struct SupportDesc {
  static constexpr double Inf = std::numeric_limits<double>::infinity();
  std::string Dist;
  ir::SupportKind Kind = ir::SupportKind::Real;
  double LoMin = -Inf, LoMax = Inf, HiMin = -Inf, HiMax = Inf;

  BaseMeasure measure() const;
  /// "real", "positive", "interval(0, 10)", "integer_interval(0, 7)", ...
  std::string str() const;
  bool operator==(const SupportDesc &O) const {
    return Dist == O.Dist && Kind == O.Kind && LoMin == O.LoMin && LoMax == O.LoMax &&
           HiMin == O.HiMin && HiMax == O.HiMax;
  }
};

/// The support of \p D given its bound intervals (Uniform low/high,
/// Categorical N-1, Binomial total_count; ignored otherwise).
SupportDesc supportOf(ir::DistId D, const Interval &Lo = Interval::top(),
                      const Interval &Hi = Interval::top());

enum class Inclusion { Included, NotIncluded, Unknown };
struct InclusionResult {
  Inclusion R = Inclusion::Unknown;
  std::string Reason;
};

/// Whether the guide's support is contained in the model's (absolute
/// continuity q ≪ p at one site, for every value of the bound parameters).
/// NotIncluded only when certain for every such value.
InclusionResult guideSupportIncluded(const SupportDesc &Guide, const SupportDesc &Model);

//===-- Site names -------------------------------------------------------------===//

/// C, or C + i for the counter i of summarised loop Loop (Loop != 0).
struct Bound {
  int64_t C = 0;
  uint32_t Loop = 0;
  bool operator==(const Bound &O) const { return C == O.C && Loop == O.Loop; }
  bool operator<(const Bound &O) const { return Loop != O.Loop ? Loop < O.Loop : C < O.C; }
};

struct IndexComp {
  enum class Kind : uint8_t { Range, Plate, Str, Any };
  Kind K = Kind::Any;
  Bound Lo, Hi;     ///< Range: [Lo, Hi)
  std::string Text; ///< Plate: the plate name; Str: the string
  int64_t Off = 0;  ///< Plate: offset added to the subsample indices
  int64_t PlateSize = Shape::UnknownDim, PlateSub = Shape::UnknownDim; ///< Plate only

  static IndexComp point(int64_t V) { return range(V, V + 1); }
  static IndexComp range(int64_t Lo, int64_t Hi);
  static IndexComp sym(uint32_t Loop, int64_t Off);
  static IndexComp plate(std::string Name, int64_t Off, int64_t Size, int64_t Sub);
  static IndexComp str(std::string S);
  static IndexComp any() { return IndexComp{}; }
  bool isPoint() const { return K == Kind::Range && Lo.Loop == Hi.Loop && Hi.C == Lo.C + 1; }
  bool isConstRange() const { return K == Kind::Range && Lo.Loop == 0 && Hi.Loop == 0; }
  bool mentions(uint32_t Loop) const {
    return K == Kind::Range && (Lo.Loop == Loop || Hi.Loop == Loop) && Loop;
  }
  bool operator==(const IndexComp &O) const;
  bool operator<(const IndexComp &O) const;
  std::string str() const;
};

/// A set of index tuples: the product of its components. Loc is the sample
/// statement it came from (for duplicate reports).
struct IndexBox {
  std::vector<IndexComp> C;
  SourceLoc Loc;
  bool operator==(const IndexBox &O) const { return C == O.C; }
  bool operator<(const IndexBox &O) const { return C < O.C; }
  std::string str() const;
};
using BoxSet = std::vector<IndexBox>;

enum class Overlap { Never, Maybe, Definite };
/// Ranges of the counters of the summarised loops in scope (for comparing a
/// symbolic component with a constant one).
using LoopRanges = std::map<uint32_t, Interval>;
Overlap overlapComp(const IndexComp &A, const IndexComp &B, const LoopRanges &R);
Overlap overlapBox(const IndexBox &A, const IndexBox &B, const LoopRanges &R);

/// Merges boxes that differ in one adjacent range component and sorts.
void condense(BoxSet &S);
/// Every tuple of A is definitely in B (exact only for constant ranges,
/// equal plates/strings; otherwise conservatively false).
bool definitelySubset(const BoxSet &A, const BoxSet &B);
/// Some tuple of A is definitely not in B.
bool definitelyNotSubset(const BoxSet &A, const BoxSet &B);
/// The tuples in both (an under-approximation when components are not
/// comparable).
BoxSet intersectBoxSets(const BoxSet &A, const BoxSet &B);
std::string boxSetStr(const BoxSet &S);

/// The names sampled under one canonical key: Must ⊆ every trace, May ⊇
/// every trace. PossibleDup: two samples of this key may have collided.
struct NameSet {
  BoxSet Must, May;
  bool PossibleDup = false;
  bool leq(const NameSet &O) const;
  NameSet join(const NameSet &O) const;
  bool operator==(const NameSet &O) const {
    return Must == O.Must && May == O.May && PossibleDup == O.PossibleDup;
  }
};

//===-- Values -----------------------------------------------------------------===//

struct ModuleVal;
struct DistVal;

/// An abstract Python/torch value. Kinds is the set of kinds it may have;
/// the other fields describe the values of those kinds.
struct Value {
  enum : uint16_t {
    KNone = 1,
    KBool = 2,
    KInt = 4,
    KFloat = 8,
    KTensor = 16,
    KStr = 32,
    KSeq = 64,
    KModule = 128,
    KDist = 256,
    KOther = 512,
    KAll = 1023
  };
  uint16_t Kinds = 0;
  Interval Num = Interval::top(); ///< numbers, bools (0/1) and tensor elements
  Shape Sh;                       ///< tensors; numbers have shape []
  std::optional<std::string> Str;
  bool ElemsKnown = false; ///< Seq: exact length and elements
  std::vector<Value> Elems;
  std::shared_ptr<const ModuleVal> Mod;
  std::shared_ptr<const DistVal> Dist;
  std::optional<Bound> Sym;        ///< exactly C + counter (summarised loops)
  int64_t DimSym = 0;              ///< an integer equal to this symbolic dim (Shape::isSym)
  std::optional<uint32_t> Input;   ///< exactly the entry input at this position
  std::optional<uint32_t> ShapeOf; ///< Seq: the shape of the entry input at this position

  static Value bottom() { return Value{}; }
  static Value top();
  static Value none();
  static Value boolean(std::optional<bool> B);
  static Value integer(const Interval &I);
  static Value number(double V);
  static Value real(const Interval &I);
  static Value tensor(Shape S, const Interval &I = Interval::top());
  static Value string(std::string S);
  static Value sequence(std::vector<Value> Elems);

  bool isBottom() const { return Kinds == 0; }
  bool only(uint16_t K) const { return Kinds && (Kinds & ~K) == 0; }
  bool may(uint16_t K) const { return (Kinds & K) != 0; }
  bool isNumber() const { return only(KBool | KInt | KFloat); }
  bool isNumeric() const { return only(KBool | KInt | KFloat | KTensor); }
  bool definitelyNone() const { return Kinds == KNone; }
  /// Shape when a tensor or a number ([]); unknown otherwise.
  Shape shape() const;

  Value join(const Value &O) const;
  Value widen(const Value &O) const;
  bool leq(const Value &O) const;
};

struct ModuleVal {
  ir::ModuleId Id{};
  int64_t In = Shape::UnknownDim, Out = Shape::UnknownDim; ///< Linear in/out, RNN input/hidden
  int64_t Layers = 1;
  bool Bidirectional = false, BatchFirst = false;
  std::vector<std::shared_ptr<const ModuleVal>> Members; ///< Sequential
  bool operator==(const ModuleVal &O) const;
};

struct DistVal {
  std::vector<SupportDesc> Supports; ///< alternatives (MaskedMixture: components)
  bool SupportUnknown = false;
  DistShape Sh;
  bool ShapeUnknown = false;
  Interval Range = Interval::top(); ///< elementwise range of a sampled value
  bool operator==(const DistVal &O) const;
};

//===-- States -----------------------------------------------------------------===//

/// The values of the variables, indexed by VarId, in chunks of 64 slots
/// shared between copies until one of them writes (copy-on-write): a state
/// copied at a branch or a loop iteration costs one pointer per chunk, and
/// joins skip the chunks both sides still share. (One pointer per variable
/// made every `if` cost the size of the program.)
class ValueEnv {
public:
  size_t size() const { return Size; }
  void resize(size_t N);
  /// Bottom for a variable never assigned.
  const Value &operator[](size_t I) const;
  void set(size_t I, Value V);
  /// Slot I is the very same value in both (a cheap sufficient test of equality).
  bool shares(size_t I, const ValueEnv &O) const {
    return I < Size && I < O.Size && slot(I) == O.slot(I);
  }
  /// The first slot J >= I outside the chunks this and O share; the slots
  /// skipped are the very same values in both.
  size_t nextUnshared(size_t I, const ValueEnv &O) const {
    size_t Both = std::min(Size, O.Size);
    while (I < Both && Chunks[I / ChunkSize] == O.Chunks[I / ChunkSize])
      I = (I / ChunkSize + 1) * ChunkSize;
    return I;
  }

private:
  static constexpr size_t ChunkSize = 64;
  using Chunk = std::array<std::shared_ptr<const Value>, ChunkSize>;
  const std::shared_ptr<const Value> &slot(size_t I) const;
  std::vector<std::shared_ptr<Chunk>> Chunks; ///< null: every slot bottom
  size_t Size = 0;
};

/// A std::map shared between copies until one of them writes: the name and
/// plate maps of states copied at every branch and loop iteration stay one
/// map, and joins of maps still shared cost nothing. Non-const access detaches
/// (copies the map if shared), as a write through it may follow.
template <typename K, typename V> class CowMap {
  using Map = std::map<K, V>;

public:
  using const_iterator = typename Map::const_iterator;
  using iterator = typename Map::iterator;

  const_iterator begin() const { return get().begin(); }
  const_iterator end() const { return get().end(); }
  const_iterator find(const K &Key) const { return get().find(Key); }
  size_t count(const K &Key) const { return get().count(Key); }
  const V &at(const K &Key) const { return get().at(Key); }
  size_t size() const { return get().size(); }
  bool empty() const { return get().empty(); }

  iterator begin() { return mut().begin(); }
  iterator end() { return mut().end(); }
  iterator find(const K &Key) { return mut().find(Key); }
  V &operator[](const K &Key) { return mut()[Key]; }
  template <typename... A> auto emplace(A &&...Args) {
    return mut().emplace(std::forward<A>(Args)...);
  }
  void clear() { M.reset(); }

  /// The very same map (a cheap sufficient test of equality).
  bool sameAs(const CowMap &O) const { return M == O.M; }

private:
  std::shared_ptr<Map> M; ///< null: empty

  const Map &get() const {
    static const Map Empty;
    return M ? *M : Empty;
  }
  Map &mut() {
    if (!M)
      M = std::make_shared<Map>();
    else if (M.use_count() > 1)
      M = std::make_shared<Map>(*M);
    return *M;
  }
};

/// Joined facts about the latent samples of one key.
struct SiteFacts {
  std::vector<SupportDesc> Supports; ///< the possible (distribution, support) pairs
  bool SupportUnknown = false;
  bool Seen = false; ///< Value/Event hold a join of at least one sample
  Shape Value, Event;
  SourceLoc Loc; ///< first sample statement
  /// Whether the samples of the site are marked for enumeration (Pyro's
  /// infer["enumerate"]): all of them, none, or not known (mixed or computed).
  enum class Enumerated { No, Yes, Unknown };
  Enumerated Enum = Enumerated::No;
  SiteFacts join(const SiteFacts &O, bool Widen = false) const;
  bool leq(const SiteFacts &O) const;
  bool operator==(const SiteFacts &O) const;
};

struct PlateFacts {
  bool Must = false;
  Interval Size = Interval::top(), Sub = Interval::top(); ///< size, effective subsample size
  /// The same as dims: known, symbolic, or -1.
  int64_t SizeDim = Shape::UnknownDim, SubDim = Shape::UnknownDim;
  bool HasSize = true;
  SourceLoc Loc;
  PlateFacts join(const PlateFacts &O, bool Widen = false) const;
  bool leq(const PlateFacts &O) const;
  bool operator==(const PlateFacts &O) const;
};

/// The DynKeys entry of an opaque call to \p Callee that may run user code.
inline std::string opaqueKey(const std::string &Callee) {
  return "<opaque call to '" + Callee + "'>";
}

using NameMap = CowMap<std::string, NameSet>;

class SupportState {
public:
  static SupportState bottom();
  static SupportState top();
  /// The state at a program's entry: every variable unbound (bottom) except
  /// the inputs, which may be anything but None (data the caller passes; an
  /// `obs=data` site is an observation).
  static SupportState entry(const ir::Program &P);

  bool isBottom() const { return Bottom; }
  bool isTop() const { return Top; }
  bool leq(const SupportState &O) const;
  SupportState join(const SupportState &O) const;
  SupportState widen(const SupportState &O) const;
  SupportState narrow(const SupportState &O) const;

  bool Bottom = true;
  bool Top = false;
  ValueEnv Env;
  /// Latent sample names by key; the other trace sites Pyro keys by name
  /// (observed samples and factors, params, plates) under siteKey(Kind, key),
  /// for duplicate-name checks only.
  NameMap Names;
  std::map<std::string, SiteFacts> Sites;
  CowMap<std::string, PlateFacts> Plates;
  /// Keys of sites whose name is computed at run time (SiteName::Dynamic);
  /// DynMust: such a latent site is definitely sampled.
  /// Also holds opaqueKey(callee) for each opaque call that may run user
  /// code (it may sample any name).
  std::set<std::string> DynKeys;
  bool DynMust = false;

private:
  SupportState() = default;
  SupportState combine(const SupportState &O, bool Widen) const;
};

static_assert(Lattice<SupportState>);

/// The kinds of trace sites whose names may clash in Pyro's trace: a latent
/// sample, an observed sample or factor (also a "sample" site to Pyro), a
/// param, a plate (a "sample" site recorded when the plate is built).
enum class SiteKind { Latent, Observed, Param, Plate };
/// The key of the name set of a site of kind \p K named \p Key: Key itself
/// for latents, else Key behind a prefix no Python site name has in practice.
std::string siteKey(SiteKind K, const std::string &Key);
/// A key of a non-latent site (not compared between model and guide).
bool isAuxiliaryKey(const std::string &Key);

/// One program analysed on its own: its final state (⊥ when every run
/// raises) and the definite errors found.
struct ProgramAnalysis {
  SupportState Final = SupportState::bottom();
  std::vector<ShapeError> Errors;
};
/// \p Pair: the other program of the model/guide pair, whose param
/// declarations share P's param store.
ProgramAnalysis analyzeProgram(const ir::Program &P, const SupportOptions &Opts = {},
                               const ir::Program *Pair = nullptr);

} // namespace support
} // namespace svic::analysis
