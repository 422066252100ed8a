"""Activations, losses and penalties as plain functions, on ``Value``s and ``Tensor``s alike.

Activations apply elementwise to a ``Value``, a ``Tensor``, or a (nested) list of Values; a
number becomes a ``Value`` and a numpy array a ``Tensor``. ``softmax``/``log_softmax`` take a
Tensor (any axis) or a list of Values (one sample; a list of lists is a batch).

Losses take ``(prediction, target, reduction="mean")`` and follow PyTorch's definitions, so their
values match ``torch.nn.functional`` to float precision. ``reduction`` is ``"mean"`` (average over
elements, or over samples for the classification losses), ``"sum"`` or ``"none"`` (one loss per
element/sample). At the tensor level the prediction is a Tensor and the target a Tensor, array or
list of the same shape (class losses: integer labels of shape (N,) or one-hot rows of shape (N, C)).
At the scalar level the prediction is a Value or a list of Values and the target a number or a
list of numbers; ``"none"`` then returns a list.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence, Union

import numpy as np

from autograd_core import Tensor, Value, dot, where
from autograd_core.value import is_real_number

from .seeding import SeedLike, resolve_rng

Node = Union[Value, Tensor]
REDUCTIONS = ("mean", "sum", "none")
_LOG_FLOOR = -100.0  # binary_cross_entropy clamps log(p) and log(1 - p) here, as PyTorch does


# ----------------------------------------------------------------------------- activations
def _elementwise(x: Any, apply: Callable[[Node], Node], name: str) -> Any:
    """``apply`` on a Value or Tensor, mapped over (nested) lists; numbers and arrays are wrapped first."""
    if isinstance(x, (Value, Tensor)):
        return apply(x)
    if isinstance(x, (list, tuple)):
        return [_elementwise(item, apply, name) for item in x]
    if isinstance(x, np.ndarray):
        return apply(Tensor(x))
    if is_real_number(x):
        return apply(Value(x))
    raise TypeError(f"{name}: expected a Value, a Tensor, a list of Values, a number or an array; "
                    f"got {type(x).__name__}.")


def relu(x: Any) -> Any:
    """max(0, x)."""
    return _elementwise(x, lambda v: v.relu(), "relu")


def leaky_relu(x: Any, negative_slope: float = 0.01) -> Any:
    """x for x > 0, negative_slope * x otherwise."""
    return _elementwise(x, lambda v: v.leaky_relu(negative_slope), "leaky_relu")


def elu(x: Any, alpha: float = 1.0) -> Any:
    """x for x > 0, alpha * (e^x - 1) otherwise."""
    return _elementwise(x, lambda v: v.elu(alpha), "elu")


def selu(x: Any) -> Any:
    """scale * elu(x, alpha) with the self-normalising constants (scale 1.0507, alpha 1.6733)."""
    return _elementwise(x, lambda v: v.selu(), "selu")


def sigmoid(x: Any) -> Any:
    """1 / (1 + e^-x)."""
    return _elementwise(x, lambda v: v.sigmoid(), "sigmoid")


def tanh(x: Any) -> Any:
    """(e^x - e^-x) / (e^x + e^-x)."""
    return _elementwise(x, lambda v: v.tanh(), "tanh")


def softplus(x: Any, beta: float = 1.0) -> Any:
    """log(1 + e^(beta x)) / beta, a smooth relu (computed without overflow)."""
    if beta == 1.0:
        return _elementwise(x, lambda v: v.softplus(), "softplus")
    return _elementwise(x, lambda v: (v * beta).softplus() * (1.0 / beta), "softplus")


def step(x: Any) -> Any:
    """Heaviside step: 1 for x > 0 else 0, with the straight-through gradient 1 (the perceptron's unit)."""
    return _elementwise(x, lambda v: v.step(), "step")


def identity(x: Any) -> Any:
    """x itself (no node)."""
    return x


def softmax(x: Any, axis: int = -1) -> Any:
    """exp(x_i) / sum_j exp(x_j) along ``axis``, shifted by the max so large inputs do not overflow."""
    if isinstance(x, (Tensor, np.ndarray)):
        return _as_tensor(x).softmax(axis=axis)
    return _per_sample(x, axis, _softmax_values, "softmax")


def log_softmax(x: Any, axis: int = -1) -> Any:
    """x_i - log(sum_j exp(x_j)) along ``axis``, computed stably (the input of ``nll``)."""
    if isinstance(x, (Tensor, np.ndarray)):
        return _as_tensor(x).log_softmax(axis=axis)
    return _per_sample(x, axis, _log_softmax_values, "log_softmax")


def _as_tensor(x: Any, dtype: Any = None) -> Tensor:
    """A numpy array becomes a constant Tensor (as the activations do, in ``dtype`` if given); a Tensor stays itself."""
    return x if isinstance(x, Tensor) else Tensor(x, dtype=dtype)


def _per_sample(x: Any, axis: int, fn: Callable[[list], list], name: str) -> list:
    """Apply ``fn`` to one sample (a list of Values) or to each row of a batch (a list of lists)."""
    if not isinstance(x, (list, tuple)) or not x or (isinstance(x[0], (list, tuple)) and not all(x)):
        raise TypeError(f"{name}: expected a Tensor, an array, or a non-empty list of Values (one sample) or of "
                        f"such lists (a batch); got {type(x).__name__} {x!r:.60}.")
    batch = isinstance(x[0], (list, tuple))
    if axis not in (-1, 1 if batch else 0):
        raise ValueError(f"{name}: a list of Values is normalised along its last axis; pass axis=-1 "
                         "(or use a Tensor for other axes).")
    return [fn(row) for row in x] if batch else fn(x)


def _shifted(values: Sequence[Any]) -> list[Value]:
    """x_i - max(x): the same softmax, and exp never overflows."""
    shift = max(float(v) for v in values)
    return [v - shift for v in values]


def _softmax_values(values: Sequence[Any]) -> list[Value]:
    exps = [s.exp() for s in _shifted(values)]
    total = _total(exps)
    return [e / total for e in exps]


def _log_softmax_values(values: Sequence[Any]) -> list[Value]:
    shifted = _shifted(values)
    log_total = _total([s.exp() for s in shifted]).log()
    return [s - log_total for s in shifted]


def _total(nodes: Sequence[Any]) -> Any:
    """The sum of a non-empty list of nodes, started from the first (``sum()`` would add a ``0 +`` node)."""
    return sum(nodes[1:], nodes[0])


def prelu(x: Tensor, weight: Tensor) -> Tensor:
    """x for x > 0, weight * x otherwise; ``weight`` has one slope or one per channel (axis 1)."""
    if x.ndim > 2 and weight.size > 1:
        weight = weight.reshape(-1, *([1] * (x.ndim - 2)))
    return where(x.data > 0, x, x * weight)


def dropout(x: Tensor, p: float = 0.5, training: bool = True, generator: SeedLike = None) -> Tensor:
    """Inverted dropout: zero each element with probability ``p`` and scale the rest by 1 / (1 - p).

    So the expected value is unchanged and evaluation (``training=False``) is the identity.
    """
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout: p must be a probability in [0, 1], got {p!r}.")
    if not training or p == 0.0:
        return x
    if p == 1.0:
        return x * 0.0
    keep = 1.0 - p
    mask = resolve_rng(generator).random(x.shape) < keep
    return x * (mask / keep).astype(x.dtype)


# ----------------------------------------------------------------------------- reductions and targets
def check_reduction(reduction: str) -> None:
    """Refuse an unknown ``reduction`` up front (losses and loss modules share this check)."""
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be one of {', '.join(map(repr, REDUCTIONS))}; got {reduction!r}.")


def _reduce(losses: Any, reduction: str) -> Any:
    """Mean, sum or keep the per-element losses (a Tensor, a list of Values, or a single Value)."""
    if isinstance(losses, Tensor):
        return losses if reduction == "none" else losses.mean() if reduction == "mean" else losses.sum()
    if isinstance(losses, Value) or reduction == "none":
        return losses
    total = _total(losses)
    return total / len(losses) if reduction == "mean" else total


def _flat(x: Any) -> list:
    """A (nested) list, array or single item as one flat list."""
    if isinstance(x, np.ndarray):
        return x.ravel().tolist()
    if isinstance(x, (list, tuple)):
        return [item for part in x for item in _flat(part)]
    return [x]


def _numbers(x: Any, name: str, what: str) -> np.ndarray:
    """A prediction's or target's numbers as float64 (from a Tensor, Value, array or (nested) list), or an error."""
    try:
        return np.asarray(x.data if isinstance(x, (Tensor, Value)) else x, dtype=np.float64)  # Values via float()
    except (TypeError, ValueError):
        raise ValueError(f"{name}: the {what} must be numbers; got {x!r:.80}. Fix: convert them, e.g. "
                         "np.asarray(y, dtype=float) (class names become integers with np.unique(y, "
                         "return_inverse=True)[1]).") from None


def _tensor_target(prediction: Tensor, target: Any, name: str) -> Tensor:
    """The target as a Tensor of the prediction's shape and dtype (a Tensor target keeps its graph)."""
    if not isinstance(target, Tensor):
        target = Tensor(_numbers(target, name, "targets").astype(prediction.dtype, copy=False))
    if target.shape != prediction.shape:
        raise ValueError(f"{name}: prediction shape {prediction.shape} != target shape {target.shape}. Fix: give "
                         "them one shape, e.g. y.reshape(-1, 1) for a (N, 1) output or prediction.reshape(-1).")
    return target


def _elementwise_loss(prediction: Any, target: Any, term: Callable[[Any, Any], Any], reduction: str,
                      name: str) -> Any:
    """``term(p, t)`` on every element (Tensor in one go, Values pair by pair), then reduced."""
    check_reduction(reduction)
    if isinstance(prediction, Tensor):
        return _reduce(term(prediction, _tensor_target(prediction, target, name)), reduction)
    predictions, targets = _flat(prediction), _flat(target)
    if len(predictions) != len(targets):
        raise ValueError(f"{name}: {len(predictions)} predictions but {len(targets)} targets; give one target each.")
    losses = [term(p if isinstance(p, Value) else Value(p), t) for p, t in zip(predictions, targets)]
    return losses[0] if isinstance(prediction, Value) else _reduce(losses, reduction)


# ----------------------------------------------------------------------------- regression losses
def mse(prediction: Any, target: Any, reduction: str = "mean") -> Any:
    """Mean squared error: (p - t)^2 per element."""
    return _elementwise_loss(prediction, target, lambda p, t: (p - t) ** 2, reduction, "mse")


def mae(prediction: Any, target: Any, reduction: str = "mean") -> Any:
    """Mean absolute error (L1 loss): |p - t| per element."""
    return _elementwise_loss(prediction, target, lambda p, t: (p - t).abs(), reduction, "mae")


def huber(prediction: Any, target: Any, delta: float = 1.0, reduction: str = "mean") -> Any:
    """0.5 d^2 where |d| < delta, else delta * (|d| - delta / 2), with d = p - t (quadratic near 0, linear far)."""
    if delta <= 0:
        raise ValueError(f"huber: delta must be positive, got {delta!r}.")

    def quadratic(d: Any) -> Any:
        return 0.5 * d * d

    def linear(d: Any) -> Any:
        return delta * (d.abs() - 0.5 * delta)

    def term(p: Any, t: Any) -> Any:
        d = p - t
        if isinstance(d, Tensor):
            return where(np.abs(d.data) < delta, quadratic(d), linear(d))
        return quadratic(d) if abs(d.data) < delta else linear(d)  # only the branch taken joins the graph

    return _elementwise_loss(prediction, target, term, reduction, "huber")


# ----------------------------------------------------------------------------- binary classification
def _clamped_log(p: Node) -> Node:
    """max(log p, -100): finite for p = 0, with no gradient through the clamp (PyTorch's BCE rule)."""
    if isinstance(p, Value):
        log_p = p.log()
        return log_p if log_p.data >= _LOG_FLOOR else Value(_LOG_FLOOR)
    log_p = p.clip(min=np.finfo(p.dtype).smallest_subnormal).log()  # log(0) never happens, so no inf * 0
    return where(log_p.data >= _LOG_FLOOR, log_p, _LOG_FLOOR)


def binary_cross_entropy(probability: Any, target: Any, reduction: str = "mean") -> Any:
    """-(t log p + (1 - t) log(1 - p)) on probabilities p in [0, 1]; each log is clamped at -100.

    A prediction outside [0, 1] is refused (as PyTorch does): it is a score, not a probability.
    """
    numbers = _numbers(probability, "binary_cross_entropy", "predictions")
    outside = (numbers < 0) | (numbers > 1)
    if outside.any():
        raise ValueError(f"binary_cross_entropy takes probabilities in [0, 1]; got {int(outside.sum())} value(s) "
                         f"outside, e.g. {numbers[outside][0]:.4g}. Fix: end the model with a sigmoid "
                         "(nn.Sigmoid(), or output_activation='sigmoid'), or give the raw scores to "
                         "binary_cross_entropy_with_logits.")
    return _elementwise_loss(probability, target,
                             lambda p, t: -(t * _clamped_log(p) + (1 - t) * _clamped_log(1 - p)),
                             reduction, "binary_cross_entropy")


def binary_cross_entropy_with_logits(logit: Any, target: Any, reduction: str = "mean") -> Any:
    """BCE of sigmoid(x) computed from the logit x as softplus(x) - t x, which never overflows."""
    return _elementwise_loss(logit, target, lambda x, t: x.softplus() - x * t, reduction,
                             "binary_cross_entropy_with_logits")


def _check_signed_labels(target: Any, name: str) -> None:
    """Refuse labels other than -1/+1: with 0/1 labels a margin loss silently learns nothing from class 0."""
    numbers = _numbers(target, name, "labels")
    wrong = ~np.isin(numbers, (-1.0, 1.0))
    if wrong.any():
        raise ValueError(f"{name} wants labels -1 and +1; got {numbers[wrong][0]:.4g} among them. Fix: turn 0/1 "
                         "labels into -1/+1 with 2 * y - 1 (or use binary_cross_entropy_with_logits on 0/1).")


def hinge(score: Any, target: Any, reduction: str = "mean") -> Any:
    """The max-margin loss of micrograd's demo: relu(1 - t * s) with labels t in {-1, +1}."""
    _check_signed_labels(target, "hinge")
    return _elementwise_loss(score, target, lambda s, t: (1 - s * t).relu(), reduction, "hinge")


def perceptron_criterion(score: Any, target: Any, reduction: str = "mean") -> Any:
    """The perceptron criterion: relu(-t * s), zero for every correctly classified point (t in {-1, +1})."""
    _check_signed_labels(target, "perceptron_criterion")
    return _elementwise_loss(score, target, lambda s, t: (-(s * t)).relu(), reduction, "perceptron_criterion")


# ----------------------------------------------------------------------------- multi-class
def cross_entropy(logits: Any, target: Any, reduction: str = "mean") -> Any:
    """-log softmax(logits)[label] per sample, via a stable log-softmax.

    ``logits``: Tensor (N, C) or (C,), or a list of C Values / a list of N such lists. ``target``:
    integer labels (N,) (or one int), or rows of class probabilities such as one-hot (N, C), for
    which the loss is -sum_c t_c log softmax(logits)_c.
    """
    return nll(log_softmax(logits, axis=-1), target, reduction)


def nll(log_probabilities: Any, target: Any, reduction: str = "mean") -> Any:
    """Negative log-likelihood: -log_probabilities[label] per sample (the input is a log-softmax)."""
    check_reduction(reduction)
    if isinstance(log_probabilities, (Tensor, np.ndarray)):
        return _reduce(_nll_tensor(_as_tensor(log_probabilities), target), reduction)
    rows = log_probabilities if log_probabilities and isinstance(log_probabilities[0], (list, tuple)) else None
    if rows is None:
        return _nll_row(log_probabilities, target)
    targets = list(target.tolist() if isinstance(target, np.ndarray) else target)
    if len(targets) != len(rows):
        raise ValueError(f"nll: {len(rows)} samples but {len(targets)} targets; give one label (or row) each.")
    return _reduce([_nll_row(row, t) for row, t in zip(rows, targets)], reduction)


def _check_classes(classes: int) -> None:
    """One score per sample makes softmax 1 and the loss 0 whatever the weights: nothing would be learnt."""
    if classes < 2:
        raise ValueError(f"nll/cross_entropy need one score per class (at least 2); got {classes} per sample, for "
                         "which the loss is always 0. Fix: for two classes and one output use "
                         "binary_cross_entropy_with_logits (or a sigmoid and binary_cross_entropy); otherwise give "
                         "the last layer one output per class.")


def _nll_row(log_probabilities: list, target: Any) -> Value:
    classes = len(log_probabilities)
    _check_classes(classes)
    if isinstance(target, (list, tuple, np.ndarray)):
        weights = _flat(target)
        if len(weights) != classes:
            raise ValueError(f"nll: a target row has {len(weights)} entries for {classes} classes.")
        return -dot(list(log_probabilities), [float(w) for w in weights])
    return -log_probabilities[_label(target, classes)]


def _label(target: Any, classes: int) -> int:
    if isinstance(target, Value):
        target = target.data
    whole = is_real_number(target) and float(target).is_integer()
    if not whole or not 0 <= int(target) < classes:
        raise ValueError(f"class label {target!r} is not an integer in [0, {classes}); labels count from 0. Fix: "
                         f"encode the classes as 0..{classes - 1}, or give one-hot rows of {classes} numbers.")
    return int(target)


def _nll_tensor(log_probabilities: Tensor, target: Any) -> Tensor:
    shape = log_probabilities.shape
    if log_probabilities.ndim not in (1, 2):
        raise ValueError(f"nll/cross_entropy: expected scores of shape (N, C) or (C,), got {shape}.")
    _check_classes(shape[-1])
    labels = target.data if isinstance(target, Tensor) else np.asarray(target)
    if labels.shape == shape:  # rows of class probabilities, e.g. one-hot
        weights = target if isinstance(target, Tensor) else labels.astype(log_probabilities.dtype)
        return -(log_probabilities * weights).sum(axis=-1)
    if labels.shape != shape[:-1]:
        raise ValueError(f"nll/cross_entropy: scores of shape {shape} need labels of shape {shape[:-1]} or "
                         f"class-probability rows of shape {shape}; got targets of shape {labels.shape}.")
    classes = shape[-1]
    if labels.dtype.kind not in "iuf":
        raise ValueError(f"nll/cross_entropy: labels must be integers in [0, {classes}); got dtype {labels.dtype}. "
                         "Fix: encode the classes as integers, e.g. np.unique(y, return_inverse=True)[1].")
    if labels.size and (np.any(labels != np.round(labels)) or labels.min() < 0 or labels.max() >= classes):
        raise ValueError(f"nll/cross_entropy: labels must be integers in [0, {classes}); got values from "
                         f"{labels.min()} to {labels.max()} (dtype {labels.dtype}).")
    labels = labels.astype(np.intp)
    picked = log_probabilities[np.arange(shape[0]), labels] if labels.ndim else log_probabilities[int(labels)]
    return -picked


# ----------------------------------------------------------------------------- penalties
def _parameters(parameters: Any) -> list:
    found = parameters.parameters() if hasattr(parameters, "parameters") else list(parameters)
    if not found:
        raise ValueError("penalty: no parameters given; pass model.parameters() (or the model).")
    return found


def l2_penalty(parameters: Any, coefficient: float = 1.0) -> Node:
    """coefficient * sum of p^2 over all parameters (the micrograd demo's ``alpha * sum(p*p)``).

    For Values the sum of squares is ONE ``dot(params, params)`` node instead of 2n nodes.
    """
    found = _parameters(parameters)
    if all(isinstance(p, Value) for p in found):
        return dot(found, found) * coefficient
    terms = [(p * p).sum() for p in found]
    return _total(terms) * coefficient


def l1_penalty(parameters: Any, coefficient: float = 1.0) -> Node:
    """coefficient * sum of |p| over all parameters (pushes weights to exactly zero: sparsity)."""
    found = _parameters(parameters)
    terms = [p.abs() if isinstance(p, Value) else p.abs().sum() for p in found]
    return _total(terms) * coefficient

