"""svic support-match corpus: s01_empty_model_empty_guide_ok, model side.

Oracle entry "suite, 0-  plate, empty_model_empty_guide_ok" (expected: match).
Written from the artifact's tests/pyro_test_suite/model1.py and Pyro's
tests/infer/test_valid_models.py::test_empty_model_empty_guide_ok.
"""


def model():
    pass
