"""scikit-learn's own estimator checks over every public estimator, in one place.

The plain estimators run in every penalty, solver and regularization-layer
variant; the cross-validated estimators and the ensembles (with and without
bootstrap) in small, quick settings.
"""

import pytest
from sklearn.utils.estimator_checks import (
    check_dataframe_column_names_consistency,
    check_param_validation,
    parametrize_with_checks,
)

from skreg import (
    MLPClassifier,
    MLPClassifierCV,
    MLPEnsembleClassifier,
    MLPEnsembleRegressor,
    MLPRegressor,
    MLPRegressorCV,
)

# Small networks, few epochs and one BLAS thread keep the checks quick; an
# unconverged fit is expected here, not an error.
pytestmark = [
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning"),
    pytest.mark.usefixtures("one_blas_thread"),
]

PUBLIC_ESTIMATORS = [
    MLPRegressor,
    MLPClassifier,
    MLPRegressorCV,
    MLPClassifierCV,
    MLPEnsembleRegressor,
    MLPEnsembleClassifier,
]

# -- the checked instances -----------------------------------------------------
# The plain estimators: every penalty, every solver and early stopping.
PLAIN = {
    "hidden_layer_sizes": (32,),
    "max_iter": 200,
    "learning_rate_init": 0.01,
    "random_state": 0,
}
PLAIN_VARIANTS = [
    {},
    {"penalty": "l1"},
    {"penalty": "elasticnet", "l1_ratio": 0.3},
    {"penalty": None},
    # sgd at 0.01 diverges on the checks' unscaled data (loss 84 -> 5e8 by
    # epoch 2), which the divergence rule now reports
    {"solver": "sgd", "learning_rate_init": 0.001},
    {"solver": "lbfgs"},
    {"early_stopping": True},
    {"dropout": 0.2},
    {"batch_norm": True},
    {"dropout": 0.2, "batch_norm": True, "early_stopping": True},
    {"input_noise": 0.1},
]
# check_sample_weight_equivalence passes for the CV estimators: with these
# seeds, integer weights and repeated rows choose the same alpha, and the refit
# is equivalent (with other data they could choose different alphas, since
# repeating a row moves the fold boundaries).
CV = {**PLAIN, "hidden_layer_sizes": (8,), "max_iter": 50, "alphas": 3, "cv": 2}
# The ensembles seed their members: no random_state here.
ENSEMBLE_MEMBER = {
    "hidden_layer_sizes": (16,),
    "learning_rate_init": 0.01,
    "max_iter": 100,
}


def _checked_estimators():
    for cls in (MLPRegressor, MLPClassifier):
        for variant in PLAIN_VARIANTS:
            yield cls(**{**PLAIN, **variant})
    for cls in (MLPRegressorCV, MLPClassifierCV):
        yield cls(**CV)
    members = (
        (MLPEnsembleRegressor, MLPRegressor),
        (MLPEnsembleClassifier, MLPClassifier),
    )
    for cls, member in members:
        for bootstrap in (False, True):
            yield cls(
                member(**ENSEMBLE_MEMBER),
                n_estimators=2,
                bootstrap=bootstrap,
                random_state=0,
            )


CHECKED = list(_checked_estimators())


# -- checks expected to fail, with the reason ----------------------------------
SAMPLE_WEIGHT_EQUIVALENCE = (
    "check_sample_weight_equivalence_on_dense_data",
    "check_sample_weight_equivalence_on_sparse_data",
)


def _why_weights_are_not_repetitions(params):
    """Why a weight of 2 and a repeated row train different models, or None."""
    if params.get("bootstrap"):
        return (
            "bootstrap draws rows with replacement: a row with weight 2 is one row "
            "in the pool the resample is drawn from, its repetition is two, so the "
            "members see different resamples"
        )
    if params.get("early_stopping"):
        return (
            "early stopping holds out rows: a repeated row can land on both "
            "sides of the split, so weights and repetitions cannot give the same "
            "split"
        )
    if params.get("dropout") or params.get("input_noise"):
        return (
            "dropout masks and input noise are drawn per row, so a repeated row "
            "gets two independent draws where a weighted row gets one"
        )
    if params.get("batch_norm"):
        return (
            "batch statistics are computed over rows (unweighted, as in every "
            "batch-norm implementation), so repeating a row changes the batch "
            "mean and variance while weighting it does not"
        )
    return None


# Checks that call partial_fit whenever the method exists.
PARTIAL_FIT_CHECKS = (
    "check_fit_score_takes_y",
    "check_n_features_in_after_fitting",
    "check_estimators_partial_fit_n_features",
)


def _expected_failed_checks(estimator):
    params = estimator.get_params(deep=False)
    reason = _why_weights_are_not_repetitions(params)
    failures = {}
    if reason is not None:
        failures.update(dict.fromkeys(SAMPLE_WEIGHT_EQUIVALENCE, reason))
    if params.get("early_stopping") and hasattr(estimator, "partial_fit"):
        failures.update(
            dict.fromkeys(
                PARTIAL_FIT_CHECKS,
                "with early_stopping=True partial_fit exists and raises ValueError "
                "when called, as scikit-learn's MLP does; these checks call it "
                "whenever the method exists",
            )
        )
    return failures


# -- the checks ----------------------------------------------------------------
@parametrize_with_checks(CHECKED, expected_failed_checks=_expected_failed_checks)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


@pytest.mark.parametrize("cls", PUBLIC_ESTIMATORS, ids=lambda cls: cls.__name__)
def test_param_validation(cls):
    check_param_validation(cls.__name__, cls())


def _first_checked(cls):
    return next(estimator for estimator in CHECKED if type(estimator) is cls)


@pytest.mark.parametrize("cls", PUBLIC_ESTIMATORS, ids=lambda cls: cls.__name__)
def test_dataframe_column_names_consistency(cls):
    pytest.importorskip("pandas")
    check_dataframe_column_names_consistency(cls.__name__, _first_checked(cls))
