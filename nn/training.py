"""The training loop: ``fit`` (Keras-style, returning a ``History``), ``evaluate``, ``predict`` and the metrics.

One loop serves both levels. A model whose parameters are ``Value``s (the scalar ``MLP``) is called
once per sample with a list of floats, and its outputs are handed to the loss as a list of rows
(slow, as the scalar level is, but the same maths); any other model (``Sequential`` of ``Linear`` ...)
is called once per mini-batch with a ``Tensor`` in the dtype of its parameters. Data goes in as
numpy arrays; everything that comes back (losses, metrics, predictions) is plain floats and arrays.

Conventions (Keras's): the training ``loss`` and metrics of an epoch are averaged over the batches
of that epoch as they were trained (so they lag the end-of-epoch weights a little); ``val_*`` entries
are computed on the validation data with the weights at the end of the epoch, in eval mode.
"""
from __future__ import annotations

import functools
import math
from typing import Any, Callable, Iterable, Optional, Sequence, Union

import numpy as np

from autograd_core import Tensor, Value, no_grad

from . import functional, losses, optim
from .data import DataLoader, check_finite
from .seeding import SeedLike

LossFn = Callable[[Any, Any], Any]
Metric = Union[str, Callable[[np.ndarray, np.ndarray], float]]

# Losses fit accepts by name: each is the function of the same name in nn.functional.
LOSS_NAMES = ("mse", "mae", "huber", "binary_cross_entropy", "binary_cross_entropy_with_logits",
              "cross_entropy", "nll", "hinge", "perceptron_criterion")
# Losses whose prediction is a score with its decision boundary at 0 (not a probability at 0.5).
_SCORE_LOSSES = ("binary_cross_entropy_with_logits", "hinge", "perceptron_criterion")
_SCORE_LOSS_MODULES = (losses.BCEWithLogitsLoss, losses.HingeLoss, losses.PerceptronLoss)
OPTIMIZER_NAMES = {"sgd": optim.SGD, "rmsprop": optim.RMSprop, "adam": optim.Adam, "adamw": optim.AdamW}


# ----------------------------------------------------------------------------- metrics
def binary_accuracy(y_true: object, y_pred: object, threshold: float = 0.5) -> float:
    """Fraction of outputs on the right side of ``threshold``: predicted positive where ``y_pred > threshold``.

    A target counts as positive when it is > 0.5 (labels 0/1) — so with labels -1/+1 and scores,
    pass ``threshold=0.0``. Every output is judged on its own (multi-label outputs are averaged).
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.size != y_pred.size:
        raise ValueError(f"binary_accuracy: {y_pred.size} predictions for {y_true.size} targets; give one each.")
    return float(np.mean((y_pred.ravel() > threshold) == (y_true.ravel() > 0.5)))


def accuracy(y_true: object, y_pred: object, threshold: Optional[float] = None) -> float:
    """Fraction of samples whose predicted class is the true class.

    - Several outputs per sample (logits or probabilities, shape (n, k), k > 1): the class is the
      arg-max; ``y_true`` holds integer labels (n,) or one-hot rows (n, k).
    - One output per sample (shape (n,) or (n, 1)): the class is positive where the output is above
      ``threshold``. By default the threshold is 0.0 when the labels are -1/+1 (the sign of a hinge or
      tanh score) and 0.5 when they are 0/1 (a sigmoid probability); ``fit`` passes 0.0 for losses on
      logits (``binary_cross_entropy_with_logits``, ``hinge``, ``perceptron_criterion``).
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if len(y_true) != len(y_pred):
        raise ValueError(f"accuracy: {len(y_pred)} predictions for {len(y_true)} samples; give one per sample.")
    if y_pred.ndim == 2 and y_pred.shape[1] > 1:
        labels = y_true.argmax(axis=1) if y_true.ndim == 2 else y_true
        return float(np.mean(y_pred.argmax(axis=1) == labels))
    if threshold is None:
        threshold = 0.0 if np.any(y_true < 0) else 0.5
    return binary_accuracy(y_true, y_pred, threshold)


