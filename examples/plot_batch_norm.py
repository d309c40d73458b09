"""
==========================================
Batch normalization and training speed
==========================================

A deep, narrow classifier (four hidden layers of 64 ReLU units) is trained on
scikit-learn's handwritten digits with SGD (momentum 0.9) at two learning
rates, with and without ``batch_norm=True``. Every run trains for the same
60 epochs, so the curves compare the training loss epoch by epoch; each
configuration is trained with 3 seeds for the held-out accuracy.

What to look for: with batch normalization the training loss falls much
faster per epoch. When this was written it went below 0.1 after 7 epochs
instead of 14 at ``learning_rate_init=0.01``, and after 3 instead of 14 at
``0.1``. Each epoch costs somewhat more time with batch norm (the script
prints the wall-clock time of each fit), so per second the gain is smaller
than per epoch.

Held-out accuracy: on this data set and network batch norm also scored
higher, by about one point (mean over 3 seeds 0.967 -> 0.980 at
``learning_rate_init=0.01`` and 0.975 -> 0.986 at ``0.1``; every seed with
batch norm above every seed without at the lower rate). That is one data
set, one architecture and a fixed budget of epochs: the dependable effect
of batch norm is faster, steadier training. Whether it improves the score on
your problem is a question for cross-validation.
"""

# %%
import os
import time
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from skreg import MLPClassifier

OUTPUT = Path(
    os.environ.get("SKREG_EXAMPLES_OUTPUT", Path(__file__).resolve().parent / "output")
)
QUICK = os.environ.get("SKREG_EXAMPLES_QUICK") == "1"
start = time.perf_counter()
# Runs that train for a fixed number of epochs end at max_iter on purpose.
warnings.filterwarnings("ignore", category=ConvergenceWarning)

# %%
X, y = load_digits(return_X_y=True)
X = X / 16.0  # pixel intensities in [0, 1]
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.3, stratify=y, random_state=0
)
n_epochs = 10 if QUICK else 60
learning_rates = [0.01] if QUICK else [0.01, 0.1]
seeds = [0] if QUICK else [0, 1, 2]

# %%
# ``n_iter_no_change=inf`` turns the convergence test off: every run trains
# ``n_epochs`` epochs, so the curves are comparable epoch by epoch.
runs, accuracies = {}, {}
for lr in learning_rates:
    for batch_norm in (False, True):
        accuracies[lr, batch_norm] = []
        for seed in seeds:
            net = MLPClassifier(
                hidden_layer_sizes=(64, 64, 64, 64),
                solver="sgd",
                learning_rate_init=lr,
                batch_size=64,
                batch_norm=batch_norm,
                max_iter=n_epochs,
                n_iter_no_change=float("inf"),
                random_state=seed,
            )
            t0 = time.perf_counter()
            net.fit(X_train, y_train)
            seconds = time.perf_counter() - t0
            accuracies[lr, batch_norm].append(net.score(X_test, y_test))
            if seed == seeds[0]:
                runs[lr, batch_norm] = net
                below = [i + 1 for i, loss in enumerate(net.loss_curve_) if loss < 0.1]
                print(
                    f"lr={lr:<5} batch_norm={batch_norm!s:<5}: loss < 0.1 after "
                    f"{below[0] if below else '-'} epochs, final loss "
                    f"{net.loss_:.4f}, {seconds:.1f} s (seed {seed})"
                )
        scores = np.array(accuracies[lr, batch_norm])
        print(
            f"{'':27}test accuracy over {len(seeds)} seed(s): mean "
            f"{scores.mean():.3f} (min {scores.min():.3f}, max {scores.max():.3f})"
        )

# %%
fig, (ax_loss, ax_acc) = plt.subplots(
    1, 2, figsize=(10, 4), layout="constrained", width_ratios=[2, 1]
)
labels = []
for i, ((lr, batch_norm), net) in enumerate(runs.items()):
    label = f"lr={lr}, " + ("batch norm" if batch_norm else "no batch norm")
    ax_loss.plot(
        range(1, len(net.loss_curve_) + 1),
        net.loss_curve_,
        color=f"C{i // 2}",
        linestyle="-" if batch_norm else "--",
        label=label,
    )
    scores = accuracies[lr, batch_norm]
    ax_acc.barh(i, np.mean(scores), color=f"C{i // 2}", alpha=0.35 + 0.4 * batch_norm)
    ax_acc.plot(scores, [i] * len(scores), "k.", label="one seed" if i == 0 else None)
    labels.append(label)
ax_loss.set_yscale("log")
ax_loss.set(xlabel="epoch", ylabel="training loss", title="training loss per epoch")
ax_loss.legend()
ax_acc.set_yticks(range(len(labels)), labels)
ax_acc.set_xlim(0.9, 1.0)
ax_acc.set(xlabel="test accuracy", title="held-out accuracy (bar: mean)")
ax_acc.legend(loc="lower left")

OUTPUT.mkdir(parents=True, exist_ok=True)
path = OUTPUT / "plot_batch_norm.png"
fig.savefig(path, dpi=80)
print(f"saved {path} ({time.perf_counter() - start:.1f} s)")
