"""backward_steps: the engine's backward pass one node at a time, each step a record that narrates itself."""
from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_core import Step, Tensor, Value, backward_steps, topological_order
from autograd_core.stepping import format_number, node_names

NEURON_NARRATION = [
    "step 1/4  seed: do/do = 1",
    "step 2/4  o = tanh(n): n.grad += (1 - o^2) * o.grad = (1 - 0.7071^2) * 1 = 0.5",
    "step 3/4  n = v1 + b: v1.grad += 1 * n.grad = 1 * 0.5 = 0.5; b.grad += 1 * n.grad = 1 * 0.5 = 0.5",
    "step 4/4  v1 = x * w: x.grad += w * v1.grad = -3 * 0.5 = -1.5; w.grad += x * v1.grad = 2 * 0.5 = 1",
]


def neuron() -> tuple[Value, ...]:
    """The lecture's neuron: o = tanh(x*w + b), with b chosen so that o = 1/sqrt(2)."""
    x, w, b = Value(2.0, label="x"), Value(-3.0, label="w"), Value(6.8813735870195432, label="b")
    n = x * w + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return x, w, b, n, o


# ----------------------------------------------------------------------------- the narration
def test_the_neuron_example_is_narrated_exactly_as_in_the_issue() -> None:
    *_, o = neuron()
    assert [str(step) for step in o.backward_steps()] == NEURON_NARRATION


def test_the_function_and_the_method_give_the_same_steps() -> None:
    *_, o = neuron()
    *_, p = neuron()
    assert [str(s) for s in backward_steps(o)] == [str(s) for s in p.backward_steps()]


def test_each_step_has_already_added_its_gradients_and_no_later_ones() -> None:
    x, w, b, n, o = neuron()
    steps = o.backward_steps()
    next(steps), next(steps)                        # seed, then o = tanh(n)
    assert n.grad == pytest.approx(0.5) and x.grad == 0.0 and b.grad == 0.0
    next(steps)                                     # n = v1 + b
    assert b.grad == pytest.approx(0.5) and x.grad == 0.0
    next(steps)                                     # v1 = x * w
    assert (x.grad, w.grad) == pytest.approx((-1.5, 1.0))


def test_after_the_seed_step_the_root_already_holds_its_seed() -> None:
    *_, o = neuron()
    next(o.backward_steps())
    assert o.grad == 1.0


def test_a_step_records_its_node_op_upstream_and_what_each_parent_received() -> None:
    x, w, b, n, o = neuron()
    steps = list(o.backward_steps())
    product = steps[3]
    assert (product.index, product.total, product.name, product.op, product.expression) == (4, 4, "v1", "*", "x * w")
    assert product.node is n.parents[0]
    assert product.upstream == pytest.approx(0.5)
    first, second = product.parents
    assert first.parent is x and first.name == "x" and first.formula == "w"
    assert first.local == -3.0 and first.contribution == pytest.approx(-1.5)
    assert second.parent is w and second.formula == "x" and second.local == 2.0
    seed = steps[0]
    assert (seed.index, seed.op, seed.node, seed.upstream, seed.parents) == (1, "seed", o, 1.0, ())
    assert steps[1].parents[0].formula == "(1 - o^2)"


