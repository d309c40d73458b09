"""The shared base of MLPRegressorCV and MLPClassifierCV.

Composition, not inheritance: the CV estimator holds every parameter of the
plain estimator except ``alpha`` and ``warm_start``, builds a plain estimator
from them, clones it for each (l1_ratio, fold) path (``_cv_path``), picks
``(l1_ratio_, alpha_)`` (``_cv_select``), refits along the path on all the
data, and delegates prediction to that refitted ``estimator_``.
"""

from __future__ import annotations

import copy
import functools
import warnings
from abc import ABCMeta, abstractmethod
from numbers import Integral

import numpy as np
from joblib import effective_n_jobs
from sklearn.base import BaseEstimator, clone, is_classifier
from sklearn.metrics import check_scoring, get_scorer
from sklearn.model_selection import check_cv
from sklearn.utils import Bunch
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    process_routing,
)

from .._core.architecture import hidden_sizes
from .._core.penalties import is_sparse
from .._doc_link import DocLinkMixin
from .._mlp.fitting import fit_progress
from .._mlp.input_scale import check_input_scale, kept_inputs, scale_columns
from .._parallel import map_fits
from .._sklearn_compat import _fit_context, _raise_for_params, _routing_enabled
from .._validation import (
    check_fit_sample_weight,
    draw_seed,
    validate_fit_data,
)
from .batched_path import can_batch, fit_path_group
from .grid import alpha_grid
from .params import forwarded_parameters
from .path import (
    FoldPath,
    can_warm_start,
    fit_fold_path,
    iter_path,
    path_order,
    shares_unpenalized_refits,
    support,
    target_scale,
)
from .select import select, summarize
from .subset import adaptive_scale, widen, widen_support

# Fitted attributes computed by the CV itself, never copied from estimator_.
_CV_ATTRIBUTES = frozenset({"estimator_", "n_features_in_", "feature_names_in_"})


