"""XOR: one perceptron cannot learn it, a network with one hidden layer can.

XOR is the smallest problem that needs a hidden layer. Its four points put the two classes on the
two diagonals of a square, and no straight line has (0,1) and (1,0) on one side and (0,0) and (1,1)
on the other. So Rosenblatt's rule, which only ever moves one line, keeps making mistakes forever.
A 2-4-1 network learns it: its hidden units draw several lines and the output combines them.

    python tutorials/xor.py                   # the scalar engine: every weight is a Value
    python tutorials/xor.py --engine tensor
"""
from __future__ import annotations

import numpy as np

import common
import nn

NAME = "xor"
HIDDEN = 4
PROOF = """\
why: XOR is not linearly separable. A line w1*x1 + w2*x2 + b > 0 would need
       (0,1) -> class 1:  w2 + b > 0        (1,0) -> class 1:  w1 + b > 0
       (0,0) -> class 0:  b <= 0            (1,1) -> class 0:  w1 + w2 + b <= 0
     Adding the first two gives w1 + w2 + 2b > 0, so w1 + w2 + b > -b >= 0: a contradiction.
     Every epoch makes at least one mistake, so the rule never stops by itself."""


def parser():
    p = common.make_parser(NAME, __doc__.splitlines()[0], epochs=500, lr=0.5, engine="scalar",
                           epochs_help="passes over the four points (one SGD step each: full batch)")
    p.add_argument("--perceptron-epochs", type=common.positive_int, default=100,
                   help="epochs given to the perceptron rule")
    return p


def main(run: common.Run) -> None:
    args = run.args
    X, y = nn.data.xor()
    epochs = 50 if args.smoke else args.epochs
    run.heading("data: the four XOR points")
    run.say(*(f"  {int(a)} xor {int(b)} = {t}" for (a, b), t in zip(X, y)))

    run.heading("1. Rosenblatt's perceptron rule")
    perceptron = nn.Perceptron(2, seed=args.seed)
    outcome = perceptron.fit(X, y, max_epochs=args.perceptron_epochs)
    perceptron_accuracy = float(np.mean(perceptron.predict(X) == y))
    run.say(f"perceptron: {outcome}", f"mistakes in the last epochs: {outcome.errors[-5:]}; "
            f"accuracy at the end {perceptron_accuracy:.2f}", PROOF)

    run.heading(f"2. a 2-{HIDDEN}-1 network (tanh hidden units, sigmoid output), {args.engine} engine")
    model = common.make_mlp(args.engine, [2, HIDDEN, 1], activation="tanh", output_activation="sigmoid")
    run.say(model.summary())
    history = nn.fit(model, X, y, loss="binary_cross_entropy", optimizer=nn.SGD(model.parameters(), lr=args.lr),
                     epochs=epochs, batch_size=len(X), shuffle=False, metrics=["binary_accuracy"],
                     verbose=run.verbose)
    probabilities = np.ravel(nn.predict(model, X))
    network_accuracy = nn.binary_accuracy(y, probabilities)

    run.heading("truth table")
    run.say(" x1  x2 | xor | network output | says")
    for (a, b), target, p in zip(X, y, probabilities):
        run.say(f"  {int(a)}   {int(b)} |  {target}  |     {p:.4f}     |  {int(p > 0.5)}")

    _pictures(run, model, X, y, history)
    run.result(f"perceptron accuracy {perceptron_accuracy:.2f} "
               f"({'converged' if outcome.converged else 'never converges'}), "
               f"2-{HIDDEN}-1 network accuracy {network_accuracy:.2f}, loss {history['loss'][-1]:.4f}")


def _pictures(run: common.Run, model, X, y, history) -> None:
    from viz import draw_graph, draw_network, plot_decision_boundary, plot_history

    run.picture("network.png", lambda path: draw_network(model, path=path))
    run.picture("boundary.png", lambda path: plot_decision_boundary(
        model, X, y, path=path, title=f"XOR: a 2-{HIDDEN}-1 network draws two lines"))
    run.picture("history.png", lambda path: plot_history(history, path=path))
    run.say("graph.svg: the loss of the point (1, 0), after backward: every weight with its gradient")
    run.picture("graph.svg", lambda path: draw_graph(common.loss_graph(model, X[2:3], y[2:3]), path=path))


if __name__ == "__main__":
    common.run(NAME, parser(), main)
