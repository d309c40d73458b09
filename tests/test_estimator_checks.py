"""scikit-learn's own estimator checks over every public estimator variant."""

import pytest
from sklearn.utils.estimator_checks import (
    check_dataframe_column_names_consistency,
    check_param_validation,
    parametrize_with_checks,
)

from skreg import MLPClassifier, MLPRegressor

# Small networks and few epochs keep the checks quick; the variants cover
# every penalty, every solver and early stopping.
_COMMON = {
    "hidden_layer_sizes": (32,),
    "max_iter": 200,
    "learning_rate_init": 0.01,
    "random_state": 0,
}
_VARIANTS = [
    {},
    {"penalty": "l1"},
    {"penalty": "elasticnet", "l1_ratio": 0.3},
    {"penalty": None},
    {"solver": "sgd"},
    {"solver": "lbfgs"},
    {"early_stopping": True},
    {"dropout": 0.2},
    {"batch_norm": True},
    {"dropout": 0.2, "batch_norm": True, "early_stopping": True},
    {"input_noise": 0.1},
]


def _estimators():
    for cls in (MLPRegressor, MLPClassifier):
        for variant in _VARIANTS:
            yield cls(**{**_COMMON, **variant})


def _expected_failures(estimator):
    if estimator.early_stopping:
        reason = (
            "early stopping holds out rows: a repeated row can land on both "
            "sides of the split, so weights and repetitions cannot give the same "
            "split"
        )
    elif estimator.dropout or estimator.input_noise:
        reason = (
            "dropout masks and input noise are drawn per row, so a repeated row "
            "gets two independent draws where a weighted row gets one"
        )
    elif estimator.batch_norm:
        reason = (
            "batch statistics are computed over rows (unweighted, as in every "
            "batch-norm implementation), so repeating a row changes the batch "
            "mean and variance while weighting it does not"
        )
    else:
        return {}
    return {
        "check_sample_weight_equivalence_on_dense_data": reason,
        "check_sample_weight_equivalence_on_sparse_data": reason,
    }


@parametrize_with_checks(list(_estimators()), expected_failed_checks=_expected_failures)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


@pytest.mark.parametrize("cls", [MLPRegressor, MLPClassifier])
def test_param_validation(cls):
    check_param_validation(cls.__name__, cls())


@pytest.mark.parametrize("cls", [MLPRegressor, MLPClassifier])
def test_dataframe_column_names_consistency(cls):
    pytest.importorskip("pandas")
    check_dataframe_column_names_consistency(cls.__name__, cls(**_COMMON))