METRICS: dict[str, Callable[..., float]] = {"accuracy": accuracy, "binary_accuracy": binary_accuracy}


def _resolve_metrics(metrics: Optional[Sequence[Metric]], loss: Any) -> dict[str, Callable]:
    """Name -> function(y_true, y_pred); the accuracy metrics get the threshold that suits the loss."""
    on_scores = loss in _SCORE_LOSSES or isinstance(loss, _SCORE_LOSS_MODULES)
    resolved = {}
    for metric in metrics or ():
        if isinstance(metric, str):
            if metric not in METRICS:
                raise ValueError(f"unknown metric {metric!r}; use one of {sorted(METRICS)} or a function "
                                 "metric(y_true, y_pred) -> float.")
            fn = METRICS[metric]
            resolved[metric] = functools.partial(fn, threshold=0.0) if on_scores else fn
        elif callable(metric):
            resolved[getattr(metric, "__name__", type(metric).__name__)] = metric
        else:
            raise TypeError(f"metrics entries must be names or functions; got {type(metric).__name__}.")
    return resolved


def _resolve_loss(loss: Union[str, LossFn]) -> LossFn:
    if isinstance(loss, str):
        if loss not in LOSS_NAMES:
            raise ValueError(f"unknown loss {loss!r}; use one of {', '.join(LOSS_NAMES)} or a function "
                             "loss(prediction, target) returning a scalar Value/Tensor.")
        return getattr(functional, loss)
    if callable(loss):
        return loss
    raise TypeError(f"loss must be a name or a function loss(prediction, target); got {type(loss).__name__}.")


# ----------------------------------------------------------------------------- model kinds
class _Runner:
    """How to feed one kind of model: forward a batch, give the loss its inputs, read outputs as numbers."""

    def __init__(self, model: Any) -> None:
        self.model = model

    def forward(self, X: np.ndarray) -> Any:
        raise NotImplementedError

    def target(self, outputs: Any, y: np.ndarray) -> Any:
        return y

    def numbers(self, outputs: Any) -> np.ndarray:
        raise NotImplementedError


class _ScalarRunner(_Runner):
    """A model of Values: one call per sample with a list of floats; outputs become rows of Values."""

    def forward(self, X: np.ndarray) -> list[list[Value]]:
        if X.ndim != 2:
            raise ValueError(f"a scalar model takes one list of numbers per sample: X must be 2-D (samples, "
                             f"features), got shape {X.shape}.")
        rows = []
        for sample in X.tolist():
            out = self.model(sample)
            rows.append(list(out) if isinstance(out, (list, tuple)) else [out])
        return rows

    def numbers(self, outputs: list[list[Value]]) -> np.ndarray:
        return np.array([[v.data for v in row] for row in outputs], dtype=np.float64)


class _TensorRunner(_Runner):
    """A model of Tensors: one call per batch with a Tensor in the parameters' dtype."""

    def __init__(self, model: Any, dtype: np.dtype) -> None:
        super().__init__(model)
        self.dtype = dtype

    def forward(self, X: np.ndarray) -> Tensor:
        return self.model(Tensor(X.astype(self.dtype, copy=False)))

    def target(self, outputs: Tensor, y: np.ndarray) -> np.ndarray:
        """A label vector (n,) becomes a column (n, 1) when the model has one output column."""
        if outputs.ndim == 2 and outputs.shape[1] == 1 and y.ndim == 1:
            return y.reshape(-1, 1)
        return y

    def numbers(self, outputs: Tensor) -> np.ndarray:
        return outputs.data


def _runner(model: Any) -> _Runner:
    parameters = list(model.parameters()) if hasattr(model, "parameters") else []
    if not parameters:
        raise TypeError(f"{type(model).__name__} has no parameters(); fit/evaluate/predict take an nn model "
                        "such as nn.MLP(...) or nn.Sequential(...).")
    if isinstance(parameters[0], Value):
        return _ScalarRunner(model)
    floating = [p.data.dtype for p in parameters if np.issubdtype(p.data.dtype, np.floating)]
    return _TensorRunner(model, floating[0] if floating else np.dtype(np.float64))


