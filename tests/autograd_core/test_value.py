"""Value: every op checked three ways (worked by hand, gradcheck, PyTorch float64), random graphs against
PyTorch, micrograd's classic expressions, the nan/inf rule, error messages, comparisons and repr.

Each op is written once in ``OPS``; the tests below are generated from that table (minitorch's habit).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_core import GradcheckError, Value, dot, gradcheck

SELU_ALPHA = 1.6732632423543772848170429916717  # from the SELU paper (Klambauer et al., 2017)
SELU_SCALE = 1.0507009873554804934193349852946
LN2, LN3, SQRT3 = math.log(2.0), math.log(3.0), math.sqrt(3.0)


# ----------------------------------------------------------------------------- the op table
def anywhere(low: float = -3.0, high: float = 3.0) -> st.SearchStrategy[float]:
    return st.floats(low, high)


def away_from_zero(low: float = -3.0, high: float = 3.0, gap: float = 1e-3) -> st.SearchStrategy[float]:
    """Points where a function with a kink at 0 is differentiable, with room for gradcheck's eps."""
    return st.floats(low, high).filter(lambda x: abs(x) > gap)


def nonzero_magnitude(low: float = 0.2, high: float = 5.0) -> st.SearchStrategy[float]:
    return st.floats(low, high) | st.floats(-high, -low)


@dataclass(frozen=True)
class Worked:
    """A case worked out by hand: inputs, the expected value and the expected gradient of each input."""

    args: tuple[float, ...]
    value: float
    grads: tuple[float, ...]


@dataclass(frozen=True)
class Op:
    """One differentiable operation on Values, with its PyTorch twin and where it is smooth.

    ``ours`` runs on Values; ``theirs`` on float64 torch tensors (``None``: the same code works on both).
    ``straight_through`` marks ops whose gradient is deliberately not their true derivative.
    """

    name: str
    ours: Callable
    worked: tuple[Worked, ...]
    domain: tuple[st.SearchStrategy[float], ...]
    theirs: Callable | None = None
    straight_through: bool = False
    arity: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "arity", len(self.domain))

    def torch(self, *args: torch.Tensor) -> torch.Tensor:
        return (self.theirs or self.ours)(*args)


def torch_straight_through(forward: Callable[[torch.Tensor], torch.Tensor]) -> Callable:
    """PyTorch's idiom for a straight-through estimator: forward ``forward(x)``, gradient 1."""
    return lambda x: x + (forward(x) - x).detach()


def torch_step(x: torch.Tensor) -> torch.Tensor:
    return torch.heaviside(x, torch.zeros((), dtype=x.dtype))


