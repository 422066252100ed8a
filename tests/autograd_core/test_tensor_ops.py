"""Tensor ops three ways: a hand-worked value, a float64 gradient check, and parity with PyTorch.

Each op is written once in a table; the tests below are generated from the tables (minitorch's
habit). Shapes come from hypothesis, numbers from a seeded numpy generator.
"""
from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_core import Tensor, gradcheck, maximum, minimum, where
from autograd_core.value import SELU_ALPHA, SELU_SCALE
from tests.autograd_core.strategies import assert_matches_torch, broadcastable_shapes, random_array, seeds, shapes

ORACLE = settings(max_examples=15, deadline=None)


def forward_and_grad(f: Callable[[Tensor], Tensor], x: list) -> tuple[np.ndarray, np.ndarray]:
    """f(x) and d sum(f(x)) / dx, for hand-worked checks."""
    t = Tensor(x, requires_grad=True)
    out = f(t)
    out.sum().backward()
    return out.data, t.grad


# ----------------------------------------------------------------------------- unary elementwise
class Unary:
    """One elementwise op: ours, torch's, where to draw inputs, and a hand-worked example."""

    def __init__(self, name: str, ours: Callable, theirs: Callable, x: list, value: list, grad: list,
                 low: float = -2.0, high: float = 2.0, kinks: tuple = ()) -> None:
        self.name, self.ours, self.theirs = name, ours, theirs
        self.x, self.value, self.grad = x, value, grad
        self.low, self.high, self.kinks = low, high, kinks

    def __repr__(self) -> str:
        return self.name


