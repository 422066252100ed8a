"""The Tensor node: construction and dtypes, the graph it records, backward and .grad semantics,
grad mode and anomaly mode, the plain-data helpers, and every error message."""
from __future__ import annotations

import gc
import re
import weakref

import numpy as np
import pytest

from autograd_core import (AnomalyError, Tensor, Value, anomaly_mode, enable_grad, name_scope, no_grad,
                           topological_order)


# ----------------------------------------------------------------------------- construction and dtypes
def test_python_floats_and_lists_become_float64_like_numpy() -> None:
    assert Tensor(2.5).dtype == np.float64 and Tensor(2.5).shape == ()
    assert Tensor([[1.0, 2.0]]).dtype == np.float64 and Tensor([[1.0, 2.0]]).shape == (1, 2)


def test_a_float32_array_stays_float32_and_its_gradient_too() -> None:
    w = Tensor(np.ones((3, 2), dtype=np.float32), requires_grad=True)
    x = Tensor(np.ones((4, 3), dtype=np.float32))
    out = ((x @ w).tanh() * 2.0 + 1).log_softmax(axis=1).mean()
    out.backward()
    assert out.dtype == np.float32 and w.grad.dtype == np.float32


def test_mixed_float32_and_float64_promote_like_numpy_but_each_gradient_keeps_its_own_dtype() -> None:
    a = Tensor(np.ones(3, dtype=np.float32), requires_grad=True)
    b = Tensor(np.ones(3, dtype=np.float64), requires_grad=True)
    out = a * b
    out.sum().backward()
    assert out.dtype == np.float64
    assert a.grad.dtype == np.float32 and b.grad.dtype == np.float64


def test_python_numbers_keep_the_tensors_dtype_like_numpy_2() -> None:
    x32 = Tensor(np.ones(2, dtype=np.float32))
    assert (x32 * 2.0).dtype == np.float32 and (1 - x32).dtype == np.float32 and (x32 ** 2).dtype == np.float32
    assert (Tensor(np.ones(2, dtype=np.int32)) + 1).dtype == np.int32
    assert (Tensor([1, 2]) * 0.5).dtype == np.float64  # an int tensor times a float becomes float, as in numpy


def test_the_dtype_argument_converts() -> None:
    t = Tensor([1, 2], dtype=np.float32, requires_grad=True)
    assert t.dtype == np.float32 and t.requires_grad


def test_integer_data_is_allowed_without_grad_for_labels_and_indices() -> None:
    labels = Tensor([0, 2, 1])
    assert labels.dtype.kind == "i" and not labels.requires_grad


@pytest.mark.parametrize("data", [[1, 2], np.array([True, False]), np.arange(3, dtype=np.uint8)])
def test_requires_grad_on_non_float_data_says_to_pick_a_float_dtype(data: object) -> None:
    with pytest.raises(TypeError, match=r"requires_grad=True\) needs floating-point data.*dtype=np.float64"):
        Tensor(data, requires_grad=True)


def test_the_constructor_copies_so_later_changes_to_the_source_do_not_leak_in() -> None:
    source = np.zeros(3)
    t = Tensor(source, requires_grad=True)
    source[0] = 7.0
    assert t.data[0] == 0.0


@pytest.mark.parametrize("bad", ["abc", None, {"a": 1}, [1.0, "x"]])
def test_non_numeric_data_is_refused_with_what_to_pass_instead(bad: object) -> None:
    with pytest.raises(TypeError, match="data must be numbers"):
        Tensor(bad)


def test_a_tensor_of_a_tensor_takes_its_data_but_not_its_graph() -> None:
    a = Tensor([1.0], requires_grad=True)
    b = Tensor(a * 2)
    assert b.parents == () and not b.requires_grad and b.data.tolist() == [2.0]