def _set_mode(model: Any, training: bool) -> None:
    if hasattr(model, "train"):
        model.train(training)


def _loss_value(loss: Any) -> float:
    """The loss as a float, or an error saying the loss function must return one number."""
    if isinstance(loss, (Value, Tensor)) and np.size(loss.data) == 1:
        return float(loss.item())
    raise TypeError(f"the loss function must return one number as a Value or a one-element Tensor "
                    f"(use reduction='mean'); got {type(loss).__name__} {getattr(loss, 'shape', '')}.")


def _as_arrays(X: object, y: object, what: str) -> tuple[np.ndarray, np.ndarray]:
    """X and y as arrays of the same length, free of nan/inf (named here, not as a nan loss epochs later)."""
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim == 0 or y.ndim == 0 or len(X) != len(y) or len(X) == 0:
        raise ValueError(f"{what}: X and y must hold the same number (> 0) of samples; got shapes {X.shape} and "
                         f"{y.shape}.")
    return check_finite(X, f"{what} X"), check_finite(y, f"{what} y")


def _batches(n: int, batch_size: Optional[int]) -> Iterable[slice]:
    """Consecutive row ranges of ``batch_size`` (all ``n`` rows at once for None)."""
    if batch_size is not None and (isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1):
        raise ValueError(f"batch_size={batch_size!r} is invalid; give a whole number >= 1, or None for all samples.")
    size = batch_size or n
    return (slice(start, start + size) for start in range(0, n, size))


# ----------------------------------------------------------------------------- evaluate / predict
def predict(model: Any, X: object, batch_size: Optional[int] = None) -> np.ndarray:
    """The model's outputs for ``X`` as a numpy array (eval mode, no graph recorded).

    A scalar MLP's outputs come back as rows ``(n, outputs)``, like a tensor model's.
    """
    runner = _runner(model)
    X = np.asarray(X)
    if X.ndim == 0 or len(X) == 0:
        raise ValueError(f"predict: X must hold at least one sample; got shape {X.shape}.")
    _set_mode(model, False)
    with no_grad():
        parts = [runner.numbers(runner.forward(X[rows])) for rows in _batches(len(X), batch_size)]
    return np.concatenate(parts)


def evaluate(model: Any, X: object, y: object, loss: Union[str, LossFn] = "cross_entropy",
             metrics: Optional[Sequence[Metric]] = ("accuracy",), batch_size: Optional[int] = None) -> dict[str, float]:
    """The mean loss and each metric on ``(X, y)``: ``{"loss": ..., "accuracy": ...}`` (eval mode, no graph)."""
    runner, loss_fn = _runner(model), _resolve_loss(loss)
    X, y = _as_arrays(X, y, "evaluate")
    _set_mode(model, False)
    return _evaluate(runner, loss_fn, _resolve_metrics(metrics, loss), X, y, batch_size)


def _evaluate(runner: _Runner, loss_fn: LossFn, metric_fns: dict, X: np.ndarray, y: np.ndarray,
              batch_size: Optional[int]) -> dict[str, float]:
    total, outputs = 0.0, []
    with no_grad():
        for rows in _batches(len(X), batch_size):
            out = runner.forward(X[rows])
            total += _loss_value(loss_fn(out, runner.target(out, y[rows]))) * len(y[rows])
            outputs.append(runner.numbers(out))
    predictions = np.concatenate(outputs)
    return {"loss": total / len(X), **{name: fn(y, predictions) for name, fn in metric_fns.items()}}