LN3 = math.log(3.0)
UNARY = [
    Unary("unary minus", lambda t: -t, lambda t: -t, [1.0, -2.0], [-1.0, 2.0], [-1.0, -1.0]),
    Unary("neg", lambda t: t.neg(), torch.neg, [1.0, -2.0], [-1.0, 2.0], [-1.0, -1.0]),
    Unary("exp", lambda t: t.exp(), torch.exp, [0.0, 1.0], [1.0, math.e], [1.0, math.e]),
    Unary("log", lambda t: t.log(), torch.log, [1.0, math.e], [0.0, 1.0], [1.0, 1 / math.e], low=0.1),
    Unary("sqrt", lambda t: t.sqrt(), torch.sqrt, [4.0, 9.0], [2.0, 3.0], [1 / 4, 1 / 6], low=0.1),
    Unary("abs", lambda t: t.abs(), torch.abs, [-3.0, 2.0, 0.0], [3.0, 2.0, 0.0], [-1.0, 1.0, 0.0], kinks=(0,)),
    Unary("abs()", lambda t: abs(t), torch.abs, [-3.0], [3.0], [-1.0], kinks=(0,)),
    # tanh(ln 3) = (9 - 1) / (9 + 1) = 0.8, slope 1 - 0.8^2 = 0.36
    Unary("tanh", lambda t: t.tanh(), torch.tanh, [0.0, LN3], [0.0, 0.8], [1.0, 0.36]),
    # sigmoid(ln 3) = 3 / 4, slope 3/4 * 1/4
    Unary("sigmoid", lambda t: t.sigmoid(), torch.sigmoid, [0.0, LN3], [0.5, 0.75], [0.25, 0.1875], low=-30, high=30),
    Unary("relu", lambda t: t.relu(), torch.relu, [-1.0, 0.0, 2.0], [0.0, 0.0, 2.0], [0.0, 0.0, 1.0], kinks=(0,)),
    Unary("leaky_relu", lambda t: t.leaky_relu(0.1), lambda t: F.leaky_relu(t, 0.1), [-2.0, 3.0], [-0.2, 3.0],
          [0.1, 1.0], kinks=(0,)),
    # elu(ln 0.5) = 0.5 - 1, slope e^x = 0.5
    Unary("elu", lambda t: t.elu(0.7), lambda t: F.elu(t, 0.7), [math.log(0.5), 2.0], [0.7 * -0.5, 2.0],
          [0.7 * 0.5, 1.0], kinks=(0,)),
    Unary("selu", lambda t: t.selu(), F.selu, [0.0, 1.0], [0.0, SELU_SCALE], [SELU_SCALE * SELU_ALPHA, SELU_SCALE],
          kinks=(0,)),
    # softplus(ln 3) = ln 4, slope sigmoid(ln 3) = 3/4
    Unary("softplus", lambda t: t.softplus(), F.softplus, [0.0, LN3], [math.log(2), math.log(4)], [0.5, 0.75]),
    Unary("sin", lambda t: t.sin(), torch.sin, [0.0, math.pi / 2], [0.0, 1.0], [1.0, 0.0]),
    Unary("cos", lambda t: t.cos(), torch.cos, [0.0, math.pi / 2], [1.0, 0.0], [0.0, -1.0]),
    Unary("clip", lambda t: t.clip(-1.0, 1.0), lambda t: t.clamp(-1.0, 1.0), [-2.0, 0.5, 3.0], [-1.0, 0.5, 1.0],
          [0.0, 1.0, 0.0], kinks=(-1, 1)),
    Unary("clip below only", lambda t: t.clip(min=0.5), lambda t: t.clamp(min=0.5), [0.0, 1.0], [0.5, 1.0],
          [0.0, 1.0], kinks=(0.5,)),
    Unary("clip above only", lambda t: t.clip(max=0.5), lambda t: t.clamp(max=0.5), [0.0, 1.0], [0.0, 0.5],
          [1.0, 0.0], kinks=(0.5,)),
    Unary("cube", lambda t: t ** 3, lambda t: t ** 3, [2.0], [8.0], [12.0]),
    Unary("square root as power", lambda t: t ** 0.5, lambda t: t ** 0.5, [4.0], [2.0], [0.25], low=0.1),
    Unary("scalar base power", lambda t: 2 ** t, lambda t: 2 ** t, [3.0], [8.0], [8.0 * math.log(2)]),
    Unary("reflected subtract", lambda t: 1 - t, lambda t: 1 - t, [3.0], [-2.0], [-1.0]),
    Unary("reflected divide", lambda t: 2 / t, lambda t: 2 / t, [4.0], [0.5], [-2 / 16], low=0.5),
    Unary("array on the left", lambda t: np.array([1.0, 2.0]) * t, lambda t: torch.tensor([1.0, 2.0]) * t,
          [5.0, 7.0], [5.0, 14.0], [1.0, 2.0]),
]


