"""The engine: topological order, one backward loop, gradient accumulation, grad mode, name scopes, anomaly mode,
freeing graphs by reference counting, and what ``import autograd_core`` pulls in."""
from __future__ import annotations

import gc
import inspect
import math
import os
import subprocess
import sys

import pytest

from autograd_core import (AnomalyError, Value, anomaly_mode, enable_grad, gradcheck, is_grad_enabled, name_scope,
                           no_grad, topological_order, zero_grad)

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def next_line() -> int:
    """The line number after the caller's: where the caller's next statement creates a node."""
    return inspect.currentframe().f_back.f_lineno + 1


def all_nodes(root: Value) -> list[Value]:
    return topological_order(root)


# ----------------------------------------------------------------------------- order and the chain rule
def test_topological_order_puts_parents_before_children_and_the_root_last() -> None:
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    c = a * b
    d = c + a
    order = topological_order(d)
    assert order[-1] is d
    position = {id(node): i for i, node in enumerate(order)}
    for node in order:
        for parent in node.parents:
            assert position[id(parent)] < position[id(node)]
    assert len(order) == 4  # a appears once although two paths lead to it


def test_topological_order_depends_only_on_the_graph_so_pictures_are_reproducible() -> None:
    def labelled_order() -> list[str]:
        a, b, c = Value(1.0, label="a"), Value(2.0, label="b"), Value(3.0, label="c")
        out = (a + b) * c + a.tanh() * b
        return [node.label or node.op for node in topological_order(out)]

    orders = [labelled_order() for _ in range(20)]  # new objects, new addresses each time
    assert all(order == orders[0] for order in orders)


def test_a_reused_node_gets_the_sum_of_its_paths() -> None:
    a = Value(3.0)
    (a * a).backward()
    assert a.grad == 6.0  # d a^2/da = 2a
    b = Value(3.0)
    (b + b + b).backward()
    assert b.grad == 3.0


def test_a_diamond_graph_sums_both_branches() -> None:
    a = Value(3.0)
    left, right = a * 2, a + 1  # 6 and 4
    top = left * right
    top.backward()
    assert top.data == 24.0
    assert a.grad == 2 * right.data + left.data  # d(2a (a+1))/da = 2(a+1) + 2a = 14
    assert a.grad == 14.0
    assert gradcheck(lambda x: (x * 2) * (x + 1), [Value(3.0)])


def test_stacked_diamonds_double_the_gradient_per_level_without_path_explosion() -> None:
    x = Value(1.0)
    y = x
    for _ in range(60):  # 2**60 paths: enumerating paths would never finish; one pass per node does
        y = y + y
    y.backward()
    assert x.grad == 2.0 ** 60


def test_intermediate_nodes_keep_their_gradient() -> None:
    a, b = Value(2.0), Value(-3.0)
    c = a * b
    d = c + b ** 2
    d.backward()
    assert (d.grad, c.grad) == (1.0, 1.0)


# ----------------------------------------------------------------------------- seeds and accumulation
def test_backward_twice_accumulates_exactly_twice_every_gradient() -> None:
    a, b = Value(2.0), Value(-3.0)
    out = (a * b + b.tanh()).sigmoid() * a
    out.backward()
    first = {id(node): node.grad for node in all_nodes(out)}
    out.backward()
    for node in all_nodes(out):
        assert node.grad == 2 * first[id(node)]


def test_gradients_accumulate_across_graphs_until_zeroed() -> None:
    a = Value(2.0)
    (a * 3).backward()
    (a * 4).backward()
    assert a.grad == 7.0
    zero_grad([a])
    (a * 4).backward()
    assert a.grad == 4.0


def test_zero_grad_helper_resets_any_iterable_of_nodes() -> None:
    a, b = Value(1.0), Value(2.0)
    (a * b).backward()
    zero_grad(node for node in (a, b))
    assert (a.grad, b.grad) == (0.0, 0.0)


def test_backward_on_a_leaf_only_seeds_its_own_gradient() -> None:
    a = Value(3.0)
    a.backward()
    assert a.grad == 1.0
    a.backward(5.0)
    assert a.grad == 6.0


def test_backward_with_a_seed_scales_every_gradient() -> None:
    a, b = Value(2.0), Value(-3.0)
    (a * b).backward(2.0)
    assert (a.grad, b.grad) == (-6.0, 4.0)


def test_backward_with_none_seeds_one_like_tensor_backward() -> None:
    a = Value(2.0)
    (a * 3).backward(None)
    assert a.grad == 3.0


@pytest.mark.parametrize("seed", ["1", [1.0], True], ids=["str", "list", "bool"])
def test_a_seed_that_is_not_one_real_number_is_refused_naming_its_type(seed: object) -> None:
    a = Value(2.0)
    with pytest.raises(TypeError, match=f"Value.backward\\(grad\\): got {type(seed).__name__}.*one real number"):
        (a * 3).backward(seed)
    assert a.grad == 0.0  # refused before the pass began


# ----------------------------------------------------------------------------- deep graphs and memory
def test_a_chain_of_a_million_nodes_backpropagates_without_recursion_error() -> None:
    x = Value(0.5)
    y = x
    for _ in range(1_000_000):
        y = -y
    y.backward()
    assert (y.data, x.grad) == (0.5, 1.0)  # an even number of negations
    del y  # freeing a million-deep chain must not overflow the C stack either