def test_plain_data_helpers() -> None:
    t = Tensor(np.arange(6.0).reshape(2, 3), label="t")
    assert (t.shape, t.ndim, t.dtype, t.size, len(t)) == ((2, 3), 2, np.float64, 6, 2)
    assert t.numpy() is t.data and np.asarray(t).tolist() == t.data.tolist()
    assert Tensor([[4.5]]).item() == 4.5 and isinstance(Tensor(3.0).item(), float)
    assert t.label == "t" and Tensor(1.0).label == ""


def test_iterating_gives_rows_that_stay_in_the_graph() -> None:
    t = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    rows = list(t)
    assert [r.data.tolist() for r in rows] == [[1.0, 2.0], [3.0, 4.0]]
    (rows[1] * 2).sum().backward()
    assert t.grad.tolist() == [[0.0, 0.0], [2.0, 2.0]]
    with pytest.raises(TypeError, match="iteration over a 0-d tensor"):
        list(Tensor(1.0))


def test_numpy_conversion_gives_the_data_and_copies_only_when_asked() -> None:
    t = Tensor([1.0, 2.0])
    assert np.asarray(t) is t.data
    assert np.asarray(t, dtype=np.float32).dtype == np.float32
    copied = np.array(t, copy=True)
    copied[0] = 9.0
    assert t.data[0] == 1.0


def test_repr_shows_values_when_small_and_always_shape_dtype_and_requires_grad() -> None:
    small = repr(Tensor([1.0, 2.0], requires_grad=True, label="w"))
    assert small == "Tensor([1., 2.], shape=(2,), dtype=float64, requires_grad=True, label='w')"
    big = repr(Tensor(np.zeros((32, 784), dtype=np.float32)))
    assert big == "Tensor(shape=(32, 784), dtype=float32, requires_grad=False)"


def test_item_len_and_bool_refuse_clearly() -> None:
    with pytest.raises(ValueError, match=r"item\(\) needs a tensor with exactly one element; .* shape \(2,\)"):
        Tensor([1.0, 2.0]).item()
    with pytest.raises(TypeError, match="len\\(\\) of a 0-d tensor"):
        len(Tensor(1.0))
    assert bool(Tensor(1.0)) and not bool(Tensor([0.0]))


def test_comparisons_return_numpy_bool_arrays_and_hashing_is_by_identity() -> None:
    a, b = Tensor([1.0, 2.0, 3.0]), Tensor([3.0, 2.0, 1.0])
    assert (a < b).tolist() == [True, False, False] and (a >= 2).tolist() == [False, True, True]
    assert (a == b).tolist() == [False, True, False] and (a != b).tolist() == [True, False, True]
    assert (a <= b).tolist() == [True, True, False] and (a > b).tolist() == [False, False, True]
    assert isinstance(a < b, np.ndarray)
    assert len({a, b, a}) == 2 and {a: 1}[a] == 1


# ----------------------------------------------------------------------------- the graph
def test_an_op_records_its_parents_and_name_and_leaves_have_none() -> None:
    a, b = Tensor([1.0], requires_grad=True, label="a"), Tensor([2.0], requires_grad=True)
    c = a * b + a
    assert c.op == "+" and c.parents[1] is a and c.parents[0].op == "*"
    assert a.op == "" and a.parents == () and a.is_leaf and not c.is_leaf
    assert [n.op for n in topological_order(c)] == ["", "", "*", "+"]


def test_constant_is_the_ops_constant_argument_and_never_an_axis_or_index() -> None:
    x = Tensor([[1.0, -2.0], [3.0, 4.0]], requires_grad=True)
    assert (x ** 3).constant == 3 and x.leaky_relu(0.2).constant == 0.2 and x.elu(0.5).constant == 0.5
    assert x.softmax(axis=-1).constant is None and x[0].constant is None and x.sum(axis=0).constant is None
    assert x.constant is None and (x * 2).constant is None