class BaseMLPCV(DocLinkMixin, BaseEstimator, metaclass=ABCMeta):
    """Base class of the cross-validated MLPs. Do not use directly."""

    def __new__(cls, *args, **kwargs):
        # The most common mistake gets a hint, not __init__'s bare TypeError.
        if "alpha" in kwargs:
            raise TypeError(
                f"{cls.__name__} got an unexpected keyword argument 'alpha': it "
                "chooses alpha by cross-validation. Pass the candidates as "
                "alphas=[...] (or alphas=n for a grid of n values), or use "
                f"{cls.__name__[:-2]}(alpha=...) for one given value."
            )
        return super().__new__(cls)

    @property
    @abstractmethod
    def _estimator_class(self):
        """The plain estimator class that is cross-validated."""

    @abstractmethod
    def _encode_targets(self, y) -> np.ndarray:
        """Check the targets, and return them as the 2-D matrix whose
        null-model residuals set the grid."""

    def _grid_targets(self, Y, sample_weight) -> np.ndarray:
        """The targets the networks fit, whose residuals set the grid."""
        return Y

    # -- parameters ----------------------------------------------------------
    def _l1_ratios(self) -> list[float]:
        ratios = [float(r) for r in np.atleast_1d(self.l1_ratio)]
        if not ratios or any(not 0.0 <= r <= 1.0 for r in ratios):
            raise ValueError(f"l1_ratio values must be in [0, 1], got {ratios}.")
        if len(ratios) > 1 and self.penalty != "elasticnet":
            raise ValueError(
                f"Several l1_ratio values only make sense with "
                f"penalty='elasticnet'; penalty={self.penalty!r} ignores them."
            )
        return ratios

    def _relax_values(self) -> list:
        """The relaxation values searched: ``[None]`` without relaxation."""
        if self.relax is None:
            return [None]
        values = [float(r) for r in np.atleast_1d(self.relax)]
        if not values or any(not 0.0 <= r <= 1.0 for r in values):
            raise ValueError(f"relax values must be in [0, 1], got {values}.")
        return values

    def _check_penalty(self) -> None:
        if self.penalty is None:
            raise ValueError(
                f"penalty=None has no strength to choose; use "
                f"{self._estimator_class.__name__} directly or choose a penalty."
            )

    def _seed(self) -> int:
        """One integer seed for every fit of this ``fit`` call: the same
        initialization, shuffling and early-stopping split on every fold and
        for any ``n_jobs`` or joblib backend."""
        return draw_seed(self.random_state)

    def _make_estimator(self, random_state: int, l1_ratio: float):
        """The plain estimator template built from the forwarded parameters."""
        params = {
            name: getattr(self, name)
            for name in forwarded_parameters(self._estimator_class)
        }
        params.update(
            random_state=random_state,
            l1_ratio=l1_ratio,
            relax=None,  # the path relaxes each point itself
            verbose=self.verbose > 1,
            progress_bar=False,  # this estimator's bar counts the paths
        )
        return self._estimator_class(**params)

    def _alphas(self, X, Y, sample_weight, l1_ratios) -> np.ndarray:
        """Descending alphas, shape ``(n_l1_ratios, n_alphas)``; ``Y`` are the
        encoded targets."""
        if isinstance(self.alphas, Integral):
            return np.array(
                [
                    alpha_grid(
                        X,
                        Y,
                        sample_weight,
                        penalty=self.penalty,
                        l1_ratio=r,
                        n_alphas=self.alphas,
                        eps=self.eps,
                        linear=not hidden_sizes(self.hidden_layer_sizes),
                    )
                    for r in l1_ratios
                ]
            )
        alphas = np.asarray(self.alphas, dtype=np.float64).ravel()
        if alphas.size == 0 or not np.all(np.isfinite(alphas)) or np.any(alphas < 0):
            raise ValueError(
                f"alphas must be non-negative finite numbers, got {self.alphas!r}."
            )
        return np.tile(np.sort(alphas)[::-1], (len(l1_ratios), 1))

    # -- fitting ---------------------------------------------------------------
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, groups=None, **params):
        """Fit the regularization path on each fold, choose alpha, and refit.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights, used by every fit and by the scorer
            on the held-out folds.
        groups : array-like of shape (n_samples,), default=None
            Group labels for group-aware splitters such as ``GroupKFold``.
        **params : dict
            Further metadata for the splitter and the scorer, with
            scikit-learn's metadata routing enabled
            (``sklearn.set_config(enable_metadata_routing=True)``), as in
            ``LogisticRegressionCV``: each goes where it is requested, and
            ``sample_weight`` reaches the scorer only if the scorer requests
            it. Without routing, ``groups`` goes to the splitter and
            ``sample_weight`` to the scorer.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        _raise_for_params(params, self, "fit")
        self._check_penalty()
        X, y = validate_fit_data(self, X, y, classifier=is_classifier(self))
        sample_weight = check_fit_sample_weight(sample_weight, X)
        routed = self._route_fit_metadata(sample_weight, groups, params)
        data, seed = (X, y, sample_weight, routed), self._seed()
        scale = check_input_scale(self.input_scale, X.shape[1])
        relax = self._relax_values()
        if not (self.adaptive and self._may_be_sparse()):
            self._warn_at_grid_edge(*self._search(data, seed, scale, relax))
            self.input_scale_ = scale
            return self
        # The first search only weighs the inputs (the adaptive lasso's
        # initial estimate): it runs without the relaxed refits, which the
        # second search has. Where no second search follows (no input kept,
        # or a smooth l1_ratio_ chosen), the first is repeated with them
        # (with relax=None there is nothing to repeat).
        chosen = self._search(data, seed, scale, [None])
        adapted = None
        if is_sparse(self.penalty, self.l1_ratio_):
            adapted = adaptive_scale(self.estimator_)
        if adapted is not None or relax != [None]:
            scale = scale if adapted is None else adapted
            chosen = self._search(data, seed, scale, relax)
        self._warn_at_grid_edge(*chosen)  # about the search that gave the model
        self.input_scale_ = scale
        return self

    def _may_be_sparse(self) -> bool:
        """Whether the penalty is sparse at some searched ``l1_ratio``."""
        return any(is_sparse(self.penalty, r) for r in self._l1_ratios())

    def _search(self, data, seed: int, input_scale, relax: list) -> tuple[int, int]:
        """The search (paths, choice, refit) over the relaxation values
        ``relax`` with the inputs scaled by ``input_scale``; ``data`` is
        ``(X, y, sample_weight, routed)``. Inputs scaled by 0 are left out of
        the search and its models widened back to them (``subset``). Returns
        the chosen alpha's index and the number of alphas."""
        X, y, sample_weight, routed = data
        kept = kept_inputs(input_scale)
        if kept is not None:
            X, full_scale, input_scale = X[:, kept], input_scale, input_scale[kept]
        l1_ratios = self._l1_ratios()
        template = self._make_estimator(seed, l1_ratios[0])
        template.set_params(input_scale=input_scale)
        Y = self._encode_targets(y)
        alphas = self._alphas(
            scale_columns(X, input_scale),
            self._grid_targets(Y, sample_weight),
            sample_weight,
            l1_ratios,
        )
        scale = target_scale(Y)
        cv = check_cv(self.cv, y, classifier=is_classifier(self))
        folds = list(cv.split(X, y, **routed.splitter.split))
        scorer = _FoldScorer(self._get_scorer(), routed.scorer.score, X.shape[0])
        tasks = [
            (train, test, alphas[i], ratio)
            for i, ratio in enumerate(l1_ratios)
            for train, test in folds
        ]
        paths = self._fit_paths(
            (template, X, y, sample_weight),
            tasks,
            (scale, scorer, relax, self.average_folds),
        )
        i, k = self._store_paths(paths, alphas, l1_ratios, relax, len(folds))
        estimator = clone(template).set_params(l1_ratio=l1_ratios[i])
        # The refit follows the procedure that chose alpha_: the warm-started
        # path to it (from the largest alpha down, or dense to sparse from the
        # smallest up), or (where no point is warm-started) one cold fit.
        order = path_order(estimator, alphas.shape[1])
        refit = order[: order.index(k) + 1] if can_warm_start(estimator) else [k]
        refit_alphas = alphas[i, sorted(refit)]  # descending, as iter_path wants
        # An unpenalized refit starts from the first point that selected its
        # inputs, as in the path (path.relaxed_models).
        share = self.relax_ == 0.0 and shares_unpenalized_refits(estimator)
        first = {}
        for _, point in iter_path(estimator, X, y, sample_weight, refit_alphas, scale):
            if share and support(point) not in first:
                first[support(point)] = copy.deepcopy(point)
        if share:
            estimator = first[support(estimator)].set_params(alpha=self.alpha_)
        if self.relax_ is not None:
            estimator._refit_relaxed(X, y, sample_weight, self.relax_)
        estimator.set_params(relax=self.relax_)
        if kept is not None:
            self._widen(estimator, kept, full_scale)
        self._store_estimator(estimator)
        return k, alphas.shape[1]

    def _widen(self, estimator, kept, input_scale) -> None:
        """The search's models and input masks, fitted on the inputs
        ``kept``, made models of every input (``subset.widen``)."""

        def n_weights():
            return sum(W.size for W in estimator._penalized_weights())

        narrow = n_weights()
        for model in [estimator, *getattr(self, "estimators_", [])]:
            widen(model, kept, input_scale)
        # the added rows are zeros at every path point
        self.n_zero_weights_path_ = self.n_zero_weights_path_ + (n_weights() - narrow)
        self.support_path_ = widen_support(self.support_path_, kept)

    def _warn_at_grid_edge(self, k: int, n_alphas: int) -> None:
        """Warn when the automatic grid's weakest alpha was chosen: the best
        penalty may lie below the grid (a careful user would search on)."""
        if not isinstance(self.alphas, Integral) or n_alphas < 2 or k < n_alphas - 1:
            return
        warnings.warn(
            f"alpha_={self.alpha_:.3g} is the smallest alpha of the automatic grid "
            f"(eps={self.eps:g} times its largest): the best penalty may be "
            f"weaker still. Search further with a smaller eps (e.g. "
            f"eps={self.eps / 100:g}) or explicit alphas.",
            UserWarning,
            stacklevel=5,  # fit's caller (past the two _fit_context wrappers)
        )

    def _route_fit_metadata(self, sample_weight, groups, params) -> Bunch:
        """``routed.splitter.split`` and ``routed.scorer.score``: the metadata
        for the splitter and the fold scorer (see ``fit``)."""
        if _routing_enabled():
            if groups is not None:
                params["groups"] = groups
            return process_routing(self, "fit", sample_weight=sample_weight, **params)
        split = {} if groups is None else {"groups": groups}
        score = {} if sample_weight is None else {"sample_weight": sample_weight}
        return Bunch(splitter=Bunch(split=split), scorer=Bunch(score=score))

    def _get_scorer(self):
        """The fold scorer: ``scoring``, or the estimator's own score (R^2 /
        accuracy) as a scorer whose metadata requests can be routed."""
        if self.scoring is None:
            return get_scorer("accuracy" if is_classifier(self) else "r2")
        return check_scoring(self._estimator_class(), scoring=self.scoring)

    def get_metadata_routing(self):
        """Get the metadata routing of this object.

        The splitter's ``split`` and the scorer's ``score`` receive the
        metadata passed to ``fit`` that they request.

        Returns
        -------
        routing : MetadataRouter
            The routing information.
        """
        return (
            MetadataRouter(owner=self)
            .add_self_request(self)
            .add(
                splitter=check_cv(self.cv),
                method_mapping=MethodMapping().add(caller="fit", callee="split"),
            )
            .add(
                scorer=self._get_scorer(),
                method_mapping=MethodMapping().add(caller="fit", callee="score"),
            )
        )

    def _fit_paths(self, data, tasks, shared) -> list[FoldPath]:
        """One path per task ``(train, test, alphas, l1_ratio)``, in parallel
        (``data`` is ``(template, X, y, sample_weight)``, ``shared`` is
        ``(scale, scorer, relax)``); the results in the tasks' order."""
        template = data[0]
        run = {"n_jobs": self.n_jobs, "verbose": max(self.verbose - 1, 0)}
        if not can_batch(template):
            calls = [(*data, *task, *shared) for task in tasks]
            with fit_progress(self.progress_bar, len(tasks), "path") as bar:
                run["on_done"] = lambda i, result: bar.update(1)
                return map_fits(fit_fold_path, calls, **run)
        # One batch per joblib worker: the paths split into n_jobs groups.
        n_groups = min(len(tasks), effective_n_jobs(self.n_jobs))
        groups = [list(range(g, len(tasks), n_groups)) for g in range(n_groups)]
        calls = [(*data, [tasks[i] for i in g], *shared) for g in groups]
        with fit_progress(self.progress_bar, len(tasks), "path") as bar:
            run["on_done"] = lambda i, result: bar.update(len(groups[i]))
            results = map_fits(fit_path_group, calls, **run)
        paths = [None] * len(tasks)
        for group, result in zip(groups, results):
            for i, path in zip(group, result):
                paths[i] = path
        return paths

    def _store_paths(self, paths: list[FoldPath], alphas, l1_ratios, relax, n_folds):
        """Store the per-fold results as ``(n_l1_ratios, n_relax, n_alphas,
        n_folds)`` arrays (an axis dropped where it has a single value),
        choose, and return the chosen index ``(i_l1_ratio, i_alpha)``."""
        n_l1, n_relax = len(l1_ratios), len(relax)

        def stack(field, flat=False):
            values = np.array([getattr(p, field) for p in paths])
            trailing = values.shape[3:]  # the features axis of ``support``
            values = values.reshape(n_l1, n_folds, -1, n_relax, *trailing)
            values = values.transpose(0, 3, 2, 1, *range(4, values.ndim))
            if flat:  # one "configuration" axis for select
                return values.reshape(n_l1 * n_relax, -1, n_folds)
            return squeeze(values)

        def squeeze(a):
            if n_relax == 1:
                a = a[:, 0]
            return a[0] if n_l1 == 1 else a

        mean, std, sem = summarize(stack("scores", flat=True))
        c, k = select(mean, sem, self.selection)
        i, r = divmod(c, n_relax)
        mean, std, sem = (a.reshape(n_l1, n_relax, -1) for a in (mean, std, sem))
        self.relax_ = relax[r]
        self.alphas_ = alphas[0] if n_l1 == 1 else alphas
        self.cv_scores_ = stack("scores")
        self.mean_cv_scores_ = squeeze(mean)
        self.std_cv_scores_ = squeeze(std)
        self.sem_cv_scores_ = squeeze(sem)
        self.n_iter_path_ = stack("n_iter")
        self.n_zero_weights_path_ = stack("n_zero_weights")
        self.n_features_selected_path_ = stack("n_features_selected")
        self.support_path_ = stack("support")
        self.l1_ratio_ = l1_ratios[i]
        self.alpha_ = float(alphas[i, k])
        self.best_score_ = float(mean[i, r, k])
        self.__dict__.pop("estimators_", None)
        if self.average_folds:  # the fold models at the chosen point
            chosen = paths[i * n_folds : (i + 1) * n_folds]
            self.estimators_ = [path.models[k][r] for path in chosen]
        return i, k

    def _store_estimator(self, estimator) -> None:
        """Keep the refitted estimator and copy its fitted attributes.

        The refit is the procedure whose held-out scores chose ``alpha_``,
        on all the data (``fit``).
        """
        self.estimator_ = estimator.set_params(warm_start=False)
        if hasattr(self, "feature_names_in_"):  # fitted on the validated array
            for member in self._members():
                member.feature_names_in_ = self.feature_names_in_
        for name, value in vars(estimator).items():
            public = name.endswith("_") and not name.startswith("_")
            if public and name not in _CV_ATTRIBUTES:
                setattr(self, name, value)
        n_weights = sum(W.size for W in estimator._penalized_weights())
        self.sparsity_path_ = self.n_zero_weights_path_ / n_weights
        members = self._members()
        if len(members) > 1:  # the averaged model uses what any member uses
            importances = [m.feature_importances_ for m in members]
            self.feature_importances_ = np.mean(importances, axis=0)
            self.n_features_selected_ = int(np.count_nonzero(self.feature_importances_))
        if self.verbose:
            print(
                f"[{type(self).__name__}] alpha_={self.alpha_:.6g} "
                f"l1_ratio_={self.l1_ratio_:g} ({self.selection!r} rule), mean "
                f"CV score {self.best_score_:.6g}"
            )

    # -- prediction --------------------------------------------------------------
    def _members(self) -> list:
        """The models whose mean this estimator predicts: the fold models at
        the chosen point and the refit (``average_folds``), or the refit."""
        return [*getattr(self, "estimators_", []), self.estimator_]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        plain = self._estimator_class().__sklearn_tags__()
        tags.input_tags = plain.input_tags
        tags.target_tags = plain.target_tags
        tags.classifier_tags = plain.classifier_tags
        tags.regressor_tags = plain.regressor_tags
        return tags


class _FoldScorer:
    """The CV's scorer with its metadata for all rows; ``for_rows(test)`` is
    the scorer of one held-out fold, ``scorer(model, X_test, y_test)``."""

    def __init__(self, scorer, params: dict, n_samples: int):
        self.scorer, self.params, self.n_samples = scorer, params, n_samples

    def for_rows(self, rows):
        """The scorer with the metadata of ``rows`` (row-aligned values are
        indexed, others passed as they are)."""
        params = {
            name: np.asarray(value)[rows]
            if _row_aligned(value, self.n_samples)
            else value
            for name, value in self.params.items()
        }
        return functools.partial(self.scorer, **params)


def _row_aligned(value, n_samples: int) -> bool:
    return (
        hasattr(value, "__len__")
        and not isinstance(value, str)
        and len(value) == n_samples
    )
