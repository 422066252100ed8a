"""nn.functional activations (one function for Values, Tensors, lists, numbers and arrays), softmax on
lists of Values, dropout, and the L1/L2 penalties — against torch and by hand."""
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import nn
from autograd_core import Tensor, Value, gradcheck, topological_order

F = nn.functional
RNG = np.random.default_rng(0)

# (our function, torch function, keyword arguments for both)
ACTIVATIONS = [
    (F.relu, TF.relu, {}),
    (F.leaky_relu, TF.leaky_relu, {"negative_slope": 0.1}),
    (F.elu, TF.elu, {"alpha": 0.7}),
    (F.selu, TF.selu, {}),
    (F.sigmoid, torch.sigmoid, {}),
    (F.tanh, torch.tanh, {}),
    (F.softplus, TF.softplus, {}),
    (F.softplus, TF.softplus, {"beta": 3.0}),
]
IDS = [f"{ours.__name__}{kwargs}" for ours, _, kwargs in ACTIVATIONS]


@pytest.mark.parametrize("ours, theirs, kwargs", ACTIVATIONS, ids=IDS)
def test_activations_on_tensors_match_torch_in_value_and_gradient(ours, theirs, kwargs):
    x = RNG.normal(scale=3.0, size=(3, 4))
    xo, xt = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, expected = ours(xo, **kwargs), theirs(xt, **kwargs)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), atol=1e-12)
    out.sum().backward()
    expected.sum().backward()
    np.testing.assert_allclose(xo.grad, xt.grad.numpy(), atol=1e-12)


