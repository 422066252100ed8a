"""gradcheck: it passes right gradients, catches wrong ones naming the input, element and both numbers, checks
every tensor element (or a seeded subset above the size limit), refuses inputs it would get wrong, and leaves
every input exactly as it found it."""
from __future__ import annotations

import numpy as np
import pytest

from autograd_core import GradcheckError, Tensor, Value, gradcheck, is_grad_enabled, no_grad
from autograd_core.gradcheck import MAX_CHECKED_ELEMENTS


def float64_tensor(shape: tuple, seed: int = 0, label: str = "") -> Tensor:
    data = np.random.default_rng(seed).standard_normal(shape)
    return Tensor(data, requires_grad=True, label=label)


class CountingCalls:
    """Wraps f and counts calls: gradcheck makes one analytic call plus two per checked element."""

    def __init__(self, f):
        self.f = f
        self.calls = 0

    def __call__(self, *args):
        self.calls += 1
        return self.f(*args)


# ----------------------------------------------------------------------------- Value functions
def test_returns_true_when_backward_matches_central_differences() -> None:
    assert gradcheck(lambda a, b: (a * b + b ** 2).tanh() / (1 + a.exp()), [Value(0.3), Value(-1.2)]) is True


def test_accepts_a_single_value_instead_of_a_list() -> None:
    assert gradcheck(lambda x: x.sin() * x, Value(0.4))


def test_a_wrong_gradient_raises_naming_the_input_its_label_and_both_numbers() -> None:
    x, y = Value(2.0, label="x"), Value(0.5, label="y")
    with pytest.raises(GradcheckError) as error:
        gradcheck(lambda x, y: x * y.step(), [x, y])  # step's straight-through gradient is 1, its slope 0
    message = str(error.value)
    assert "input #1 ('y')" in message
    assert "analytic (backward) 2 " in message  # d(x * step(y))/dy with the straight-through 1: x
    assert "numeric (central difference) 0" in message


def test_gradcheck_error_is_an_assertion_error_so_pytest_reports_a_failure() -> None:
    assert issubclass(GradcheckError, AssertionError)


def test_the_tolerance_is_atol_plus_rtol_times_the_numeric_gradient() -> None:
    cube = lambda x: x ** 3  # noqa: E731  central difference with step h: 3x^2 + h^2 = 3.0001 at x=1, h=0.01
    assert gradcheck(cube, [Value(1.0)], eps=1e-2, atol=0.0, rtol=1e-4)
    with pytest.raises(GradcheckError):
        gradcheck(cube, [Value(1.0)], eps=1e-2, atol=0.0, rtol=1e-5)


def test_an_infinite_or_nan_gradient_never_passes() -> None:
    with pytest.raises(GradcheckError, match="analytic \\(backward\\) inf"):
        gradcheck(lambda x: x.sqrt(), [Value(0.0)])


def test_earlier_gradients_do_not_leak_into_the_check_and_are_restored() -> None:
    x = Value(1.5)
    x.grad = 100.0
    assert gradcheck(lambda x: x * x, [x])
    assert (x.data, x.grad) == (1.5, 100.0)


def test_value_data_grad_and_grad_mode_are_restored_even_when_the_check_fails() -> None:
    x = Value(0.25)
    x.grad = -7.0
    with no_grad():
        with pytest.raises(GradcheckError):
            gradcheck(lambda x: x.sign(), [x])
        assert not is_grad_enabled()
    assert (x.data, x.grad) == (0.25, -7.0)


def test_the_analytic_side_records_a_graph_even_inside_no_grad() -> None:
    with no_grad():
        assert gradcheck(lambda x: x.exp(), [Value(0.1)])


# ----------------------------------------------------------------------------- Tensor functions
def test_tensor_functions_with_broadcasting_and_matmul_pass() -> None:
    x, w, b = float64_tensor((5, 3), 1), float64_tensor((3, 4), 2), float64_tensor((4,), 3)
    assert gradcheck(lambda x, w, b: (x @ w + b).tanh(), [x, w, b])  # non-scalar: random projection
    assert gradcheck(lambda x, w, b: ((x @ w + b) ** 2).mean(), [x, w, b])  # scalar output