def test_ops_without_any_input_that_requires_grad_record_no_graph() -> None:
    x = Tensor(np.ones((2, 2)))
    out = (x @ x).relu().sum()
    assert out.parents == () and out.op == "" and not out.requires_grad


def test_requires_grad_propagates_to_results() -> None:
    w = Tensor([1.0], requires_grad=True)
    assert (Tensor([2.0]) * w).requires_grad and (w.exp() + 1).requires_grad


def test_nodes_carry_the_name_scope_they_were_made_in() -> None:
    w = Tensor([1.0], requires_grad=True)
    with name_scope("layer1"):
        out = w * 2
    assert out.scope == "layer1" and w.scope == ""


def test_a_graph_is_freed_by_reference_counting_when_its_root_goes_away() -> None:
    w = Tensor(np.ones(3), requires_grad=True)
    out = ((w * 2).exp() + w).sum()
    middle = weakref.ref(out.parents[0].data)  # its array lives exactly as long as the node
    gc.disable()
    try:
        out.backward()
        del out
        assert middle() is None  # no reference cycle kept the intermediate node alive
    finally:
        gc.enable()


# ----------------------------------------------------------------------------- backward and .grad
def test_backward_of_a_one_element_tensor_seeds_one() -> None:
    w = Tensor([[3.0]], requires_grad=True)
    (w * w).backward()
    assert w.grad.tolist() == [[6.0]]


def test_backward_of_a_larger_tensor_without_a_gradient_says_to_pass_one_of_its_shape() -> None:
    w = Tensor(np.ones((2, 3)), requires_grad=True)
    with pytest.raises(ValueError, match=re.escape("pass backward(grad) with grad an array of shape (2, 3)")):
        (w * 2).backward()


def test_backward_with_an_explicit_gradient_applies_it_and_checks_its_shape() -> None:
    w = Tensor([1.0, 2.0], requires_grad=True)
    (w * 3).backward(np.array([1.0, 10.0]))
    assert w.grad.tolist() == [3.0, 30.0]
    with pytest.raises(ValueError, match=r"grad has shape \(3,\) but the tensor has shape \(2,\)"):
        (w * 3).backward(np.ones(3))


def test_backward_on_a_tensor_that_does_not_require_grad_says_how_to_fix_it() -> None:
    with pytest.raises(RuntimeError, match="does not require grad.*requires_grad=True"):
        Tensor([1.0]).sum().backward()


def test_gradients_accumulate_across_backward_calls_until_zeroed() -> None:
    w = Tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    (w * w).sum().backward()
    assert w.grad.tolist() == [4.0, 8.0]
    w.zero_grad()
    assert w.grad is None


def test_a_reused_tensor_gets_the_sum_of_its_paths() -> None:
    w = Tensor([3.0], requires_grad=True)
    (w * w + w).sum().backward()
    assert w.grad.tolist() == [7.0]


def test_only_leaves_keep_grad_unless_retain_grad_is_called_like_pytorch() -> None:
    w = Tensor([1.0, 2.0], requires_grad=True)
    hidden = w * 3
    kept = w * 2
    kept.retain_grad()
    loss = (hidden + kept).sum()
    loss.backward()
    assert hidden.grad is None and loss.grad is None
    assert kept.grad.tolist() == [1.0, 1.0] and w.grad.tolist() == [5.0, 5.0]


def test_a_leaf_gradient_is_a_real_array_not_a_read_only_broadcast_view() -> None:
    w = Tensor(np.ones((2, 3)), requires_grad=True)
    w.sum().backward()  # sum's backward broadcasts g without copying; the leaf keeps its own copy
    assert w.grad.flags.writeable and w.grad.strides == np.ones((2, 3)).strides


def test_retain_grad_and_requires_grad_changes_refuse_when_meaningless() -> None:
    with pytest.raises(RuntimeError, match="retain_grad.*does not require grad"):
        Tensor([1.0]).retain_grad()
    w = Tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"only be changed on a leaf.*'\*'.*detach\(\)"):
        (w * 2).requires_grad = False
    assert Tensor([1.0]).requires_grad_().requires_grad


