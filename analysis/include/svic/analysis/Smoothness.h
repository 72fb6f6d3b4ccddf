//===- Smoothness.h - Compositional smoothness analysis (POPL 2023) -------===//
///
/// \file
/// The smoothness analysis of Lee, Rival & Yang, "Smoothness Analysis for
/// Probabilistic Programs with Application to Optimised Variational Inference"
/// (POPL 2023), as described in shared/notes/smoothness-analysis.md §b.
///
/// Syntax. A program is analysed as a state transformer over the dimensions
///   Dim = Var ∪ {rdb[n], prb[n], val[n] | n ∈ Names} ∪ {dens}
/// where Names are the parameter names (pyro.param, pyro.module) and the latent
/// sample names (templates such as `z_{}` are one name). rdb[n] is the input
/// value of name n (random database entry or parameter value), prb[n] the
/// density factor of sample site n, val[n] its value, dens the product of the
/// observe/factor likelihoods.
///
/// Semantics. An abstract element (Transformer) is ⟨Mod, Dep, ND, V⟩: the dims
/// a command may write, for each output dim the input dims it may depend on and
/// those in which it may be non-smooth (section-wise, jointly), and the inputs
/// that may decide termination. Sequential composition is the dependence-aware
/// chain rule (notes b.3), which stays sound for partial smoothness properties
/// where the naive chain rule fails (f(x, y) = |y| with y := x). The invariant
/// ND(d) ⊆ Dep(d) always holds, and every entry contains V (normal form), so
/// `id` is a two-sided unit of composition.
///
/// Limits and assumptions. Loops are summarised by one abstract name per
/// template; the domain is over-approximate (a name reported `mayBreak` may be
/// smooth) but every name reported `smooth` is smooth under the assumptions of
/// notes §a.5 plus:
///  - static shapes: tensor shapes do not depend on latent or parameter values
///    (e.g. no `len(x[z > 0])`), so `x.shape`, `len(x)`, `x.size()` and
///    `new_zeros(x, ...)` are constants in the values of the variables read;
///  - an `obs=` value is never None at run time (an observe stays an observe);
///  - Delta sample sites and pyro.deterministic are assignments (notes a.5.4);
///  - poutine.scale multiplies a log-density (density^s: smooth in s), while a
///    mask (poutine.mask, `.mask(m)`) is discontinuous in m;
///  - object aliasing is tracked for module objects (aliases, nn.Sequential
///    members/containers) and for the statement form pyro.param("n", t), not
///    for tensor views.
/// Rules beyond the table rows (analysis rules): torch.max/min with a `dim`
/// also return indices (not smooth); Distribution.log_prob is smooth in the
/// value as the distribution's ValueSmooth says; partial operations need their
/// precondition proved (sqrt: argument > 0), distribution parameters their
/// domain (score sites and observes only).
//===----------------------------------------------------------------------===//
#pragma once

#include "svic/analysis/Fixpoint.h"
#include "svic/analysis/Lattice.h"
#include "svic/ir/IR.h"

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#if __has_include("svic/analysis/Numeric.h")
#include "svic/analysis/Numeric.h"
#define SVIC_HAVE_NUMERIC 1
#else
namespace svic::analysis {
class NumericResult;
}
#define SVIC_HAVE_NUMERIC 0
#endif

namespace svic::analysis {

enum class Property { Diff, Lips, Cont };
/// "diff" / "lips" / "cont".
std::string_view propertyName(Property P);
/// True when a table class \p C promises property \p P (Diff accepts d; Lips
/// d, l; Cont d, l, c).
bool classSatisfies(ir::Smoothness C, Property P);

//===-- The abstract domain ---------------------------------------------------===//
namespace smooth {

using Dim = uint32_t;

/// A set of dims as a sorted list of 64-bit words (a sparse bit vector): the
/// dependence sets of one program cluster in a few words (all rdb dims are
/// numbered first), so unions are merges of short lists.
class DimSet {
public:
  DimSet() = default;
  DimSet(std::initializer_list<Dim> Ds);

