"""micrograd's demo, re-run faithfully: a scalar MLP(2, [16, 16, 1]) separates two moons with a max-margin loss.

The same recipe as the demo notebook: 100 moons points (noise 0.1, seed 1337) with labels -1/+1,
the same initial weights as micrograd's (Python's ``random`` seeded 1337, U(-1, 1), zero biases),
one full-batch step per iteration, loss = mean(relu(1 - y * score)) + 1e-4 * sum(p^2), plain SGD
with the learning rate falling linearly, lr = 1.0 - 0.9 * k / 100 at step k, for 100 steps.
The points come from ``nn.data.moons`` (numpy's generator), so they are not the very points that
scikit-learn's ``make_moons`` drew for the notebook; ``--points-from sklearn`` draws those (the notebook
seeds numpy's global generator with 1337, which is ``make_moons(random_state=1337)``). On either set
of points every step prints what micrograd's own engine prints on them (on the notebook's: step 0
loss 0.895844 ... step 99 loss 0.010978). Every weight is a ``Value``: each step builds (and frees)
a graph of thousands of nodes.

    python tutorials/moons.py                         # a few seconds; reaches 100% accuracy
    python tutorials/moons.py --points-from sklearn   # the notebook's very points (needs scikit-learn)
"""
from __future__ import annotations

import random

import numpy as np

import common
import nn
from autograd_core import no_grad, topological_order
from nn.schedules import LinearDecay

NAME = "moons"
MICROGRAD_SEED = 1337
L2_ALPHA = 1e-4


def parser():
    p = common.make_parser(NAME, __doc__.splitlines()[0], epochs=100, lr=1.0, seed=MICROGRAD_SEED,
                           epochs_help="training steps (full batch: each step sees all points once)")
    p.add_argument("--points", type=common.positive_int, default=100, help="number of moons points")
    p.add_argument("--points-from", choices=("nn", "sklearn"), default="nn",
                   help="nn: nn.data.moons; sklearn: scikit-learn's make_moons, the notebook's very points "
                        "(needs scikit-learn)")
    p.add_argument("--init", choices=("micrograd", "pytorch"), default="micrograd",
                   help="micrograd: the demo's own start (Python's random seeded with --seed, weights "
                        "U(-1, 1), biases 0); pytorch: nn's default, U(-1/sqrt(fan_in), 1/sqrt(fan_in))")
    return p


def main(run: common.Run) -> None:
    args = run.args
    points, steps = (20, 3) if args.smoke else (args.points, args.epochs)
    X, labels = _moons(points, args.seed, args.points_from)
    y = 2 * labels - 1                                   # the max-margin loss wants -1/+1
    run.say(common.describe_data(X, labels, f"data: two moons, noise 0.1, from {args.points_from}"))

    model = nn.MLP(2, [16, 16, 1])                       # ReLU hidden layers, linear output, as micrograd's
    if args.init == "micrograd":
        _micrograd_init(model, args.seed)
    run.say(model.summary())
    optimizer = nn.SGD(model.parameters(), lr=args.lr)
    schedule = LinearDecay(optimizer, total_steps=steps)

    history: dict[str, list[float]] = {"loss": [], "accuracy": []}
    rows = X.tolist()
    for step in range(steps):
        scores = [model(row) for row in rows]
        loss = nn.hinge(scores, y) + nn.l2_penalty(model.parameters(), L2_ALPHA)
        accuracy = float(np.mean([(s.data > 0) == (t > 0) for s, t in zip(scores, y)]))
        model.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
        history["loss"].append(loss.data)
        history["accuracy"].append(accuracy)
        run.say(f"step {step} loss {loss.data:.6f}, accuracy {accuracy * 100:.0f}%")

    final_accuracy = _accuracy(model, rows, y)
    _pictures(run, model, X, labels, history, loss)
    run.result(f"accuracy {final_accuracy:.2f} after {steps} steps, final loss {history['loss'][-1]:.4f}")


def _moons(points: int, seed: int, source: str) -> tuple[np.ndarray, np.ndarray]:
    """``points`` moons with noise 0.1 drawn by ``nn.data`` or, as the notebook drew them, by scikit-learn."""
    if source == "nn":
        return nn.data.moons(n=points, noise=0.1, seed=seed)
    try:
        from sklearn.datasets import make_moons
    except ImportError as error:
        raise ImportError("--points-from sklearn needs scikit-learn, an optional extra: pip install scikit-learn "
                          "(or run without the flag: nn.data's moons need nothing)") from error
    X, labels = make_moons(n_samples=points, noise=0.1, random_state=seed)
    return X, labels.astype(np.int64)


def _micrograd_init(model: nn.MLP, seed: int) -> None:
    """micrograd's starting point exactly: Python's ``random`` seeded as the demo seeds it, one
    ``uniform(-1, 1)`` per weight in creation order (layer by layer, neuron by neuron), zero biases."""
    draw = random.Random(seed).uniform
    for layer in model.layers:
        for neuron in layer.neurons:
            for weight in neuron.w:
                weight.data = draw(-1.0, 1.0)
            neuron.b.data = 0.0


@no_grad()
def _accuracy(model: nn.Module, rows: list, y: np.ndarray) -> float:
    """Accuracy of the trained model (the per-step line shows it before that step's update)."""
    return float(np.mean([(model(row).data > 0) == (t > 0) for row, t in zip(rows, y)]))


def _pictures(run: common.Run, model, X, labels, history, loss) -> None:
    from viz import draw_graph, draw_network, plot_decision_boundary, plot_history

    run.picture("boundary.png", lambda path: plot_decision_boundary(
        model, X, labels, path=path, output="logit", title="moons: micrograd's MLP(2, [16, 16, 1]), hinge loss"))
    run.picture("history.png", lambda path: plot_history(history, path=path))
    run.picture("network.png", lambda path: draw_network(model, path=path))
    run.say(f"graph.svg: the last step's graph, {len(topological_order(loss)):,} nodes, drawn one box per layer")
    run.picture("graph.svg", lambda path: draw_graph(loss, collapse=2, path=path))


if __name__ == "__main__":
    common.run(NAME, parser(), main)