def test_detach_shares_data_but_leaves_the_graph() -> None:
    w = Tensor([1.0, 2.0], requires_grad=True)
    d = (w * 2).detach()
    assert d.parents == () and not d.requires_grad and d.data.tolist() == [2.0, 4.0]
    assert (d * w).parents[0] is d


# ----------------------------------------------------------------------------- grad mode and anomaly mode
def test_no_grad_records_no_graph_and_enable_grad_turns_it_back_on() -> None:
    w = Tensor([1.0], requires_grad=True)
    with no_grad():
        frozen = w * 2
        with enable_grad():
            live = w * 2
    assert frozen.parents == () and not frozen.requires_grad
    assert live.parents == (w, live.parents[1]) and live.requires_grad


def test_no_grad_works_as_a_decorator_for_tensor_code() -> None:
    @no_grad()
    def predict(w: Tensor) -> Tensor:
        return w.exp()

    assert predict(Tensor([0.0], requires_grad=True)).parents == ()


def test_anomaly_mode_names_the_op_that_made_nan_in_the_forward_pass() -> None:
    w = Tensor([-1.0, 1.0], requires_grad=True)
    with anomaly_mode(), np.errstate(invalid="ignore"):
        with pytest.raises(AnomalyError, match="op 'log' produced nan/inf in its forward value"):
            w.log()


def test_anomaly_mode_names_the_op_whose_backward_made_inf() -> None:
    w = Tensor([0.0, 4.0], requires_grad=True)
    with anomaly_mode(), np.errstate(divide="ignore"):
        out = w.sqrt().sum()
        with pytest.raises(AnomalyError, match="backward rule of op 'sqrt' produced nan/inf"):
            out.backward()


def test_anomaly_mode_stays_quiet_on_finite_graphs() -> None:
    w = Tensor([1.0, 2.0], requires_grad=True)
    with anomaly_mode():
        (w.exp() @ w).backward()
    assert np.isfinite(w.grad).all()


# ----------------------------------------------------------------------------- errors
def test_matmul_shape_error_names_the_op_both_shapes_and_the_inner_sizes() -> None:
    with pytest.raises(ValueError, match=re.escape("matmul: (32, 784) @ (300, 10): inner sizes 784 != 300")):
        Tensor(np.ones((32, 784))) @ Tensor(np.ones((300, 10)))
    with pytest.raises(ValueError, match=re.escape("matmul: (2, 3, 4) @ (5, 4, 6): batch shapes (2,) and (5,)")):
        Tensor(np.ones((2, 3, 4))) @ Tensor(np.ones((5, 4, 6)))
    with pytest.raises(ValueError, match=re.escape("matmul: () @ (3,): matmul needs at least one axis")):
        Tensor(2.0) @ Tensor(np.ones(3))
    with pytest.raises(ValueError, match=re.escape("matmul: (3,) @ (4,): inner sizes 3 != 4")):
        Tensor(np.ones(3)) @ Tensor(np.ones(4))


@pytest.mark.parametrize("op, name, symbol", [
    (lambda a, b: a + b, "add", "+"), (lambda a, b: a - b, "subtract", "-"), (lambda a, b: a * b, "multiply", "*"),
    (lambda a, b: a / b, "divide", "/"), (lambda a, b: a ** b, "power", "**"),
])
def test_elementwise_shape_errors_name_the_op_and_both_shapes(op, name: str, symbol: str) -> None:
    with pytest.raises(ValueError, match=re.escape(f"{name}: (3, 4) {symbol} (5,): shapes do not broadcast")):
        op(Tensor(np.ones((3, 4))), Tensor(np.ones(5)))


def test_a_broadcast_error_against_a_plain_array_names_both_shapes_too() -> None:
    with pytest.raises(ValueError, match=re.escape("add: (2,) + (3,): shapes do not broadcast")):
        np.ones(2) + Tensor(np.ones(3))


