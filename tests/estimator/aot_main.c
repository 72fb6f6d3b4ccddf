/* Loads a model compiled by `svic compile -o model.so` through the C API of svic/svic_model.h and prints
 * one gradient estimate with %.17g, for comparison with `svic grad --format json` (tests/estimator/test_aot.py).
 *
 * Usage: aot_main DATA_PATH|- SEED SAMPLES THREADS
 * Output: "param I MEAN STDERR" per flat (unconstrained) parameter, "elbo MEAN", then a line "descriptor"
 * followed by the model's descriptor JSON (which names the param at each offset).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "svic/svic_model.h"

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: aot_main DATA_PATH|- SEED SAMPLES THREADS\n");
    return 2;
  }
  char err[1024] = {0};
  const char *data = argv[1][0] == '-' && argv[1][1] == 0 ? NULL : argv[1];
  svic_model *m = svic_model_create(data, err, sizeof err);
  if (!m) {
    fprintf(stderr, "svic_model_create: %s\n", err);
    return 1;
  }
  uint64_t seed = strtoull(argv[2], NULL, 10);
  int64_t samples = strtoll(argv[3], NULL, 10);
  int threads = atoi(argv[4]);
  int64_t n = svic_model_num_params(m);
  double *mean = calloc((size_t)n, sizeof(double));
  double *stderr_ = calloc((size_t)n, sizeof(double));
  double elbo = 0;
  int rc = svic_model_estimate_gradient(m, seed, samples, threads, mean, stderr_, &elbo);
  if (rc != 0) {
    fprintf(stderr, "svic_model_estimate_gradient returned %d: %s\n", rc, svic_model_last_error(m));
    return 1;
  }
  for (int64_t i = 0; i < n; ++i)
    printf("param %lld %.17g %.17g\n", (long long)i, mean[i], stderr_[i]);
  printf("elbo %.17g\n", elbo);
  printf("descriptor\n%s\n", svic_model_descriptor(m));
  free(mean);
  free(stderr_);
  svic_model_free(m);
  return 0;
}
