"""Circles: the lecture's example — a 2-20-1 network learns to tell a small circle from a large one.

No straight line separates a circle from the ring around it, so the network has to bend its
boundary. Twenty ReLU units each cut the plane with one line; the sigmoid output combines the cuts
into a closed curve and reads it as a probability. Trained with binary cross-entropy and plain SGD
in mini-batches, on 100 points (``circles(n=100, noise=0.15, factor=0.3)``), and tested on 100 new
points drawn the same way.

    python tutorials/circles.py                   # the tensor engine: a few seconds
    python tutorials/circles.py --engine scalar   # the same network made of Values: slower, inspectable
"""
from __future__ import annotations

import common
import nn

NAME = "circles"
HIDDEN = 20
NOISE, FACTOR = 0.15, 0.3


def parser():
    p = common.make_parser(NAME, __doc__.splitlines()[0], epochs=100, lr=0.1, engine="tensor")
    p.add_argument("--points", type=common.positive_int, default=100, help="training points (the test set has as many)")
    p.add_argument("--batch-size", type=common.positive_int, default=10, help="points per SGD step")
    return p


def main(run: common.Run) -> None:
    args = run.args
    points, epochs = (40, 5) if args.smoke else (args.points, args.epochs)
    X_train, y_train = nn.data.circles(n=points, noise=NOISE, factor=FACTOR, seed=args.seed)
    X_test, y_test = nn.data.circles(n=points, noise=NOISE, factor=FACTOR, seed=args.seed + 1)
    run.say(common.describe_data(X_train, y_train, f"train: circles(n={points}, noise={NOISE}, factor={FACTOR})"),
            common.describe_data(X_test, y_test, "test: a second draw, seed + 1"))

    model = common.make_mlp(args.engine, [2, HIDDEN, 1], activation="relu", output_activation="sigmoid")
    run.say(f"model ({args.engine} engine):", model.summary())
    history = nn.fit(model, X_train, y_train, loss="binary_cross_entropy",
                     optimizer=nn.SGD(model.parameters(), lr=args.lr), epochs=epochs, batch_size=args.batch_size,
                     validation_data=(X_test, y_test), metrics=["binary_accuracy"], seed=args.seed,
                     verbose=run.verbose)
    train_accuracy = nn.binary_accuracy(y_train, nn.predict(model, X_train))
    test_accuracy = nn.binary_accuracy(y_test, nn.predict(model, X_test))

    title = f"circles: 2-{HIDDEN}-1 network, train accuracy {train_accuracy:.2f}, test {test_accuracy:.2f}"
    _pictures(run, model, X_train, y_train, history, title)
    run.say(f"took {run.elapsed():.1f} s")
    run.result(f"train accuracy {train_accuracy:.2f}, test accuracy {test_accuracy:.2f}")


def _pictures(run: common.Run, model, X, y, history, title: str) -> None:
    from viz import draw_graph, draw_network, plot_decision_boundary, plot_history

    run.picture("boundary.png", lambda path: plot_decision_boundary(model, X, y, path=path, title=title))
    run.picture("history.png", lambda path: plot_history(history, path=path))
    run.picture("network.png", lambda path: draw_network(model, path=path))
    run.say("graph.svg: the loss of the first training point, after backward"
            + (" (one box per neuron)" if run.args.engine == "scalar" else ""))
    run.picture("graph.svg", lambda path: draw_graph(common.loss_graph(model, X[:1], y[:1]), path=path,
                                                     collapse="module" if run.args.engine == "scalar" else None))


if __name__ == "__main__":
    common.run(NAME, parser(), main)