OPS = [
    # unary operators and functions
    Op("neg", lambda a: -a, (Worked((2.0,), -2.0, (-1.0,)),), (anywhere(),)),
    Op("exp", lambda a: a.exp(), (Worked((LN3,), 3.0, (3.0,)), Worked((0.0,), 1.0, (1.0,))), (anywhere(-5, 5),)),
    Op("log", lambda a: a.log(), (Worked((2.0,), LN2, (0.5,)), Worked((math.e,), 1.0, (1 / math.e,))),
       (st.floats(0.05, 10.0),)),
    Op("sqrt", lambda a: a.sqrt(), (Worked((4.0,), 2.0, (0.25,)), Worked((9.0,), 3.0, (1 / 6,))),
       (st.floats(0.05, 10.0),)),
    Op("tanh", lambda a: a.tanh(), (Worked((LN2,), 0.6, (0.64,)), Worked((0.0,), 0.0, (1.0,))), (anywhere(-4, 4),)),
    Op("sigmoid", lambda a: a.sigmoid(), (Worked((0.0,), 0.5, (0.25,)), Worked((LN3,), 0.75, (0.1875,))),
       (anywhere(-8, 8),)),
    Op("relu", lambda a: a.relu(),
       (Worked((3.0,), 3.0, (1.0,)), Worked((-2.0,), 0.0, (0.0,)), Worked((0.0,), 0.0, (0.0,))), (away_from_zero(),)),
    Op("leaky_relu", lambda a: a.leaky_relu(), (Worked((3.0,), 3.0, (1.0,)), Worked((-2.0,), -0.02, (0.01,))),
       (away_from_zero(),), theirs=lambda a: F.leaky_relu(a, 0.01)),
    Op("leaky_relu(alpha=0.2)", lambda a: a.leaky_relu(alpha=0.2), (Worked((-2.0,), -0.4, (0.2,)),),
       (away_from_zero(),), theirs=lambda a: F.leaky_relu(a, 0.2)),
    Op("elu", lambda a: a.elu(), (Worked((3.0,), 3.0, (1.0,)), Worked((-LN2,), -0.5, (0.5,))), (away_from_zero(),),
       theirs=lambda a: F.elu(a, 1.0)),
    Op("elu(alpha=2)", lambda a: a.elu(alpha=2.0), (Worked((-LN2,), -1.0, (1.0,)),), (away_from_zero(),),
       theirs=lambda a: F.elu(a, 2.0)),
    Op("selu", lambda a: a.selu(),
       (Worked((1.0,), SELU_SCALE, (SELU_SCALE,)),
        Worked((-LN2,), -0.5 * SELU_SCALE * SELU_ALPHA, (0.5 * SELU_SCALE * SELU_ALPHA,))),
       (away_from_zero(),), theirs=F.selu),
    Op("softplus", lambda a: a.softplus(), (Worked((0.0,), LN2, (0.5,)), Worked((LN3,), math.log(4.0), (0.75,))),
       (anywhere(-15, 15),), theirs=F.softplus),
    Op("sin", lambda a: a.sin(), (Worked((math.pi / 6,), 0.5, (SQRT3 / 2,)),), (anywhere(-6, 6),)),
    Op("cos", lambda a: a.cos(), (Worked((math.pi / 3,), 0.5, (-SQRT3 / 2,)),), (anywhere(-6, 6),)),
    Op("abs", lambda a: a.abs(),
       (Worked((-3.0,), 3.0, (-1.0,)), Worked((2.0,), 2.0, (1.0,)), Worked((0.0,), 0.0, (0.0,))), (away_from_zero(),)),
    Op("abs()", lambda a: abs(a), (Worked((-3.0,), 3.0, (-1.0,)),), (away_from_zero(),), theirs=torch.abs),
    Op("step", lambda a: a.step(),
       (Worked((2.0,), 1.0, (1.0,)), Worked((-1.0,), 0.0, (1.0,)), Worked((0.0,), 0.0, (1.0,))),
       (away_from_zero(),), theirs=torch_straight_through(torch_step), straight_through=True),
    Op("sign", lambda a: a.sign(),
       (Worked((-2.0,), -1.0, (1.0,)), Worked((0.0,), 0.0, (1.0,)), Worked((5.0,), 1.0, (1.0,))),
       (away_from_zero(),), theirs=torch_straight_through(torch.sign), straight_through=True),
    # powers with a constant exponent
    Op("a ** 3", lambda a: a ** 3, (Worked((2.0,), 8.0, (12.0,)), Worked((-1.0,), -1.0, (3.0,))), (anywhere(),)),
    Op("a ** -1", lambda a: a ** -1, (Worked((4.0,), 0.25, (-1 / 16,)),), (nonzero_magnitude(),)),
    Op("a ** 0.5", lambda a: a ** 0.5, (Worked((9.0,), 3.0, (1 / 6,)),), (st.floats(0.05, 10.0),)),
    # reflected and mixed forms with plain numbers
    Op("2 * a", lambda a: 2 * a, (Worked((3.0,), 6.0, (2.0,)),), (anywhere(),)),
    Op("a * 2", lambda a: a * 2, (Worked((3.0,), 6.0, (2.0,)),), (anywhere(),)),
    Op("2 + a", lambda a: 2 + a, (Worked((3.0,), 5.0, (1.0,)),), (anywhere(),)),
    Op("a + 2", lambda a: a + 2, (Worked((3.0,), 5.0, (1.0,)),), (anywhere(),)),
    Op("1 - a", lambda a: 1 - a, (Worked((3.0,), -2.0, (-1.0,)),), (anywhere(),)),
    Op("a - 1", lambda a: a - 1, (Worked((3.0,), 2.0, (1.0,)),), (anywhere(),)),
    Op("1 / a", lambda a: 1 / a, (Worked((4.0,), 0.25, (-1 / 16,)), Worked((-2.0,), -0.5, (-0.25,))),
       (nonzero_magnitude(),)),
    Op("a / 2", lambda a: a / 2, (Worked((3.0,), 1.5, (0.5,)),), (anywhere(),)),
    Op("2 ** a", lambda a: 2 ** a, (Worked((3.0,), 8.0, (8.0 * LN2,)),), (anywhere(),),
       theirs=lambda a: torch.pow(2.0, a)),
    # binary operators on two Values
    Op("a + b", lambda a, b: a + b, (Worked((2.0, -3.0), -1.0, (1.0, 1.0)),), (anywhere(), anywhere())),
    Op("a - b", lambda a, b: a - b, (Worked((2.0, -3.0), 5.0, (1.0, -1.0)),), (anywhere(), anywhere())),
    Op("a * b", lambda a, b: a * b, (Worked((2.0, -3.0), -6.0, (-3.0, 2.0)),), (anywhere(), anywhere())),
    Op("a / b", lambda a, b: a / b,
       (Worked((3.0, 2.0), 1.5, (0.5, -0.75)), Worked((1.0, -4.0), -0.25, (-0.25, -1 / 16))),
       (anywhere(), nonzero_magnitude())),
    Op("a ** b", lambda a, b: a ** b,
       (Worked((2.0, 3.0), 8.0, (12.0, 8.0 * LN2)), Worked((4.0, 0.5), 2.0, (0.25, 2 * math.log(4.0)))),
       (st.floats(0.2, 4.0), anywhere(-2, 2))),
    # the fused neuron pre-activation
    Op("dot with bias", lambda w0, w1, x0, x1, b: dot([w0, w1], [x0, x1], b),
       (Worked((2.0, -1.0, 3.0, 4.0, 0.5), 2.5, (3.0, 4.0, 2.0, -1.0, 1.0)),), (anywhere(),) * 5,
       theirs=lambda w0, w1, x0, x1, b: w0 * x0 + w1 * x1 + b),
    Op("dot with number inputs", lambda w0, w1: dot([w0, w1], [3.0, -2.0]),
       (Worked((2.0, 5.0), -4.0, (3.0, -2.0)),), (anywhere(), anywhere()),
       theirs=lambda w0, w1: w0 * 3.0 + w1 * -2.0),
]
SMOOTH_OPS = [op for op in OPS if not op.straight_through]
STRAIGHT_THROUGH_OPS = [op for op in OPS if op.straight_through]
WORKED_CASES = [pytest.param(op, case, id=f"{op.name}{case.args}") for op in OPS for case in op.worked]