@pytest.mark.parametrize("op", UNARY, ids=repr)
def test_unary_op_gives_the_hand_worked_value_and_gradient(op: Unary) -> None:
    value, grad = forward_and_grad(op.ours, op.x)
    np.testing.assert_allclose(value, op.value, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(grad, op.grad, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("op", UNARY, ids=repr)
def test_unary_op_passes_the_gradient_check(op: Unary) -> None:
    x = random_array(np.random.default_rng(0), (2, 3), op.low, op.high, op.kinks)
    if op.name == "array on the left":
        x = x[0, :2]
    assert gradcheck(op.ours, [Tensor(x, requires_grad=True)])


@pytest.mark.parametrize("op", [op for op in UNARY if op.name != "array on the left"], ids=repr)
@ORACLE
@given(shape=shapes(), seed=seeds())
def test_unary_op_matches_pytorch(op: Unary, shape: tuple, seed: int) -> None:
    rng = np.random.default_rng(seed)
    assert_matches_torch(op.ours, op.theirs, [random_array(rng, shape, op.low, op.high, op.kinks)], rng)


@pytest.mark.parametrize("op", [op for op in UNARY if op.name != "array on the left"], ids=repr)  # float64 array
def test_unary_op_keeps_float32_in_its_value_and_gradient(op: Unary) -> None:
    x = Tensor(np.asarray(op.x, dtype=np.float32), requires_grad=True)
    out = op.ours(x)
    out.sum().backward()
    assert out.dtype == np.float32 and x.grad.dtype == np.float32
    np.testing.assert_allclose(x.grad, op.grad, rtol=1e-5, atol=1e-6)


def test_step_and_sign_pass_the_gradient_straight_through_like_value() -> None:
    value, grad = forward_and_grad(lambda t: t.step(), [-1.0, 2.0])
    assert value.tolist() == [0.0, 1.0] and grad.tolist() == [1.0, 1.0]
    value, grad = forward_and_grad(lambda t: t.sign(), [-3.0, 0.0, 2.0])
    assert value.tolist() == [-1.0, 0.0, 1.0] and grad.tolist() == [1.0, 1.0, 1.0]
    x = np.random.default_rng(1).standard_normal(7)
    assert np.array_equal(Tensor(x).sign().data, torch.sign(torch.tensor(x)).numpy())
    heaviside = torch.heaviside(torch.tensor(x), torch.tensor(0.0, dtype=torch.float64))
    assert np.array_equal(Tensor(x).step().data, heaviside.numpy())


def test_sigmoid_and_softplus_do_not_overflow_at_large_inputs() -> None:
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        x = Tensor([-1000.0, 1000.0], requires_grad=True)
        assert x.sigmoid().data.tolist() == [0.0, 1.0]
        assert x.softplus().data.tolist() == [0.0, 1000.0]
        x.softplus().sum().backward()
    assert x.grad.tolist() == [0.0, 1.0]


# ----------------------------------------------------------------------------- binary elementwise
BINARY: dict[str, tuple[Callable, Callable]] = {
    "+": (lambda a, b: a + b, lambda a, b: a + b),
    "-": (lambda a, b: a - b, lambda a, b: a - b),
    "*": (lambda a, b: a * b, lambda a, b: a * b),
    "/": (lambda a, b: a / b, lambda a, b: a / b),
    "**": (lambda a, b: a ** b, lambda a, b: a ** b),
    "maximum": (maximum, torch.maximum),
    "minimum": (minimum, torch.minimum),
}


def binary_inputs(name: str, rng: np.random.Generator, shape_a: tuple, shape_b: tuple) -> list:
    low = 0.5 if name in ("**", "/") else -2.0  # positive bases for **, denominators away from 0
    return [random_array(rng, shape_a), random_array(rng, shape_b, low=low)] if name == "/" else \
        [random_array(rng, shape_a, low=low), random_array(rng, shape_b)]


@pytest.mark.parametrize("name, expected", [
    ("+", ([7.0, 10.0], [1.0, 1.0], [1.0, 1.0])),
    ("-", ([-3.0, -4.0], [1.0, 1.0], [-1.0, -1.0])),
    ("*", ([10.0, 21.0], [5.0, 7.0], [2.0, 3.0])),
    ("/", ([2 / 5, 3 / 7], [1 / 5, 1 / 7], [-2 / 25, -3 / 49])),
    # d a^b/da = b a^(b-1): 5 * 2^4 = 80, 7 * 3^6 = 5103; d a^b/db = a^b ln a
    ("**", ([32.0, 2187.0], [80.0, 5103.0], [32 * math.log(2), 2187 * math.log(3)])),
    ("maximum", ([5.0, 7.0], [0.0, 0.0], [1.0, 1.0])),
    ("minimum", ([2.0, 3.0], [1.0, 1.0], [0.0, 0.0])),
])
def test_binary_op_gives_the_hand_worked_value_and_gradients(name: str, expected: tuple) -> None:
    a, b = Tensor([2.0, 3.0], requires_grad=True), Tensor([5.0, 7.0], requires_grad=True)
    out = BINARY[name][0](a, b)
    out.sum().backward()
    for got, want in zip((out.data, a.grad, b.grad), expected):
        np.testing.assert_allclose(got, want, rtol=1e-12)


@pytest.mark.parametrize("name", BINARY)
def test_binary_op_with_broadcasting_passes_the_gradient_check(name: str) -> None:
    rng = np.random.default_rng(2)
    a, b = binary_inputs(name, rng, (3, 1, 2), (4, 1))
    assert gradcheck(BINARY[name][0], [Tensor(a, requires_grad=True), Tensor(b, requires_grad=True)])


@pytest.mark.parametrize("name", BINARY)
@ORACLE
@given(pair=broadcastable_shapes(), seed=seeds())
def test_binary_op_matches_pytorch_on_broadcast_shapes(name: str, pair: tuple, seed: int) -> None:
    rng = np.random.default_rng(seed)
    ours, theirs = BINARY[name]
    assert_matches_torch(ours, theirs, binary_inputs(name, rng, *pair), rng)


def test_maximum_and_minimum_split_the_gradient_evenly_at_ties_like_pytorch() -> None:
    a, b = Tensor([1.0, 5.0, 3.0], requires_grad=True), Tensor([2.0, 5.0, 1.0], requires_grad=True)
    (maximum(a, b) * Tensor([1.0, 2.0, 4.0])).sum().backward()
    assert a.grad.tolist() == [0.0, 1.0, 4.0] and b.grad.tolist() == [1.0, 1.0, 0.0]
    rng = np.random.default_rng(3)
    for f, g in ((maximum, torch.maximum), (minimum, torch.minimum)):
        assert_matches_torch(f, g, [np.array([1.0, 5.0, 3.0]), np.array([2.0, 5.0, 1.0])], rng)


def test_maximum_and_minimum_take_plain_numbers_and_arrays() -> None:
    x = Tensor([-1.0, 2.0], requires_grad=True)
    assert maximum(x, 0.0).data.tolist() == [0.0, 2.0]
    assert minimum(np.array([0.0, 0.0]), x).data.tolist() == [-1.0, 0.0]


@pytest.mark.parametrize("scalar_first", [False, True])
def test_a_tensor_combines_with_python_numbers_on_either_side(scalar_first: bool) -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    out = (3.0 * x + 1 - x / 2) if scalar_first else (x * 3.0 + 1 - x / 2)
    out.sum().backward()
    assert out.data.tolist() == [3.5, 6.0] and x.grad.tolist() == [2.5, 2.5]


def test_where_picks_elementwise_and_sends_the_gradient_to_the_picked_side() -> None:
    a, b = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0, 4.0], requires_grad=True)
    out = where(np.array([True, False]), a, b)
    out.sum().backward()
    assert out.data.tolist() == [1.0, 4.0]
    assert a.grad.tolist() == [1.0, 0.0] and b.grad.tolist() == [0.0, 1.0]