def test_a_finished_graph_is_freed_by_reference_counting_alone() -> None:
    """No reference cycle per node: with the cyclic collector off, ``del`` returns the graph's memory."""
    node_count = 100_000
    gc.collect()
    gc.disable()
    try:
        before = sys.getallocatedblocks()
        x = Value(1.0)
        y = x
        for _ in range(node_count):
            y = (y * 1.0).tanh()
        y.backward()
        held = sys.getallocatedblocks() - before
        del x, y
        left = sys.getallocatedblocks() - before
    finally:
        gc.enable()
    assert held > node_count  # the graph really was alive
    assert left < held // 20  # what stays is the interpreter's free lists, not the graph


# ----------------------------------------------------------------------------- grad mode
def test_no_grad_block_records_no_parents_and_restores_the_mode() -> None:
    a, b = Value(2.0), Value(3.0)
    assert is_grad_enabled()
    with no_grad():
        assert not is_grad_enabled()
        c = a * b
    assert is_grad_enabled()
    assert (c.data, c.parents, c.op) == (6.0, (), "")
    c.backward()
    assert (a.grad, b.grad, c.grad) == (0.0, 0.0, 1.0)


def test_no_grad_as_a_decorator_records_no_graph_inside_the_function() -> None:
    @no_grad()
    def evaluate(a: Value) -> Value:
        assert not is_grad_enabled()
        return a * 2

    out = evaluate(Value(1.0))
    assert out.parents == ()
    assert evaluate.__name__ == "evaluate"
    assert is_grad_enabled()


def test_no_grad_and_enable_grad_also_decorate_without_parentheses() -> None:
    @no_grad
    def evaluate(a: Value) -> Value:
        return a * 2

    @enable_grad
    def record(a: Value) -> Value:
        return a * 2

    a = Value(1.0)
    assert evaluate(a).parents == () and evaluate.__name__ == "evaluate"
    with no_grad():
        assert record(a).parents == (a, record(a).parents[1])
        assert not is_grad_enabled()
    assert is_grad_enabled()


def test_no_grad_restores_the_mode_after_an_exception() -> None:
    with pytest.raises(RuntimeError):
        with no_grad():
            raise RuntimeError("boom")
    assert is_grad_enabled()


def test_enable_grad_records_again_inside_no_grad_and_nesting_restores_each_level() -> None:
    a = Value(2.0)
    with no_grad():
        with enable_grad():
            assert is_grad_enabled()
            recorded = a * a
        assert not is_grad_enabled()
        with no_grad():
            pass
        assert not is_grad_enabled()
    assert recorded.parents == (a, a)


# ----------------------------------------------------------------------------- name scopes
def test_name_scopes_nest_with_dots_and_tag_every_node_made_inside() -> None:
    a = Value(1.0)
    with name_scope("mlp") as outer:
        with name_scope("layer0") as inner:
            weight = Value(0.5)
            product = a * weight
        after_inner = a + 1
    outside = a * 3
    assert (outer, inner) == ("mlp", "mlp.layer0")
    assert (weight.scope, product.scope, after_inner.scope, outside.scope, a.scope) == (
        "mlp.layer0", "mlp.layer0", "mlp", "", "")


def test_name_scope_is_restored_after_an_exception() -> None:
    with pytest.raises(KeyError):
        with name_scope("broken"):
            raise KeyError("x")
    assert Value(1.0).scope == ""


# ----------------------------------------------------------------------------- anomaly mode
def test_anomaly_mode_names_the_op_and_the_user_line_of_a_nan_forward() -> None:
    with anomaly_mode():
        with pytest.raises(AnomalyError) as error:
            line = next_line()
            Value(-1.0).log()
    message = str(error.value)
    assert "'log'" in message
    assert f"{os.path.basename(__file__)}\", line {line}" in message


def test_anomaly_mode_names_the_op_whose_backward_gives_an_infinite_gradient() -> None:
    x = Value(0.0)
    with anomaly_mode():
        line = next_line()
        root = x.sqrt() * 3  # forward is fine: sqrt(0) = 0; d sqrt/dx at 0 = inf
        with pytest.raises(AnomalyError) as error:
            root.backward()
    message = str(error.value)
    assert "'sqrt'" in message and "backward" in message
    assert f"line {line}" in message


def test_without_anomaly_mode_the_same_graphs_give_nan_and_inf_silently() -> None:
    assert math.isnan(Value(-1.0).log().data)
    x = Value(0.0)
    x.sqrt().backward()
    assert x.grad == math.inf


def test_anomaly_mode_is_off_by_default_and_restored_after_an_error() -> None:
    with pytest.raises(AnomalyError):
        with anomaly_mode():
            Value(0.0).log()
    assert math.isinf(Value(0.0).log().data)  # no error: the mode was switched back off


def test_anomaly_error_is_a_floating_point_error() -> None:
    assert issubclass(AnomalyError, FloatingPointError)


# ----------------------------------------------------------------------------- import hygiene
def test_importing_the_package_pulls_in_no_heavy_optional_library() -> None:
    heavy = ["graphviz", "matplotlib", "torch", "sklearn", "tqdm"]
    probe = f"import sys, autograd_core; print(sorted(m for m in {heavy!r} if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", probe], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_anomaly_mode_checks_ops_that_record_no_graph():
    from autograd_core import AnomalyError, Value, anomaly_mode, no_grad

    with anomaly_mode(), no_grad(), pytest.raises(AnomalyError, match="'log'"):
        Value(-1.0).log()


def test_anomaly_mode_refuses_a_nan_seed_naming_backward():
    from autograd_core import AnomalyError, Value, anomaly_mode

    with anomaly_mode(), pytest.raises(AnomalyError, match="given to backward"):
        (Value(2.0) * 3).backward(float("nan"))
