"""The parameter and attribute text of MLPRegressor and MLPClassifier.

One text for both estimators; the CV estimators reuse its network
parameters (``SHARED_PARAMETERS``).
"""

from .._docstring import class_docstring

SHARED_PARAMETERS = """\
hidden_layer_sizes : array-like of shape (n_layers - 2,), default=(100,)
    The ith element is the number of neurons in the ith hidden layer. An
    empty tuple ``()`` means no hidden layer: a penalized generalized linear
    model (see the linear special cases on the user guide's "The objective"
    page).

activation : {{'identity', 'logistic', 'tanh', 'relu'}}, default='relu'
    Activation function of the hidden layers.

solver : {{'lbfgs', 'sgd', 'adam'}}, default='adam'
    ``'adam'`` and ``'sgd'`` are minibatch methods; non-smooth penalties
    (L1, elastic net, group lasso) are applied by a proximal
    (soft-thresholding) step after each update, so weights become exactly
    0.0 (with Adam the threshold uses the per-coordinate step size).
    ``'lbfgs'`` is the full-batch solver: scipy's L-BFGS-B for smooth
    penalties (``'l2'``, ``None``), and FISTA (accelerated proximal gradient
    with backtracking and restarts) for ``'l1'``, ``'elasticnet'`` and
    ``'group_lasso'``, which reaches exact zeros; ``tol`` bounds the
    max-norm of the (composite) gradient at the solution for both.

alpha : float, default=0.0001
    Penalty strength lambda. The objective is
    ``(1/S) sum_i s_i l_i + (alpha/S) R(W)`` with ``S`` the total sample
    weight (``n_samples`` without weights), for every solver and every
    ``batch_size`` (unlike scikit-learn's MLP, whose effective strength
    depends on the batch size).

penalty : {{'l2', 'l1', 'elasticnet', 'group_lasso'}} or None, default='l2'
    ``R(W)``: ``'l2'`` is ``1/2 sum_l ||W_l||_F^2``, ``'l1'`` is
    ``sum_l sum_jk |W_l[j, k]|``, ``'elasticnet'`` is
    ``l1_ratio * R_l1 + (1 - l1_ratio) * R_l2``, and ``'group_lasso'`` is
    ``sum_j ||W_1[j, :]||_2 + 1/2 sum_(l >= 2) ||W_l||_F^2``: each input
    feature's outgoing first-layer weights form one group that is zeroed as a
    whole (feature selection; with ``hidden_layer_sizes=()`` and several
    outputs it is the multi-task lasso). Only the dense weight matrices are
    penalized, never the biases or batch-norm parameters.

l1_ratio : float, default=0.5
    Elastic-net mixing, in [0, 1]; used only with ``penalty='elasticnet'``.

batch_size : int or 'auto', default='auto'
    Minibatch size for ``'sgd'`` and ``'adam'``; ``'auto'`` is
    ``min(200, n_samples)``. Ignored by ``'lbfgs'``.

learning_rate : {{'constant', 'invscaling', 'adaptive'}}, default='constant'
    Learning-rate schedule for ``solver='sgd'``: constant; divided by
    ``(t + 1) ** power_t`` with ``t`` the number of samples seen; or divided
    by 5 each time the monitored quantity stalls for ``n_iter_no_change``
    epochs.

learning_rate_init : float, default=0.001
    Initial step size of ``'sgd'`` and ``'adam'``.

power_t : float, default=0.5
    Exponent of the ``'invscaling'`` schedule.

max_iter : int, default=200
    Maximum number of epochs (stochastic solvers) or iterations (lbfgs).

shuffle : bool, default=True
    Whether to shuffle samples in each epoch (stochastic solvers).

random_state : int, RandomState instance or None, default=None
    Seeds the initialization, the shuffling, the early-stopping split and
    every other random draw of a fit. An int reproduces a fit bit for bit.

tol : float, default=1e-4
    Improvement below which an epoch counts as no progress; for ``'lbfgs'``
    the projected-gradient tolerance.

verbose : bool or int, default=False
    Any ``verbose >= 1`` (or ``True``) prints one line per epoch on stdout,
    as scikit-learn's MLP does: the objective, the validation score with
    early stopping, and the elapsed time. ``'lbfgs'`` prints one summary
    line at the end. For a progress bar, see ``progress_bar``.

warm_start : bool, default=False
    Reuse the weights of the previous fit as the starting point.

momentum : float, default=0.9
    Momentum of ``'sgd'``, in [0, 1].

nesterovs_momentum : bool, default=True
    Use Nesterov's momentum with ``'sgd'``.

early_stopping : bool, default=False
    Hold out ``validation_fraction`` of the training data (stratified for
    single-output classification), stop when the validation score has not
    improved by more than ``tol`` for ``n_iter_no_change`` epochs, and restore
    the weights of the best epoch. Stochastic solvers only.

validation_fraction : float, default=0.1
    Fraction of the training data held out for early stopping.

beta_1 : float, default=0.9
    Adam's decay rate of the first-moment estimate, in [0, 1).

beta_2 : float, default=0.999
    Adam's decay rate of the second-moment estimate, in [0, 1).

epsilon : float, default=1e-8
    Adam's numerical-stability constant.

n_iter_no_change : int, default=10
    Epochs without improvement of more than ``tol`` before stopping.

max_fun : int, default=15000
    Maximum number of loss evaluations of ``'lbfgs'``.

dropout : float or sequence of float, default=0.0
    Inverted dropout after each hidden layer's activation: one rate for every
    hidden layer or one rate per hidden layer, each in [0, 1). In training a
    unit is kept with probability ``1 - p`` and scaled by ``1 / (1 - p)``; at
    prediction dropout is off. Needs ``solver='adam'`` or ``'sgd'``. The
    training loss is noisy under dropout, so the default stopping rule
    (``tol`` over ``n_iter_no_change`` epochs) tends to stop early: raise
    ``n_iter_no_change`` or use ``early_stopping=True``.

batch_norm : bool, default=False
    Batch normalization in every hidden layer (``Dense -> BatchNorm ->
    activation -> dropout``): batch mean and biased batch variance (+1e-5) in
    training, running statistics at prediction. Its ``gamma`` / ``beta`` are
    learned and never penalized. A final minibatch of one sample is merged
    into the previous one. With ``'lbfgs'`` (full batch) the running
    statistics are the training-set statistics.

batch_norm_momentum : float, default=0.1
    Weight of the current batch in the running statistics:
    ``running = (1 - m) * running + m * batch`` (PyTorch's convention;
    Keras's ``momentum=0.99`` means ``m = 0.01``).

input_noise : float, default=0.0
    Standard deviation of Gaussian noise added to the inputs in training
    only (noise injection); 0 turns it off. Needs ``'adam'`` or ``'sgd'``.

skip_connection : bool, default=False
    Add a linear map from the inputs (after input noise) straight to the
    outputs, beside the hidden layers, so that the model family contains the
    linear model: ``f(x) = MLP(x) + x @ skip_coef_``. Its weights start at
    zero and are penalized with the first layer's: every penalty treats them
    as weights, and ``'group_lasso'`` puts input ``j``'s first-layer row and
    skip row in one group, so an input leaves the model only when both are
    zero. Without a hidden layer the output layer already is the linear map
    and no second one is added (the linear special cases are unchanged).

input_scale : array-like of shape (n_features,) or None, default=None
    Fixed non-negative multipliers of the inputs: the network sees ``X *
    input_scale`` (column by column, in fitting and prediction, input noise
    added after), and an input scaled by 0 is unused (its first-layer and
    skip rows stay exactly 0). As the first layer acts on the scaled input,
    this is the objective on the original inputs with input ``j``'s penalty
    divided by ``input_scale[j]`` (by its square for L2): the weighted, or
    adaptive, lasso (see the Objective section of the README). ``coefs_``
    and ``skip_coef_`` act on the scaled inputs. None: every input as given.

relax : float in [0, 1] or None, default=None
    Relaxed refit (the relaxed lasso): after the fit with ``alpha``, refit
    on the inputs it selected, starting from its weights, with the weaker
    penalty ``relax * alpha`` while the inputs it left unused (zero
    first-layer and skip rows) stay exactly 0. A sparse penalty must shrink
    the informative weights to drop the noise inputs; the refit keeps the
    selection and undoes much of that shrinkage. ``0`` refits without a
    penalty on the selected inputs, ``1`` (or ``None``) is no refit. The
    fitted model keeps the full input width; ``n_iter_`` counts both fits.
    Only ``fit`` relaxes (``partial_fit`` ignores it).

mc_samples : int, default=100
    Number of Monte Carlo dropout passes used by ``predict(X,
    return_std=True)`` (regressor) and ``predict_proba(X, mc_dropout=True)``
    (classifier).

progress_bar : bool, default=False
    Show a tqdm progress bar over the epochs on stderr (``'adam'`` and
    ``'sgd'``; with ``verbose`` the epoch lines are written through it).
    Needs tqdm; without it a warning is raised and no bar is shown. The CV
    estimators and the ensembles take the same parameter for a bar over
    their fits."""

