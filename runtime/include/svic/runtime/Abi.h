/*===- Abi.h - The C ABI between generated code and the svic runtime -------===*
 *
 * Generated estimator code (JIT or a compiled .o/.so) calls only the functions
 * declared here and exports only svic_gen_sample / svic_gen_descriptor (and,
 * for small models, svic_gen_block). Plain
 * C so that the backend can declare the same prototypes in LLVM IR and a C
 * program can link a compiled model.
 *
 * Randomness is counter-based (Philox4x32-10): every draw is a pure function
 * of (seed, step, sample, site, element), so a value never depends on which
 * thread computed it.
 *===----------------------------------------------------------------------===*/
#ifndef SVIC_RUNTIME_ABI_H
#define SVIC_RUNTIME_ABI_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One single-sample estimate. The runtime fills the inputs; the generated
 * svic_gen_sample writes the outputs and returns log p(x, z) - log q(z).
 * The buffers must not overlap one another: generated code treats each of
 * them as `noalias`, which is what lets LLVM vectorise its loops. */
/* ctx->bad_site values from here on name descriptor "checks" entries (an
 * index out of range); lower ones name sites. */
#define SVIC_CHECK_BASE 0x40000000

typedef struct svic_sample_ctx {
  const double *params;    /* unconstrained parameters, flat (descriptor "params") */
  const double *data;      /* entry inputs, flat (descriptor "inputs") */
  const double *baselines; /* one per score site (descriptor "scoreSites") */
  double *grad;            /* += gradient of the surrogate w.r.t. params (ascent direction) */
  double *signals;         /* out: learning signal L_s per score site */
  double *workspace;       /* scratch of descriptor "workspaceDoubles" doubles */
  uint64_t seed;
  uint64_t step;
  uint64_t sample;
  int32_t bad_site;  /* out: -1, or the first site (descriptor "sites" index) whose
                        log-density or value was not finite, or SVIC_CHECK_BASE + the
                        descriptor "checks" index of the first failed run-time check */
  int32_t kink_hits; /* out: derivatives evaluated exactly at a kink */
} svic_sample_ctx;

typedef double (*svic_sample_fn)(svic_sample_ctx *ctx);

/* Samples k0..k1-1 (k0 < k1) of one estimate, reduced in sample order exactly
 * as the runtime reduces svic_gen_sample's results, with no call per sample.
 * Values are numbered gradient (ParamDoubles), ELBO, signals (one per score
 * site). On return shift[v] is value v of sample k0, s1[v] the sum of
 * (x_v - shift[v]) and s2[v] the sum of its squares; ctx->bad_site is the
 * first bad site of the block in sample order (-1: none) and *bad_sample its
 * sample; ctx->kink_hits is the block's total. ctx->grad, ctx->signals and
 * ctx->sample are not used. Generated only where the values are few enough to
 * live in registers; otherwise the runtime loops over svic_gen_sample. */
typedef void (*svic_block_fn)(svic_sample_ctx *ctx, uint64_t k0, uint64_t k1, double *shift, double *s1,
                              double *s2, uint64_t *bad_sample);

/*-- Random numbers ---------------------------------------------------------*
 * Philox4x32-10 (Random123). Key = the seed (low 32 bits, high 32 bits). The
 * 128-bit counter packs the rest of the coordinates injectively:
 *   ctr[0] = elem
 *   ctr[1] = site bits 0..15 | draw bits 0..7 << 16 | sample bits 32..39 << 24
 *   ctr[2] = sample bits 0..31
 *   ctr[3] = step bits 0..31
 * so draws are distinct for steps < 2^32 - 1 (the pilot run's step
 * UINT64_MAX lands on the reserved 2^32 - 1), samples < 2^40 per step and
 * sites < 2^16. `draw` numbers the Philox blocks one variate consumes
 * (rejection samplers take several; past block 255 the key's high word is
 * mixed with the block number, so a stream never repeats). Each (site, elem)
 * is meant for one variate per sample: two calls with the same coordinates
 * start from the same block. Beta draws both of its Gammas from one stream;
 * Dirichlet component j of event `elem` uses element elem * n + j.
 *
 * Uniform: k / 2^53 from the top 53 bits of a 64-bit word (2^-54 for k = 0),
 * so the interval (0, 1) is open. Normal: a 256-layer ziggurat (Marsaglia and
 * Tsang) with layer, sign and a 52-bit uniform from disjoint bits of one word,
 * which makes it exact; about 99 % of draws cost one Philox block. */
