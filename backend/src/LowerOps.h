//===- LowerOps.h - Tensor operations of the partial evaluator --------------===//
///
/// \file
/// Private to the lowering. Each operation folds at compile time when all
/// its operands are known and otherwise emits LIR, computing the result's
/// static shape with PyTorch's rules (and reporting a located error when
/// they fail, where PyTorch would raise).
//===----------------------------------------------------------------------===//
#pragma once

#include "LowerValues.h"

#include "svic/runtime/Engine.h"

#include <functional>
#include <map>
#include <random>

namespace svic::backend::lower {

/// The largest drawn argument (svic simulate) whose positions are listed
/// whole; a larger one lists those of the leading rows a view selects.
constexpr int64_t EnumeratedDrawnLimit = int64_t(1) << 24;

/// One item of a subscript: an index value, a slice or an ellipsis.
struct IndexItem {
  ValuePtr Index; ///< null for slices and ellipses; a None value adds an axis
  bool IsSlice = false, IsEllipsis = false;
  std::optional<int64_t> Lo, Hi, Step;
  SourceLoc Loc;
};

class OpBuilder {
public:
  explicit OpBuilder(Emitter &E) : E(E) {}

  /// Simulating (lowerSimulator): reshaping an absent data argument to a
  /// shape with a -1 records it (in the None value's Shape, -1 kept) instead
  /// of asking for the data; to a whole shape, fixes the shape of the
  /// argument the simulator draws (drawnArgument).
  bool Simulate = false;
  /// Simulating: the shape of each drawn argument, by name, once fixed.
  std::map<std::string, Dims> DrawnShapes;

  /// Simulating: entry argument \p Name, drawn, of shape \p S (which it
  /// keeps: a second shape of another size is an error).
  ValuePtr drawnArgument(const std::string &Name, const Dims &S, SourceLoc L);
  /// Simulating: given argument \p Given, drawn anew where it is observed (--redraw).
  ValuePtr redrawnArgument(const ValuePtr &Given, SourceLoc L);
  /// The positions in its argument of drawn view \p X, as a static integer tensor.
  ValuePtr positionsOf(const Value &X);
  /// An operand whose shape alone is read: a drawn view as it is, else asTensor.
  ValuePtr shaped(const ValuePtr &V, SourceLoc L);

  ValuePtr unary(lir::Op O, const ValuePtr &A, SourceLoc L);
  ValuePtr binary(lir::Op O, const ValuePtr &A, const ValuePtr &B, SourceLoc L);
  /// Python's binary operators: numbers follow Python, tensors PyTorch.
  ValuePtr pyBinary(ir::BinaryOp O, const ValuePtr &A, const ValuePtr &B, SourceLoc L);
  ValuePtr compare(ir::CompareOp O, const ValuePtr &A, const ValuePtr &B, SourceLoc L);
  ValuePtr where(const ValuePtr &C, const ValuePtr &A, const ValuePtr &B, SourceLoc L);
  ValuePtr softplus(const ValuePtr &X, double Beta, double Threshold, SourceLoc L);
  ValuePtr softmax(const ValuePtr &X, int64_t Dim, bool Log, SourceLoc L);
  ValuePtr clamp(const ValuePtr &X, double Lo, double Hi, SourceLoc L);

