"""Initialisation: start every weight at zero and all hidden neurons stay identical; start at random and they differ.

If two hidden neurons start with the same weights, they compute the same output, receive the same
gradient and take the same step, so they are still equal after the step, and after every step
(the symmetry is never broken). A network initialised to all zeros therefore has, in effect, one
hidden neuron however many it was given. Random initial weights break the symmetry: each neuron
starts somewhere else and learns something else.

Two 2-8-1 networks (sigmoid hidden units, sigmoid output) learn the circles data with the same
data, loss, optimiser and number of steps; one starts from zeros, one from nn's default random
initialisation. The script follows each hidden neuron's weights through training.

    python tutorials/initialisation.py
    python tutorials/initialisation.py --activation tanh    # zeros: the hidden layer does not move at all
"""
from __future__ import annotations

import numpy as np

import common
import nn
from nn.training import Callback

NAME = "initialisation"
HIDDEN = 8


def parser():
    p = common.make_parser(NAME, __doc__.splitlines()[0], epochs=200, lr=0.5, engine="tensor")
    p.add_argument("--activation", choices=("sigmoid", "tanh"), default="sigmoid", help="the hidden units' activation")
    return p


def main(run: common.Run) -> None:
    args = run.args
    epochs = 3 if args.smoke else args.epochs
    X, y = nn.data.circles(n=100, noise=0.1, factor=0.5, seed=args.seed)
    run.say(common.describe_data(X, y, "data: circles(n=100, noise=0.1, factor=0.5)"))

    trajectories, accuracies, distinct, models = {}, {}, {}, {}
    for start in ("zeros", "random"):
        run.heading(f"2-{HIDDEN}-1 network, {args.activation} hidden units, {start} initialisation "
                    f"({args.engine} engine)")
        model = common.make_mlp(args.engine, [2, HIDDEN, 1], activation=args.activation, output_activation="sigmoid")
        if start == "zeros":
            model.load_state_dict({key: np.zeros_like(array) for key, array in model.state_dict().items()})
            run.say(model.summary())
        recorder = _HiddenWeights(model)
        history = nn.fit(model, X, y, loss="binary_cross_entropy", optimizer=nn.SGD(model.parameters(), lr=args.lr),
                         epochs=epochs, batch_size=10, metrics=["binary_accuracy"], seed=args.seed,
                         verbose=run.verbose, callbacks=[recorder])
        weights = _hidden_weights(model)
        distinct[start] = _distinct_neurons(weights)
        accuracies[start] = nn.binary_accuracy(y, nn.predict(model, X))
        trajectories[start], models[start] = np.array(recorder.snapshots), model
        run.say("hidden neurons after training (w1, w2, bias), one row each:",
                *(f"  {row[0]:+.6f} {row[1]:+.6f} {row[2]:+.6f}" for row in weights),
                f"{distinct[start]} distinct hidden neuron(s) of {HIDDEN}; train accuracy {accuracies[start]:.2f} "
                f"(loss {history['loss'][-1]:.4f})")

    from viz import draw_network, plot_decision_boundary
    run.picture("symmetry.png", lambda path: _plot(path, trajectories, args.activation))
    for start, model in models.items():
        title = (f"{start} initialisation, trained: {distinct[start]} distinct hidden neuron(s), "
                 f"{_largest_weight(model)}")
        run.picture(f"network_{start}.png", lambda path, m=model, t=title: draw_network(m, path=path, title=t))
        run.picture(f"boundary_{start}.png", lambda path, m=model, s=start: plot_decision_boundary(
            m, X, y, path=path, title=f"{s} initialisation: train accuracy {accuracies[s]:.2f}"))
    run.result("; ".join(f"{start}: {distinct[start]} distinct hidden neuron(s) of {HIDDEN}, train accuracy "
                         f"{accuracies[start]:.2f}" for start in distinct))


def _largest_weight(model: nn.Module) -> str:
    """The largest |w|, for the network picture: its edge widths are relative, so tiny equal weights look thick."""
    largest = max(float(np.abs(array).max()) for key, array in model.state_dict().items() if key.endswith("weight"))
    return f"largest |w| {largest:.2g}"


def _hidden_weights(model: nn.Module) -> np.ndarray:
    """The hidden layer as rows (w1, w2, bias), one per neuron, on either engine (PyTorch's state-dict layout)."""
    weight, bias = list(model.state_dict().values())[:2]
    return np.column_stack([weight, bias])


def _distinct_neurons(weights: np.ndarray) -> int:
    """How many rows (neurons) differ, up to rounding: 1 when the symmetry of a zero start was never broken."""
    return len(np.unique(weights.round(12), axis=0))


class _HiddenWeights(Callback):
    """Keeps a copy of the hidden layer's weights at the start and after every epoch."""

    def __init__(self, model: nn.Module) -> None:
        self.model = model
        self.snapshots = [_hidden_weights(model)]

    def on_epoch_end(self, epoch: int, logs: dict) -> None:
        self.snapshots.append(_hidden_weights(self.model))


def _plot(path, trajectories: dict, activation: str) -> None:
    """One panel per initialisation: each hidden neuron's first weight w1 over the epochs, one line per neuron."""
    from viz.plots import new_figure

    figure = new_figure((10, 4))
    figure.suptitle(f"weight w1 of each of the {HIDDEN} hidden {activation} neurons during training")
    for axes, (start, snapshots) in zip(figure.subplots(1, 2), trajectories.items()):
        for neuron in range(snapshots.shape[1]):
            axes.plot(snapshots[:, neuron, 0], linewidth=1.5)
        distinct = _distinct_neurons(snapshots[-1])
        note = f"{snapshots.shape[1]} lines drawn on top of each other" if distinct == 1 else ""
        axes.set(title=f"{start} initialisation: {distinct} distinct neuron(s)", xlabel="epoch", ylabel="w1")
        axes.text(0.5, 0.92, note, transform=axes.transAxes, ha="center", fontsize=9, color="#555555")
        axes.grid(alpha=0.3)
    figure.savefig(path)


if __name__ == "__main__":
    common.run(NAME, parser(), main)