  bool empty() const { return Words.empty(); }
  size_t count() const;
  bool contains(Dim D) const;
  void insert(Dim D);
  /// this ∪= O; returns whether this changed.
  bool unite(const DimSet &O);
  bool isSubsetOf(const DimSet &O) const;
  bool intersects(const DimSet &O) const;
  DimSet intersect(const DimSet &O) const;
  DimSet minus(const DimSet &O) const;
  std::vector<Dim> toVector() const;
  template <typename F> void forEach(F &&Fn) const {
    for (const Word &W : Words) {
      uint64_t B = W.Bits;
      while (B) {
        unsigned Bit = static_cast<unsigned>(__builtin_ctzll(B));
        Fn(static_cast<Dim>(W.Index * 64u + Bit));
        B &= B - 1;
      }
    }
  }
  /// Calls Fn on every dim of this ∩ O, without building the intersection.
  template <typename F> void forEachCommon(const DimSet &O, F &&Fn) const {
    const Word *J = O.Words.begin(), *JEnd = O.Words.end();
    for (const Word &W : Words) {
      while (J != JEnd && J->Index < W.Index)
        ++J;
      if (J == JEnd)
        return;
      if (J->Index != W.Index)
        continue;
      for (uint64_t B = W.Bits & J->Bits; B; B &= B - 1)
        Fn(static_cast<Dim>(W.Index * 64u + static_cast<unsigned>(__builtin_ctzll(B))));
    }
  }
  bool operator==(const DimSet &O) const = default;

private:
  struct Word {
    uint32_t Index;
    uint64_t Bits;
    bool operator==(const Word &O) const = default;
  };
  /// The words, with room for two in place: the analysis builds and drops
  /// sets at every composition, and a program's sets rarely span more than
  /// 128 dims, so most of them never allocate.
  class WordVec {
  public:
    WordVec() = default;
    WordVec(const WordVec &O) { copyFrom(O); }
    WordVec(WordVec &&O) noexcept { steal(O); }
    WordVec &operator=(const WordVec &O) {
      if (this != &O)
        copyFrom(O);
      return *this;
    }
    WordVec &operator=(WordVec &&O) noexcept {
      if (this != &O) {
        release();
        steal(O);
      }
      return *this;
    }
    ~WordVec() { release(); }

    bool empty() const { return Size == 0; }
    size_t size() const { return Size; }
    Word *begin() { return data(); }
    Word *end() { return data() + Size; }
    const Word *begin() const { return data(); }
    const Word *end() const { return data() + Size; }
    Word &operator[](size_t I) { return data()[I]; }
    const Word &operator[](size_t I) const { return data()[I]; }
    void reserve(size_t N);
    void push_back(const Word &W) {
      if (Size == Cap)
        reserve(2 * size_t(Cap));
      data()[Size++] = W;
    }
    /// Inserts W before Pos (an iterator into this).
    void insert(Word *Pos, const Word &W);
    bool operator==(const WordVec &O) const;

  private:
    static constexpr uint32_t InlineWords = 2;
    bool onHeap() const { return Cap > InlineWords; }
    Word *data() { return onHeap() ? Heap : Inline; }
    const Word *data() const { return onHeap() ? Heap : Inline; }
    void copyFrom(const WordVec &O);
    void steal(WordVec &O);
    void release();

    uint32_t Size = 0;
    uint32_t Cap = InlineWords;
    union {
      Word Inline[InlineWords];
      Word *Heap;
    };
  };
  WordVec Words; ///< sorted by Index, no zero Bits
};

/// An abstract state transformer ⟨Mod, Dep, ND, V⟩ (notes b.2), or ⊥ (no
/// execution) or Err (⊤). Only modified dims are stored, and without V: a
/// modified dim d has Dep(d) = Entry.Dep ∪ V and ND(d) = Entry.ND ∪ V, an
/// unmodified one Dep(d) = {d} ∪ V and ND(d) = V.
class Transformer {
public:
  struct Entry {
    DimSet Dep, ND;
    bool operator==(const Entry &O) const = default;
  };