  /// Sum of every element (a scalar tensor).
  ValuePtr sum(const ValuePtr &X, SourceLoc L);
  ValuePtr reduce(lir::Op O, const ValuePtr &X, std::vector<int64_t> Axes, bool KeepDim, SourceLoc L);
  /// torch.max / torch.min of every element, of a tensor known at compile time.
  ValuePtr extremum(bool Max, const ValuePtr &X, SourceLoc L);
  ValuePtr reshape(const ValuePtr &X, Dims S, SourceLoc L);
  ValuePtr expand(const ValuePtr &X, Dims S, SourceLoc L);
  ValuePtr transpose(const ValuePtr &X, int64_t D0, int64_t D1, SourceLoc L);
  ValuePtr matmul(const ValuePtr &A, const ValuePtr &B, SourceLoc L);
  /// torch.einsum over letter subscripts (no ellipsis, no repeated letter in
  /// one operand): the operands aligned to one index order, multiplied with
  /// broadcasting, the contracted indices summed.
  ValuePtr einsum(const std::string &Equation, const std::vector<ValuePtr> &Operands, SourceLoc L);
  ValuePtr concat(const std::vector<ValuePtr> &Xs, int64_t Axis, bool Stack, SourceLoc L);
  /// Run-time index checks (lir::Op::CheckIndex), by check number: where
  /// the index is and the range [low, high) it must stay within.
  struct IndexCheck {
    SourceLoc Loc;
    int64_t Low, High;
  };
  std::vector<IndexCheck> IndexChecks;
  /// \p Index, an integer tensor indexing dim \p Dim of size \p Extent, checked
  /// as torch checks it: in [-Extent, Extent), or [0, Extent) unless
  /// \p Negative (a scatter); at compile time where its values are known,
  /// else by a CheckIndex at run time.
  ValuePtr inRange(const ValuePtr &Index, size_t Dim, int64_t Extent, bool Negative, SourceLoc L);
  /// An absent data argument as an index (None, which would add an axis) is
  /// a located error.
  void checkIndicesPresent(const std::vector<IndexItem> &Idx);
  /// x[...]: basic indexing, one integer tensor (gathers) or a bool mask (selects).
  ValuePtr index(const ValuePtr &X, const std::vector<IndexItem> &Idx, SourceLoc L);
  /// Pyro's Vindex(x)[...] (pyro.ops.indexing.vindex): the tensor indices
  /// broadcast with each other and with x's dims left of those they name.
  ValuePtr vindex(const ValuePtr &X, const std::vector<IndexItem> &Idx, SourceLoc L);
  ValuePtr indexUpdate(const ValuePtr &X, const std::vector<IndexItem> &Idx, const ValuePtr &V, SourceLoc L);
  /// torch.Tensor.scatter_add_(self, dim, index, src).
  ValuePtr scatterAdd(const ValuePtr &Self, int64_t Dim, const ValuePtr &Index, const ValuePtr &Src, SourceLoc L);
  /// x[..., K]: the last dim dropped at position \p K.
  ValuePtr lastIndex(const ValuePtr &X, int64_t K, SourceLoc L);
  /// F.affine_grid(theta [N, 2, 3], size [N, C, H, W]) -> [N, H, W, 2] (LowerSpatial.cpp).
  ValuePtr affineGrid(const ValuePtr &Theta, const Dims &Size, bool AlignCorners, SourceLoc L);
  /// F.grid_sample(input, grid), bilinear with zero padding (LowerSpatial.cpp).
  ValuePtr gridSample(const ValuePtr &Input, const ValuePtr &Grid, bool AlignCorners, SourceLoc L);

