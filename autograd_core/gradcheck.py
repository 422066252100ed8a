"""Gradient check: compare ``backward()`` with central differences in float64, for Value and Tensor functions.

Every backward rule is a hand-written formula and every formula can be wrong. A central difference
``(f(x + eps) - f(x - eps)) / (2 eps)`` needs no formula at all, so when the two agree to within
``atol + rtol * |numeric|`` at every input element, the rule and the engine's chain rule are right
at that point.

A function with a non-scalar ``Tensor`` output is reduced to a scalar by a fixed random projection
``sum(r * f(x))`` (``r`` drawn once from ``seed``); the analytic side seeds ``backward`` with ``r``.
Checking a random direction catches a wrong Jacobian entry with probability one, at the cost of one
backward pass instead of one per output element.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from .engine import enable_grad, no_grad
from .functional import gradient_or_zeros
from .tensor import Tensor
from .value import Value

MAX_CHECKED_ELEMENTS = 1000
"""A tensor input with more elements than this is checked on a seeded random subset of this size."""

Position = Any  # None for a Value (its one number), an index tuple for a Tensor element


class GradcheckError(AssertionError):
    """``backward()`` and central differences disagree at some input element."""


def gradcheck(f: Callable[..., Any], inputs: Sequence[Any] | Any, eps: float = 1e-6, atol: float = 1e-5,
              rtol: float = 1e-3, *, max_elements: int = MAX_CHECKED_ELEMENTS, seed: int = 0) -> bool:
    """Check ``f(*inputs)``'s gradients against central differences; return True or raise ``GradcheckError``.

    ``inputs`` are leaf ``Value``s or float64 ``Tensor``s with ``requires_grad=True`` (a single node
    is accepted too). Every element is checked, except that a tensor input with more than
    ``max_elements`` elements is checked on a random subset of that size drawn from ``seed``.
    ``f`` must be deterministic and return a ``Value`` or a ``Tensor``. The inputs' ``.data`` and
    ``.grad`` are exactly as before when this returns or raises, and grad mode is restored.
    """
    inputs = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    for index, node in enumerate(inputs):
        _require_checkable(index, node)
    rng = np.random.default_rng(seed)
    saved = [(_copy(node.data), _copy(node.grad)) for node in inputs]
    try:
        analytic, projection = _analytic_gradients(f, inputs, rng)
        with no_grad():
            for index, node in enumerate(inputs):
                for position in _positions_to_check(node, max_elements, rng):
                    numeric = _central_difference(f, inputs, node, position, eps, projection)
                    _compare(index, node, position, _element(analytic[index], position), numeric, atol, rtol)
    finally:
        for node, (data, grad) in zip(inputs, saved):
            _restore(node, data, grad)
    return True


# ----------------------------------------------------------------------------- inputs
def _describe(index: int, node: Any) -> str:
    label = getattr(node, "label", None)
    return f"input #{index} ({label!r})" if label else f"input #{index} (unlabelled)"


def _require_checkable(index: int, node: Any) -> None:
    """Refuse inputs the check would silently get wrong, saying how to fix each."""
    if not isinstance(node, (Value, Tensor)):
        raise TypeError(
            f"gradcheck {_describe(index, node)}: got {type(node).__name__} {node!r}; pass the Value or Tensor "
            "nodes f differentiates with respect to, e.g. gradcheck(f, [Value(2.0), Value(-1.0)])."
        )
    if isinstance(node, Tensor):
        if node.data.dtype != np.float64:
            raise TypeError(
                f"gradcheck {_describe(index, node)} is {node.data.dtype}; central differences need float64 "
                "(in float32 they are noise): make it with Tensor(data, dtype=np.float64, requires_grad=True)."
            )
        if not node.requires_grad:
            raise ValueError(
                f"gradcheck {_describe(index, node)} does not require grad, so backward gives it no gradient: "
                "make it with requires_grad=True, or close over it in f if it is a constant."
            )
    if node._parents:
        raise ValueError(
            f"gradcheck {_describe(index, node)} is not a leaf (made by op '{node._op.name}'), so backward "
            "would also change its ancestors' gradients: pass a fresh leaf with the same data instead."
        )


def _copy(x: Any) -> Any:
    return x.copy() if isinstance(x, np.ndarray) else x


def _restore(node: Any, data: Any, grad: Any) -> None:
    if isinstance(node, Tensor):
        node.data[...] = data  # in place: whoever shares the array sees it unchanged
    else:
        node.data = data
    node.grad = grad


def _positions_to_check(node: Any, max_elements: int, rng: np.random.Generator) -> list[Position]:
    if not isinstance(node, Tensor):
        return [None]
    size = node.data.size
    flat = np.arange(size) if size <= max_elements else np.sort(rng.choice(size, max_elements, replace=False))
    return [tuple(int(i) for i in np.unravel_index(k, node.data.shape)) for k in flat]


def _element(values: Any, position: Position) -> float:
    return float(values if position is None else values[position])


def _set_element(node: Any, position: Position, number: float) -> None:
    if position is None:
        node.data = number
    else:
        node.data[position] = number


# ----------------------------------------------------------------------------- the two sides
def _output_node(f: Callable[..., Any], inputs: list) -> Any:
    out = f(*inputs)
    if not isinstance(out, Value) and not isinstance(out, Tensor):
        raise TypeError(
            f"gradcheck: f returned {type(out).__name__} {out!r}, not a Value or Tensor; compute f's result "
            "from its arguments with Value/Tensor operations (not math.* or numpy on .data)."
        )
    return out


def _objective(out: Any, projection: np.ndarray | None) -> float:
    """The scalar both sides differentiate: ``out`` itself, or ``sum(r * out)`` for a tensor output."""
    if projection is None:
        return float(out.data)
    return float(np.sum(projection * out.data))


def _analytic_gradients(f: Callable[..., Any], inputs: list, rng: np.random.Generator) -> tuple[list, Any]:
    """One backward pass from zeroed gradients; returns each input's gradient and the projection used."""
    for node in inputs:
        node.zero_grad()
    with enable_grad():
        out = _output_node(f, inputs)
        projection = rng.standard_normal(out.data.shape) if isinstance(out, Tensor) else None
        if projection is None:
            out.backward()
        elif out.requires_grad:  # else f ignored its inputs: every gradient is zero
            out.backward(projection)
    return [gradient_or_zeros(node) for node in inputs], projection