@ORACLE
@given(shapes3=broadcastable_shapes(3), seed=seeds())
def test_where_matches_pytorch_and_passes_the_gradient_check(shapes3: tuple, seed: int) -> None:
    rng = np.random.default_rng(seed)
    condition = rng.random(shapes3[0]) < 0.5
    a, b = random_array(rng, shapes3[1]), random_array(rng, shapes3[2])
    assert_matches_torch(lambda x, y: where(condition, x, y), lambda x, y: torch.where(torch.tensor(condition), x, y),
                         [a, b], rng)
    assert gradcheck(lambda x, y: where(Tensor(condition), x, y), [Tensor(a, requires_grad=True),
                                                                     Tensor(b, requires_grad=True)])


def test_where_with_a_number_on_one_side_keeps_the_tensors_dtype() -> None:
    x = Tensor(np.array([-1.0, 2.0], dtype=np.float32), requires_grad=True)
    out = where(x > 0, x, 0.0)
    out.sum().backward()
    assert out.dtype == np.float32 and x.grad.dtype == np.float32 and x.grad.tolist() == [0.0, 1.0]


# ----------------------------------------------------------------------------- reductions
def every_axis(t: torch.Tensor, axis: Any) -> Any:
    """numpy's ``axis=None`` spelled for torch, whose ``dim`` has no "all axes" value that keeps dims."""
    return tuple(range(t.ndim)) if axis is None else axis


