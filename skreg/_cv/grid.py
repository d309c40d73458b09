"""The automatic alpha grid of MLPRegressorCV / MLPClassifierCV.

The grid runs geometrically from ``alpha_max`` down to ``eps * alpha_max``,
where ``alpha_max`` is the strength at which the penalty overwhelms the data.
With the objective of the user guide's "The objective" page,
``J = (1/S) sum_i s_i l_i + (alpha/S) R(W)``, the data's pull on a linear
layer's weights at the null (intercept-only) model is::

    G = X^T diag(s) (Y - Ybar)      shape (n_features, n_outputs)

with ``Y`` the encoded targets (``y`` for regression, the label-indicator
matrix for classification) and ``Ybar`` their weighted mean; this is exact
for every loss of skreg with its canonical link (squared error, Poisson with
log link, logistic and softmax cross-entropy). For the non-smooth penalties
and for L2 on a network with hidden layers, ``alpha_max`` is the smallest
alpha at which the all-zero weights solve the penalized problem:

==============================  ==========================  =====================
penalty                         alpha_max                   exact for
==============================  ==========================  =====================
``'l1'``                        ``max |G_jk|``              no hidden layer
``'elasticnet'``                ``max |G_jk| / l1_ratio``   no hidden layer
``'group_lasso'``               ``max_j ||G_j,:||_2``       no hidden layer
``'l2'``, hidden layers         ``||G||_2`` (spectral)      one linear hidden layer
``'l2'``, no hidden layer       ``lambda_max(Xc^T S Xc)``   (see below)
==============================  ==========================  =====================

For L1 / elastic net without a hidden layer this is ``n_samples`` times the
``alpha_max`` of scikit-learn's ``Lasso`` / ``ElasticNetCV`` (skreg's alpha is
on the sum scale). For L2 weight decay on a network with a hidden layer,
``1/2 (||W_1||^2 + ||W_2||^2)`` at its optimum equals the nuclear norm of the
product ``W_1 W_2``, so the all-zero network is optimal exactly when
``alpha >= ||G||_2``; ReLU and tanh networks collapse at the same scale. L1
penalties on stacked layers are stronger still near zero, so at ``alpha_max``
a hidden-layer network is (almost) entirely zero, as the sparse end of a path
should be.

A linear model with an L2 penalty (ridge, logistic regression) has no finite
alpha with zero weights. Its penalty dominates where its curvature ``alpha``
exceeds the data term's largest curvature, ``lambda_max(Xc^T S Xc)`` (``Xc``
the weighted-centered X, ``S = diag(s)``; the squared error's, which bounds the
logistic and softmax losses'): there the ridge solution is shrunk at least by
half along every principal direction, and at ``eps * alpha_max`` the leading
directions are hardly shrunk at all. (``||G||_2`` would be the wrong scale
here: it does not grow with the curvature of X.) ``l1_ratio=0`` counts as L2.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import LinearOperator, eigsh

from .._core.penalties import is_sparse


def null_gradient(X, Y: np.ndarray, sample_weight: np.ndarray | None) -> np.ndarray:
    """``X^T diag(s) (Y - Ybar)``: the data term's weight gradient at the null
    model (times ``S``), shape ``(n_features, n_outputs)``."""
    Y = np.asarray(Y, dtype=np.float64).reshape(Y.shape[0], -1)
    weights = np.ones(Y.shape[0]) if sample_weight is None else sample_weight
    weights = np.asarray(weights, dtype=np.float64)
    residual = (Y - np.average(Y, axis=0, weights=weights)) * weights[:, None]
    G = X.T @ residual
    return np.asarray(G.toarray() if sp.issparse(G) else G, dtype=np.float64)


# Above this many features the curvature comes from an iterative eigensolver
# instead of the explicit (n_features, n_features) Gram matrix.
EXPLICIT_GRAM_MAX_FEATURES = 2000


def data_curvature(X, sample_weight: np.ndarray | None) -> float:
    """Largest eigenvalue of ``Xc^T diag(s) Xc``, ``Xc`` = X centered by its
    weighted mean (without densifying a sparse X)."""
    n, p = X.shape
    s = np.ones(n) if sample_weight is None else np.asarray(sample_weight, float)
    S = s.sum()
    mean = np.asarray(X.T @ s, dtype=np.float64).ravel() / S
    if p <= EXPLICIT_GRAM_MAX_FEATURES or p < 3:
        weighted = sp.diags(s) @ X if sp.issparse(X) else X * s[:, None]
        gram = X.T @ weighted
        gram = np.asarray(gram.toarray() if sp.issparse(gram) else gram, np.float64)
        gram -= S * np.outer(mean, mean)
        if not np.isfinite(gram).all():
            return np.inf  # overflow; alpha_grid explains
        return float(np.linalg.eigvalsh(gram)[-1])

    def matvec(v):
        v = np.ravel(v)
        Xv = np.asarray(X @ v, dtype=np.float64).ravel() - mean @ v
        return np.asarray(X.T @ (s * Xv)).ravel() - mean * (s @ Xv)

    gram = LinearOperator((p, p), matvec=matvec, dtype=np.float64)
    return float(eigsh(gram, k=1, which="LA", return_eigenvectors=False)[0])


def alpha_max(
    G: np.ndarray, penalty: str, l1_ratio: float, curvature: float | None = None
) -> float:
    """The strength at which the penalty overwhelms the data (module doc).

    ``curvature`` (``data_curvature``) is given for a linear model, whose L2
    rule uses it; ``None`` means a network with hidden layers.
    """
    if penalty == "l1":
        return float(np.abs(G).max())
    if penalty == "elasticnet" and l1_ratio > 0:
        return float(np.abs(G).max()) / l1_ratio
    if penalty == "group_lasso":
        return float(np.sqrt(np.einsum("ij,ij->i", G, G)).max())
    if curvature is not None:  # 'l2' (or l1_ratio=0) without a hidden layer
        return curvature
    return float(np.linalg.norm(G, ord=2))  # 'l2' with hidden layers


def alpha_grid(
    X,
    Y: np.ndarray,
    sample_weight: np.ndarray | None,
    *,
    penalty: str,
    l1_ratio: float,
    n_alphas: int,
    eps: float,
    linear: bool = False,
) -> np.ndarray:
    """``n_alphas`` values from ``alpha_max`` down to ``eps * alpha_max``,
    geometrically spaced (descending). ``linear``: no hidden layer."""
    smooth = not is_sparse(penalty, l1_ratio)
    with np.errstate(over="ignore", invalid="ignore"):
        curvature = data_curvature(X, sample_weight) if linear and smooth else None
        G = null_gradient(X, Y, sample_weight)
        finite = np.isfinite(G).all() and np.isfinite(curvature or 0.0)
        top = alpha_max(G, penalty, l1_ratio, curvature) if finite else np.inf
    if not np.isfinite(top):
        raise ValueError(
            "The automatic alpha grid is not finite (alpha_max overflowed): X or "
            "y is too large in magnitude. Standardize X (e.g. with "
            "sklearn.preprocessing.StandardScaler) and scale y, or pass explicit "
            "alphas."
        )
    if not top > np.finfo(np.float64).resolution:  # constant targets
        return np.full(n_alphas, np.finfo(np.float64).resolution)
    return np.geomspace(top, top * eps, num=n_alphas)