def _central_difference(f: Callable[..., Any], inputs: list, node: Any, position: Position, eps: float,
                        projection: np.ndarray | None) -> float:
    """(F(x + eps) - F(x - eps)) / (2 eps) for the one element at ``position``; leaves it as it was."""
    original = _element(node.data, position)
    _set_element(node, position, original + eps)
    above = _objective(_output_node(f, inputs), projection)
    _set_element(node, position, original - eps)
    below = _objective(_output_node(f, inputs), projection)
    _set_element(node, position, original)
    return (above - below) / (2.0 * eps)


def _compare(index: int, node: Any, position: Position, analytic: float, numeric: float, atol: float,
             rtol: float) -> None:
    tolerance = atol + rtol * abs(numeric)
    if abs(analytic - numeric) <= tolerance:  # False for nan, so nan never passes
        return
    where = "" if position is None else f" at element {position}"
    raise GradcheckError(
        f"gradcheck failed for {_describe(index, node)}{where}: analytic (backward) {analytic:.10g} != "
        f"numeric (central difference) {numeric:.10g}; |difference| {abs(analytic - numeric):.3g} > "
        f"atol + rtol * |numeric| = {tolerance:.3g}.\n"
        "  fix: a backward rule used by f is wrong here, or f is not differentiable at this point "
        "(a kink such as relu/abs at 0 within eps, or nan/inf)."
    )
