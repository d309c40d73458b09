"""The parameter and attribute text of MLPRegressorCV and MLPClassifierCV.

The network parameters reuse the plain estimators' shared text, without the
entries the CV estimators replace or lack.
"""

from __future__ import annotations

from .._docstring import class_docstring, without_entries
from .._mlp.docstrings import SHARED_PARAMETERS

# Entries of the shared text that the CV estimators replace or do not have.
_REPLACED = {
    "alpha",
    "penalty",
    "learning_rate_init",
    "skip_connection",
    "warm_start",
    "l1_ratio",
    "relax",
    "random_state",
    "verbose",
    "progress_bar",
}

_CV_PARAMETERS = """\
alphas : int or array-like of shape (n_alphas,), default=10
    The candidate penalty strengths. An int gives that many values on a
    geometric grid from ``alpha_max`` down to ``eps * alpha_max``, where
    ``alpha_max`` is the strength at which the penalty overwhelms the data.
    With ``G = X^T diag(s) (Y - Ybar)``, the data's pull on the weights at
    the null (intercept-only) model (``Y`` the targets, or the
    label-indicator matrix for a classifier): ``max|G_jk| / l1_ratio`` for
    L1 / elastic net (``l1_ratio=1`` for ``'l1'``), ``max_j ||G_j,:||_2``
    for the group lasso, and the spectral norm ``||G||_2`` for L2 on a
    network with hidden layers. Each is the smallest alpha at which the
    all-zero weights are optimal: exactly so for the sparse penalties
    without a hidden layer (``n_samples`` times the ``alpha_max`` of
    scikit-learn's ``Lasso`` / ``ElasticNetCV``, as skreg's alpha is on the
    sum scale) and for L2 on one linear hidden layer (weight decay on two
    layers is a nuclear-norm penalty on their product); ReLU / tanh
    networks collapse at the same scale. A linear model with L2 (ridge,
    logistic regression) never reaches zero weights, so its ``alpha_max``
    is the data term's largest curvature, the top eigenvalue of the
    weighted-centered ``X^T S X``: there the penalty's curvature dominates
    every direction. So the grid runs from an (almost) null model to a
    weakly regularized one, adapts to the scale of ``X`` and ``y``, and is
    the same for every fold. An array gives these alphas, sorted in
    descending order and used for every ``l1_ratio``. When the automatic
    grid's smallest alpha is chosen, a ``UserWarning`` says that the best
    penalty may be weaker still (search on with a smaller ``eps``).

eps : float, default=1e-3
    Ratio of the smallest to the largest alpha of the automatic grid
    (as in ``ElasticNetCV``).

l1_ratio : float or array-like of float, default=0.5
    Elastic-net mixing, in [0, 1]; used only with ``penalty='elasticnet'``.
    With several values a path is fitted for each (with its own automatic
    grid) and the best ``(l1_ratio, alpha)`` pair is chosen; several values
    with another penalty raise a ``ValueError``.

penalty : {{'group_lasso', 'l2', 'l1', 'elasticnet'}}, default='group_lasso'
    ``R(W)`` of the plain estimator's ``penalty`` (see there). The default
    differs from the plain estimator's ``'l2'``: the group lasso zeroes
    whole inputs (with ``skip_connection`` an input's first-layer row and
    skip weights are one group), so with ``relax`` the chosen model keeps
    the informative inputs and drops the noise. On the generalization
    benchmark (the user guide's defaults page) the group lasso with the skip
    connection and relaxation lifted the mean test score of the tune half's
    11 problems (2 splits, every sparse-path point cold) from 0.719
    (``'l2'``, no skip connection, no relaxation) to 0.816.

learning_rate_init : float, default=0.01
    Initial step size of ``'sgd'`` and ``'adam'``. Ten times the plain
    estimator's ``0.001``: the CV estimators train many small networks on
    small data, where ``0.001`` stops at ``max_iter`` far from convergence.
    On the benchmark's tune half (2 splits) ``0.001``, ``0.003`` and
    ``0.01`` scored 0.808, 0.815 and 0.816 on average, and ``0.01`` took
    half the CPU time of ``0.001`` (261 s against 542 s in all).

skip_connection : bool, default=True
    A linear map from the inputs to the outputs beside the hidden layers
    (the plain estimator's ``skip_connection``), so that the model family
    contains the linear model. On the benchmark's linear truth with more
    inputs than rows (150 x 300) the CV estimator then came within 0.004 of
    ``LassoCV`` (0.994 against 0.998; L2 without skip connection or
    relaxation: 0.465); with far more (100 x 1000) it trails ``LassoCV``.

relax : float, array-like of float or None, default=(0.0, 1.0)
    Relaxed refits searched together with ``alpha`` (see the plain
    estimator's ``relax``): every path point is also refitted on the inputs
    it selected with the penalty ``relax * alpha``, for each value given,
    and scored on the held-out fold; ``1`` is the point itself. The best
    ``(l1_ratio, relax, alpha)`` is chosen and ``estimator_`` is refitted
    with it. With several values the score attributes gain a ``relax`` axis
    (after the ``l1_ratio`` axis, before the alphas). ``None``: no
    relaxation. With ``adaptive`` only the second search relaxes. The
    unpenalized refit (``relax=0``) has one objective per set of selected
    inputs, so along a warm-started path the points that select the same
    inputs share one refit. A refit with ``0 < relax < 1`` is made only at
    points that dropped an input (elsewhere it would fit every input at a
    weaker alpha, as the path's weaker points do); those cells of
    ``cv_scores_`` are NaN and never chosen. The default searches the
    unpenalized refit and the point itself. Measured on the generalization
    benchmark (5 splits, with ``adaptive``): ``(0.0, 1.0)`` scored 0.8446
    on average on the tune half against 0.8415 for ``(0.0, 0.3, 1.0)``
    (logistic_wide +0.033; seattle_weather -0.006) and 0.9084 against
    0.9086 on the held-out half, for 0.62 times the CPU time; on friedman1
    with 1000 rows and 195 noise inputs (10 seeds) it kept a median of 0.5
    noise inputs (mean 2.0; ``(0.0, 0.3, 1.0)``: 0.5, mean 2.6) with recall
    1.00. Without ``adaptive`` the intermediate value mattered: ``(0.0,
    1.0)`` then kept a median of 115 noise inputs there, ``(0.0, 0.3,
    1.0)`` 17. The default costs 1.35 times the same searches without
    relaxation (``benchmarks/bench_relax_cost.py``, summed over the tune
    half, split 0; median per fit 1.25).

cv : int, cross-validation generator or iterable, default=None
    The folds, as in ``ElasticNetCV``: ``None`` is 5-fold, an int that
    many folds (``StratifiedKFold`` for binary and multiclass targets of a
    classifier, ``KFold`` otherwise, both unshuffled), or a splitter / an
    iterable of ``(train, test)`` index arrays.

scoring : str, callable or None, default=None
    Scorer of each path point on the held-out fold, greater is better
    (``sklearn.metrics.check_scoring``); ``None`` uses the estimator's
    ``score`` ({score_name}).

selection : {{'best', '1se'}}, default='best'
    ``'best'``: the alpha with the highest mean CV score. ``'1se'``: the
    one-standard-error rule, the largest alpha whose mean score is within
    one standard error (``sem_cv_scores_``) of the best mean score: the
    most regularized model that cross-validation cannot tell apart from the
    best. With several ``l1_ratio`` values it acts along the path of the
    best one.

average_folds : bool, default=True
    Predict with the mean of ``estimator_`` and the fold models that
    cross-validation trained at the chosen ``(l1_ratio_, alpha_, relax_)``
    (``estimators_``, one per fold): cross-validation bagging, at no extra
    training (the fold models are kept, so a fit holds ``n_folds + 1``
    networks). Regression averages the predictions, classification the
    probabilities. ``False``: ``estimator_`` alone. On the generalization
    benchmark (5 splits) the average lifted the mean score of the tune half
    from 0.8295 to 0.8365 (friedman3 +0.029, logistic_wide +0.040,
    diabetes +0.012; linear_wide -0.006); on the held-out half nine of ten
    problems scored as well or better (star98 +0.023, friedman1_sign
    +0.018) but the linear truth with 1000 inputs and 100 rows lost 0.107
    (its fold models train on 56 rows, the refit on 70). The averaged
    model uses every input that any member uses, so it keeps more inputs
    than ``estimator_`` (friedman1 with 195 noise inputs, 10 seeds: a
    median of 55.5 noise inputs against the refit's 18, with
    ``adaptive=False``); for a sparse model
    use ``estimator_`` or ``average_folds=False``.

adaptive : bool, default=True
    With a sparse penalty, search twice, the second time adaptively (the
    adaptive lasso of Zou, 2006, in its group form). The first search only
    weighs the inputs: it runs without the relaxed refits (``relax=None``).
    Then every input's penalty is divided by that input's importance in the
    first search's refit (``estimator_.feature_importances_`` over its
    largest, the second search's ``input_scale``, kept as
    ``input_scale_``), and the whole search (paths, relaxed refits, choice,
    refit, fold models) runs again on the inputs the first refit kept. Weak
    inputs are penalized harder and strong ones less, so the second search
    drops the noise without shrinking the signal. The first search's
    importances come from all the training rows, so the second search's
    fold scores have seen them: its ``cv_scores_`` are somewhat optimistic
    (as for the adaptive lasso with a fixed initial estimate). Ignored with
    ``'l2'`` (and with ``'elasticnet'`` at ``l1_ratio=0``); where the first
    search keeps no input or chooses ``l1_ratio_=0`` it is repeated with the
    relaxed refits instead (``input_scale_`` is then ``input_scale``).
    Measured on the generalization benchmark (5 splits, against
    ``adaptive=False``, mean score): 0.8415 against 0.8365 on the tune half
    (friedman1 +0.031, clf_few_informative +0.063; logistic_wide -0.037,
    breast_cancer -0.005), 0.9086 against 0.8782 on the held-out half
    (linear_p1000 0.857 against 0.617, friedman1_sign 0.917 against
    0.851; wine -0.004). A first search with the relaxed refits scored lower on both
    halves (0.8370 and 0.8980) and cost more. On friedman1 with 1000 rows
    and 195 noise inputs (10 seeds) the adaptive search kept a median of
    0.5 noise inputs against 55.5 (recall 1.00 for both). These figures
    are with ``relax=(0.0, 0.3, 1.0)``; with the default ``relax`` see
    there. It costs 1.3 times the CPU time of one search (summed over the
    benchmark's fits). ``False``: one search.

n_jobs : int, default=None
    Number of paths (one per fold and ``l1_ratio``) fitted in parallel with
    joblib; ``None`` means 1 unless in a ``joblib.parallel_config`` context,
    ``-1`` means all processors. Any joblib backend works, including Dask
    (``joblib.parallel_backend('dask')``) or Ray. When more than one job
    runs, BLAS is limited to one thread inside each path (threadpoolctl),
    so that parallel paths do not oversubscribe the cores.

random_state : int, RandomState instance or None, default=None
    Seeds every fit. An int is the ``random_state`` of every path fit and of
    the refit (so all folds start from the same initialization and a plain
    estimator with this ``random_state`` reproduces ``estimator_``); with
    ``None`` or a ``RandomState``, one int is drawn per call to ``fit`` and
    used the same way. The result never depends on ``n_jobs`` or the
    joblib backend.

verbose : int, default=0
    0 is silent; 1 prints the chosen alpha; 2 and more also print joblib's
    progress and each fit's epoch messages.

progress_bar : bool, default=False
    Show a tqdm progress bar on stderr over the regularization paths (one
    per fold and ``l1_ratio``) as they finish, one bar per search (two with
    ``adaptive``). Needs tqdm; without it a
    warning is raised and no bar is shown."""

