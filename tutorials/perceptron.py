"""The perceptron: Rosenblatt's rule and a one-neuron sigmoid network draw a line between Iris species.

The lecture's example: is an Iris flower a setosa? Two measurements, petal length and petal width,
standardised with the training set's mean and spread. Setosas have small petals, so one straight
line separates them from the other two species, and both learners find one:

- Rosenblatt's perceptron (1958) moves its line only when a flower is on the wrong side
  (w += lr * t * x), and stops after the first epoch without a mistake;
- a sigmoid neuron, p = sigmoid(w . x + b), follows the gradient of the binary cross-entropy; its
  line is where p = 0.5, and it keeps moving the line away from the closest flowers of both sides.

    python tutorials/perceptron.py
"""
from __future__ import annotations

import numpy as np

import common
import nn
from nn.datasets import load_iris

NAME = "perceptron"
FEATURES = (2, 3)     # petal length, petal width


def parser():
    p = common.make_parser(NAME, __doc__.splitlines()[0], epochs=50, lr=0.5, engine="tensor",
                           epochs_help="epochs of the sigmoid neuron, and at most this many for the rule")
    p.add_argument("--test-size", type=common.fraction, default=0.3, help="fraction of the flowers kept for testing")
    return p


def main(run: common.Run) -> None:
    args = run.args
    epochs = 3 if args.smoke else args.epochs
    X_all, species, feature_names, species_names = load_iris()
    X = X_all[:, FEATURES]
    y = (species == 0).astype(np.int64)                        # 1: setosa, 0: versicolor or virginica
    X_train, X_test, y_train, y_test = nn.data.train_test_split(X, y, test_size=args.test_size, seed=args.seed,
                                                                stratify=True)
    X_train, X_test = nn.data.standardize(X_train, X_test)
    features = [feature_names[i].replace(" (cm)", "") for i in FEATURES]
    run.say(common.describe_data(X_train, y_train, f"train: Iris {' and '.join(features)}, 1 = {species_names[0]}"),
            common.describe_data(X_test, y_test, "test"))

    run.heading("1. Rosenblatt's perceptron rule")
    perceptron = nn.Perceptron(2, seed=args.seed)
    outcome = perceptron.fit(X_train, y_train, max_epochs=epochs)
    rule_line = (perceptron.weights, perceptron.bias)
    rule_accuracy = float(np.mean(perceptron.predict(X_test) == y_test))
    run.say(f"perceptron: {outcome}; mistakes per epoch {outcome.errors}", _line_text(*rule_line))

    run.heading(f"2. one sigmoid neuron, gradient descent on binary cross-entropy ({args.engine} engine)")
    neuron = common.make_mlp(args.engine, [2, 1], output_activation="sigmoid")
    run.say(neuron.summary())
    history = nn.fit(neuron, X_train, y_train, loss="binary_cross_entropy",
                     optimizer=nn.SGD(neuron.parameters(), lr=args.lr), epochs=epochs, batch_size=10,
                     validation_data=(X_test, y_test), metrics=["binary_accuracy"], seed=args.seed,
                     verbose=run.verbose)
    neuron_line = _neuron_line(neuron)
    neuron_accuracy = nn.binary_accuracy(y_test, nn.predict(neuron, X_test))
    run.say(_line_text(*neuron_line))

    run.picture("boundary.png", lambda path: _plot_lines(path, X_train, y_train, X_test, y_test, features,
                                                         {"perceptron rule": rule_line, "sigmoid neuron": neuron_line}))
    from viz import plot_history
    run.picture("history.png", lambda path: plot_history(history, path=path))
    convergence = f"converged in {outcome.epochs} epochs" if outcome.converged else "did not converge"
    run.result(f"rule test accuracy {rule_accuracy:.2f} ({convergence}), "
               f"sigmoid neuron test accuracy {neuron_accuracy:.2f}")


def _neuron_line(neuron: nn.Module) -> tuple[np.ndarray, float]:
    """(w, b) of a one-neuron model on either engine: its parameters are w1, w2 then b in both."""
    numbers = np.concatenate([np.ravel(np.asarray(p.data, dtype=np.float64)) for p in neuron.parameters()])
    return numbers[:2], float(numbers[2])


def _line_text(w: np.ndarray, b: float) -> str:
    return f"  line: {w[0]:.3f} * length {_signed(w[1])} * width {_signed(b)} = 0"


def _signed(number: float) -> str:
    """``+ 1.250`` or ``- 1.250``: a term of an equation, spaced as one writes it."""
    return f"{'-' if number < 0 else '+'} {abs(number):.3f}"


def _plot_lines(path, X_train, y_train, X_test, y_test, features, lines: dict) -> None:
    """Flowers in the standardised plane and each learner's line w . x + b = 0."""
    from viz.plots import new_figure

    figure = new_figure((6.4, 5.0))
    axes = figure.add_subplot()
    for X, y, marker, part in ((X_train, y_train, "o", "train"), (X_test, y_test, "^", "test")):
        for label, colour, name in ((1, "#1f77b4", "setosa"), (0, "#d62728", "other")):
            chosen = X[y == label]
            axes.scatter(chosen[:, 0], chosen[:, 1], c=colour, marker=marker, edgecolors="black", linewidths=0.5,
                         s=30, label=f"{name} ({part})")
    left, right = axes.get_xlim()
    bottom, top = axes.get_ylim()
    for (name, (w, b)), style in zip(lines.items(), ("-", "--")):
        axes.plot(*_two_points(w, b, (left, right), (bottom, top)), "k" + style, linewidth=1.8, label=name)
    axes.set(xlim=(left, right), ylim=(bottom, top), xlabel=f"{features[0]} (standardised)",
             ylabel=f"{features[1]} (standardised)", title="Iris: setosa or not? Two learned lines")
    axes.legend(fontsize=8, loc="upper left")
    figure.savefig(path)


def _two_points(w: np.ndarray, b: float, x_range: tuple, y_range: tuple) -> tuple[list, list]:
    """Two points of the line w1 x + w2 y + b = 0 spanning the plot (vertical when w2 = 0)."""
    if abs(w[1]) > 1e-12 * abs(w[0]):
        xs = list(x_range)
        return xs, [-(w[0] * x + b) / w[1] for x in xs]
    return [-b / w[0]] * 2, list(y_range)


if __name__ == "__main__":
    common.run(NAME, parser(), main)
