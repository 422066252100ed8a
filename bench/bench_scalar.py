"""Benchmark: micrograd's moons training step on this engine and on micrograd 0.1.0, side by side.

The step is micrograd's demo: MLP 2-16-16-1 (ReLU), 100 moons points, max-margin loss + 1e-4 L2,
zero_grad, backward, SGD update. Three contestants build it:

- ``ours (nn.MLP)``: what a user of this library runs (each neuron's w.x + b is one ``dot`` node);
- ``ours (micrograd's graph)``: micrograd's own Neuron code on our ``Value`` (the same 2n nodes per
  neuron as micrograd), isolating the engine itself;
- ``micrograd``: ``micrograd.nn.MLP`` and ``micrograd.engine.Value`` from PyPI.

Each is timed with Python's garbage collector on (as users run it) and off, interleaved and
repeated, best of N. Only ratios are printed as results: the machines are shared and noisy.

Run: ``.venv/bin/pip install micrograd==0.1.0 && .venv/bin/python bench/bench_scalar.py``
"""
from __future__ import annotations

import argparse
import gc
import os
import random
import sys
import time
import tracemalloc

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import micrograd.engine  # noqa: E402
import micrograd.nn  # noqa: E402

import nn  # noqa: E402
from autograd_core import Value, topological_order  # noqa: E402


class ExpandedMLP:
    """micrograd's Neuron/Layer/MLP logic over any Value class (2n binary nodes per neuron)."""

    def __init__(self, value_class: type, sizes: list[int], seed: int) -> None:
        rng = random.Random(seed)
        self.layers = [[([value_class(rng.uniform(-1, 1)) for _ in range(nin)], value_class(0.0))
                        for _ in range(nout)] for nin, nout in zip(sizes, sizes[1:])]

    def __call__(self, x: list) -> object:
        for index, layer in enumerate(self.layers):
            last = index == len(self.layers) - 1
            acts = [sum((wi * xi for wi, xi in zip(w, x)), b) for w, b in layer]
            x = acts if last else [a.relu() for a in acts]
        return x[0]

    def parameters(self) -> list:
        return [p for layer in self.layers for w, b in layer for p in (*w, b)]


def moons_data() -> tuple[list[list[float]], list[float]]:
    X, y = nn.data.moons(100, noise=0.1, seed=1337)
    return X.tolist(), [2.0 * label - 1.0 for label in y.tolist()]


def build_loss(model: object, value_class: type, X: list, y: list) -> object:
    """micrograd demo's loss: mean max-margin + 1e-4 * sum of squared parameters."""
    scores = [model([value_class(v) for v in row]) for row in X]
    losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    return data_loss + 1e-4 * sum(p * p for p in model.parameters())


def training_step(model: object, value_class: type, X: list, y: list, lr: float = 0.1) -> None:
    loss = build_loss(model, value_class, X, y)
    params = model.parameters()
    for p in params:
        p.grad = 0.0
    loss.backward()
    for p in params:
        p.data -= lr * p.grad


def contestants(seed: int) -> dict[str, tuple[object, type]]:
    random.seed(seed)
    return {
        "ours (nn.MLP)": (nn.MLP(2, [16, 16, 1], activation="relu", seed=seed), Value),
        "ours (micrograd's graph)": (ExpandedMLP(Value, [2, 16, 16, 1], seed), Value),
        "micrograd": (micrograd.nn.MLP(2, [16, 16, 1]), micrograd.engine.Value),
    }


def seconds_per_step(model: object, value_class: type, X: list, y: list, steps: int, collect: bool) -> float:
    was_enabled = gc.isenabled()
    gc.enable() if collect else gc.disable()
    try:
        start = time.perf_counter()
        for _ in range(steps):
            training_step(model, value_class, X, y)
        return (time.perf_counter() - start) / steps
    finally:
        gc.enable() if was_enabled else gc.disable()


def count_nodes(root: object) -> int:
    if isinstance(root, Value):
        return len(topological_order(root))
    seen, stack = {id(root)}, [root]
    while stack:  # micrograd keeps parents in the set `_prev`
        for parent in stack.pop()._prev:
            if id(parent) not in seen:
                seen.add(id(parent))
                stack.append(parent)
    return len(seen)


def graph_memory(model: object, value_class: type, X: list, y: list) -> tuple[int, int]:
    """Bytes held by one step's graph after backward, and its node count (their ratio is bytes per node)."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    loss = build_loss(model, value_class, X, y)
    loss.backward()
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    return held, count_nodes(loss)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="interleaved rounds; the best is kept")
    parser.add_argument("--steps", type=int, default=3, help="training steps per timing")
    args = parser.parse_args()
    X, y = moons_data()
    models = contestants(seed=0)
    best: dict[tuple[str, bool], float] = {}
    for _ in range(args.repeats):
        for name, (model, value_class) in models.items():
            for collect in (True, False):
                t = seconds_per_step(model, value_class, X, y, args.steps, collect)
                best[name, collect] = min(best.get((name, collect), float("inf")), t)
    print(f"micrograd moons step (MLP 2-16-16-1, 100 points), best of {args.repeats} x {args.steps} steps")
    print(f"{'engine':28s} {'speed vs micrograd, GC on':>26s} {'GC off':>8s} {'bytes/node':>11s} {'nodes':>7s} {'MB/step':>8s}")
    for name, (model, value_class) in models.items():
        held, nodes = graph_memory(model, value_class, X, y)
        per_node = held / nodes
        print(f"{name:28s} {best['micrograd', True] / best[name, True]:25.1f}x "
              f"{best['micrograd', False] / best[name, False]:7.1f}x {per_node:11.0f} {nodes:7d} {held / 1e6:8.1f}")


if __name__ == "__main__":
    main()
