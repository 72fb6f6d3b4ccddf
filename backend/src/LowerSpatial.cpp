//===- LowerSpatial.cpp - F.affine_grid and F.grid_sample -------------------===//
///
/// The spatial transformer of AIR, composed from LIR's elementwise, slice and
/// gather ops, so that its reverse rules are theirs: the bilinear weights are
/// differentiable in the grid between pixel borders, and the corner indices
/// (Floor) carry no gradient, which is torch's a.e. derivative of grid_sample.
//===----------------------------------------------------------------------===//

#include "LowerOps.h"

namespace svic::backend::lower {

namespace {

/// The normalised coordinate of pixel centre \p I of \p N pixels, as
/// torch's affine_grid places it.
double pixelCentre(int64_t I, int64_t N, bool AlignCorners) {
  if (AlignCorners)
    return N == 1 ? -1.0 : -1.0 + 2.0 * static_cast<double>(I) / static_cast<double>(N - 1);
  return (2.0 * static_cast<double>(I) + 1.0) / static_cast<double>(N) - 1.0;
}

} // namespace

ValuePtr OpBuilder::lastIndex(const ValuePtr &X, int64_t K, SourceLoc L) {
  std::vector<IndexItem> Idx(X->Shape.size());
  for (IndexItem &It : Idx) {
    It.IsSlice = true;
    It.Loc = L;
  }
  Idx.back() = IndexItem{};
  Idx.back().Index = makeInt(K);
  Idx.back().Loc = L;
  return index(X, Idx, L);
}

ValuePtr OpBuilder::affineGrid(const ValuePtr &Theta, const Dims &Size, bool AlignCorners, SourceLoc L) {
  ValuePtr T = asTensor(Theta, L);
  if (Size.size() != 4)
    unsupported(L, "F.affine_grid for a size other than [N, C, H, W] (2-D only)");
  int64_t N = Size[0], H = Size[2], W = Size[3];
  if (T->Shape != Dims{N, 2, 3})
    invalid(L, "F.affine_grid expects theta of shape " + dimsString({N, 2, 3}) + " for size " + dimsString(Size) +
                   ", got " + dimsString(T->Shape));
  std::vector<double> Xs, Ys;
  for (int64_t I = 0; I < W; ++I)
    Xs.push_back(pixelCentre(I, W, AlignCorners));
  for (int64_t I = 0; I < H; ++I)
    Ys.push_back(pixelCentre(I, H, AlignCorners));
  // grid[n, h, w, :] = theta[n] @ (x_w, y_h, 1): one broadcast term per column of theta.
  auto Column = [&](int64_t K) { return reshape(lastIndex(T, K, L), {N, 1, 1, 2}, L); };
  ValuePtr Grid = binary(lir::Op::Mul, Column(0), makeStaticTensor({1, 1, W, 1}, std::move(Xs)), L);
  Grid = binary(lir::Op::Add, Grid, binary(lir::Op::Mul, Column(1), makeStaticTensor({1, H, 1, 1}, std::move(Ys)), L), L);
  return binary(lir::Op::Add, Grid, Column(2), L);
}

ValuePtr OpBuilder::gridSample(const ValuePtr &Input, const ValuePtr &Grid, bool AlignCorners, SourceLoc L) {
  ValuePtr X = asTensor(Input, L), G = asTensor(Grid, L);
  if (X->Shape.size() != 4 || G->Shape.size() != 4 || G->Shape[3] != 2 || G->Shape[0] != X->Shape[0])
    invalid(L, "F.grid_sample expects input [N, C, H, W] and grid [N, H_out, W_out, 2], got " +
                   dimsString(X->Shape) + " and " + dimsString(G->Shape));
  int64_t N = X->Shape[0], C = X->Shape[1], Hin = X->Shape[2], Win = X->Shape[3];
  int64_t Hout = G->Shape[1], Wout = G->Shape[2];
  // Unnormalised source coordinates, [N, 1, H_out, W_out] (broadcast over channels).
  auto Source = [&](int64_t K, int64_t Size) {
    ValuePtr Coord = reshape(lastIndex(G, K, L), {N, 1, Hout, Wout}, L);
    double S = static_cast<double>(Size);
    if (AlignCorners) // ((g + 1) / 2) * (size - 1)
      return binary(lir::Op::Mul, binary(lir::Op::Add, Coord, makeFloat(1.0), L), makeFloat((S - 1) / 2), L);
    // ((g + 1) * size - 1) / 2
    return binary(lir::Op::Mul, binary(lir::Op::Add, Coord, makeFloat(1.0 - 1.0 / S), L), makeFloat(S / 2), L);
  };
  ValuePtr Ix = Source(0, Win), Iy = Source(1, Hin);
  ValuePtr X0 = unary(lir::Op::Floor, Ix, L), Y0 = unary(lir::Op::Floor, Iy, L);
  ValuePtr X1 = binary(lir::Op::Add, X0, makeFloat(1.0), L), Y1 = binary(lir::Op::Add, Y0, makeFloat(1.0), L);
  // Offsets of each (n, c) image in the flattened input, [N, C, 1, 1].
  std::vector<double> Base;
  for (int64_t I = 0; I < N * C; ++I)
    Base.push_back(static_cast<double>(I * Hin * Win));
  ValuePtr Images = makeStaticTensor({N, C, 1, 1}, std::move(Base));
  lir::ValueId Flat = E.materialize(*reshape(X, {N * C * Hin * Win}, L), L);
  Dims Out{N, C, Hout, Wout};
  // Input at integer corner (Cx, Cy), zero outside the image (padding_mode 'zeros').
  auto Corner = [&](const ValuePtr &Cx, const ValuePtr &Cy) {
    ValuePtr Inside = binary(lir::Op::And,
                             binary(lir::Op::And, compare(ir::CompareOp::Ge, Cx, makeFloat(0), L),
                                    compare(ir::CompareOp::Lt, Cx, makeFloat(static_cast<double>(Win)), L), L),
                             binary(lir::Op::And, compare(ir::CompareOp::Ge, Cy, makeFloat(0), L),
                                    compare(ir::CompareOp::Lt, Cy, makeFloat(static_cast<double>(Hin)), L), L),
                             L);
    ValuePtr Pos = binary(lir::Op::Add, clamp(Cx, 0, static_cast<double>(Win - 1), L),
                          binary(lir::Op::Mul, clamp(Cy, 0, static_cast<double>(Hin - 1), L),
                                 makeFloat(static_cast<double>(Win)), L),
                          L);
    ValuePtr Index = binary(lir::Op::Add, Pos, Images, L);
    lir::Instr I;
    I.Opcode = lir::Op::Gather;
    I.Axis = 0;
    I.Operands = {Flat, E.materialize(*Index, L)};
    ValuePtr Read = tensor(E.emit(std::move(I), Out), Out);
    return where(Inside, Read, makeFloat(0), L);
  };
  // torch's weights: each corner by the area of the opposite sub-rectangle.
  auto Term = [&](const ValuePtr &Cx, const ValuePtr &Cy, const ValuePtr &Wx, const ValuePtr &Wy) {
    return binary(lir::Op::Mul, Corner(Cx, Cy), binary(lir::Op::Mul, Wx, Wy, L), L);
  };
  ValuePtr Dx1 = binary(lir::Op::Sub, Ix, X0, L), Dx0 = binary(lir::Op::Sub, X1, Ix, L);
  ValuePtr Dy1 = binary(lir::Op::Sub, Iy, Y0, L), Dy0 = binary(lir::Op::Sub, Y1, Iy, L);
  ValuePtr R = Term(X0, Y0, Dx0, Dy0);
  R = binary(lir::Op::Add, R, Term(X1, Y0, Dx1, Dy0), L);
  R = binary(lir::Op::Add, R, Term(X0, Y1, Dx0, Dy1), L);
  return binary(lir::Op::Add, R, Term(X1, Y1, Dx1, Dy1), L);
}

} // namespace svic::backend::lower