#: The classifiers' ``class_weight`` (plain and CV).
CLASS_WEIGHT_PARAMETER = """\
class_weight : dict, 'balanced' or None, default=None
    Weights of the classes, multiplying each sample's weight in the
    objective: ``{label: weight}`` (classes left out weigh 1), or
    ``'balanced'``: ``n_samples / (n_classes * np.bincount(y))`` (with
    sample weights, their sums per class), as in
    :class:`~sklearn.linear_model.LogisticRegression`, which it equals with
    ``hidden_layer_sizes=()``, ``penalty='l2'`` and ``C=1/alpha``. Not for
    multilabel targets; ``partial_fit`` takes a dict only (one call cannot
    know the class frequencies)."""

SHARED_ATTRIBUTES = """\
feature_importances_ : ndarray of shape (`n_features_in_`,)
    Euclidean norm of each input feature's row of first-layer weights (with
    its skip row), times its ``input_scale``: the norm of the weights acting
    on the original input; exactly 0 when the feature is unused (usable by
    ``SelectFromModel``).

n_features_selected_ : int
    Number of input features with a non-zero first-layer row.

sparsity_ : float
    Fraction of all dense weights that are exactly 0.0.

skip_coef_ : ndarray of shape (`n_features_in_`, `n_outputs_`)
    Weights of the linear map from the inputs to the outputs (only with
    ``skip_connection=True`` and at least one hidden layer).

loss_ : float
    The objective ``J`` (data term plus penalty): the last epoch's value in
    ``loss_curve_`` for stochastic solvers, the final value for ``'lbfgs'``.

best_loss_ : float or None
    Minimum of ``loss_curve_``; ``None`` with early stopping.

loss_curve_ : list of float
    ``J`` of each epoch (stochastic solvers only): the data term accumulated
    over the epoch's minibatches (with dropout and noise active) plus the
    penalty at the epoch's end.

validation_scores_ : list of float or None
    Validation score of each epoch with early stopping, else ``None``.

best_validation_score_ : float or None
    Best validation score with early stopping, else ``None``.

t_ : int
    Number of training samples seen by the solver.

coefs_ : list of ndarray of shape (n_in, n_out)
    Weight matrix of each layer.

intercepts_ : list of ndarray of shape (n_out,)
    Bias vector of each layer.

batch_norm_gamma_, batch_norm_beta_ : list of ndarray of shape (n_units,)
    Learned batch-norm scale and shift of each hidden layer (only with
    ``batch_norm=True``).

batch_norm_running_mean_, batch_norm_running_var_ : list of ndarray
    Running statistics of each hidden layer used at prediction (only with
    ``batch_norm=True``).

n_iter_ : int
    Number of epochs (stochastic solvers) or iterations (lbfgs) run.

n_layers_ : int
    Number of layers, input and output included.

n_outputs_ : int
    Number of outputs.

out_activation_ : str
    Name of the output link."""


def mlp_docstring(summary: str, **sections) -> str:
    """The numpydoc class docstring of a plain estimator: ``sections`` are
    :func:`~skreg._docstring.class_docstring`'s (``extra_parameters``,
    ``extra_attributes``, ``see_also``, ``examples``, ``order``)."""
    return class_docstring(
        summary,
        parameters=[SHARED_PARAMETERS.format()],
        attributes=[SHARED_ATTRIBUTES],
        **sections,
    )