  static Transformer bottom() { return Transformer(State::Bottom); }
  static Transformer top() { return Transformer(State::Err); }
  static Transformer identity() { return Transformer(State::Value); }

  bool isBottom() const { return St == State::Bottom; }
  bool isTop() const { return St == State::Err; }
  bool isValue() const { return St == State::Value; }

  bool leq(const Transformer &O) const;
  Transformer join(const Transformer &O) const;
  void joinWith(const Transformer &O);
  /// Finite height: widening is join.
  Transformer widen(const Transformer &O) const { return join(O); }
  Transformer narrow(const Transformer &O) const;
  bool operator==(const Transformer &O) const;

  bool modifies(Dim D) const { return ModSet.contains(D); }
  const DimSet &mod() const { return ModSet; }
  size_t numModified() const { return Entries.size(); }
  DimSet dep(Dim D) const;
  DimSet nd(Dim D) const;
  const DimSet &v() const { return V; }

  /// Sets d ↦ (Dep, ND) (ND is added to Dep and V to both: the invariants).
  void assign(Dim D, DimSet Dep, DimSet ND);
  /// V ∪= G, and G is added to every output (notes b.3: nothing after a
  /// command that may not terminate is smooth in what decides termination).
  void addV(const DimSet &G);
  /// The conditional rule (notes b.5): every modified dim depends on, and may
  /// be non-smooth in, the guard's inputs G.
  void taintModified(const DimSet &G);

  /// *this := *this ; B (this runs first), the dependence-aware chain rule.
  void composeWith(const Transformer &B);
  Transformer then(const Transformer &B) const;

  /// ⋃_{y ∈ S} Dep(y) ∪ V: the input dims a value reading S after this
  /// command depends on.
  DimSet mapDep(const DimSet &S) const;

  /// Checks ND ⊆ Dep and the normal form (for tests).
  bool wellFormed() const;

private:
  enum class State : uint8_t { Bottom, Value, Err };
  explicit Transformer(State S) : St(S) {}
  /// The entry of a dim B assigns with EB, in *this ; B.
  Entry mapEntry(const Entry &EB) const;

  /// The entries by dim: one array (a transformer is copied at every loop
  /// iteration and join, and most hold a few entries) with an open-addressing
  /// index once there are more than a few.
  class EntryMap {
  public:
    const Entry *find(Dim D) const;
    Entry *find(Dim D) { return const_cast<Entry *>(std::as_const(*this).find(D)); }
    /// Inserts or replaces D's entry.
    void set(Dim D, Entry E);
    size_t size() const { return Items.size(); }
    bool empty() const { return Items.empty(); }
    auto begin() { return Items.begin(); }
    auto end() { return Items.end(); }
    auto begin() const { return Items.begin(); }
    auto end() const { return Items.end(); }

  private:
    static constexpr size_t LinearMax = 8; ///< up to this many: no index, a linear search
    size_t slot(Dim D) const;
    void reindex();
    std::vector<std::pair<Dim, Entry>> Items;
    std::vector<uint32_t> Index; ///< 1 + position in Items, 0 for a free slot; size a power of 2
  };