# ----------------------------------------------------------------------------- history and callbacks
class History(dict):
    """What ``fit`` recorded, one entry per epoch: ``history["loss"]``, ``history["val_accuracy"][-1]`` ...

    A dict from names (``loss``, each metric, and their ``val_`` twins) to lists of floats, with
    ``epochs`` (how many ran) and ``stopped_epoch`` (the epoch, from 1, at which a callback such as
    early stopping ended training; None if it ran to the end).
    """

    def __init__(self) -> None:
        super().__init__()
        self.epochs = 0
        self.stopped_epoch: Optional[int] = None

    def record(self, logs: dict[str, float]) -> None:
        """Append one epoch's entries (``fit`` calls this once per epoch)."""
        for name, number in logs.items():
            self.setdefault(name, []).append(number)
        self.epochs += 1

    def __repr__(self) -> str:
        last = ", ".join(f"{name}={values[-1]:.4g}" for name, values in self.items())
        return f"History(epochs={self.epochs}, last: {last})"


class Callback:
    """Hooks ``fit`` calls; return True from ``on_epoch_end`` to stop training after that epoch."""

    def on_train_begin(self, model: Any) -> None:
        """Called once before the first epoch."""

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> Optional[bool]:
        """Called after each epoch (counted from 1) with that epoch's entries."""
        return None

    def on_train_end(self, model: Any) -> None:
        """Called once after the last epoch."""


class _FunctionCallback(Callback):
    def __init__(self, fn: Callable[[int, dict], Optional[bool]]) -> None:
        self.fn = fn

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> Optional[bool]:
        return self.fn(epoch, logs)


class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved by more than ``min_delta`` for ``patience`` epochs.

    ``monitor`` defaults to ``val_loss`` when there is validation data, else ``loss``; a name
    containing "acc" is maximised, anything else minimised. With ``restore_best=True`` (the default)
    the weights of the best epoch are put back when training ends.
    """

    def __init__(self, patience: int = 5, monitor: Optional[str] = None, min_delta: float = 0.0,
                 restore_best: bool = True) -> None:
        if isinstance(patience, bool) or not isinstance(patience, int) or patience < 0:
            raise ValueError(f"EarlyStopping: patience={patience!r} is invalid; give a number of epochs >= 0.")
        self.patience, self.monitor, self.min_delta, self.restore_best = patience, monitor, min_delta, restore_best
        self.best: Optional[float] = None
        self.best_epoch = 0
        self._wait = 0
        self._best_state: Optional[dict] = None
        self._model: Any = None

    def on_train_begin(self, model: Any) -> None:
        self._model, self.best, self.best_epoch, self._wait, self._best_state = model, None, 0, 0, None

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> bool:
        name = self.monitor or ("val_loss" if "val_loss" in logs else "loss")
        if name not in logs:
            raise KeyError(f"EarlyStopping monitors {name!r}, which fit does not record; recorded: {sorted(logs)}.")
        sign = -1.0 if "acc" in name else 1.0  # compare as "smaller is better"
        value = sign * logs[name]
        if self.best is None or value < sign * self.best - self.min_delta:
            self.best, self.best_epoch, self._wait = logs[name], epoch, 0
            if self.restore_best:
                self._best_state = {k: np.array(v, copy=True) for k, v in self._model.state_dict().items()}
            return False
        self._wait += 1
        return self._wait >= self.patience

    def on_train_end(self, model: Any) -> None:
        if self._best_state is not None:
            model.load_state_dict(self._best_state)


def _as_callbacks(callbacks: Optional[Sequence[Any]], early_stopping: Union[None, int, EarlyStopping]
                  ) -> list[Callback]:
    found = [c if isinstance(c, Callback) else _FunctionCallback(c) for c in callbacks or ()]
    if isinstance(early_stopping, EarlyStopping):
        found.append(early_stopping)
    elif early_stopping is not None:
        found.append(EarlyStopping(patience=early_stopping))
    return found


# ----------------------------------------------------------------------------- progress
def _format(logs: dict[str, float]) -> str:
    return " - ".join(f"{name} {number:.4f}" for name, number in logs.items())


class _Progress:
    """verbose=1: a tqdm bar over all batches (plain lines if tqdm is missing); 2: one line per epoch; 0: nothing."""

    def __init__(self, verbose: int, epochs: int, batches: int) -> None:
        self.epochs, self.bar, self.lines = epochs, None, verbose >= 1
        if verbose == 1:
            try:
                from tqdm import tqdm
            except ImportError:
                return
            self.bar = tqdm(total=epochs * batches, unit="batch", dynamic_ncols=True)
            self.lines = False

    def start_epoch(self, epoch: int) -> None:
        if self.bar is not None:
            self.bar.set_description(f"epoch {epoch}/{self.epochs}", refresh=False)

    def batch_done(self, running_loss: float) -> None:
        if self.bar is not None:
            self.bar.set_postfix_str(f"loss {running_loss:.4f}", refresh=False)
            self.bar.update(1)

    def epoch_done(self, epoch: int, logs: dict[str, float]) -> None:
        if self.bar is not None:
            self.bar.set_postfix_str(_format(logs))
        elif self.lines:
            print(f"epoch {epoch}/{self.epochs} - {_format(logs)}", flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


# ----------------------------------------------------------------------------- fit
def _validation(X: np.ndarray, y: np.ndarray, validation_data: Optional[tuple], validation_split: float
                ) -> tuple[np.ndarray, np.ndarray, Optional[tuple[np.ndarray, np.ndarray]]]:
    """Keras's rule: ``validation_split`` holds out the *last* fraction of the samples, before shuffling."""
    if validation_data is not None and validation_split:
        raise ValueError("fit: give validation_data or validation_split, not both.")
    if validation_data is not None:
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
            got = type(validation_data).__name__
            if isinstance(validation_data, (tuple, list)):
                got += f" of {len(validation_data)} items"
            raise ValueError(f"fit: validation_data must be a pair (X_val, y_val); got a {got}. "
                             "Fix: validation_data=(X_val, y_val).")
        return X, y, _as_arrays(*validation_data, what="fit validation_data")
    if not validation_split:
        return X, y, None
    if not 0.0 < validation_split < 1.0:
        raise ValueError(f"fit: validation_split={validation_split!r} is invalid; give a fraction in (0, 1).")
    n_train = len(X) - math.ceil(validation_split * len(X))
    if n_train < 1:
        raise ValueError(f"fit: validation_split={validation_split} leaves no training samples of {len(X)}.")
    return X[:n_train], y[:n_train], (X[n_train:], y[n_train:])