def by_name(ops: list[Op]) -> pytest.MarkDecorator:
    return pytest.mark.parametrize("op", ops, ids=[op.name for op in ops])


def ours_with_grads(fn: Callable, args: tuple[float, ...]) -> tuple[float, list[float]]:
    leaves = [Value(x) for x in args]
    out = fn(*leaves)
    out.backward()
    return out.data, [leaf.grad for leaf in leaves]


def torch_with_grads(fn: Callable, args: tuple[float, ...]) -> tuple[float, list[float]]:
    leaves = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in args]
    out = fn(*leaves)
    out.backward()
    return out.item(), [0.0 if leaf.grad is None else leaf.grad.item() for leaf in leaves]


def assert_close(ours: float, theirs: float, rel: float = 1e-9, abs_: float = 1e-12) -> None:
    """Equal to rounding, with nan equal to nan and infinities equal only to themselves."""
    if math.isnan(theirs) or math.isinf(theirs):
        assert ours == theirs or (math.isnan(ours) and math.isnan(theirs)), (ours, theirs)
    else:
        assert ours == pytest.approx(theirs, rel=rel, abs=abs_)


def draw_args(data: st.DataObject, op: Op) -> tuple[float, ...]:
    return tuple(data.draw(strategy, label=f"arg{i}") for i, strategy in enumerate(op.domain))


