"""The automatic alpha grid of MLPRegressorCV / MLPClassifierCV.

The grid runs geometrically from ``alpha_max`` down to ``eps * alpha_max``.
``alpha_max`` is the strength at which the penalty overwhelms the data: the
smallest alpha for which the all-zero weights are the solution of the
penalized problem at the null (intercept-only) model. With the objective of
DESIGN.md section 2, ``J = (1/S) sum_i s_i l_i + (alpha/S) R(W)``, the data's
pull on a linear layer's weights at the null model is::

    G = X^T diag(s) (Y - Ybar)      shape (n_features, n_outputs)

with ``Y`` the encoded targets (``y`` for regression, the label-indicator
matrix for classification) and ``Ybar`` their weighted mean. This is exact
for every loss of skreg with its canonical link (squared error, Poisson with
log link, logistic and softmax cross-entropy). The weights stay at zero while
the penalty's subdifferential at 0 covers ``G``:

============================  ===========================  ========================
penalty                       alpha_max                    exact for
============================  ===========================  ========================
``'l1'``                      ``max |G_jk|``               no hidden layer (Lasso)
``'elasticnet'``              ``max |G_jk| / l1_ratio``    no hidden layer
``'group_lasso'``             ``max_j ||G_j,:||_2``        no hidden layer
``'l2'`` (or ``l1_ratio=0``)  ``||G||_2`` (spectral)       one linear hidden layer
============================  ===========================  ========================

For L1 / elastic net without a hidden layer this is ``n_samples`` times the
``alpha_max`` of scikit-learn's ``Lasso`` / ``ElasticNetCV`` (skreg's alpha is
on the sum scale). For L2 weight decay on a network with a hidden layer,
``1/2 (||W_1||^2 + ||W_2||^2)`` at its optimum equals the nuclear norm of the
product ``W_1 W_2``, so the all-zero network is optimal exactly when
``alpha >= ||G||_2``; ReLU and tanh networks collapse at the same scale. L1
penalties on stacked layers are stronger still near zero, so at ``alpha_max``
a hidden-layer network is (almost) entirely zero, as the sparse end of a path
should be. The grid does not depend on the network, so every fold and every
architecture sees the same alphas.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp


def null_gradient(X, Y: np.ndarray, sample_weight: np.ndarray | None) -> np.ndarray:
    """``X^T diag(s) (Y - Ybar)``: the data term's weight gradient at the null
    model (times ``S``), shape ``(n_features, n_outputs)``."""
    Y = np.asarray(Y, dtype=np.float64).reshape(Y.shape[0], -1)
    weights = np.ones(Y.shape[0]) if sample_weight is None else sample_weight
    weights = np.asarray(weights, dtype=np.float64)
    residual = (Y - np.average(Y, axis=0, weights=weights)) * weights[:, None]
    G = X.T @ residual
    return np.asarray(G.toarray() if sp.issparse(G) else G, dtype=np.float64)


def alpha_max(G: np.ndarray, penalty: str, l1_ratio: float) -> float:
    """The strength above which the zero weights solve the penalized problem."""
    if penalty == "l1":
        return float(np.abs(G).max())
    if penalty == "elasticnet" and l1_ratio > 0:
        return float(np.abs(G).max()) / l1_ratio
    if penalty == "group_lasso":
        return float(np.sqrt(np.einsum("ij,ij->i", G, G)).max())
    return float(np.linalg.norm(G, ord=2))  # 'l2' and elastic net with l1_ratio=0


def alpha_grid(
    X,
    Y: np.ndarray,
    sample_weight: np.ndarray | None,
    *,
    penalty: str,
    l1_ratio: float,
    n_alphas: int,
    eps: float,
) -> np.ndarray:
    """``n_alphas`` values from ``alpha_max`` down to ``eps * alpha_max``,
    geometrically spaced (descending)."""
    top = alpha_max(null_gradient(X, Y, sample_weight), penalty, l1_ratio)
    if not top > np.finfo(np.float64).resolution:  # constant targets
        return np.full(n_alphas, np.finfo(np.float64).resolution)
    return np.geomspace(top, top * eps, num=n_alphas)
