/*===- svic_model.h - C API of a model compiled by `svic compile` ---------===*
 *
 * `svic compile model.py -o model.so` (or .o) produces an object that exports
 * this API. Link it with this header from C or C++:
 *
 *   char err[256];
 *   svic_model *m = svic_model_create("data.json", err, sizeof err);
 *   if (!m) { fprintf(stderr, "%s\n", err); return 2; }
 *   int64_t n = svic_model_num_params(m);
 *   double *g = malloc(n * sizeof *g), *se = malloc(n * sizeof *se), elbo;
 *   svic_model_estimate_gradient(m, 0, 10000, 1, g, se, &elbo);
 *   svic_model_set_optimizer(m, "adam", 0.01);
 *   for (int i = 0; i < 1000; ++i)
 *     if (svic_model_step(m, 0, 1, &elbo)) { fprintf(stderr, "%s\n", svic_model_last_error(m));
 *break; } svic_model_free(m);
 *
 * Params live in an unconstrained flat buffer (constrained params pass
 * through Pyro's biject_to transforms); the descriptor JSON says which param
 * occupies which range. Every gradient is of the ELBO (the ascent direction).
 * Functions returning int return 0 on success and non-zero on error, with the
 * message in svic_model_last_error. Results are deterministic for a seed, for
 * any thread count. A model is not safe for concurrent calls from several
 * threads; distinct models are independent.
 *===----------------------------------------------------------------------===*/
#ifndef SVIC_MODEL_H
#define SVIC_MODEL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct svic_model svic_model;

/* Loads the program's data arguments from data_path (.json, .csv, .npy or
 * .npz; NULL when the program has none) and initialises the params to their
 * pyro.param initial values. On failure returns NULL and writes a message to
 * err (errlen bytes, NUL-terminated; err may be NULL). */
svic_model *svic_model_create(const char *data_path, char *err, size_t errlen);

/* The number of unconstrained param values (doubles). */
int64_t svic_model_num_params(const svic_model *m);

/* The model's descriptor JSON: params (name, shape, offset, size,
 * constraint), data arguments, sites and the estimator's choice. Owned by the
 * model. */
const char *svic_model_descriptor(const svic_model *m);

/* Estimates the ELBO gradient w.r.t. the unconstrained params at their current
 * values from `samples` samples; the same numbers as `svic grad --seed seed
 * --samples samples` for these params. grad_mean and grad_stderr receive
 * num_params values each (grad_stderr and elbo_mean may be NULL). */
int svic_model_estimate_gradient(svic_model *m, uint64_t seed, int64_t samples, int threads,
                                 double *grad_mean, double *grad_stderr, double *elbo_mean);

/* Selects "adam" (betas 0.9/0.999, eps 1e-8) or "sgd" with learning rate lr,
 * with a fresh state. The default is Adam with lr 1e-3. */
int svic_model_set_optimizer(svic_model *m, const char *name, double lr);

/* One SVI step: an estimate from `samples` samples (noise of the model's
 * current step index), baseline update, optimiser step. elbo (may be NULL)
 * receives the estimate's ELBO. On a NaN/infinity the params are unchanged
 * and the error names the site and the step. */
int svic_model_step(svic_model *m, uint64_t seed, int64_t samples, double *elbo);

/* Copies the num_params unconstrained param values. */
int svic_model_read_params(const svic_model *m, double *unconstrained_out);

/* Copies the constrained value of the param `name` (row-major); n must be its
 * number of elements. */
int svic_model_read_param(const svic_model *m, const char *name, double *constrained_out,
                          int64_t n);

/* The message of the last failed call on m ("" if none). */
const char *svic_model_last_error(const svic_model *m);

void svic_model_free(svic_model *m);

#ifdef __cplusplus
}
#endif

#endif