# ----------------------------------------------------------------------------- every op, three ways
@pytest.mark.parametrize("op, case", WORKED_CASES)
def test_op_gives_its_hand_worked_value_and_gradients(op: Op, case: Worked) -> None:
    value, grads = ours_with_grads(op.ours, case.args)
    assert value == pytest.approx(case.value, rel=1e-12, abs=1e-15)
    assert grads == pytest.approx(list(case.grads), rel=1e-12, abs=1e-15)


@by_name(SMOOTH_OPS)
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_op_gradient_passes_gradcheck(op: Op, data: st.DataObject) -> None:
    args = draw_args(data, op)
    assert gradcheck(op.ours, [Value(x) for x in args])


@by_name(STRAIGHT_THROUGH_OPS)
def test_straight_through_gradient_is_deliberately_not_the_true_derivative(op: Op) -> None:
    with pytest.raises(GradcheckError, match=r"analytic \(backward\) 1 != numeric \(central difference\) 0"):
        gradcheck(op.ours, [Value(0.7)])
    assert "straight-through" in getattr(Value, op.name).__doc__


@pytest.mark.parametrize("op, case", WORKED_CASES)
def test_op_agrees_with_pytorch_at_the_worked_points_including_kinks(op: Op, case: Worked) -> None:
    ours_value, ours_grads = ours_with_grads(op.ours, case.args)
    torch_value, torch_grads = torch_with_grads(op.torch, case.args)
    assert_close(ours_value, torch_value)
    for ours, theirs in zip(ours_grads, torch_grads):
        assert_close(ours, theirs)


@by_name(OPS)
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_op_agrees_with_pytorch_float64_at_random_points(op: Op, data: st.DataObject) -> None:
    args = draw_args(data, op)
    ours_value, ours_grads = ours_with_grads(op.ours, args)
    torch_value, torch_grads = torch_with_grads(op.torch, args)
    assert_close(ours_value, torch_value)
    for ours, theirs in zip(ours_grads, torch_grads):
        assert_close(ours, theirs)


def test_pow_with_a_negative_base_gives_nan_exponent_gradient_like_pytorch() -> None:
    ours_value, ours_grads = ours_with_grads(lambda a, b: a ** b, (-2.0, 2.0))
    torch_value, torch_grads = torch_with_grads(lambda a, b: a ** b, (-2.0, 2.0))
    assert ours_value == torch_value == 4.0
    assert ours_grads[0] == torch_grads[0] == -4.0
    assert math.isnan(ours_grads[1]) and math.isnan(torch_grads[1])


ZERO_POWERS = [
    ("a ** 0 at 0", lambda a: a ** 0, (0.0,)),
    ("a ** 0.0 at 0", lambda a: a ** 0.0, (0.0,)),
    ("a ** 2 at 0", lambda a: a ** 2, (0.0,)),
    ("a ** 0.5 at 0", lambda a: a ** 0.5, (0.0,)),
    ("a ** -1 at 0", lambda a: a ** -1, (0.0,)),
    ("a ** b at 0, 0", lambda a, b: a ** b, (0.0, 0.0)),
    ("a ** b at 0, 2", lambda a, b: a ** b, (0.0, 2.0)),
    ("a ** b at 0, -1", lambda a, b: a ** b, (0.0, -1.0)),
    ("a ** b at 2, 0", lambda a, b: a ** b, (2.0, 0.0)),
]


@pytest.mark.parametrize("fn, args", [pytest.param(fn, args, id=name) for name, fn, args in ZERO_POWERS])
def test_powers_at_zero_follow_pytorchs_conventions(fn: Callable, args: tuple) -> None:
    ours_value, ours_grads = ours_with_grads(fn, args)
    torch_value, torch_grads = torch_with_grads(fn, args)
    assert_close(ours_value, torch_value)
    for ours, theirs in zip(ours_grads, torch_grads):
        assert_close(ours, theirs)


