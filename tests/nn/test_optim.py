"""Optimisers against PyTorch's (the oracle): the same 20-step trajectories on Tensor and on Value parameters."""
import inspect

import numpy as np
import pytest
import torch

import nn
from autograd_core import Tensor, Value
from nn.optim import SGD, Adam, AdamW, RMSprop

STEPS = 20
CONFIGS = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.3)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True)),
    ("SGD", dict(lr=0.05, momentum=0.5, weight_decay=0.1)),
    ("RMSprop", dict()),
    ("RMSprop", dict(lr=0.01, momentum=0.9)),
    ("RMSprop", dict(lr=0.01, centered=True)),
    ("RMSprop", dict(lr=0.01, alpha=0.9, centered=True, momentum=0.5, weight_decay=0.1)),
    ("Adam", dict()),
    ("Adam", dict(lr=0.05, weight_decay=0.1)),
    ("Adam", dict(lr=0.05, amsgrad=True)),
    ("Adam", dict(lr=0.05, betas=(0.8, 0.9), eps=1e-6)),
    ("AdamW", dict()),
    ("AdamW", dict(lr=0.05, weight_decay=0.1, amsgrad=True)),
]
IDS = [f"{name}-{'-'.join(f'{k}={v}' for k, v in kw.items()) or 'defaults'}" for name, kw in CONFIGS]


