"""Tensor in a training loop: the same gradients as the scalar engine, float32 throughout, and no memory growth."""
from __future__ import annotations

import tracemalloc

import numpy as np

from autograd_core import Tensor, Value


def mlp_weights(rng: np.random.Generator, sizes: tuple) -> list[np.ndarray]:
    """[W1, b1, W2, b2, ...] with W of shape (in, out), float64."""
    arrays = []
    for fan_in, fan_out in zip(sizes, sizes[1:]):
        arrays += [rng.standard_normal((fan_in, fan_out)) / np.sqrt(fan_in), rng.standard_normal(fan_out) * 0.1]
    return arrays


def tensor_mlp_loss(params: list[Tensor], x: np.ndarray, labels: np.ndarray) -> Tensor:
    """Two layers, tanh hidden units, softmax cross-entropy averaged over the batch."""
    W1, b1, W2, b2 = params
    logits = (Tensor(x) @ W1 + b1).tanh() @ W2 + b2
    return logits.log_softmax(axis=1)[np.arange(len(labels)), labels].mean().neg()


def value_mlp_loss(params: list[list], x: np.ndarray, labels: np.ndarray) -> Value:
    """The same network written one scalar at a time: params are nested lists of Values shaped like the arrays."""
    W1, b1, W2, b2 = params
    total = Value(0.0)
    for row, label in zip(x.tolist(), labels.tolist()):
        hidden = [(sum((W1[i][j] * row[i] for i in range(len(row))), b1[j])).tanh() for j in range(len(b1))]
        logits = [sum((W2[i][j] * hidden[i] for i in range(len(hidden))), b2[j]) for j in range(len(b2))]
        top = max(logit.data for logit in logits)  # a constant shift: the same stable log-softmax
        log_normaliser = sum(((logit - top).exp() for logit in logits), Value(0.0)).log() + top
        total = total + (log_normaliser - logits[label])
    return total / len(labels)


def test_a_two_layer_mlp_has_the_same_gradients_as_the_same_network_of_values() -> None:
    rng = np.random.default_rng(0)
    arrays = mlp_weights(rng, (4, 5, 3))
    x, labels = rng.standard_normal((6, 4)), rng.integers(0, 3, 6)

    tensors = [Tensor(a, requires_grad=True) for a in arrays]
    tensor_loss = tensor_mlp_loss(tensors, x, labels)
    tensor_loss.backward()

    def as_values(a: np.ndarray) -> list:
        return [as_values(part) for part in a] if a.ndim > 1 else [Value(float(v)) for v in a]

    values = [as_values(a) for a in arrays]
    value_loss = value_mlp_loss(values, x, labels)
    value_loss.backward()

    assert abs(tensor_loss.item() - value_loss.data) < 1e-10
    for tensor, nested in zip(tensors, values):
        scalar_grads = np.array([[v.grad for v in row] for row in nested]) if tensor.ndim == 2 else \
            np.array([v.grad for v in nested])
        np.testing.assert_allclose(tensor.grad, scalar_grads, rtol=0, atol=1e-10)
        assert np.abs(tensor.grad).max() > 1e-6  # a real gradient, not two matching zeros


def train(steps: int, params: list[Tensor], x: np.ndarray, labels: np.ndarray, lr: float = 0.1) -> float:
    loss = None
    for _ in range(steps):
        loss = tensor_mlp_loss(params, x, labels)
        for p in params:
            p.zero_grad()
        loss.backward()
        for p in params:
            p.data -= lr * p.grad
    return loss.item()


def test_float32_training_stays_float32_and_the_loss_goes_down() -> None:
    rng = np.random.default_rng(1)
    params = [Tensor(a.astype(np.float32), requires_grad=True) for a in mlp_weights(rng, (8, 16, 3))]
    x, labels = rng.standard_normal((32, 8)).astype(np.float32), rng.integers(0, 3, 32)
    first = tensor_mlp_loss(params, x, labels).item()
    last = train(200, params, x, labels, lr=0.5)
    assert last < 0.5 * first
    assert all(p.dtype == np.float32 and p.grad.dtype == np.float32 for p in params)


def test_a_thousand_training_steps_hold_no_growing_memory() -> None:
    rng = np.random.default_rng(2)
    params = [Tensor(a, requires_grad=True) for a in mlp_weights(rng, (20, 16, 3))]
    x, labels = rng.standard_normal((32, 20)), rng.integers(0, 3, 32)
    tracemalloc.start()
    try:
        train(100, params, x, labels)
        after_warmup, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        tensor_mlp_loss(params, x, labels).backward()
        one_graph = tracemalloc.get_traced_memory()[1] - after_warmup
        train(1000, params, x, labels)
        after_thousand, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Loose on purpose: CPython's free lists may keep up to ~100 KB of small objects. A graph kept alive
    # per step would add one_graph (several KB) per step, i.e. megabytes over 1,000 steps.
    assert one_graph > 2_000
    assert after_thousand - after_warmup < 300_000


def test_the_readme_example_runs_as_written_and_matches_pytorch() -> None:
    import torch

    rng = np.random.default_rng(3)
    x_data = rng.standard_normal((32, 784)).astype(np.float32)
    w_data, labels = rng.standard_normal((784, 10)) * 0.01, rng.integers(0, 10, 32)
    x = Tensor(x_data)
    W = Tensor(w_data, requires_grad=True)
    b = Tensor(np.zeros(10), requires_grad=True)
    loss = (x @ W + b).log_softmax(axis=1)[np.arange(32), labels].mean().neg()
    loss.backward()
    assert W.grad.shape == (784, 10) and isinstance(W.grad, np.ndarray)

    tw = torch.tensor(w_data, requires_grad=True)
    expected = torch.nn.functional.cross_entropy(torch.tensor(x_data, dtype=torch.float64) @ tw, torch.tensor(labels))
    expected.backward()
    assert loss.dtype == np.float64  # float32 x @ float64 W promotes, as in numpy
    assert abs(loss.item() - expected.item()) < 1e-12
    np.testing.assert_allclose(W.grad, tw.grad.numpy(), rtol=1e-9, atol=1e-14)