# ----------------------------------------------------------------------------- micrograd's classic expressions
def sanity_check_expression(x):
    """micrograd's first test; the same code runs on a Value and on a torch tensor."""
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    return h + q + q * x


def more_ops_expression(a, b):
    """micrograd's second test: reuse, in-place-style rebinding, relu, reflected ops and division."""
    c = a + b
    d = a * b + b ** 3
    c = c + c + 1
    c = c + 1 + c + (-a)
    d = d + d * 2 + (b + a).relu()
    d = d + 3 * d + (b - a).relu()
    e = c - d
    f = e ** 2
    g = f / 2.0
    return g + 10.0 / f


@pytest.mark.parametrize("expression, args", [(sanity_check_expression, (-4.0,)),
                                              (more_ops_expression, (-4.0, 2.0))],
                         ids=["sanity_check", "more_ops"])
def test_micrograds_classic_expressions_agree_with_pytorch(expression: Callable, args: tuple) -> None:
    ours_value, ours_grads = ours_with_grads(expression, args)
    torch_value, torch_grads = torch_with_grads(expression, args)
    assert ours_value == pytest.approx(torch_value, rel=1e-12)
    assert ours_grads == pytest.approx(torch_grads, rel=1e-12)
    assert gradcheck(expression, [Value(x) for x in args])


def test_issue_example_gives_the_documented_gradients_and_repr() -> None:
    a = Value(2.0, label="a")
    b = Value(-3.0, label="b")
    c = a * b + b ** 2
    c.label = "c"
    c.backward()
    assert (a.grad, b.grad) == (-3.0, -4.0)  # dc/da = b, dc/db = a + 2b
    assert repr(c) == "Value(data=3.0, grad=1.0, label='c')"


def test_repr_without_label_shows_data_and_grad_only() -> None:
    assert repr(Value(2)) == "Value(data=2.0, grad=0.0)"


# ----------------------------------------------------------------------------- random graphs against PyTorch
# Each graph op is one line that runs unchanged on Values and on torch tensors.
GRAPH_OPS: dict[str, tuple[int, Callable]] = {
    "add": (2, lambda a, b: a + b),
    "sub": (2, lambda a, b: a - b),
    "mul": (2, lambda a, b: a * b),
    "div": (2, lambda a, b: a / (1 + b * b)),
    "pow": (2, lambda a, b: (a * a + 0.5) ** b.tanh()),
    "neg": (1, lambda a: -a),
    "square": (1, lambda a: a ** 2),
    "scale": (1, lambda a: 0.5 * a),
    "rsub": (1, lambda a: 1 - a),
    "tanh": (1, lambda a: a.tanh()),
    "sigmoid": (1, lambda a: a.sigmoid()),
    "relu": (1, lambda a: a.relu()),
    "exp": (1, lambda a: a.exp()),
    "sin": (1, lambda a: a.sin()),
    "abs": (1, lambda a: a.abs()),
}


@st.composite
def expression_graphs(draw: st.DrawFn) -> tuple[list[float], list[tuple[str, tuple[int, ...]]]]:
    """Random DAGs: inputs, then steps whose operands are any earlier nodes (so reuse and diamonds occur)."""
    inputs = draw(st.lists(st.floats(-2.0, 2.0), min_size=1, max_size=4))
    steps = []
    for _ in range(draw(st.integers(1, 14))):
        name = draw(st.sampled_from(sorted(GRAPH_OPS)))
        arity = GRAPH_OPS[name][0]
        node_count = len(inputs) + len(steps)
        steps.append((name, tuple(draw(st.integers(0, node_count - 1)) for _ in range(arity))))
    return inputs, steps


def build(graph: tuple, leaf: Callable) -> list:
    inputs, steps = graph
    nodes = [leaf(x) for x in inputs]
    for name, operands in steps:
        nodes.append(GRAPH_OPS[name][1](*(nodes[i] for i in operands)))
    return nodes


def torch_leaf(x: float) -> torch.Tensor:
    return torch.tensor(x, dtype=torch.float64, requires_grad=True)