def objective_grad(w: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Gradient of sum(a * (w - 1)^2 + b * sin(3 w)): curved and non-convex, so every buffer matters."""
    return 2 * a * (w - 1.0) + 3 * b * np.cos(3 * w)


def make_problem(seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    shapes = [(3, 4), (4,)]
    starts = [rng.normal(size=s).astype(dtype) for s in shapes]
    coefficients = [(rng.uniform(0.5, 2.0, size=s), rng.uniform(-1.0, 1.0, size=s)) for s in shapes]
    return starts, coefficients


def torch_trajectory(name, kwargs, starts, coefficients, dtype=torch.float64):
    params = [torch.tensor(s, dtype=dtype, requires_grad=True) for s in starts]
    optimizer = getattr(torch.optim, name)(params, **kwargs)
    trajectory = []
    for _ in range(STEPS):
        for p, (a, b) in zip(params, coefficients):
            p.grad = torch.tensor(objective_grad(p.detach().numpy(), a, b), dtype=dtype)
        optimizer.step()
        trajectory.append([p.detach().numpy().copy() for p in params])
    return trajectory


@pytest.mark.parametrize("name, kwargs", CONFIGS, ids=IDS)
def test_tensor_parameters_follow_torch_for_twenty_steps(name, kwargs):
    starts, coefficients = make_problem()
    params = [Tensor(s.copy(), requires_grad=True) for s in starts]
    arrays = [p.data for p in params]
    optimizer = getattr(nn.optim, name)(params, **kwargs)
    expected = torch_trajectory(name, kwargs, starts, coefficients)
    for step in range(STEPS):
        for p, (a, b) in zip(params, coefficients):
            p.grad = objective_grad(p.data, a, b)
        optimizer.step()
        for p, want in zip(params, expected[step]):
            np.testing.assert_allclose(p.data, want, rtol=0, atol=1e-9, err_msg=f"step {step + 1}")
    assert all(p.data is array for p, array in zip(params, arrays)), "Tensor data must be updated in place"


@pytest.mark.parametrize("name, kwargs", CONFIGS, ids=IDS)
def test_value_parameters_follow_torch_for_twenty_steps(name, kwargs):
    starts, coefficients = make_problem(seed=1)
    values = [[Value(x) for x in s.ravel()] for s in starts]
    optimizer = getattr(nn.optim, name)([v for group in values for v in group], **kwargs)
    expected = torch_trajectory(name, kwargs, starts, coefficients)
    for step in range(STEPS):
        optimizer.zero_grad()
        loss = Value(0.0)
        for group, (a, b) in zip(values, coefficients):
            for w, ai, bi in zip(group, a.ravel(), b.ravel()):
                loss = loss + ai * (w - 1.0) ** 2 + bi * (3 * w).sin()
        loss.backward()
        optimizer.step()
        for group, want in zip(values, expected[step]):
            got = np.array([w.data for w in group])
            np.testing.assert_allclose(got, want.ravel(), rtol=0, atol=1e-9, err_msg=f"step {step + 1}")


@pytest.mark.parametrize("name, kwargs", [CONFIGS[3], CONFIGS[8], CONFIGS[11], CONFIGS[14]],
                         ids=[IDS[3], IDS[8], IDS[11], IDS[14]])
def test_float32_tensors_stay_float32_and_follow_torch_in_float32(name, kwargs):
    starts, coefficients = make_problem(seed=2, dtype=np.float32)
    params = [Tensor(s.copy(), requires_grad=True) for s in starts]
    optimizer = getattr(nn.optim, name)(params, **kwargs)
    expected = torch_trajectory(name, kwargs, starts, coefficients, dtype=torch.float32)
    for step in range(STEPS):
        for p, (a, b) in zip(params, coefficients):
            p.grad = objective_grad(p.data, a, b).astype(np.float32)
        optimizer.step()
        for p, want in zip(params, expected[step]):
            assert p.data.dtype == np.float32
            np.testing.assert_allclose(p.data, want, rtol=1e-5, atol=1e-5)


def test_a_tensor_trained_through_the_engine_follows_torch():
    rng = np.random.default_rng(3)
    x, target = rng.normal(size=(8, 3)), rng.normal(size=(8, 1))
    w0 = rng.normal(size=(3, 1))
    w = Tensor(w0.copy(), requires_grad=True)
    w_torch = torch.tensor(w0, requires_grad=True)
    ours, theirs = Adam([w], lr=0.1, amsgrad=True), torch.optim.Adam([w_torch], lr=0.1, amsgrad=True)
    for _ in range(STEPS):
        ours.zero_grad()
        ((Tensor(x) @ w - Tensor(target)) ** 2).mean().backward()
        ours.step()
        theirs.zero_grad()
        ((torch.tensor(x) @ w_torch - torch.tensor(target)) ** 2).mean().backward()
        theirs.step()
    np.testing.assert_allclose(w.data, w_torch.detach().numpy(), rtol=0, atol=1e-9)


def test_defaults_equal_torchs():
    for ours, theirs in [(SGD, torch.optim.SGD), (RMSprop, torch.optim.RMSprop), (Adam, torch.optim.Adam),
                         (AdamW, torch.optim.AdamW)]:
        our_defaults = {k: p.default for k, p in inspect.signature(ours).parameters.items() if k != "params"}
        their_defaults = inspect.signature(theirs).parameters
        for key, value in our_defaults.items():
            assert value == their_defaults[key].default, f"{ours.__name__}.{key}"


def test_parameter_groups_use_their_own_learning_rates_like_torch():
    starts, coefficients = make_problem(seed=4)
    params = [Tensor(s.copy(), requires_grad=True) for s in starts]
    torch_params = [torch.tensor(s, requires_grad=True) for s in starts]
    ours = SGD([{"params": [params[0]]}, {"params": [params[1]], "lr": 0.5}], lr=0.1, momentum=0.9)
    theirs = torch.optim.SGD([{"params": [torch_params[0]]}, {"params": [torch_params[1]], "lr": 0.5}],
                             lr=0.1, momentum=0.9)
    for _ in range(5):
        for p, q, (a, b) in zip(params, torch_params, coefficients):
            p.grad = objective_grad(p.data, a, b)
            q.grad = torch.tensor(objective_grad(q.detach().numpy(), a, b))
        ours.step()
        theirs.step()
    for p, q in zip(params, torch_params):
        np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=0, atol=1e-12)


def test_a_tensor_without_grad_is_skipped():
    used, unused = Tensor(np.ones(3), requires_grad=True), Tensor(np.ones(3), requires_grad=True)
    optimizer = Adam([used, unused], lr=0.1, weight_decay=0.5)
    used.grad = np.ones(3)
    optimizer.step()
    np.testing.assert_array_equal(unused.data, np.ones(3))
    assert not np.allclose(used.data, 1.0)
    assert set(optimizer.state_dict()["state"]) == {0}


def test_zero_grad_resets_value_and_tensor_gradients():
    value, tensor = Value(1.0), Tensor(np.ones(2), requires_grad=True)
    value.grad, tensor.grad = 3.0, np.full(2, 3.0)
    SGD([value, tensor], lr=0.1).zero_grad()
    assert value.grad == 0.0
    assert tensor.grad is None or not np.any(tensor.grad)


@pytest.mark.parametrize("name, kwargs", [CONFIGS[1], CONFIGS[8], CONFIGS[11]], ids=[IDS[1], IDS[8], IDS[11]])
def test_state_dict_has_torchs_keys(name, kwargs):
    starts, coefficients = make_problem()
    params = [Tensor(s.copy(), requires_grad=True) for s in starts]
    torch_params = [torch.tensor(s, requires_grad=True) for s in starts]
    ours, theirs = getattr(nn.optim, name)(params, **kwargs), getattr(torch.optim, name)(torch_params, **kwargs)
    for p, q in zip(params, torch_params):
        p.grad, q.grad = np.ones_like(p.data), torch.ones_like(q)
    ours.step()
    theirs.step()
    our_state, their_state = ours.state_dict(), theirs.state_dict()
    assert set(our_state["state"]) == set(their_state["state"]) == {0, 1}
    assert set(our_state["state"][0]) == set(their_state["state"][0])
    assert our_state["param_groups"][0]["params"] == their_state["param_groups"][0]["params"]
    for key, theirs_value in their_state["state"][1].items():
        np.testing.assert_allclose(our_state["state"][1][key], theirs_value.numpy(), rtol=0, atol=1e-12)


@pytest.mark.parametrize("kind", ["tensor", "value"])
def test_loading_a_state_dict_resumes_the_same_trajectory(kind):
    starts, coefficients = make_problem(seed=5)
    a, b = coefficients[0]

    def make():
        if kind == "tensor":
            return [Tensor(starts[0].copy(), requires_grad=True)]
        return [Value(x) for x in starts[0].ravel()]

    def read(params):
        return params[0].data.ravel().copy() if kind == "tensor" else np.array([v.data for v in params])

    def run(params, optimizer, steps):
        for _ in range(steps):
            grad = objective_grad(read(params).reshape(starts[0].shape), a, b)
            if kind == "tensor":
                params[0].grad = grad
            else:
                for v, g in zip(params, grad.ravel()):
                    v.grad = float(g)
            optimizer.step()

    straight = make()
    straight_opt = Adam(straight, lr=0.05, amsgrad=True)
    run(straight, straight_opt, 20)

    first = make()
    first_opt = Adam(first, lr=0.05, amsgrad=True)
    run(first, first_opt, 10)
    saved = first_opt.state_dict()
    resumed = make()
    for target, source in zip(resumed, first):
        target.data = source.data.copy() if kind == "tensor" else source.data
    resumed_opt = Adam(resumed, lr=0.9, amsgrad=True)
    resumed_opt.load_state_dict(saved)
    assert resumed_opt.param_groups[0]["lr"] == 0.05
    run(resumed, resumed_opt, 10)
    np.testing.assert_array_equal(read(resumed), read(straight))


def test_load_state_dict_refuses_a_different_parameter_count():
    saved = SGD([Value(1.0), Value(2.0)], lr=0.1).state_dict()
    with pytest.raises(ValueError, match="same parameters"):
        SGD([Value(1.0)], lr=0.1).load_state_dict(saved)


@pytest.mark.parametrize("make, message", [
    (lambda: SGD([Value(1.0)], lr=0.1, nesterov=True), "nesterov"),
    (lambda: SGD([Value(1.0)], lr=-1.0), "lr"),
    (lambda: Adam([Value(1.0)], betas=(0.9, 1.5)), "betas"),
    (lambda: Adam([], lr=0.1), "empty"),
    (lambda: SGD([1.0, 2.0], lr=0.1), "not a parameter"),
    (lambda: SGD([Tensor(np.arange(3))], lr=0.1), "floating-point"),
    (lambda: SGD([Value(1.0)] * 2, lr=0.1), "twice"),
    (lambda: SGD([{"params": [Value(1.0)], "betas": (0.9, 0.9)}], lr=0.1), "unknown hyperparameter"),
    (lambda: Adam(nn.MLP(2, [1])), r"got a MLP. Fix: Adam\(model.parameters\(\)"),
    (lambda: SGD(Tensor(np.zeros(2), requires_grad=True)), r"SGD\(\[w\]\)"),
    (lambda: SGD([Value(1.0)], lr="0.1"), "lr='0.1' is not a number"),
    (lambda: RMSprop([Value(1.0)], alpha=None), "alpha=None is not a number"),
    (lambda: Adam([Value(1.0)], betas=0.9), "betas=0.9 is invalid; give two numbers"),
])
def test_bad_arguments_get_errors_that_name_the_problem(make, message):
    with pytest.raises((ValueError, TypeError), match=message):
        make()
