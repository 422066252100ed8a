"""Gradients as functions of functions: ``grad(f)`` and ``value_and_grad(f)``, JAX's interface to the engine.

``loss.backward()`` leaves gradients behind in ``.grad`` as a side effect; some code reads better when
the gradient is simply a function's result: ``grad(lambda x, y: x * y + x ** 2)(2.0, 3.0) == (7.0, 2.0)``.
Each call differentiates with respect to fresh leaf copies of the arguments, so the caller's own
``Value``s and ``Tensor``s keep their ``.grad`` untouched (nodes ``f`` closes over, such as model
parameters, still accumulate into ``.grad`` as with any ``backward()``). First order only: the
gradients are numbers, not graphs.
"""
from __future__ import annotations

import functools
from typing import Any, Callable

import numpy as np

from .engine import enable_grad
from .tensor import Tensor
from .value import Value, is_real_number


def value_and_grad(f: Callable[..., Any]) -> Callable[..., tuple[float, tuple]]:
    """Return a function computing ``(f(*args), (df/darg0, df/darg1, ...))`` for a scalar-valued ``f``.

    Arguments may be numbers or ``Value``s (their gradients are floats) or ``Tensor``s and float
    arrays (their gradients are arrays of the same shape and dtype). The value is a float. The graph
    is recorded even inside ``no_grad()``, because asking for a gradient is asking for the graph.
    """

    @functools.wraps(f)
    def evaluate(*args: Any) -> tuple[float, tuple]:
        leaves = [_fresh_leaf(index, arg) for index, arg in enumerate(args)]
        with enable_grad():
            out = f(*leaves)
            _require_scalar_node(out)
            if isinstance(out, Value) or out.requires_grad:  # else f ignored its arguments: zero gradients
                out.backward()
        return out.item(), tuple(gradient_or_zeros(leaf) for leaf in leaves)

    return evaluate


def grad(f: Callable[..., Any]) -> Callable[..., tuple]:
    """Return a function computing the tuple of ``f``'s gradients, one per argument (see ``value_and_grad``)."""
    value_and_gradients = value_and_grad(f)

    @functools.wraps(f)
    def gradients(*args: Any) -> tuple:
        return value_and_gradients(*args)[1]

    return gradients


def _fresh_leaf(index: int, arg: Any) -> Any:
    """A new leaf holding ``arg``'s number(s), so the caller's nodes are not touched."""
    if isinstance(arg, Value):
        return Value(arg.data, label=arg.label)
    if is_real_number(arg):
        return Value(float(arg))
    if isinstance(arg, (Tensor, np.ndarray)):
        data, label = (arg.data, arg.label) if isinstance(arg, Tensor) else (arg, "")
        if data.dtype.kind != "f":
            raise TypeError(
                f"grad(f) argument #{index}: an array of {data.dtype} has no gradient (only float arrays do); "
                "pass float data, e.g. np.asarray(x, dtype=np.float64), or close over it in f if it is a constant."
            )
        return Tensor(data, requires_grad=True, label=label)
    raise TypeError(
        f"grad(f) argument #{index}: got {type(arg).__name__} {arg!r}; pass numbers, Values, Tensors or float "
        "arrays (close over anything else in f)."
    )


def _require_scalar_node(out: Any) -> None:
    if not isinstance(out, (Value, Tensor)):
        raise TypeError(
            f"grad(f) needs f to return a Value or a one-element Tensor computed from its arguments; it returned "
            f"{type(out).__name__} {out!r}. Use Value/Tensor operations on the arguments (not math.* or numpy on "
            ".data)."
        )
    if isinstance(out, Tensor) and out.size != 1:
        raise ValueError(
            f"grad(f) needs a scalar function, but f returned a Tensor of shape {out.shape}: reduce it to one "
            "number (e.g. .sum() or .mean()) or differentiate each output separately."
        )


def gradient_or_zeros(leaf: Any) -> Any:
    """``leaf.grad``, with zeros of the leaf's shape for a Tensor no gradient reached (its ``.grad`` is None).

    Shared by ``grad``/``value_and_grad`` and ``gradcheck``: "f ignored this input" is a zero gradient.
    """
    if isinstance(leaf, Value):
        return leaf.grad
    return np.zeros_like(leaf.data) if leaf.grad is None else leaf.grad
