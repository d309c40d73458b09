"""
======================================================
Dropout against overfitting: learning curves
======================================================

A network much larger than its data (two hidden layers of 128 units, 200
training samples, 20 inputs) is trained without any weight penalty
(``penalty=None``), with ``dropout=0`` (none), ``0.2`` and ``0.5``. The
training and test mean squared errors are recorded after every epoch by
calling ``partial_fit`` once per epoch (successive ``partial_fit`` calls
continue the same optimizer state, so this is ordinary training with a look
at the test set in between).

What to look for: without dropout the training error goes to almost 0 and
the test error turns upward after a few epochs (overfitting). With dropout
the training error stays higher (the network cannot memorize through
randomly dropped units) and the test error rises much less. When this was
written the final test MSE was 2.82 without dropout, 2.46 with 0.2 and 2.42
with 0.5 on this data draw, and dropout lowered the final test error on each
of 4 data draws tried. The noise variance is 1.0, so all three are still far
from the best possible predictor: dropout limits overfitting, it does not
create the missing data.
"""

# %%
import os
import time
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import mean_squared_error

from skreg import MLPRegressor

OUTPUT = Path(
    os.environ.get("SKREG_EXAMPLES_OUTPUT", Path(__file__).resolve().parent / "output")
)
QUICK = os.environ.get("SKREG_EXAMPLES_QUICK") == "1"
start = time.perf_counter()

# %%
# 200 training samples, 2000 test samples from the same distribution.
rng = np.random.default_rng(0)
n_train, n_features = 200, 20
X = rng.normal(size=(n_train + 2000, n_features))
y = X[:, 0] + np.sin(2 * X[:, 1]) + X[:, 2] * X[:, 3] + rng.normal(size=len(X))
X_train, y_train, X_test, y_test = X[:n_train], y[:n_train], X[n_train:], y[n_train:]

# %%
# One partial_fit call per epoch, recording both errors.
n_epochs = 30 if QUICK else 200
rates = [0.0, 0.5] if QUICK else [0.0, 0.2, 0.5]
curves = {}
for rate in rates:
    net = MLPRegressor(
        hidden_layer_sizes=(128, 128),
        penalty=None,
        dropout=rate,
        batch_size=20,
        random_state=0,
    )
    train_mse, test_mse = [], []
    for _ in range(n_epochs):
        net.partial_fit(X_train, y_train)
        train_mse.append(mean_squared_error(y_train, net.predict(X_train)))
        test_mse.append(mean_squared_error(y_test, net.predict(X_test)))
    curves[rate] = train_mse, test_mse
    print(
        f"dropout={rate}: final train MSE {train_mse[-1]:.3f}, final test MSE "
        f"{test_mse[-1]:.3f}, lowest test MSE {min(test_mse):.3f} "
        f"(epoch {int(np.argmin(test_mse)) + 1})"
    )

# %%
fig, (ax_train, ax_test) = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
epochs = np.arange(1, n_epochs + 1)
for i, (rate, (train_mse, test_mse)) in enumerate(curves.items()):
    ax_train.plot(epochs, train_mse, color=f"C{i}", label=f"dropout={rate}")
    ax_test.plot(epochs, test_mse, color=f"C{i}", label=f"dropout={rate}")
ax_train.set_yscale("log")
ax_train.set(xlabel="epoch", ylabel="MSE", title="training error")
ax_test.axhline(1.0, color="0.5", linestyle=":", label="noise variance")
ax_test.set(xlabel="epoch", ylabel="MSE", title="test error")
ax_test.legend()
ax_train.legend()

OUTPUT.mkdir(parents=True, exist_ok=True)
path = OUTPUT / "plot_dropout.png"
fig.savefig(path, dpi=80)
print(f"saved {path} ({time.perf_counter() - start:.1f} s)")