@settings(max_examples=150, deadline=None)
@given(graph=expression_graphs())
def test_random_expression_graphs_match_pytorch_in_every_value_and_gradient(graph: tuple) -> None:
    ours = build(graph, Value)
    theirs = build(graph, torch_leaf)
    for node in theirs:
        if node.requires_grad and not node.is_leaf:
            node.retain_grad()
    if not math.isfinite(ours[-1].data):
        return  # a graph that overflows is the nan/inf rule's business, tested below
    ours[-1].backward()
    theirs[-1].backward()
    scale = 1.0 + max(abs(node.grad) for node in ours if math.isfinite(node.grad))  # paths summed in another order
    for mine, reference in zip(ours, theirs):
        assert_close(mine.data, reference.item())
        reference_grad = 0.0 if reference.grad is None else reference.grad.item()
        assert_close(mine.grad, reference_grad, rel=1e-9, abs_=1e-12 * scale)


# ----------------------------------------------------------------------------- algebraic identities
# Pairs of expressions that are equal as functions, so their values AND gradients must agree at every point
# (a wrong backward rule in either side breaks the pair). Each takes the same two inputs; domains keep
# every expression smooth: x anywhere away from kinks, p positive.
IDENTITIES: dict[str, tuple[Callable, Callable]] = {
    "x - x = 0": (lambda x, p: x - x, lambda x, p: x * 0),
    "(x * p) / p = x": (lambda x, p: (x * p) / p, lambda x, p: x + p * 0),
    "exp(log p) = p": (lambda x, p: p.log().exp(), lambda x, p: p + x * 0),
    "sqrt(p)^2 = p": (lambda x, p: p.sqrt() ** 2, lambda x, p: p + x * 0),
    "x ** 2 = x * x": (lambda x, p: x ** 2, lambda x, p: x * x),
    "p ** x = exp(x log p)": (lambda x, p: p ** x, lambda x, p: (x * p.log()).exp()),
    "tanh(x) = 2 sigmoid(2x) - 1": (lambda x, p: x.tanh(), lambda x, p: 2 * (2 * x).sigmoid() - 1),
    "softplus(x) - softplus(-x) = x": (lambda x, p: x.softplus() - (-x).softplus(), lambda x, p: x * 1),
    "relu(x) - relu(-x) = x": (lambda x, p: x.relu() - (-x).relu(), lambda x, p: x * 1),
    "|x| = sqrt(x * x)": (lambda x, p: abs(x), lambda x, p: (x * x).sqrt()),
    "sin^2 + cos^2 = 1": (lambda x, p: x.sin() ** 2 + x.cos() ** 2, lambda x, p: x * 0 + 1),
    "elu(x) = relu(x) + min(0, exp(x) - 1)": (lambda x, p: x.elu(), lambda x, p: x.relu() - (-(x.exp() - 1)).relu()),
}


@pytest.mark.parametrize("name", IDENTITIES)
@settings(max_examples=30, deadline=None)
@given(x=away_from_zero(-4.0, 4.0, gap=1e-6), p=st.floats(0.1, 5.0))
def test_equal_expressions_have_equal_values_and_gradients(name: str, x: float, p: float) -> None:
    left, right = IDENTITIES[name]
    left_value, left_grads = ours_with_grads(left, (x, p))
    right_value, right_grads = ours_with_grads(right, (x, p))
    assert left_value == pytest.approx(right_value, rel=1e-9, abs=1e-12)
    assert left_grads == pytest.approx(right_grads, rel=1e-9, abs=1e-12)


