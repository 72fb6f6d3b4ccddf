"""svic support-match corpus: s00_nonempty_model_empty_guide_ok, guide side.

Oracle entry "suite, 0-  plate, nonempty_model_empty_guide_ok" (expected: match).
Written from the artifact's tests/pyro_test_suite/guide0.py and Pyro's
tests/infer/test_valid_models.py::test_nonempty_model_empty_guide_ok.
"""


def guide():
    pass