  /// Elementwise log-density of \p Args = {value, params...}.
  ValuePtr logProb(lir::Dist D, const std::vector<ValuePtr> &Args, SourceLoc L);
  /// z = T_theta(eps) for a pathwise site.
  ValuePtr rsample(const DistObject &D, const Dims &S, uint32_t Site, SourceLoc L);
  /// A draw with no gradient path (score sites).
  ValuePtr sampleNoGrad(const DistObject &D, const Dims &S, uint32_t Site, SourceLoc L);
  /// A composite distribution's (DistObject::Composite) elementwise log-density.
  ValuePtr compositeLogProb(const DistObject &D, const ValuePtr &X, SourceLoc L);
  /// A composite's draw from the noise of stream \p Site (pathwise for
  /// Laplace, Cauchy, HalfCauchy, MultivariateNormal); StudentT and
  /// ZeroInflatedNegativeBinomial take further streams from \p NewStream.
  /// Without \p Pathwise the result has no gradient.
  ValuePtr compositeSample(const DistObject &D, const Dims &S, uint32_t Site,
                           const std::function<uint32_t()> &NewStream, bool Pathwise, SourceLoc L);
  /// \p X's value without a gradient path (\p IsInt: integer-valued).
  ValuePtr stopGradient(const ValuePtr &X, SourceLoc L, bool IsInt = false);
  static bool compositePathwise(ir::DistId Id);
  static bool compositeDiscrete(ir::DistId Id);
  /// x = biject_to(support)(u) for a bounded support (DistObject::Bounded).
  ValuePtr bijectForward(const Bijection &B, const ValuePtr &U, SourceLoc L);
  /// log |dx/du| at u, elementwise over u: stick-breaking's sum over a
  /// vector is spread over its K - 1 entries, so that `.mask` and the event
  /// dims apply as to the Normal's own density.
  ValuePtr bijectLogAbsDet(const Bijection &B, const ValuePtr &U, SourceLoc L);
  /// The density of a Normal pushed forward through D.Bounded at x, from its
  /// unconstrained draw \p U (null: torch's inverse of x, intervals only):
  /// log N(u) - log |dx/du|, elementwise over u; -inf off the interval.
  ValuePtr boundedLogProb(const DistObject &D, const ValuePtr &X, const ValuePtr &U, SourceLoc L);
  /// The constrained value of an unconstrained parameter (Pyro's biject_to).
  ValuePtr constrain(const ValuePtr &U, const runtime::Constraint &C, const Dims &Shape, SourceLoc L);

  /// A number or a static list as a tensor; a tensor as it is.
  ValuePtr asTensor(const ValuePtr &V, SourceLoc L);
  /// A shape given as a list/tuple/ints/torch.Size.
  Dims shapeArg(const ValuePtr &V, SourceLoc L);
  /// A call to a row of the operation table, arguments bound to its slots.
  /// \p InitRng is set only while a parameter initialiser or module
  /// constructor runs: torch.rand there is a compile-time constant, anywhere
  /// else it would be fresh randomness per run, which svic does not model.
  ValuePtr call(ir::OpId Op, const std::vector<ValuePtr> &Args, SourceLoc L, std::mt19937_64 *InitRng);

private:
  Emitter &E;

  ValuePtr tensor(lir::ValueId V, Dims S, bool IsInt = false, bool IsBool = false);
  /// The view \p F (a shape operation) of drawn view \p X: of its positions
  /// and, redrawn, of its given values.
  ValuePtr drawnView(const Value &X, const std::function<ValuePtr(const ValuePtr &)> &F, SourceLoc L);
  /// x[Idx] of a drawn argument too large to enumerate: the rows it selects
  /// must be leading ones, read from constant indices or slices.
  ValuePtr indexLargeDrawn(const ValuePtr &X, const std::vector<IndexItem> &Idx, SourceLoc L);
  /// \p S with its -1 inferred from \p N elements; \p What names the tensor in errors.
  Dims viewShape(Dims S, int64_t N, const std::string &What, SourceLoc L);
  /// A run-time tensor of the same dtype (IsInt, IsBool) as \p Like.
  ValuePtr tensorLike(lir::ValueId V, Dims S, const Value &Like) { return tensor(V, std::move(S), Like.IsInt, Like.IsBool); }
  ValuePtr elementwise(lir::Op O, const std::vector<ValuePtr> &Args, SourceLoc L, double S0 = 0, double S1 = 0);
  int64_t normAxis(int64_t Axis, size_t Rank, SourceLoc L);
  /// \p T indexed by \p Idx whose item \p K is a bool mask over k dims: the k
  /// dims merged into one, indexed by the positions of the mask's true
  /// elements. Those positions decide the result's shape, so the mask must be
  /// known at compile time: static, or computed from given data (which fixes it).
  ValuePtr maskIndex(const ValuePtr &T, const std::vector<IndexItem> &Idx, size_t K, SourceLoc L);
  /// Along the last axis of \p V (n entries), the n + 1 sums of its first
  /// 0, 1, ..., n entries.
  ValuePtr prefixSums(const ValuePtr &V, SourceLoc L);
};

} // namespace svic::backend::lower
