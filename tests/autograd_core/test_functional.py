"""grad and value_and_grad: JAX's interface over the engine, for numbers, Values and Tensors, checked by hand and
against torch.autograd.grad, with clear errors for functions that are not scalar-valued."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_core import Tensor, Value, grad, no_grad, value_and_grad


def polynomial(x, y):
    return x * y + x ** 2  # d/dx = y + 2x, d/dy = x


def test_grad_returns_one_float_per_argument_worked_by_hand() -> None:
    assert grad(polynomial)(2.0, 3.0) == (7.0, 2.0)
    assert all(type(g) is float for g in grad(polynomial)(2, 3))


def test_value_and_grad_returns_the_value_as_a_float_and_the_gradients() -> None:
    value, gradients = value_and_grad(polynomial)(2.0, 3.0)
    assert (value, gradients) == (10.0, (7.0, 2.0))
    assert type(value) is float


def test_a_one_argument_function_gives_a_one_element_tuple() -> None:
    assert grad(lambda x: x.tanh())(0.0) == (1.0,)


def test_value_arguments_give_float_gradients_and_keep_their_own_grad() -> None:
    a, b = Value(2.0), Value(3.0)
    a.grad = 5.0
    assert grad(polynomial)(a, b) == (7.0, 2.0)
    assert (a.grad, b.grad) == (5.0, 0.0)


def test_nodes_the_function_closes_over_accumulate_as_with_backward() -> None:
    weight = Value(4.0)
    assert grad(lambda x: weight * x)(2.0) == (4.0,)
    assert weight.grad == 2.0


def test_an_argument_the_function_ignores_gets_zero() -> None:
    assert grad(lambda x, unused: x * 3)(1.0, 9.0) == (3.0, 0.0)


def test_gradients_are_computed_even_inside_no_grad() -> None:
    with no_grad():
        assert grad(polynomial)(2.0, 3.0) == (7.0, 2.0)


def test_the_wrapper_keeps_the_functions_name_and_docstring() -> None:
    assert grad(polynomial).__name__ == value_and_grad(polynomial).__name__ == "polynomial"


@settings(max_examples=40, deadline=None)
@given(st.floats(-2, 2), st.floats(0.1, 3))
def test_grad_agrees_with_torch_autograd_grad(x: float, y: float) -> None:
    def f(x, y):
        return (x * y).sin() + (x / y).exp() - y.log() * x ** 2

    ours = grad(f)(x, y)
    xt, yt = (torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (x, y))
    theirs = torch.autograd.grad(f(xt, yt), (xt, yt))
    assert ours == pytest.approx([t.item() for t in theirs], rel=1e-9, abs=1e-12)


def test_tensor_arguments_give_array_gradients_of_their_shape_and_dtype() -> None:
    rng = np.random.default_rng(0)
    w, x = rng.standard_normal((3, 2)), rng.standard_normal((4, 3)).astype(np.float32)
    value, (gw, gx) = value_and_grad(lambda w, x: ((x @ w) ** 2).sum())(Tensor(w), x)
    wt, xt = torch.tensor(w, requires_grad=True), torch.tensor(x, requires_grad=True)
    reference = ((xt.double() @ wt) ** 2).sum()  # numpy promotes float32 @ float64; torch needs telling
    reference.backward()
    assert type(value) is float and value == pytest.approx(reference.item(), rel=1e-6)
    assert (gw.shape, gw.dtype, gx.shape, gx.dtype) == ((3, 2), np.float64, (4, 3), np.float32)
    np.testing.assert_allclose(gw, wt.grad.numpy(), rtol=1e-5)
    np.testing.assert_allclose(gx, xt.grad.numpy(), rtol=1e-5)


def test_tensor_arguments_keep_their_own_grad() -> None:
    t = Tensor(np.ones(3), requires_grad=True)
    grad(lambda t: t.sum())(t)
    assert t.grad is None


def test_a_non_scalar_tensor_result_is_refused_naming_its_shape_and_the_fix() -> None:
    with pytest.raises(ValueError, match=r"shape \(3,\).*\.sum\(\)"):
        grad(lambda t: t * 2)(np.ones(3))


@pytest.mark.parametrize("result", [3.0, None, [1.0]], ids=["float", "None", "list"])
def test_a_result_that_is_not_a_node_is_refused_naming_its_type(result) -> None:
    with pytest.raises(TypeError, match=f"returned {type(result).__name__}"):
        grad(lambda x: result)(1.0)


def test_a_plain_math_result_is_refused_rather_than_given_a_zero_gradient() -> None:
    with pytest.raises(TypeError, match="Value/Tensor operations"):
        grad(lambda x: math.sin(x.data))(1.0)


@pytest.mark.parametrize("argument", ["x", True, None], ids=["str", "bool", "None"])
def test_an_argument_that_is_not_a_number_or_node_is_refused(argument) -> None:
    with pytest.raises(TypeError, match=f"argument #1: got {type(argument).__name__}"):
        grad(polynomial)(1.0, argument)


@pytest.mark.parametrize("argument", [np.array([1, 2]), Tensor([1, 2]), np.array([True])], ids=["int array",
                                                                                              "int Tensor", "bool"])
def test_an_integer_array_argument_is_refused_saying_only_floats_have_gradients(argument) -> None:
    with pytest.raises(TypeError, match=r"argument #0: an array of (int64|bool) has no gradient.*dtype=np.float64"):
        grad(lambda t: (t * 2.0).sum())(argument)