REDUCTIONS: dict[str, tuple[Callable, Callable]] = {
    "sum": (lambda t, axis, keep: t.sum(axis=axis, keepdims=keep),
            lambda t, axis, keep: t.sum(dim=every_axis(t, axis), keepdim=keep)),
    "mean": (lambda t, axis, keep: t.mean(axis=axis, keepdims=keep),
             lambda t, axis, keep: t.mean(dim=every_axis(t, axis), keepdim=keep)),
    "max": (lambda t, axis, keep: t.max(axis=axis, keepdims=keep),
            lambda t, axis, keep: torch.amax(t, dim=every_axis(t, axis), keepdim=keep)),
    "min": (lambda t, axis, keep: t.min(axis=axis, keepdims=keep),
            lambda t, axis, keep: torch.amin(t, dim=every_axis(t, axis), keepdim=keep)),
    "var": (lambda t, axis, keep: t.var(axis=axis, keepdims=keep),
            lambda t, axis, keep: torch.var(t, dim=axis, keepdim=keep, correction=0)),
    "var ddof=1": (lambda t, axis, keep: t.var(axis=axis, keepdims=keep, ddof=1),
                   lambda t, axis, keep: torch.var(t, dim=axis, keepdim=keep, correction=1)),
    "logsumexp": (lambda t, axis, keep: t.logsumexp(axis=axis, keepdims=keep),
                  lambda t, axis, keep: torch.logsumexp(t, dim=every_axis(t, axis), keepdim=keep)),
}


@st.composite
def reduction_cases(draw: Any, min_side: int = 1) -> tuple:
    """A shape and an axis argument for it: None, an int (maybe negative) or a tuple of distinct axes."""
    shape = draw(shapes(min_dims=1, min_side=min_side))
    ndim = len(shape)
    axis = draw(st.one_of(st.none(), st.integers(-ndim, ndim - 1),
                          st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True).map(tuple)))
    return shape, axis, draw(st.booleans())