/* Standard normal and uniform on the open interval (0, 1). */
double svic_rt_std_normal(uint64_t seed, uint64_t step, uint64_t sample, uint32_t site,
                          uint32_t elem);
double svic_rt_uniform01(uint64_t seed, uint64_t step, uint64_t sample, uint32_t site,
                         uint32_t elem);

/*-- Log-densities ----------------------------------------------------------*/
/* Scalar distributions with at most two parameters a, b (unused ones are
 * ignored). Returns log p(x | a, b), -inf outside the support. When g is not
 * NULL it receives g[0] = d/dx, g[1] = d/da, g[2] = d/db (0 where undefined:
 * discrete values, unused parameters, outside the support). */
double svic_rt_lpdf_normal(double x, double loc, double scale, double *g);
double svic_rt_lpdf_lognormal(double x, double loc, double scale, double *g);
double svic_rt_lpdf_halfnormal(double x, double scale, double unused, double *g);
double svic_rt_lpdf_uniform(double x, double low, double high, double *g);
double svic_rt_lpdf_exponential(double x, double rate, double unused, double *g);
double svic_rt_lpdf_gamma(double x, double concentration, double rate, double *g);
double svic_rt_lpdf_beta(double x, double concentration1, double concentration0, double *g);
double svic_rt_lpdf_bernoulli_probs(double x, double probs, double unused, double *g);
double svic_rt_lpdf_bernoulli_logits(double x, double logits, double unused, double *g);
double svic_rt_lpdf_poisson(double x, double rate, double unused, double *g);
/* Vector-parameter distributions over one event of n categories. Categorical
 * probs are normalised by their sum, as Pyro does. gp (n entries) and gx may
 * be NULL. */
double svic_rt_lpdf_categorical_probs(double x, const double *probs, int64_t n, double *gp);
double svic_rt_lpdf_categorical_logits(double x, const double *logits, int64_t n, double *gp);
double svic_rt_lpdf_dirichlet(const double *x, const double *concentration, int64_t n, double *gx,
                              double *gc);

/*-- Samplers without a gradient path (score sites, discrete sites) ----------*/
double svic_rt_sample_gamma(uint64_t seed, uint64_t step, uint64_t sample, uint32_t site,
                            uint32_t elem, double concentration, double rate);
double svic_rt_sample_beta(uint64_t seed, uint64_t step, uint64_t sample, uint32_t site,
                           uint32_t elem, double concentration1, double concentration0);
double svic_rt_sample_poisson(uint64_t seed, uint64_t step, uint64_t sample, uint32_t site,
                              uint32_t elem, double rate);
/* Bernoulli and Categorical are sampled by generated code from svic_rt_uniform01. */
void svic_rt_sample_dirichlet(uint64_t seed, uint64_t step, uint64_t sample, uint32_t site,
                              uint32_t elem, const double *concentration, int64_t n, double *out);

/* pyro.plate's subsample: m distinct indices of 0..n-1 (as doubles), uniform
 * without replacement in random order, as torch.randperm(n)[:m] draws them
 * (a partial Fisher-Yates shuffle on one stream of the site). */
void svic_rt_subsample(uint64_t seed, uint64_t step, uint64_t sample, uint32_t site, int64_t n,
                       int64_t m, double *out);

/*-- Special functions --------------------------------------------------------*/
double svic_rt_lgamma(double x);
double svic_rt_digamma(double x);

#ifdef __cplusplus
}
#endif

#endif