def _optimizer(optimizer: Any, model: Any) -> Any:
    if isinstance(optimizer, str):
        if optimizer.lower() not in OPTIMIZER_NAMES:
            raise ValueError(f"unknown optimizer {optimizer!r}; use one of {sorted(OPTIMIZER_NAMES)} or an "
                             "optimiser such as nn.Adam(model.parameters(), lr=1e-3).")
        return OPTIMIZER_NAMES[optimizer.lower()](model.parameters())
    if not hasattr(optimizer, "step") or not hasattr(optimizer, "zero_grad"):
        raise TypeError(f"optimizer must be a name or an optimiser with step() and zero_grad(); got "
                        f"{type(optimizer).__name__}.")
    held = {id(p) for group in getattr(optimizer, "param_groups", ()) for p in group["params"]}
    if held and not any(id(p) in held for p in model.parameters()):
        raise ValueError(f"fit: the {type(optimizer).__name__} holds none of this model's parameters, so training "
                         "would change nothing. Fix: build it from this model, e.g. "
                         f"nn.{type(optimizer).__name__}(model.parameters(), ...).")
    return optimizer


def fit(model: Any, X: object, y: object, loss: Union[str, LossFn] = "cross_entropy", optimizer: Any = "adam",
        epochs: int = 1, batch_size: Optional[int] = 32, validation_data: Optional[tuple] = None,
        validation_split: float = 0.0, metrics: Optional[Sequence[Metric]] = None, verbose: int = 1,
        early_stopping: Union[None, int, EarlyStopping] = None, seed: SeedLike = None,
        callbacks: Optional[Sequence[Any]] = None, shuffle: bool = True, scheduler: Any = None) -> History:
    """Train ``model`` on ``(X, y)`` for ``epochs`` passes of mini-batches and return the ``History``.

    ``loss``: a name from ``LOSS_NAMES`` (the ``nn.functional`` function of that name) or a function
    ``loss(prediction, target)``. ``optimizer``: an optimiser over ``model.parameters()`` or a name
    (``"sgd"``, ``"adam"`` ... with PyTorch's defaults). ``batch_size=None`` trains on all samples at
    once (one step per epoch, as micrograd's demo). ``seed`` fixes the shuffling of every epoch.
    ``early_stopping``: a patience in epochs or an ``EarlyStopping``. ``scheduler``: a learning-rate
    schedule (``nn.schedules``), stepped after each epoch. ``callbacks``: ``Callback``s or functions
    ``fn(epoch, logs)`` that may return True to stop. ``verbose``: 0 silent, 1 progress bar, 2 a line
    per epoch.
    """
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 0:
        raise ValueError(f"fit: epochs={epochs!r} is invalid; give a whole number of passes over the data (>= 0).")
    runner, loss_fn = _runner(model), _resolve_loss(loss)
    X, y = _as_arrays(X, y, "fit")
    X, y, validation = _validation(X, y, validation_data, validation_split)
    optimizer = _optimizer(optimizer, model)
    metric_fns = _resolve_metrics(metrics, loss)
    loader = DataLoader(X, y, batch_size=len(X) if batch_size is None else batch_size, shuffle=shuffle, seed=seed)
    hooks = _as_callbacks(callbacks, early_stopping)
    history, progress = History(), _Progress(verbose, epochs, len(loader))
    for hook in hooks:
        hook.on_train_begin(model)
    try:
        for epoch in range(1, epochs + 1):
            progress.start_epoch(epoch)
            logs = _train_epoch(runner, loss_fn, optimizer, metric_fns, loader, progress)
            if validation is not None:
                _set_mode(model, False)
                scores = _evaluate(runner, loss_fn, metric_fns, *validation, batch_size)
                logs.update({f"val_{name}": number for name, number in scores.items()})
            history.record(logs)
            progress.epoch_done(epoch, logs)
            if scheduler is not None:
                scheduler.step()
            stop_requests = [bool(hook.on_epoch_end(epoch, logs)) for hook in hooks]  # every hook sees every epoch
            if any(stop_requests):
                history.stopped_epoch = epoch
                break
    finally:
        progress.close()
    for hook in hooks:
        hook.on_train_end(model)
    return history