@pytest.mark.parametrize("name, x, axis, value, grad", [
    ("sum", [[1.0, 2.0], [3.0, 4.0]], 0, [4.0, 6.0], [[1.0, 1.0], [1.0, 1.0]]),
    ("mean", [[1.0, 2.0], [3.0, 4.0]], None, 2.5, [[0.25, 0.25], [0.25, 0.25]]),
    ("max", [[1.0, 2.0], [3.0, 4.0]], None, 4.0, [[0.0, 0.0], [0.0, 1.0]]),
    ("max", [1.0, 3.0, 3.0], None, 3.0, [0.0, 0.5, 0.5]),  # a tie splits the gradient evenly
    ("min", [[2.0, 1.0], [1.0, 5.0]], 1, [1.0, 1.0], [[0.0, 1.0], [1.0, 0.0]]),
    # var([1, 2, 3, 4]) = mean of (-1.5, -0.5, 0.5, 1.5)^2 = 1.25; slope 2 (x - 2.5) / 4
    ("var", [1.0, 2.0, 3.0, 4.0], None, 1.25, [-0.75, -0.25, 0.25, 0.75]),
    ("var ddof=1", [1.0, 2.0, 3.0, 4.0], None, 5 / 3, [-1.0, -1 / 3, 1 / 3, 1.0]),
    # log(e^0 + e^0) = ln 2; slope softmax = 1/2 each
    ("logsumexp", [0.0, 0.0], None, math.log(2), [0.5, 0.5]),
])
def test_reduction_gives_the_hand_worked_value_and_gradient(name: str, x: list, axis: Any, value: Any,
                                                            grad: list) -> None:
    got, got_grad = forward_and_grad(lambda t: REDUCTIONS[name][0](t, axis, False), x)
    np.testing.assert_allclose(got, value, rtol=1e-12)
    np.testing.assert_allclose(got_grad, grad, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", REDUCTIONS)
@pytest.mark.parametrize("axis, keepdims", [(None, False), (1, True), (-1, False), ((0, 2), False)])
def test_reduction_passes_the_gradient_check(name: str, axis: Any, keepdims: bool) -> None:
    x = random_array(np.random.default_rng(4), (2, 3, 4))
    assert gradcheck(lambda t: REDUCTIONS[name][0](t, axis, keepdims), [Tensor(x, requires_grad=True)])


@pytest.mark.parametrize("name", REDUCTIONS)
@ORACLE
@given(case=reduction_cases(), seed=seeds())
def test_reduction_matches_pytorch_for_any_axis_and_keepdims(name: str, case: tuple, seed: int) -> None:
    shape, axis, keepdims = case
    rng = np.random.default_rng(seed)
    if name == "var ddof=1" and np.prod([shape[a] for a in np.atleast_1d(axis)] if axis is not None else shape) < 2:
        return  # one element has no unbiased variance (0/0 on both sides)
    ours, theirs = REDUCTIONS[name]
    assert_matches_torch(lambda t: ours(t, axis, keepdims), lambda t: theirs(t, axis, keepdims),
                         [random_array(rng, shape)], rng)


def test_max_ties_split_like_pytorch_amax_on_many_ties() -> None:
    x = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]])
    assert_matches_torch(lambda t: t.max(axis=1), lambda t: torch.amax(t, dim=1), [x], np.random.default_rng(5))
    assert_matches_torch(lambda t: t.min(), lambda t: torch.amin(t), [x], np.random.default_rng(5))


def test_reduction_axis_may_be_a_list() -> None:
    x = Tensor(np.ones((2, 3, 4)), requires_grad=True)
    x.sum(axis=[0, 2]).sum().backward()
    assert x.grad.shape == (2, 3, 4)


# ----------------------------------------------------------------------------- softmax family
SOFTMAXES: dict[str, tuple[Callable, Callable]] = {
    "softmax": (lambda t, axis: t.softmax(axis=axis), lambda t, axis: torch.softmax(t, dim=axis)),
    "log_softmax": (lambda t, axis: t.log_softmax(axis=axis), lambda t, axis: torch.log_softmax(t, dim=axis)),
}


def test_softmax_family_gives_hand_worked_values() -> None:
    # softmax([0, ln 3]) = [1/4, 3/4]
    np.testing.assert_allclose(Tensor([0.0, LN3]).softmax().data, [0.25, 0.75], rtol=1e-12)
    np.testing.assert_allclose(Tensor([0.0, LN3]).log_softmax().data, [math.log(0.25), math.log(0.75)], rtol=1e-12)
    # d/dx0 of log_softmax(x)[0] = 1 - softmax(x)_0 = 3/4; d/dx1 = -softmax(x)_1 = -3/4
    x = Tensor([0.0, LN3], requires_grad=True)
    x.log_softmax()[0].backward()
    np.testing.assert_allclose(x.grad, [0.75, -0.75], rtol=1e-12)
    # d softmax(x)_1 / dx = s1 (e1 - s) = 3/4 * [-1/4, 1/4]
    x = Tensor([0.0, LN3], requires_grad=True)
    x.softmax()[1].backward()
    np.testing.assert_allclose(x.grad, [-3 / 16, 3 / 16], rtol=1e-12)


@pytest.mark.parametrize("name", SOFTMAXES)
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_softmax_family_passes_the_gradient_check(name: str, axis: int) -> None:
    x = random_array(np.random.default_rng(6), (3, 4, 2))
    assert gradcheck(lambda t: SOFTMAXES[name][0](t, axis), [Tensor(x, requires_grad=True)])