  State St;
  EntryMap Entries;
  DimSet ModSet;
  DimSet V;
};

static_assert(Lattice<Transformer>);

} // namespace smooth

//===-- Numeric facts ---------------------------------------------------------===//

/// The narrow view of the numeric pre-analysis that the smoothness analysis
/// consumes (tests substitute a fake). A `false` answer means "not proved".
class NumericFacts {
public:
  virtual ~NumericFacts() = default;
  virtual bool provedNonZero(ir::NodeId E) const = 0;
  virtual bool provedPositive(ir::NodeId E) const = 0;
  virtual bool provedInDomain(ir::NodeId E, std::string_view Domain) const = 0;
  virtual bool provedPrecondition(const ir::CallExpr &C) const = 0;
  virtual bool branchDead(const ir::IfStmt &S, bool Then) const = 0;
  /// E may evaluate to ±inf or NaN.
  virtual bool mayBeNonFinite(ir::NodeId E) const = 0;
};

/// Proves nothing: the most conservative facts.
class NoNumericFacts : public NumericFacts {
public:
  bool provedNonZero(ir::NodeId) const override { return false; }
  bool provedPositive(ir::NodeId) const override { return false; }
  bool provedInDomain(ir::NodeId, std::string_view) const override { return false; }
  bool provedPrecondition(const ir::CallExpr &) const override { return false; }
  bool branchDead(const ir::IfStmt &, bool) const override { return false; }
  bool mayBeNonFinite(ir::NodeId) const override { return true; }
};

/// Adapter over the numeric pre-analysis' result (Numeric.h).
std::unique_ptr<NumericFacts> makeNumericFacts(const NumericResult &N);

//===-- Results ---------------------------------------------------------------===//

struct Witness {
  std::string Operation; ///< "if", "relu", "division", "discrete distribution", ...
  SourceLoc Loc;
  /// The name, then the program variables from it to the operation.
  std::vector<std::string> Chain;
  bool operator==(const Witness &O) const;
};

struct NameVerdict {
  std::string Name;
  bool IsParam = false;
  bool Discrete = false;
  bool Smooth = false;
  std::vector<Witness> Witnesses; ///< empty iff Smooth; sorted by location
};

/// Per latent sample name m: the names whose rdb dim is in ND(prb[m]) and in
/// ND(val[m]) (notes b.8); the reparameterisation re-check reads these.
struct SiteSets {
  std::string Name;
  std::vector<std::string> ProbNonSmooth;
  std::vector<std::string> ValueNonSmooth;
};

struct SmoothnessResult {
  Property Prop = Property::Diff;
  /// Sorted by Name; every continuous latent and every parameter once, and
  /// every discrete latent (Smooth = false).
  std::vector<NameVerdict> Names;
  FixpointStats Stats;
  /// NDdens: names in which the observe/factor likelihood may be non-smooth.
  std::vector<std::string> DensityNonSmooth;
  /// Per latent name, sorted by name.
  std::vector<SiteSets> Sites;
  /// The whole-program transformer was Err (an internal limitation): every
  /// name is reported mayBreak.
  bool Failed = false;

  const NameVerdict *find(std::string_view Name) const;
  /// The names reported smooth, sorted.
  std::vector<std::string> smoothNames() const;
};

struct SmoothnessOptions {
  /// Analyse sample sites under the reparameterised semantics (notes b.5):
  /// every reparameterisable continuous latent, or only those in ReparamNames
  /// when it is not empty.
  bool Reparameterized = false;
  std::vector<std::string> ReparamNames;
};

SmoothnessResult analyzeSmoothness(const ir::Program &P, const NumericResult &N, Property Prop,
                                   const SmoothnessOptions &O = {});
SmoothnessResult analyzeSmoothness(const ir::Program &P, const NumericFacts &N, Property Prop,
                                   const SmoothnessOptions &O = {});

/// What the selection needs to know of a program's names.
struct ProgramNames {
  struct Latent {
    std::string Name;
    bool Discrete = false;
    bool Reparameterizable = true; ///< every site of the name has rsample
    SourceLoc Loc;                 ///< first sample site
  };
  std::vector<std::string> Params; ///< sorted
  std::vector<Latent> Latents;     ///< sorted by name
  /// Non-observed Delta sites (assignments for the analysis; reparameterisable
  /// sites for Pyro), sorted.
  std::vector<std::string> PointMasses;
};
ProgramNames collectNames(const ir::Program &P);

} // namespace svic::analysis
