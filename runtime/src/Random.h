//===- Random.h - Counter-based random streams (internal) -------*- C++ -*-===//
//
// A Stream is the sequence of Philox4x32-10 blocks for one (seed, step,
// sample, site, element); the counter layout is documented in Abi.h. Each
// block yields two 64-bit words.
//
//===----------------------------------------------------------------------===//
#ifndef SVIC_RUNTIME_RANDOM_H
#define SVIC_RUNTIME_RANDOM_H

#include <Random123/philox.h>

#include <bit>
#include <cstdint>

namespace svic::runtime::detail {

/// Tables of the 256-layer ziggurat for the standard normal (Marsaglia and
/// Tsang 2000, with a 52-bit uniform and the layer/sign from separate bits,
/// as numpy does, so the sampler is exact).
struct ZigguratTables {
  uint64_t K[256];
  double W[256];
  double F[256];
};
extern const ZigguratTables Ziggurat;

class Stream {
public:
  [[gnu::always_inline]] Stream(uint64_t Seed, uint64_t Step, uint64_t Sample, uint32_t Site,
                                uint32_t Elem) {
    Key = {{static_cast<uint32_t>(Seed), static_cast<uint32_t>(Seed >> 32)}};
    Ctr = {{Elem, (Site & 0xFFFFu) | (static_cast<uint32_t>(Sample >> 32) & 0xFFu) << 24,
            static_cast<uint32_t>(Sample), static_cast<uint32_t>(Step)}};
    generate();
  }

  [[gnu::always_inline]] uint64_t next() {
    if (Pos == 2) {
      ++Draw;
      if ((Draw & 0xFF) == 0)
        Key[1] ^= (Draw >> 8) * 0x9E3779B9u;
      Ctr[1] = (Ctr[1] & 0xFF00FFFFu) | (Draw & 0xFFu) << 16;
      generate();
    }
    return Words[Pos++];
  }

  /// Uniform on (0, 1) with 53-bit resolution: k / 2^53, and 2^-54 for k = 0.
  [[gnu::always_inline]] double uniform() {
    uint64_t K = next() >> 11;
    return K ? static_cast<double>(K) * 0x1p-53 : 0x1p-54;
  }

  [[gnu::always_inline]] double normal() {
    uint64_t U = next();
    unsigned Layer = U & 0xFF;
    uint64_t Abs = U >> 12;
    double X = static_cast<double>(Abs) * Ziggurat.W[Layer];
    if (Abs < Ziggurat.K[Layer]) [[likely]]
      return withSign(X, U);
    return normalSlow(Layer, X, U);
  }

  /// Standard Gamma(Conc, 1).
  double gamma(double Conc);
  double poisson(double Rate);

  /// X with its sign flipped when bit 8 of U is set; branch-free, since a
  /// 50 % unpredictable branch would cost more than the rest of the draw.
  static double withSign(double X, uint64_t U) {
    return std::bit_cast<double>(std::bit_cast<uint64_t>(X) ^ (U & 0x100) << 55);
  }

private:
  [[gnu::always_inline]] void generate() {
    r123::Philox4x32 Gen;
    r123::Philox4x32::ctr_type R = Gen(Ctr, Key);
    Words[0] = static_cast<uint64_t>(R[1]) << 32 | R[0];
    Words[1] = static_cast<uint64_t>(R[3]) << 32 | R[2];
    Pos = 0;
  }
  double normalSlow(unsigned Layer, double X, uint64_t U);

  r123::Philox4x32::ctr_type Ctr;
  r123::Philox4x32::key_type Key;
  uint64_t Words[2];
  unsigned Pos = 0;
  uint32_t Draw = 0;
};

} // namespace svic::runtime::detail

#endif