# ----------------------------------------------------------------------------- the nan/inf rule
with np.errstate(all="ignore"):
    NAN_INF_CASES = [
        ("log(-1)", lambda: Value(-1.0).log(), np.log(-1.0)),
        ("log(0)", lambda: Value(0.0).log(), np.log(0.0)),
        ("1/0", lambda: Value(1.0) / Value(0.0), np.float64(1.0) / 0.0),
        ("-1/0", lambda: Value(-1.0) / 0, np.float64(-1.0) / 0.0),
        ("0/0", lambda: Value(0.0) / Value(0.0), np.float64(0.0) / 0.0),
        ("1/a at 0", lambda: 1 / Value(0.0), np.float64(1.0) / 0.0),
        ("sqrt(-1)", lambda: Value(-1.0).sqrt(), np.sqrt(-1.0)),
        ("exp(1000)", lambda: Value(1000.0).exp(), np.exp(1000.0)),
        ("0 ** -1", lambda: Value(0.0) ** -1, np.power(0.0, -1.0)),
        ("(-8) ** (1/3)", lambda: Value(-8.0) ** (1 / 3), np.power(-8.0, 1 / 3)),
        ("10 ** 400", lambda: Value(10.0) ** 400, np.power(10.0, 400.0)),
        ("(-10) ** 401", lambda: Value(-10.0) ** 401, np.power(-10.0, 401.0)),
        ("sin(inf)", lambda: Value(math.inf).sin(), np.sin(np.inf)),
        ("nan + 1", lambda: Value(math.nan) + 1, np.nan + 1),
        ("relu(nan)", lambda: Value(math.nan).relu(), np.maximum(np.nan, 0.0)),
    ]


@pytest.mark.parametrize("make, numpy_result", [pytest.param(make, res, id=name) for name, make, res in NAN_INF_CASES])
def test_undefined_and_overflowing_ops_give_numpys_nan_or_inf_without_raising(make: Callable, numpy_result) -> None:
    out = make()
    assert_close(out.data, float(numpy_result))
    out.backward()  # a nan/inf gradient is allowed; an exception half-way through a graph is not


def test_nan_and_inf_flow_through_a_graph_instead_of_crashing_it() -> None:
    x = Value(0.0)
    y = (x.log() * 2 + x.sqrt()).tanh()
    y.backward()
    assert y.data == -1.0
    assert math.isnan(x.grad)  # 1/0 times tanh' = 0 there: inf * 0


# ----------------------------------------------------------------------------- errors, comparisons
@pytest.mark.parametrize("make, type_name", [
    (lambda: Value("x"), "str"),
    (lambda: Value(None), "NoneType"),
    (lambda: Value([1.0]), "list"),
    (lambda: Value(True), "bool"),
    (lambda: Value(1.0) + "x", "str"),
    (lambda: "x" + Value(1.0), "str"),
    (lambda: Value(1.0) + None, "NoneType"),
    (lambda: Value(1.0) * None, "NoneType"),
    (lambda: Value(1.0) - "x", "str"),
    (lambda: Value(1.0) / "x", "str"),
    (lambda: Value(1.0) ** "x", "str"),
    (lambda: Value(1.0) < "x", "str"),
], ids=["Value(str)", "Value(None)", "Value(list)", "Value(bool)", "a+str", "str+a", "a+None", "a*None", "a-str",
        "a/str", "a**str", "a<str"])
def test_non_numbers_raise_a_type_error_naming_the_type_and_what_is_accepted(make: Callable, type_name: str) -> None:
    with pytest.raises(TypeError) as error:
        make()
    message = str(error.value)
    assert type_name in message
    assert "int or float" in message


def test_value_plus_tensor_raises_a_type_error_saying_they_do_not_mix() -> None:
    from autograd_core import Tensor

    a, t = Value(1.0), Tensor(np.ones(3))
    for combine in (lambda: a + t, lambda: a * t, lambda: t + a):
        with pytest.raises(TypeError, match="Tensor") as error:
            combine()
        assert "Value" in str(error.value)


def test_comparisons_return_plain_bools_on_data() -> None:
    a, b = Value(2.0), Value(3.0)
    results = [a < b, a <= b, a > b, a >= b, a == b, a != b, a < 3, a == 2, 2 == a, 1 < a]
    assert results == [True, True, False, False, False, True, True, True, True, True]
    assert all(type(result) is bool for result in results)


def test_values_hash_by_identity_so_equal_data_stay_distinct_keys() -> None:
    a, b = Value(1.0), Value(1.0)
    assert a == b
    assert len({a: "a", b: "b"}) == 2


def test_values_accept_numpy_floats_and_ints_as_numbers() -> None:
    a = Value(np.float64(2.5)) * np.float32(2.0) + 1
    assert (a.data, type(a.data)) == (6.0, float)