_CV_ATTRIBUTES = """\
alpha_ : float
    The chosen penalty strength.

l1_ratio_ : float
    The chosen ``l1_ratio`` (the only one when a single value is given).

input_scale_ : ndarray of shape (`n_features_in_`,) or None
    The ``input_scale`` of ``estimator_`` (and of ``estimators_``): the
    second search's with ``adaptive`` (0 for the inputs the first search
    dropped), else ``input_scale`` as validated (None when not given).

relax_ : float or None
    The chosen relaxation (``None`` without ``relax``).

best_score_ : float
    Mean cross-validated score at ``(l1_ratio_, alpha_)``.

alphas_ : ndarray of shape (n_alphas,) or (n_l1_ratios, n_alphas)
    The alphas of the path, in descending order. As in ``ElasticNetCV``,
    the ``l1_ratio`` axis is present only when several values are given;
    the same holds for every ``*_path_`` and ``*cv_scores_`` attribute.

cv_scores_ : ndarray of shape (n_alphas, n_folds) or \
(n_l1_ratios, n_alphas, n_folds)
    Held-out score of each path point on each fold; NaN where a refit with
    ``0 < relax < 1`` was skipped (see ``relax``).

mean_cv_scores_ : ndarray of shape (n_alphas,) or (n_l1_ratios, n_alphas)
    Mean of ``cv_scores_`` over the folds.

std_cv_scores_ : ndarray of shape (n_alphas,) or (n_l1_ratios, n_alphas)
    Standard deviation over the folds (``ddof=0``, as ``GridSearchCV``).

sem_cv_scores_ : ndarray of shape (n_alphas,) or (n_l1_ratios, n_alphas)
    Standard error of the mean: ``ddof=1`` standard deviation over
    ``sqrt(n_folds)`` (glmnet's ``cvsd``); the width used by ``'1se'``.

n_iter_path_ : ndarray of int of shape like ``cv_scores_``
    Epochs (or solver iterations) run at each path point on each fold;
    warm starts make the later points short.

n_zero_weights_path_ : ndarray of int of shape like ``cv_scores_``
    Number of dense weights that are exactly 0.0 at each path point on each
    fold (informative for ``'l1'``, ``'elasticnet'``, ``'group_lasso'``).

sparsity_path_ : ndarray of shape like ``cv_scores_``
    ``n_zero_weights_path_`` as a fraction of all dense weights.

n_features_selected_path_ : ndarray of int of shape like ``cv_scores_``
    Number of input features with a non-zero first-layer row at each path
    point on each fold.

support_path_ : ndarray of bool of shape ``cv_scores_.shape + (n_features_in_,)``
    Which inputs each path point's model uses on each fold (its
    ``feature_importances_ > 0``); summed over the last axis it is
    ``n_features_selected_path_``. ``support_path_[..., j].mean(axis=-1)``
    is the fraction of folds that keep input ``j`` at each alpha.

estimator_ : {estimator}
    The plain estimator refitted on all the data by the procedure whose
    scores chose ``alpha_``: warm started along the path from ``alphas_[0]``
    down to ``alpha_``, or, for a sparse penalty on a network with hidden
    layers, from the smallest alpha up to ``alpha_`` (dense to sparse); then
    relaxed with ``relax_`` (at ``relax_=0``, from the path's first point
    that selected ``alpha_``'s inputs, as the folds' scores did). Left with
    ``alpha=alpha_`` and ``warm_start=False``.

estimators_ : list of {estimator}
    With ``average_folds=True``: the fold models at the chosen point, one
    per fold, each fitted on its fold's training part (with the relaxed
    refit of ``relax_``). Absent with ``average_folds=False``.

coefs_, intercepts_, n_iter_, loss_, loss_curve_, ... : see {estimator}
    Every fitted attribute of ``estimator_`` is copied, so the CV estimator
    can stand in for the plain one (its weights are the refit's, not an
    average). ``n_iter_`` and ``loss_curve_`` are those of the refit: the
    path's fits on all the data up to the point ``estimator_`` continues
    (``loss_curve_`` since the last cold start), then its relaxed refit,
    whose epochs both include. With
    ``average_folds=True``, ``feature_importances_`` is the mean of the
    members' (``estimator_`` and ``estimators_``), 0 exactly for an input
    that no member uses, and ``n_features_selected_`` counts the inputs the
    averaged model uses.{extra}"""


def cv_docstring(
    summary: str, *, estimator: str, score_name: str, extra_attributes="", **sections
) -> str:
    """The numpydoc class docstring of a CV estimator fitting ``estimator``.

    ``extra_attributes`` end the CV attributes; ``sections`` are
    :func:`~skreg._docstring.class_docstring`'s (``extra_parameters``,
    ``see_also``, ``examples``, ``order``).
    """
    network = without_entries(SHARED_PARAMETERS.format(), _REPLACED)
    cv_attributes = _CV_ATTRIBUTES.format(estimator=estimator, extra=extra_attributes)
    return class_docstring(
        summary,
        parameters=[network, _CV_PARAMETERS.format(score_name=score_name)],
        attributes=[cv_attributes],
        **sections,
    )