def _train_epoch(runner: _Runner, loss_fn: LossFn, optimizer: Any, metric_fns: dict, loader: DataLoader,
                 progress: _Progress) -> dict[str, float]:
    """One pass over the loader: forward, loss, backward, step per batch; returns the epoch's averages."""
    _set_mode(runner.model, True)
    total, seen, outputs, targets = 0.0, 0, [], []
    for X_batch, y_batch in loader:
        optimizer.zero_grad()
        out = runner.forward(X_batch)
        loss = loss_fn(out, runner.target(out, y_batch))
        batch_loss = _loss_value(loss)
        if not math.isfinite(batch_loss):
            raise FloatingPointError(f"fit: the loss became {batch_loss} at a batch; lower the learning rate, "
                                     "check the data for nan/inf, or use anomaly_mode() to find the op.")
        loss.backward()
        optimizer.step()
        total, seen = total + batch_loss * len(y_batch), seen + len(y_batch)
        if metric_fns:
            outputs.append(runner.numbers(out))
            targets.append(y_batch)
        progress.batch_done(total / seen)
    logs = {"loss": total / seen}
    if metric_fns:
        predictions, labels = np.concatenate(outputs), np.concatenate(targets)
        logs.update({name: fn(labels, predictions) for name, fn in metric_fns.items()})
    return logs