def test_a_step_is_an_immutable_record_whose_str_is_its_narration() -> None:
    *_, o = neuron()
    step = next(o.backward_steps())
    assert isinstance(step, Step) and str(step) == step.text == NEURON_NARRATION[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        step.index = 2  # type: ignore[misc]


def test_there_is_one_step_per_op_node_plus_the_seed_and_none_for_leaves() -> None:
    a, b = Value(1.5, label="a"), Value(-0.5, label="b")
    out = (a * b + a).exp() * (b - 2.0) + a ** 2
    steps = list(out.backward_steps())
    op_nodes = [node for node in topological_order(out) if node.parents]
    assert [s.index for s in steps] == list(range(1, len(op_nodes) + 2))
    assert all(s.total == len(op_nodes) + 1 for s in steps)
    assert sorted(id(s.node) for s in steps[1:]) == sorted(id(node) for node in op_nodes)


def test_numbers_have_four_significant_digits_and_negatives_get_parentheses_inside_formulas() -> None:
    x = Value(-1.0, label="x")
    y = x.tanh()
    y.label = "y"
    assert str(list(y.backward_steps())[1]) == (
        "step 2/2  y = tanh(x): x.grad += (1 - y^2) * y.grad = (1 - (-0.7616)^2) * 1 = 0.42")
    z = Value(3.0, label="z")
    q = z / -2.0
    q.label = "q"
    assert str(list(q.backward_steps())[1]) == (
        "step 2/2  q = z / (-2): z.grad += 1/(-2) * q.grad = 1/(-2) * 1 = -0.5; "
        "-2.grad += -z/(-2)^2 * q.grad = -3/(-2)^2 * 1 = -0.75")
    assert format_number(-0.0) == "0" and format_number(123456.0) == "1.235e+05"


def test_a_node_used_twice_is_narrated_once_per_use() -> None:
    x = Value(3.0, label="x")
    y = x * x
    y.label = "y"
    assert str(list(y.backward_steps())[1]) == (
        "step 2/2  y = x * x: x.grad += x * y.grad = 3 * 1 = 3; x.grad += x * y.grad = 3 * 1 = 3")
    assert x.grad == 6.0


def test_a_constant_exponent_and_a_constant_argument_are_shown_as_numbers() -> None:
    x = Value(-2.0, label="x")
    cube, leaky = x ** 3, x.leaky_relu(0.1)
    cube.label, leaky.label = "c", "r"
    texts = "\n".join(str(s) for s in (cube + leaky).backward_steps())
    assert "c = x ** 3: x.grad += 3 * x^(3 - 1) * c.grad = 3 * (-2)^(3 - 1) * 1 = 12" in texts
    assert "r = leaky_relu(x): x.grad += (1 if x > 0 else 0.1) * r.grad = (1 if (-2) > 0 else 0.1) * 1 = 0.1" in texts


def test_a_given_seed_is_narrated_as_such_and_scales_every_gradient() -> None:
    *_, o = neuron()
    x, *_ = o.parents[0].parents[0].parents
    steps = list(o.backward_steps(2.0))
    assert str(steps[0]) == "step 1/4  seed: o.grad += 2 (the given gradient)"
    assert x.grad == pytest.approx(-3.0)


# ----------------------------------------------------------------------------- names
def test_unlabelled_nodes_are_named_v1_v2_in_topological_order_and_constants_by_their_value() -> None:
    x = Value(1.0, label="x")
    v1 = Value(2.0, label="v1")          # a label that a generated name must not reuse
    out = (x * 2.5 + v1).relu()
    names = node_names(out)
    order = topological_order(out)
    generated = [names[id(node)] for node in order if node.parents]
    assert generated == ["v2", "v3", "v4"]
    constant = next(node for node in order if not node.parents and not node.label)
    assert names[id(constant)] == "2.5"


# ----------------------------------------------------------------------------- same gradients as backward()
UNARY = ["tanh", "exp", "relu", "sigmoid", "neg", "sin", "abs", "log", "sqrt", "softplus", "square"]
BINARY = ["+", "-", "*", "/", "pow"]


def draw_ops(draw: st.DrawFn, leaf_count: int, unary: list[str], binary: list[str], most: int) -> list[tuple]:
    """Up to ``most`` ops, each reading earlier nodes by index (so nodes get reused)."""
    ops = []
    for i in range(draw(st.integers(1, most))):
        earlier = st.integers(0, leaf_count + i - 1)
        if draw(st.booleans()):
            ops.append((draw(st.sampled_from(unary)), draw(earlier)))
        else:
            ops.append((draw(st.sampled_from(binary)), draw(earlier), draw(earlier)))
    return ops


@st.composite
def graph_recipes(draw: st.DrawFn) -> tuple[list[float], list[tuple]]:
    """Leaf values and a list of ops on them."""
    leaves = draw(st.lists(st.floats(-3, 3, allow_nan=False), min_size=1, max_size=4))
    return leaves, draw_ops(draw, len(leaves), UNARY, BINARY, most=12)


def build(recipe: tuple[list[float], list[tuple]]) -> list[Value]:
    leaves, ops = recipe
    nodes = [Value(v, label=f"x{i}") for i, v in enumerate(leaves)]
    for op, *args in ops:
        a = nodes[args[0]]
        if op in UNARY:
            node = {"neg": lambda: -a, "square": lambda: a ** 2}.get(op, lambda: getattr(a, op)())()
        else:
            b = nodes[args[1]]
            node = {"+": a + b, "-": a - b, "*": a * b, "/": a / b, "pow": a.abs() ** (b * 0.5)}[op]
        nodes.append(node)
    return nodes


def same_float(p: float, q: float) -> bool:
    return p == q or (math.isnan(p) and math.isnan(q))


@settings(max_examples=150, deadline=None)
@given(graph_recipes(), st.integers(0, 1))
def test_stepping_to_the_end_leaves_exactly_the_gradients_backward_leaves(recipe, earlier_passes) -> None:
    stepped, reference = build(recipe), build(recipe)
    for _ in range(earlier_passes):             # gradients accumulate the same way too
        stepped[-1].backward()
        reference[-1].backward()
    steps = list(stepped[-1].backward_steps())
    reference[-1].backward()
    assert len(steps) == sum(1 for node in topological_order(stepped[-1]) if node.parents) + 1
    for s, r in zip(stepped, reference):
        assert same_float(s.grad, r.grad), (s, r)


def test_a_stepper_abandoned_half_way_does_not_disturb_the_next_backward() -> None:
    *_, o = neuron()
    x = o.parents[0].parents[0].parents[0]
    steps = o.backward_steps()
    next(steps), next(steps), next(steps)
    steps.close()
    for node in topological_order(o):
        node.zero_grad()
    o.backward()
    assert x.grad == pytest.approx(-1.5)


# ----------------------------------------------------------------------------- tensors
def small_network() -> tuple[Tensor, ...]:
    x = Tensor(np.arange(6.0).reshape(2, 3) / 5, requires_grad=True, label="x")
    w = Tensor(np.full((3, 2), 0.5), requires_grad=True, label="w")
    b = Tensor(np.zeros(2), label="b")               # a constant: it receives nothing
    loss = ((x @ w + b).tanh() * 2).mean()
    loss.label = "loss"
    return x, w, b, loss


def test_tensor_steps_show_shapes_and_a_summary_of_each_gradient() -> None:
    x, w, b, loss = small_network()
    texts = [str(step) for step in loss.backward_steps()]
    assert texts[0] == "step 1/6  seed: dloss/dloss = 1"
    assert texts[1].startswith("step 2/6  loss = mean(v4), shape (): v4.grad += broadcast(loss.grad) / n = "
                               "shape (2, 2) mean 0.25 |max| 0.25 norm 0.5")
    assert "v1 = x @ w, shape (2, 2): x.grad += v1.grad @ w^T = shape (2, 3) mean" in texts[5]
    assert "b gets nothing (it does not require grad)" in texts[4]


def test_tensor_steps_record_contributions_as_arrays_and_no_local_number() -> None:
    x, w, b, loss = small_network()
    last = list(loss.backward_steps())[-1]
    assert [update.local for update in last.parents] == [None, None]
    assert last.parents[0].contribution.shape == (2, 3)


def test_stepping_a_tensor_graph_leaves_exactly_the_gradients_backward_leaves() -> None:
    x, w, _, loss = small_network()
    list(loss.backward_steps())
    x2, w2, _, loss2 = small_network()
    loss2.backward()
    np.testing.assert_array_equal(x.grad, x2.grad)
    np.testing.assert_array_equal(w.grad, w2.grad)


def test_a_dot_node_narrates_every_parent_of_any_count() -> None:
    from autograd_core import dot

    w = [Value(2.0, label="w0"), Value(3.0, label="w1")]
    x = [Value(5.0, label="x0"), Value(7.0, label="x1")]
    s = dot(w, x, Value(1.0, label="b"))
    s.label = "s"
    steps = [str(step) for step in s.backward_steps()]
    assert steps[1] == ("step 2/2  s = w0*x0 + w1*x1 + b: w0.grad += x0 * s.grad = 5 * 1 = 5; "
                        "w1.grad += x1 * s.grad = 7 * 1 = 7; x0.grad += w0 * s.grad = 2 * 1 = 2; "
                        "x1.grad += w1 * s.grad = 3 * 1 = 3; b.grad += 1 * s.grad = 1 * 1 = 1")


TENSOR_SHAPES = [(), (3,), (1, 3), (2, 1), (2, 3)]      # all broadcast to (2, 3)
TENSOR_UNARY = ["tanh", "sigmoid", "relu", "neg", "square", "row_sum", "mean_all"]


@st.composite
def tensor_recipes(draw: st.DrawFn) -> tuple[list, list[tuple]]:
    """Leaf shapes and values, then ops that broadcast, reduce and reuse earlier nodes."""
    shapes = draw(st.lists(st.sampled_from(TENSOR_SHAPES), min_size=1, max_size=3))
    leaves = [np.array(draw(st.lists(st.floats(-2, 2, allow_nan=False), min_size=int(np.prod(shape, dtype=int)),
                                     max_size=int(np.prod(shape, dtype=int))))).reshape(shape) for shape in shapes]
    return leaves, draw_ops(draw, len(leaves), TENSOR_UNARY, ["+", "-", "*"], most=8)


def build_tensors(recipe: tuple[list, list[tuple]]) -> list[Tensor]:
    leaves, ops = recipe
    nodes = [Tensor(array, requires_grad=True, label=f"x{i}") for i, array in enumerate(leaves)]
    unary = {"tanh": Tensor.tanh, "sigmoid": Tensor.sigmoid, "relu": Tensor.relu, "neg": lambda a: -a,
             "square": lambda a: a ** 2, "row_sum": lambda a: a.sum(axis=-1, keepdims=True) if a.ndim else a,
             "mean_all": Tensor.mean}
    for op, *args in ops:
        a = nodes[args[0]]
        if op in unary:
            nodes.append(unary[op](a))
        else:
            b = nodes[args[1]]
            nodes.append({"+": a + b, "-": a - b, "*": a * b}[op])
    nodes.append(nodes[-1].sum())
    return nodes


@settings(max_examples=60, deadline=None)
@given(tensor_recipes())
def test_stepping_a_random_tensor_graph_leaves_exactly_the_gradients_backward_leaves(recipe) -> None:
    stepped, reference = build_tensors(recipe), build_tensors(recipe)
    steps = list(stepped[-1].backward_steps())
    reference[-1].backward()
    assert len(steps) == sum(1 for node in topological_order(stepped[-1]) if node.parents) + 1
    for s, r in zip(stepped, reference):
        if s.is_leaf and r.grad is None:             # a leaf the result does not use
            assert s.grad is None
        elif s.is_leaf:
            np.testing.assert_array_equal(s.grad, r.grad)
            assert s.grad.shape == s.shape


def test_backward_steps_refuses_what_is_no_node_when_called_not_at_the_first_step() -> None:
    with pytest.raises(TypeError, match=r"got float\. fix: pass the result of a computation"):
        backward_steps(3.0)
    with pytest.raises(ValueError, match="needs a gradient"):
        Tensor([1.0, 2.0], requires_grad=True).tanh().backward_steps()


def test_a_broadcast_operand_is_said_to_be_summed_back_to_its_shape() -> None:
    from autograd_core import Tensor

    x = Tensor(np.ones((4, 3)), label="x")
    W = Tensor(np.ones((3, 2)), requires_grad=True, label="W")
    b = Tensor(np.zeros(2), requires_grad=True, label="b")
    y = (x @ W + b).sum()
    add_step = [str(step) for step in y.backward_steps()][2]
    assert "v1.grad += v2.grad = shape (4, 2)" in add_step          # same shape: the gradient passes as it is
    assert "b.grad += (v2.grad) summed to shape (2,) = shape (2,) mean 4" in add_step
