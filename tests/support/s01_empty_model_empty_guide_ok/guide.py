"""svic support-match corpus: s01_empty_model_empty_guide_ok, guide side.

Oracle entry "suite, 0-  plate, empty_model_empty_guide_ok" (expected: match).
Written from the artifact's tests/pyro_test_suite/guide1.py (not readable in the search index;
written as Pyro's test has it) and Pyro's
tests/infer/test_valid_models.py::test_empty_model_empty_guide_ok.
"""


def guide():
    pass
