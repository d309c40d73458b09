"""
=====================================================
Noise injection: Gaussian noise on the inputs
=====================================================

``input_noise=s`` adds fresh Gaussian noise of standard deviation ``s`` to
the inputs of every training minibatch (never at prediction). The network
then cannot fit each training point exactly, which smooths the function it
learns, much like an L2 penalty on its input gradient.

Here a large network (two hidden layers of 128 units, no weight penalty) is
fitted to 20 noisy points of ``sin(3x) + x/2`` for 2000 epochs. Left: the
fits on the first of 8 random draws of the data. Right: the test R^2 against
the noise level for all 8 draws.

What was measured when this was written: a little noise helps on average
(mean test R^2 0.66 without noise, 0.71 with ``input_noise=0.05`` and
``0.1``), but not on every draw (on the first draw, shown left, no noise
scored best), and too much noise (0.2 and above, against inputs spread over
[-2, 2]) blurs the sine and scores worse than none. Like ``alpha``, the
noise level is a strength to choose by cross-validation.
"""

# %%
import os
import time
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning

from skreg import MLPRegressor

OUTPUT = Path(
    os.environ.get("SKREG_EXAMPLES_OUTPUT", Path(__file__).resolve().parent / "output")
)
QUICK = os.environ.get("SKREG_EXAMPLES_QUICK") == "1"
start = time.perf_counter()
# Every fit trains for a fixed number of epochs and ends at max_iter on purpose.
warnings.filterwarnings("ignore", category=ConvergenceWarning)

noise_levels = [0.0, 0.1, 0.3] if QUICK else [0.0, 0.05, 0.1, 0.2, 0.3]
seeds = range(2) if QUICK else range(8)
n_epochs = 300 if QUICK else 2000


def truth(x):
    return np.sin(3 * x) + 0.5 * x


# %%
scores = np.empty((len(seeds), len(noise_levels)))
grid = np.linspace(-2, 2, 400)
fits = {}
for i, seed in enumerate(seeds):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-2, 2, size=20)
    y = truth(x) + 0.3 * rng.normal(size=x.size)
    y_test = truth(grid) + 0.3 * rng.normal(size=grid.size)
    for j, noise in enumerate(noise_levels):
        net = MLPRegressor(
            hidden_layer_sizes=(128, 128),
            penalty=None,
            input_noise=noise,
            learning_rate_init=3e-3,
            batch_size=20,
            max_iter=n_epochs,
            n_iter_no_change=float("inf"),
            random_state=seed,
        ).fit(x[:, None], y)
        scores[i, j] = net.score(grid[:, None], y_test)
        if i == 0:
            fits[noise] = net.predict(grid[:, None])
            first_draw = x, y
for j, noise in enumerate(noise_levels):
    print(
        f"input_noise={noise:<4}: test R^2 mean {scores[:, j].mean():.3f} over "
        f"{len(seeds)} draws (first draw {scores[0, j]:.3f})"
    )

# %%
fig, (ax_fit, ax_score) = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
x, y = first_draw
ax_fit.plot(grid, truth(grid), color="k", linewidth=2, label="truth")
ax_fit.scatter(x, y, color="k", zorder=3, label="20 training points")
for j, noise in enumerate(noise_levels):
    if noise in (noise_levels[0], noise_levels[2], noise_levels[-1]):
        ax_fit.plot(
            grid,
            fits[noise],
            color=f"C{j}",
            label=f"input_noise={noise} (test R$^2$ {scores[0, j]:.2f})",
        )
ax_fit.set(xlabel="x", ylabel="y", title="fits on the first draw")
ax_fit.legend(fontsize="small")
for i in range(len(seeds)):
    ax_score.plot(noise_levels, scores[i], color="0.75", marker=".")
ax_score.plot(noise_levels, scores.mean(axis=0), color="C3", marker="o", label="mean")
ax_score.set(
    xlabel="input_noise (standard deviation)",
    ylabel="test R$^2$",
    title=f"{len(seeds)} draws of the data (grey)",
)
ax_score.legend()

OUTPUT.mkdir(parents=True, exist_ok=True)
path = OUTPUT / "plot_input_noise.png"
fig.savefig(path, dpi=80)
print(f"saved {path} ({time.perf_counter() - start:.1f} s)")
