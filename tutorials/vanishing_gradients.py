"""Vanishing gradients: in a 10-layer sigmoid network the first layers hardly learn; with ReLU they do.

Backpropagation multiplies, layer after layer, by the derivative of the activation. The sigmoid's
derivative is at most 1/4, so on its way to the first layer of a deep sigmoid network the gradient
shrinks by a factor of 4 or more per layer: after ten layers it is a million times smaller or
worse, and the first layers barely move. ReLU's derivative is 1 wherever a unit is active, so the
gradient keeps its size.

Two networks of 10 linear layers (2 -> 16 -> ... -> 16 -> 1) on the circles data differ only in
their hidden activation. Each starts with the initialisation recommended for it (Glorot for
sigmoid, He for ReLU), so what differs is the activation's derivative. The script measures the
gradient norm |dL/dW| of every layer on the first batch, then trains both the same way.

    python tutorials/vanishing_gradients.py
"""
from __future__ import annotations

import numpy as np

import common
import nn

NAME = "vanishing_gradients"
LAYERS, WIDTH = 10, 16
ACTIVATIONS = {"sigmoid": (nn.Sigmoid, "xavier_uniform_"), "relu": (nn.ReLU, "kaiming_uniform_")}


def parser():
    p = common.make_parser(NAME, __doc__.splitlines()[0], epochs=100, lr=0.1)
    p.add_argument("--layers", type=common.positive_int, default=LAYERS, help="linear layers in each network")
    p.add_argument("--batch-size", type=common.positive_int, default=20, help="points per SGD step")
    return p


def main(run: common.Run) -> None:
    args = run.args
    epochs = 2 if args.smoke else args.epochs
    X, y = nn.data.circles(n=200, noise=0.1, factor=0.5, seed=args.seed)
    run.say(common.describe_data(X, y, "data: circles(n=200, noise=0.1, factor=0.5)"))

    norms, histories, accuracies = {}, {}, {}
    for name, (activation, initialiser) in ACTIVATIONS.items():
        run.heading(f"{args.layers} layers with {name} ({initialiser.rstrip('_')} initialisation)")
        model = _deep_network(args.layers, activation, getattr(nn.init, initialiser))
        if name == "sigmoid":
            run.say(model.summary())
        norms[name] = _layer_gradient_norms(model, X, y)
        run.say("gradient norm |dL/dW| per layer, first to last: " + " ".join(f"{n:.1e}" for n in norms[name]))
        histories[name] = nn.fit(model, X, y, loss="binary_cross_entropy",
                                 optimizer=nn.SGD(model.parameters(), lr=args.lr), epochs=epochs,
                                 batch_size=args.batch_size, metrics=["binary_accuracy"], seed=args.seed,
                                 verbose=run.verbose)
        accuracies[name] = histories[name]["binary_accuracy"][-1]

    run.picture("gradients.png", lambda path: _plot(path, norms, histories, args.layers))
    ratios = {name: values[0] / values[-1] for name, values in norms.items()}
    run.result("first layer's gradient / last layer's: " + ", ".join(f"{n} {r:.1e}" for n, r in ratios.items())
               + f"; train accuracy after {epochs} epochs: " + ", ".join(f"{n} {a:.2f}" for n, a in accuracies.items()))


def _deep_network(layers: int, activation: type, initialiser) -> nn.Sequential:
    """``layers`` Linear layers 2 -> WIDTH -> ... -> 1, ``activation`` between them, a sigmoid output."""
    sizes = [2] + [WIDTH] * (layers - 1) + [1]
    modules: list[nn.Module] = []
    for index, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        linear = nn.Linear(fan_in, fan_out)
        if initialiser is nn.init.kaiming_uniform_:
            initialiser(linear.weight, nonlinearity="relu")
        else:
            initialiser(linear.weight)
        nn.init.zeros_(linear.bias)
        modules += [linear, activation() if index < layers - 1 else nn.Sigmoid()]
    return nn.Sequential(*modules)


def _layer_gradient_norms(model: nn.Sequential, X: np.ndarray, y: np.ndarray) -> list[float]:
    """|dL/dW| of each Linear layer, first to last, for the loss on all of ``X`` (one backward pass)."""
    model.zero_grad()
    common.loss_graph(model, X, y)
    norms = [float(np.linalg.norm(layer.weight.grad)) for layer in model if isinstance(layer, nn.Linear)]
    model.zero_grad()
    return norms


def _plot(path, norms: dict, histories: dict, layers: int) -> None:
    """Left: gradient norm per layer (log scale). Right: training loss of both networks."""
    from viz.plots import new_figure

    figure = new_figure((10, 4))
    left, right = figure.subplots(1, 2)
    colours = {"sigmoid": "#d62728", "relu": "#1f77b4"}
    for name, values in norms.items():
        left.semilogy(range(1, layers + 1), values, "o-", color=colours[name], label=name)
        right.plot(range(1, len(histories[name]["loss"]) + 1), histories[name]["loss"], color=colours[name],
                   label=name)
    left.set(xlabel="layer (1 = next to the input)", ylabel="|dL/dW| at the start",
             title=f"gradient size per layer, {layers} layers deep", xticks=range(1, layers + 1))
    right.set(xlabel="epoch", ylabel="training loss (binary cross-entropy)", title="training")
    for axes in (left, right):
        axes.grid(alpha=0.3)
        axes.legend()
    figure.savefig(path)


if __name__ == "__main__":
    common.run(NAME, parser(), main)
