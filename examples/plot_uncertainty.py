"""
==============================================================
Uncertainty: ensembles, bagging and Monte Carlo dropout
==============================================================

Three ways to get a spread, not only a prediction, from skreg's networks, on
1-D data with a gap in the middle (no training points for ``|x| < 1``) and
nothing beyond ``|x| > 3``:

* :class:`~skreg.MLPEnsembleRegressor`: 5 copies of one network trained with
  different seeds (a "deep ensemble"); ``predict(X, return_std=True)``
  returns the mean and the spread of the members;
* scikit-learn's ``BaggingRegressor`` over skreg's ``MLPRegressor``: 10
  members, each on a bootstrap resample (scikit-learn passes the resample
  as sample-weight counts, which skreg's objective honours); the spread is
  computed here from ``estimators_``;
* Monte Carlo dropout: one network trained with ``dropout=0.1``;
  ``predict(X, return_std=True)`` averages 100 forward passes with dropout
  left on.

The bands are mean ± 2 standard deviations of the *model*: they show where
the models disagree, not the noise in y (0.1 here), so they are not
prediction intervals.

What was measured when this was written (the script prints the mean
standard deviation on the data, in the gap and beyond the data):

* the ensemble's spread was 0.006 on the data and 0.073 in the gap, the
  bagged networks' 0.040 and 0.184: both know where they have seen data;
* Monte Carlo dropout's spread was about the same everywhere (0.185 on the
  data, 0.133 in the gap, 0.212 beyond): with this network it reflects the
  dropout noise more than the distance from the data;
* beyond ``|x| > 3.5`` every method extrapolates smoothly while ``sin(x)``
  turns back, and none of the bands covers the truth there. A spread that
  members agree on is not a guarantee.

How well such spreads are calibrated on real problems is measured in
``benchmarks/bench_uncertainty.py``.
"""

# %%
import os
import time
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.ensemble import BaggingRegressor

from skreg import MLPEnsembleRegressor, MLPRegressor

OUTPUT = Path(
    os.environ.get("SKREG_EXAMPLES_OUTPUT", Path(__file__).resolve().parent / "output")
)
QUICK = os.environ.get("SKREG_EXAMPLES_QUICK") == "1"
start = time.perf_counter()

# %%
rng = np.random.default_rng(0)
x = np.concatenate([rng.uniform(-3, -1, 40), rng.uniform(1, 3, 40)])
y = np.sin(x) + 0.1 * rng.normal(size=x.size)
X = x[:, None]
grid = np.linspace(-5, 5, 400)


def network(**params):
    return MLPRegressor(
        hidden_layer_sizes=(64, 64),
        activation="tanh",
        learning_rate_init=0.01,
        max_iter=100 if QUICK else 1000,
        # Dropout makes the training loss noisy; a longer patience keeps the
        # default stopping rule from ending the fit too early.
        n_iter_no_change=50,
        **params,
    )


# %%
ensemble = MLPEnsembleRegressor(
    network(), n_estimators=3 if QUICK else 5, random_state=0
).fit(X, y)
ens_mean, ens_std = ensemble.predict(grid[:, None], return_std=True)

bagging = BaggingRegressor(
    network(), n_estimators=3 if QUICK else 10, random_state=0
).fit(X, y)
members = np.stack([m.predict(grid[:, None]) for m in bagging.estimators_])
bag_mean, bag_std = members.mean(axis=0), members.std(axis=0)

mc_net = network(dropout=0.1, random_state=0).fit(X, y)
mc_mean, mc_std = mc_net.predict(grid[:, None], return_std=True)

# %%
regions = {
    "on the data": (np.abs(grid) >= 1) & (np.abs(grid) <= 3),
    "in the gap": np.abs(grid) < 1,
    "beyond the data": np.abs(grid) > 3,
}
results = {
    "MLPEnsembleRegressor": (ens_mean, ens_std),
    "BaggingRegressor(MLPRegressor)": (bag_mean, bag_std),
    "MC dropout (dropout=0.1)": (mc_mean, mc_std),
}
for name, (_, std) in results.items():
    spread = ", ".join(f"{r} {std[mask].mean():.3f}" for r, mask in regions.items())
    print(f"{name:>31}: mean std {spread}")

# %%
fig, axes = plt.subplots(1, 3, figsize=(13, 4), sharey=True, layout="constrained")
for ax, (name, (mean, std)) in zip(axes, results.items()):
    ax.fill_between(grid, mean - 2 * std, mean + 2 * std, alpha=0.3, label="± 2 std")
    ax.plot(grid, mean, label="mean prediction")
    ax.plot(grid, np.sin(grid), "k:", label="sin(x)")
    ax.scatter(x, y, s=8, color="k", label="training data")
    ax.axvspan(-1, 1, color="0.9", zorder=0)
    ax.set(title=name, xlabel="x", ylim=(-3, 3))
axes[0].set_ylabel("y")
axes[0].legend(loc="lower right", fontsize="small")

OUTPUT.mkdir(parents=True, exist_ok=True)
path = OUTPUT / "plot_uncertainty.png"
fig.savefig(path, dpi=80)
print(f"saved {path} ({time.perf_counter() - start:.1f} s)")