@pytest.mark.parametrize("ours, theirs, kwargs", ACTIVATIONS, ids=IDS)
def test_activations_on_values_match_torch_in_value_and_gradient(ours, theirs, kwargs):
    x = RNG.normal(scale=3.0, size=5)
    values = [Value(v) for v in x]
    outs = ours(values, **kwargs)
    sum(outs[1:], outs[0]).backward()
    xt = torch.tensor(x, requires_grad=True)
    expected = theirs(xt, **kwargs)
    expected.sum().backward()
    np.testing.assert_allclose([o.data for o in outs], expected.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose([v.grad for v in values], xt.grad.numpy(), atol=1e-12)


@pytest.mark.parametrize("ours, theirs, kwargs", ACTIVATIONS, ids=IDS)
def test_activations_pass_gradcheck(ours, theirs, kwargs):
    gradcheck(lambda x: ours(x, **kwargs).sum(), [Tensor(RNG.normal(size=6) + 0.01, requires_grad=True)])


def test_activations_dispatch_on_the_kind_of_input():
    assert isinstance(F.relu(Value(-1.0)), Value)
    assert isinstance(F.relu(2.0), Value) and F.relu(2.0).data == 2.0
    assert isinstance(F.relu(np.array([-1.0, 1.0])), Tensor)
    nested = F.sigmoid([[Value(0.0)], [Value(0.0), 0.0]])
    assert [[v.data for v in row] for row in nested] == [[0.5], [0.5, 0.5]]
    with pytest.raises(TypeError, match="relu: expected a Value, a Tensor"):
        F.relu("x")


def test_step_gives_zero_or_one_and_a_straight_through_gradient():
    x = Value(-0.5)
    out = F.step(x)
    out.backward()
    assert out.data == 0.0 and x.grad == 1.0
    np.testing.assert_array_equal(F.step(Tensor([-1.0, 0.0, 3.0])).data, [0.0, 0.0, 1.0])


def test_identity_returns_its_input():
    x = Value(1.0)
    assert F.identity(x) is x


# ----------------------------------------------------------------------------- softmax on lists of Values
def test_softmax_of_values_matches_torch_in_value_and_gradient():
    x = RNG.normal(size=4)
    values = [Value(v) for v in x]
    probs = F.softmax(values)
    (probs[0] * 2.0 + probs[3]).backward()
    xt = torch.tensor(x, requires_grad=True)
    expected = torch.softmax(xt, dim=0)
    (expected[0] * 2.0 + expected[3]).backward()
    np.testing.assert_allclose([p.data for p in probs], expected.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose([v.grad for v in values], xt.grad.numpy(), atol=1e-12)


def test_log_softmax_of_values_matches_torch_and_is_stable_at_1e4():
    x = np.array([1e4, 0.0, -1e4, 1e4 - 1.0])
    expected = torch.log_softmax(torch.tensor(x), dim=0).numpy()
    np.testing.assert_allclose([v.data for v in F.log_softmax([Value(v) for v in x])], expected, atol=1e-9)
    assert all(math.isfinite(p.data) for p in F.softmax([Value(v) for v in x]))


def test_softmax_of_a_batch_of_value_lists_normalises_each_row():
    rows = F.softmax([[Value(1.0), Value(2.0)], [Value(0.0), Value(0.0)]])
    assert [sum(p.data for p in row) for row in rows] == pytest.approx([1.0, 1.0])
    assert rows[1][0].data == pytest.approx(0.5)


def test_softmax_of_values_only_runs_along_the_last_axis():
    with pytest.raises(ValueError, match="last axis"):
        F.softmax([[Value(1.0), Value(2.0)]], axis=0)


def test_softmax_on_tensors_uses_the_given_axis():
    x = RNG.normal(size=(3, 4))
    np.testing.assert_allclose(F.softmax(Tensor(x), axis=0).data, torch.softmax(torch.tensor(x), 0).numpy())


# ----------------------------------------------------------------------------- prelu and dropout
def test_prelu_function_matches_torch():
    x, weight = RNG.normal(size=(4, 3)), np.array([0.1, 0.2, 0.3])
    ours = F.prelu(Tensor(x), Tensor(weight))
    np.testing.assert_allclose(ours.data, TF.prelu(torch.tensor(x), torch.tensor(weight)).numpy(), atol=1e-12)


def test_dropout_function_is_off_when_not_training_and_seeded_by_generator():
    x = Tensor(np.ones((6, 6)))
    assert F.dropout(x, 0.5, training=False) is x
    np.testing.assert_array_equal(F.dropout(x, 0.5, generator=9).data, F.dropout(x, 0.5, generator=9).data)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        F.dropout(x, -0.1)


# ----------------------------------------------------------------------------- penalties
def test_l2_penalty_on_values_is_coefficient_times_sum_of_squares_in_one_node():
    params = [Value(1.0), Value(-2.0), Value(3.0)]
    penalty = F.l2_penalty(params, 0.5)
    assert penalty.data == pytest.approx(0.5 * 14)
    penalty.backward()
    assert [p.grad for p in params] == pytest.approx([1.0, -2.0, 3.0])  # d/dp (0.5 p^2) = p
    assert sum(1 for node in topological_order(penalty) if node.parents) == 2  # one dot, one scale


def test_l1_penalty_on_values_is_coefficient_times_sum_of_absolute_values():
    params = [Value(1.0), Value(-2.0)]
    penalty = F.l1_penalty(params, 0.1)
    penalty.backward()
    assert penalty.data == pytest.approx(0.3)
    assert [p.grad for p in params] == pytest.approx([0.1, -0.1])


def test_penalties_on_a_tensor_model_match_torch():
    model = nn.Sequential(nn.Linear(3, 4, dtype=np.float64), nn.ReLU(), nn.Linear(4, 2, dtype=np.float64))
    tensors = [torch.tensor(p.data, requires_grad=True) for p in model.parameters()]
    for ours_fn, theirs_fn in [(F.l2_penalty, lambda t: (t * t).sum()), (F.l1_penalty, lambda t: t.abs().sum())]:
        model.zero_grad()
        ours = ours_fn(model, 1e-2)
        theirs = 1e-2 * sum(theirs_fn(t) for t in tensors)
        ours.backward()
        for t in tensors:
            t.grad = None
        theirs.backward()
        assert ours.item() == pytest.approx(theirs.item(), abs=1e-12)
        for p, t in zip(model.parameters(), tensors):
            np.testing.assert_allclose(p.grad, t.grad.numpy(), atol=1e-12)


def test_a_penalty_without_parameters_is_an_error():
    with pytest.raises(ValueError, match="no parameters"):
        F.l2_penalty([], 1e-4)