@pytest.mark.parametrize("bad_element", [(0, 0), (1, 2), (3, 4)])
def test_every_tensor_element_is_checked_and_a_bad_one_is_named(bad_element: tuple) -> None:
    x = float64_tensor((4, 5), label="x")
    x.data[bad_element] = 0.0  # relu at its kink: backward says 0, the central difference 1/2
    counting = CountingCalls(lambda x: x.relu())
    with pytest.raises(GradcheckError) as error:
        gradcheck(counting, [x])
    assert f"input #0 ('x') at element {bad_element}" in str(error.value)
    flat = np.ravel_multi_index(bad_element, (4, 5))
    assert counting.calls == 1 + 2 * (flat + 1)  # stopped at the bad element, having checked all before it


def test_a_tensor_at_the_size_limit_is_checked_in_full() -> None:
    counting = CountingCalls(lambda x: (x * x).sum())
    assert gradcheck(counting, [float64_tensor((MAX_CHECKED_ELEMENTS,))])
    assert counting.calls == 1 + 2 * MAX_CHECKED_ELEMENTS


def test_a_larger_tensor_is_checked_on_a_seeded_random_subset_of_the_limits_size() -> None:
    x = float64_tensor((50, 60))
    counting = CountingCalls(lambda x: (x * x).sum())
    assert gradcheck(counting, [x], max_elements=100)
    assert counting.calls == 1 + 2 * 100
    x.data[7, 11] = 0.0
    outcomes = {seed: _passes(lambda x: x.relu().sum(), x, max_elements=1500, seed=seed) for seed in range(8)}
    assert set(outcomes.values()) == {True, False}  # half the elements are checked: some seeds miss (7, 11)
    assert all(_passes(lambda x: x.relu().sum(), x, max_elements=1500, seed=s) == ok for s, ok in outcomes.items())


def _passes(f, x: Tensor, **options) -> bool:
    try:
        return gradcheck(f, [x], **options)
    except GradcheckError:
        return False


def test_tensor_data_and_grads_are_restored_in_place_even_when_the_check_fails() -> None:
    x, y = float64_tensor((3, 2), 1), float64_tensor((3, 2), 2)
    x.data[0, 0] = 0.0  # x*y sits on relu's kink there
    array, original = x.data, x.data.copy()
    y.grad = np.full((3, 2), 4.0)
    with pytest.raises(GradcheckError):
        gradcheck(lambda x, y: (x * y).relu(), [x, y])
    assert x.data is array and np.array_equal(x.data, original)
    assert x.grad is None
    assert np.array_equal(y.grad, np.full((3, 2), 4.0))


def test_a_function_that_ignores_its_tensor_input_has_zero_gradient() -> None:
    assert gradcheck(lambda x: Tensor(np.ones(3)) * 2.0, [float64_tensor((3,))])


# ----------------------------------------------------------------------------- refused inputs
def test_float32_tensors_are_refused_with_a_fix() -> None:
    x = Tensor(np.ones(3, dtype=np.float32), requires_grad=True, label="w")
    with pytest.raises(TypeError, match=r"input #0 \('w'\) is float32; .*float64"):
        gradcheck(lambda x: x.sum(), [x])


def test_tensors_without_requires_grad_are_refused_with_a_fix() -> None:
    with pytest.raises(ValueError, match="requires_grad=True"):
        gradcheck(lambda x: x.sum(), [Tensor(np.ones(3))])


def test_non_leaf_inputs_are_refused_because_backward_would_touch_their_ancestors() -> None:
    with pytest.raises(ValueError, match="not a leaf.*op '\\*'"):
        gradcheck(lambda x: x.exp(), [Value(2.0) * 3])


@pytest.mark.parametrize("bad_input", [2.0, np.ones(3), "x"], ids=["float", "ndarray", "str"])
def test_inputs_that_are_not_nodes_are_refused_naming_their_type(bad_input) -> None:
    with pytest.raises(TypeError, match=f"got {type(bad_input).__name__}.*Value or Tensor"):
        gradcheck(lambda x: x, [bad_input])


def test_a_function_returning_a_plain_number_is_refused() -> None:
    with pytest.raises(TypeError, match="f returned float"):
        gradcheck(lambda x: float(x.data) ** 2, [Value(2.0)])
