"""Benchmark: a Fashion-MNIST-shaped MLP training step on Tensor, hand-written numpy, PyTorch and HIPS autograd.

The network is the seed's: 784-300-100-10, ReLU, softmax cross-entropy, plain SGD, batch 32, float32,
trained for ``--steps`` steps (600 by default) on random data of that shape. Every contestant starts
from the same weights, sees the same batches and applies the same update:

- ``numpy by hand``: forward and backward written out in numpy (the floor for any numpy engine);
- ``Tensor``: this library, cross-entropy written as ``log_softmax(axis=1)[rows, labels].mean().neg()``;
- ``PyTorch``: ``torch.nn.functional.cross_entropy`` and ``torch.optim.SGD`` on CPU with as many threads
  as numpy's BLAS uses;
- ``HIPS autograd``: ``autograd.value_and_grad`` of the same loss written with ``autograd.numpy``.

Rounds are interleaved and repeated; each contestant's best round counts (the machine is shared and
noisy). Printed: seconds per 1,000 steps, each contestant's ratio to ``numpy by hand``, and each one's
final loss (they must agree: the same computation in float32).

Run: ``.venv/bin/python bench/bench_tensor.py`` (options: ``--steps``, ``--rounds``, ``--seed``).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Callable

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from autograd_core import Tensor  # noqa: E402

SIZES = (784, 300, 100, 10)
BATCH = 32
LR = 0.05
POOL = 4096  # random samples the batches are drawn from
Weights = list  # [W1, b1, W2, b2, W3, b3] as float32 arrays, W of shape (in, out)


def blas_threads() -> int:
    """numpy's BLAS thread count (threadpoolctl when installed, else the CPU count)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return os.cpu_count() or 1
    counts = [info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"]
    return counts[0] if counts else os.cpu_count() or 1


def make_problem(steps: int, seed: int) -> tuple[Weights, list]:
    """Initial weights (He-uniform) and ``steps`` batches of random inputs and labels."""
    rng = np.random.default_rng(seed)
    weights: Weights = []
    for fan_in, fan_out in zip(SIZES, SIZES[1:]):
        bound = np.sqrt(6.0 / fan_in)
        weights += [rng.uniform(-bound, bound, (fan_in, fan_out)).astype(np.float32), np.zeros(fan_out, np.float32)]
    X = rng.standard_normal((POOL, SIZES[0])).astype(np.float32)
    y = rng.integers(0, SIZES[-1], POOL)
    starts = rng.integers(0, POOL - BATCH, steps)
    return weights, [(X[s:s + BATCH], y[s:s + BATCH]) for s in starts]


# ----------------------------------------------------------------------------- contestants
def train_numpy(weights: Weights, batches: list) -> float:
    W1, b1, W2, b2, W3, b3 = (w.copy() for w in weights)
    rows = np.arange(BATCH)
    loss = 0.0
    for x, y in batches:
        h1 = x @ W1 + b1
        a1 = np.maximum(h1, 0)
        h2 = a1 @ W2 + b2
        a2 = np.maximum(h2, 0)
        z = a2 @ W3 + b3
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        loss = -np.log(p[rows, y]).mean()
        dz = p
        dz[rows, y] -= 1
        dz /= BATCH
        dW3, db3 = a2.T @ dz, dz.sum(axis=0)
        dh2 = (dz @ W3.T) * (h2 > 0)
        dW2, db2 = a1.T @ dh2, dh2.sum(axis=0)
        dh1 = (dh2 @ W2.T) * (h1 > 0)
        dW1, db1 = x.T @ dh1, dh1.sum(axis=0)
        for w, d in ((W1, dW1), (b1, db1), (W2, dW2), (b2, db2), (W3, dW3), (b3, db3)):
            w -= LR * d
    return float(loss)


def train_tensor(weights: Weights, batches: list) -> float:
    params = [Tensor(w, requires_grad=True) for w in weights]
    W1, b1, W2, b2, W3, b3 = params
    rows = np.arange(BATCH)
    loss = None
    for x, y in batches:
        logits = ((Tensor(x) @ W1 + b1).relu() @ W2 + b2).relu() @ W3 + b3
        loss = logits.log_softmax(axis=1)[rows, y].mean().neg()
        for p in params:
            p.zero_grad()
        loss.backward()
        for p in params:
            p.data -= LR * p.grad
    return loss.item()


def train_torch(weights: Weights, batches: list) -> float:
    import torch

    torch.set_num_threads(blas_threads())
    params = [torch.tensor(w, requires_grad=True) for w in weights]
    W1, b1, W2, b2, W3, b3 = params
    optimizer = torch.optim.SGD(params, lr=LR)
    cross_entropy, relu = torch.nn.functional.cross_entropy, torch.relu
    data = [(torch.from_numpy(x), torch.from_numpy(y)) for x, y in batches]
    loss = None
    for x, y in data:
        logits = relu(relu(x @ W1 + b1) @ W2 + b2) @ W3 + b3
        loss = cross_entropy(logits, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return loss.item()


def train_hips_autograd(weights: Weights, batches: list) -> float:
    import autograd
    import autograd.numpy as anp

    rows = np.arange(BATCH)

    def loss_of(params: list, x: np.ndarray, y: np.ndarray) -> object:
        W1, b1, W2, b2, W3, b3 = params
        z = anp.maximum(anp.maximum(x @ W1 + b1, 0) @ W2 + b2, 0) @ W3 + b3
        z = z - anp.max(z, axis=1, keepdims=True)
        log_p = z - anp.log(anp.sum(anp.exp(z), axis=1, keepdims=True))
        return -anp.mean(log_p[rows, y])

    step = autograd.value_and_grad(loss_of)
    params = [w.copy() for w in weights]
    loss = 0.0
    for x, y in batches:
        loss, grads = step(params, x, y)
        params = [p - LR * g for p, g in zip(params, grads)]
    return float(loss)


CONTESTANTS: dict[str, Callable[[Weights, list], float]] = {
    "numpy by hand": train_numpy,
    "Tensor": train_tensor,
    "PyTorch": train_torch,
    "HIPS autograd": train_hips_autograd,
}


# ----------------------------------------------------------------------------- main
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=600, help="training steps per round (default 600)")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds; best counts (default 5)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    weights, batches = make_problem(args.steps, args.seed)
    best = {name: float("inf") for name in CONTESTANTS}
    losses: dict[str, float] = {}
    for _ in range(args.rounds):
        for name, train in CONTESTANTS.items():
            start = time.perf_counter()
            losses[name] = train(weights, batches)
            best[name] = min(best[name], time.perf_counter() - start)

    import torch

    print(f"MLP {'-'.join(map(str, SIZES))} ReLU, softmax cross-entropy, SGD, batch {BATCH}, float32, "
          f"{args.steps} steps, best of {args.rounds} interleaved rounds")
    print(f"numpy {np.__version__} (BLAS threads {blas_threads()}), torch {torch.__version__} "
          f"(threads {torch.get_num_threads()})")
    floor = best["numpy by hand"]
    print(f"{'contestant':<16}{'s / 1000 steps':>16}{'vs numpy by hand':>18}{'final loss':>12}")
    for name in CONTESTANTS:
        per_thousand = best[name] * 1000 / args.steps
        print(f"{name:<16}{per_thousand:>16.3f}{best[name] / floor:>17.2f}x{losses[name]:>12.4f}")
    ours = best["Tensor"]
    print(f"Tensor: {ours / floor:.2f}x numpy by hand (target <= 1.25), {best['PyTorch'] / ours:.2f}x faster than "
          f"PyTorch, {best['HIPS autograd'] / ours:.2f}x faster than HIPS autograd (targets > 1)")


if __name__ == "__main__":
    main()