@pytest.mark.parametrize("name", SOFTMAXES)
@ORACLE
@given(shape=shapes(min_dims=1), data=st.data(), seed=seeds())
def test_softmax_family_matches_pytorch_on_any_axis(name: str, shape: tuple, data: Any, seed: int) -> None:
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    rng = np.random.default_rng(seed)
    ours, theirs = SOFTMAXES[name]
    assert_matches_torch(lambda t: ours(t, axis), lambda t: theirs(t, axis), [random_array(rng, shape)], rng)


@pytest.mark.parametrize("op", ["softmax", "log_softmax", "logsumexp"])
def test_softmax_family_does_not_overflow_at_inputs_of_1e4(op: str) -> None:
    x = np.array([[1e4, 1e4 - 1.0, -1e4], [0.0, 1.0, 2.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        ours = Tensor(x, requires_grad=True)
        out = getattr(ours, op)(axis=1)
        out.sum().backward()
    expected = getattr(torch, op)(torch.tensor(x), dim=1).numpy()
    np.testing.assert_allclose(out.data, expected, rtol=1e-12)
    assert np.isfinite(ours.grad).all()


def test_logsumexp_of_a_row_of_minus_infinity_is_minus_infinity() -> None:
    with np.errstate(divide="ignore"):  # log(0) = -inf is the right answer here
        out = Tensor([[-np.inf, -np.inf], [0.0, 0.0]]).logsumexp(axis=1)
    assert out.data[0] == -np.inf and out.data[1] == pytest.approx(math.log(2))


# ----------------------------------------------------------------------------- algebraic identities
def value_and_gradients(f: Callable, arrays: list, upstream: np.ndarray) -> tuple:
    """f's value and each input's gradient for one upstream gradient (so every Jacobian entry counts)."""
    leaves = [Tensor(a, requires_grad=True) for a in arrays]
    out = f(*leaves)
    out.backward(upstream)
    return out.data, [np.zeros(a.shape) if leaf.grad is None else leaf.grad for a, leaf in zip(arrays, leaves)]


# Pairs of expressions that are equal as functions of (x, y) of broadcastable shapes (y > 0), so their values
# and gradients must agree; a wrong backward rule or a wrong un-broadcast on either side breaks the pair.
TENSOR_IDENTITIES: dict[str, tuple[Callable, Callable]] = {
    "maximum + minimum = x + y": (lambda x, y: maximum(x, y) + minimum(x, y), lambda x, y: x + y),
    "(x * y) / y = x + 0 y": (lambda x, y: (x * y) / y, lambda x, y: x + y * 0),
    "x - y = x + (-1) y": (lambda x, y: x - y, lambda x, y: x + y * -1.0),
    "y ** x = exp(x log y)": (lambda x, y: y ** x, lambda x, y: (x * y.log()).exp()),
    "where(x > 0, x, y) = relu-like mix": (lambda x, y: where(x.data > 0, x, y),
                                          lambda x, y: x * (x.data > 0) + y * (x.data <= 0)),
}


@pytest.mark.parametrize("name", TENSOR_IDENTITIES)
@ORACLE
@given(pair=broadcastable_shapes(), seed=seeds())
def test_equal_tensor_expressions_have_equal_values_and_gradients_under_broadcasting(name: str, pair: tuple,
                                                                                   seed: int) -> None:
    rng = np.random.default_rng(seed)
    arrays = [random_array(rng, pair[0]), random_array(rng, pair[1], low=0.5)]
    left, right = TENSOR_IDENTITIES[name]
    upstream = rng.standard_normal(np.broadcast_shapes(*pair))
    left_value, left_grads = value_and_gradients(left, arrays, upstream)
    right_value, right_grads = value_and_gradients(right, arrays, upstream)
    np.testing.assert_allclose(left_value, right_value, rtol=1e-10, atol=1e-12)
    for got, want in zip(left_grads, right_grads):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


@ORACLE
@given(pair=broadcastable_shapes(), seed=seeds())
def test_a_broadcast_operand_gets_one_gradient_per_copy_numpy_made(pair: tuple, seed: int) -> None:
    rng = np.random.default_rng(seed)
    a, b = (Tensor(random_array(rng, shape), requires_grad=True) for shape in pair)
    out = a + b
    out.sum().backward()
    for leaf in (a, b):  # d sum(a + b) / d a_i = how many output elements a_i was copied into
        np.testing.assert_array_equal(leaf.grad, np.full(leaf.shape, out.size // leaf.size))


# Identities between the reductions and the softmax family along a random axis.
AXIS_IDENTITIES: dict[str, tuple[Callable, Callable]] = {
    "mean = sum / n": (lambda x, axis: x.mean(axis=axis, keepdims=True),
                       lambda x, axis: x.sum(axis=axis, keepdims=True) / x.shape[axis]),
    "var = mean of squared deviations": (
        lambda x, axis: x.var(axis=axis, keepdims=True),
        lambda x, axis: ((x - x.mean(axis=axis, keepdims=True)) ** 2).mean(axis=axis, keepdims=True)),
    "max(x) = -min(-x)": (lambda x, axis: x.max(axis=axis, keepdims=True),
                          lambda x, axis: (-x).min(axis=axis, keepdims=True).neg()),
    "log_softmax = x - logsumexp": (lambda x, axis: x.log_softmax(axis=axis),
                                    lambda x, axis: x - x.logsumexp(axis=axis, keepdims=True)),
    "softmax = exp(log_softmax)": (lambda x, axis: x.softmax(axis=axis),
                                   lambda x, axis: x.log_softmax(axis=axis).exp()),
    "logsumexp = log(sum(exp))": (lambda x, axis: x.logsumexp(axis=axis, keepdims=True),
                                  lambda x, axis: x.exp().sum(axis=axis, keepdims=True).log()),
    "x.T.T = x": (lambda x, axis: x.T.T, lambda x, axis: x * 1.0),
}


@pytest.mark.parametrize("name", AXIS_IDENTITIES)
@ORACLE
@given(shape=shapes(min_dims=1), data=st.data(), seed=seeds())
def test_equal_reductions_have_equal_values_and_gradients_along_any_axis(name: str, shape: tuple, data: Any,
                                                                         seed: int) -> None:
    axis = data.draw(st.integers(-len(shape), len(shape) - 1), label="axis")
    rng = np.random.default_rng(seed)
    x = random_array(rng, shape)
    left, right = AXIS_IDENTITIES[name]
    upstream = rng.standard_normal(left(Tensor(x), axis).shape)
    left_value, (left_grad,) = value_and_gradients(lambda t: left(t, axis), [x], upstream)
    right_value, (right_grad,) = value_and_gradients(lambda t: right(t, axis), [x], upstream)
    np.testing.assert_allclose(left_value, right_value, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(left_grad, right_grad, rtol=1e-10, atol=1e-12)


@ORACLE
@given(shape=shapes(min_dims=1), data=st.data(), seed=seeds())
def test_softmax_sums_to_one_so_the_gradient_of_its_sum_is_zero(shape: tuple, data: Any, seed: int) -> None:
    axis = data.draw(st.integers(-len(shape), len(shape) - 1), label="axis")
    x = Tensor(random_array(np.random.default_rng(seed), shape) * 10, requires_grad=True)
    total = x.softmax(axis=axis).sum(axis=axis)
    np.testing.assert_allclose(total.data, 1.0, rtol=1e-12)
    total.sum().backward()
    np.testing.assert_allclose(x.grad, 0.0, atol=1e-12)
