"""
==========================================================
Choosing alpha: the path estimator and GridSearchCV
==========================================================

Two ways to choose the penalty strength ``alpha`` by 5-fold cross-validation
on scikit-learn's diabetes data (inputs standardized in a ``Pipeline``):

* :class:`~skreg.MLPRegressorCV` fits, on each fold, a *path*: the alphas
  from the largest down, each fit warm-started from the previous one, then
  refits the chosen alpha's path on all the training data;
* ``GridSearchCV`` over a ``Pipeline(StandardScaler, MLPRegressor)`` fits
  every (alpha, fold) pair from scratch: the plain scikit-learn way, which
  works for any parameter, not only alpha.

Both search the same 12 alphas (the path estimator's automatic grid) on the
same folds. :class:`~skreg.plotting.RegularizationPathDisplay` draws the mean
CV score ± one standard error for each; for ``GridSearchCV`` it is built from
``cv_results_`` with the display's constructor.

What was measured when this was written: both chose an alpha in the
plateau of good scores (216 and 759) with mean CV R^2 0.538 and 0.545 and
held-out R^2 0.374 and 0.362; the path estimator took about a third of the
grid search's time. The curves differ at small alpha: a cold fit overfits
there, while each warm-started path fit starts from the more regularized
solution and stops after a few epochs, so the path's scores stay high. That
is a property of the warm-started procedure, which the refit repeats, not of
the network at that alpha.
"""

# %%
import os
import time
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.model_selection import GridSearchCV, KFold, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skreg import MLPRegressor, MLPRegressorCV
from skreg.plotting import RegularizationPathDisplay

OUTPUT = Path(
    os.environ.get("SKREG_EXAMPLES_OUTPUT", Path(__file__).resolve().parent / "output")
)
QUICK = os.environ.get("SKREG_EXAMPLES_QUICK") == "1"
start = time.perf_counter()

# %%
X, y = load_diabetes(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
folds = KFold(3 if QUICK else 5, shuffle=True, random_state=0)
network = dict(
    hidden_layer_sizes=(64,),
    learning_rate_init=0.05,
    max_iter=200 if QUICK else 2000,
    random_state=0,
)

# %%
# The path estimator, with its automatic grid of alphas. It fits the grid
# search's network below: L2, no skip connection, no relaxed refits, y as it
# is (the CV estimator's own defaults add those; see the user guide's
# defaults page).
t0 = time.perf_counter()
same_network = dict(
    penalty="l2", skip_connection=False, relax=None, standardize_target=False
)
path_model = make_pipeline(
    StandardScaler(),
    MLPRegressorCV(alphas=5 if QUICK else 12, cv=folds, **same_network, **network),
)
path_model.fit(X_train, y_train)
path_seconds = time.perf_counter() - t0
path_cv = path_model[-1]
print(
    f"MLPRegressorCV: alpha_={path_cv.alpha_:.3g}, mean CV R^2 "
    f"{path_cv.best_score_:.3f}, test R^2 {path_model.score(X_test, y_test):.3f}, "
    f"{path_seconds:.1f} s"
)

# %%
# GridSearchCV over the same alphas and folds.
t0 = time.perf_counter()
search = GridSearchCV(
    make_pipeline(StandardScaler(), MLPRegressor(penalty="l2", **network)),
    {"mlpregressor__alpha": path_cv.alphas_},
    cv=folds,
)
search.fit(X_train, y_train)
grid_seconds = time.perf_counter() - t0
grid_alpha = search.best_params_["mlpregressor__alpha"]
print(
    f"GridSearchCV:   alpha={grid_alpha:.3g}, mean CV R^2 {search.best_score_:.3f}, "
    f"test R^2 {search.score(X_test, y_test):.3f}, {grid_seconds:.1f} s"
)

# %%
# GridSearchCV's std_test_score has ddof=0; the standard error of the mean
# (as in ``sem_cv_scores_``) is the ddof=1 standard deviation over sqrt(n_folds).
k = folds.get_n_splits()
grid_sem = search.cv_results_["std_test_score"] * np.sqrt(k / (k - 1)) / np.sqrt(k)
fig, (ax_path, ax_grid) = plt.subplots(
    1, 2, figsize=(12, 4.5), sharey=True, layout="constrained"
)
RegularizationPathDisplay.from_estimator(path_model, ax=ax_path)
ax_path.set_title(f"MLPRegressorCV (warm-started path), {path_seconds:.1f} s")
RegularizationPathDisplay(
    alphas=path_cv.alphas_,
    mean_scores=search.cv_results_["mean_test_score"],
    sem_scores=grid_sem,
    alpha=grid_alpha,
    score_name="R$^2$",
).plot(ax=ax_grid)
ax_grid.set_title(f"GridSearchCV (cold fits), {grid_seconds:.1f} s")

OUTPUT.mkdir(parents=True, exist_ok=True)
path = OUTPUT / "plot_choosing_alpha.png"
fig.savefig(path, dpi=80)
print(f"saved {path} ({time.perf_counter() - start:.1f} s)")