def test_shape_op_errors_say_what_would_work() -> None:
    t = Tensor(np.ones((2, 3)))
    with pytest.raises(ValueError, match=re.escape("reshape: cannot reshape (2, 3) (6 elements) into (4,)")):
        t.reshape(4)
    with pytest.raises(ValueError, match=re.escape("squeeze: axis 1 of shape (2, 3) does not have size 1")):
        t.squeeze(1)
    from autograd_core import concatenate, maximum, stack, where
    with pytest.raises(ValueError, match=re.escape("concatenate: shapes (2, 3), (3, 2) along axis 0")):
        concatenate([t, Tensor(np.ones((3, 2)))])
    with pytest.raises(ValueError, match=re.escape("stack: shapes (2, 3), (3,): stack needs tensors of one shape")):
        stack([t, Tensor(np.ones(3))])
    with pytest.raises(ValueError, match=re.escape("where: condition (4,), a (2, 3), b ()")):
        where(np.ones(4, bool), t, 0.0)
    with pytest.raises(ValueError, match=re.escape("maximum: (2, 3) , (2,): shapes do not broadcast")):
        maximum(t, Tensor(np.ones(2)))
    with pytest.raises(ValueError, match="clip\\(\\) needs min or max"):
        t.clip()


@pytest.mark.parametrize("combine", [
    lambda v, t: t + v, lambda v, t: v + t, lambda v, t: t * v, lambda v, t: v * t, lambda v, t: t @ v,
    lambda v, t: t - v, lambda v, t: v / t, lambda v, t: t ** v, lambda v, t: t < v,
])
def test_value_and_tensor_refuse_to_combine_from_either_side(combine) -> None:
    with pytest.raises(TypeError, match="Value and Tensor do not mix"):
        combine(Value(2.0), Tensor([1.0, 2.0], requires_grad=True))


def test_a_tensor_of_values_is_refused_with_how_to_convert() -> None:
    with pytest.raises(TypeError, match="Value and Tensor do not mix"):
        Tensor(Value(1.0))
    with pytest.raises(TypeError, match=re.escape("Tensor([v.data for v in values])")):
        Tensor([Value(1.0), Value(2.0)])


def test_a_non_numeric_operand_is_refused_by_name() -> None:
    with pytest.raises(TypeError, match="Tensor \\+ operand: got str 'x', which is not numeric"):
        Tensor([1.0]) + "x"
    with pytest.raises(TypeError, match="got NoneType None"):
        Tensor([1.0]) * None


def test_ragged_nested_lists_are_refused_with_how_to_fix_them() -> None:
    with pytest.raises(ValueError, match=r"Tensor\(data\): numpy cannot make an array.*rows all have the same len"):
        Tensor([[1.0], [1.0, 2.0]])


def test_a_non_numeric_backward_gradient_is_refused_naming_the_shape_wanted() -> None:
    w = Tensor(np.ones(2), requires_grad=True)
    with pytest.raises(TypeError, match=re.escape("backward(grad): got str 'x'; grad must be numbers")):
        (w * 2).backward("x")
    assert w.grad is None


def test_transpose_with_axes_that_are_not_a_permutation_names_them_and_the_shape() -> None:
    with pytest.raises(ValueError, match=re.escape("transpose: axes (0, 1) for shape (2, 3, 4): give a permutation")):
        Tensor(np.ones((2, 3, 4))).transpose(0, 1)


def test_indexing_a_tensor_with_a_value_says_they_do_not_mix() -> None:
    with pytest.raises(TypeError, match="Tensor index: got a Value; Value and Tensor do not mix"):
        Tensor([1.0, 2.0])[Value(1.0)]
    with pytest.raises(IndexError, match="out of bounds"):  # numpy's own message is already clear
        Tensor([1.0, 2.0])[5]
