"""Digits: a multi-layer perceptron reads 8x8 handwritten digits (scikit-learn's bundled set) with softmax and Adam.

1,797 scanned digits, each 64 pixels of 0-16 ink, standardised. The network 64-128-10 has ten
outputs, one score (logit) per digit; softmax turns the scores into probabilities and the
cross-entropy loss rewards a high probability on the right digit. Adam adapts the step size of every
weight on its own; dropout (20% of the hidden units silenced at random in each step) keeps the
network from leaning on a few pixels. A quarter of the digits, picked per class, is held out for testing.

    python tutorials/digits.py              # a few seconds; needs scikit-learn (pip install scikit-learn)
"""
from __future__ import annotations

import numpy as np

import common
import nn
from nn.datasets import load_digits

NAME = "digits"


def parser():
    p = common.make_parser(NAME, __doc__.splitlines()[0], epochs=30, lr=3e-3)
    p.add_argument("--hidden", type=common.positive_int, default=128, help="hidden units")
    p.add_argument("--dropout", type=common.probability, default=0.2,
                   help="fraction of hidden units dropped in each training step")
    p.add_argument("--batch-size", type=common.positive_int, default=32, help="digits per Adam step")
    return p


def main(run: common.Run) -> None:
    args = run.args
    epochs = 2 if args.smoke else args.epochs
    X, y, _, classes = load_digits()
    X_train, X_test, y_train, y_test = nn.data.train_test_split(X, y, test_size=0.25, seed=args.seed, stratify=True)
    images_test = X_test.reshape(-1, 8, 8)                # as scanned, for the picture
    X_train, X_test = nn.data.standardize(X_train, X_test)
    run.say(common.describe_data(X_train, y_train, "train: 8x8 digits"), common.describe_data(X_test, y_test, "test"))

    model = nn.Sequential(nn.Linear(64, args.hidden), nn.ReLU(), nn.Dropout(args.dropout),
                          nn.Linear(args.hidden, len(classes)))
    run.say(model.summary())
    history = nn.fit(model, X_train, y_train, loss="cross_entropy", optimizer=nn.Adam(model.parameters(), lr=args.lr),
                     epochs=epochs, batch_size=args.batch_size, validation_data=(X_test, y_test),
                     metrics=["accuracy"], seed=args.seed, verbose=run.verbose)
    train = nn.evaluate(model, X_train, y_train, loss="cross_entropy", metrics=["accuracy"])
    test = nn.evaluate(model, X_test, y_test, loss="cross_entropy", metrics=["accuracy"])
    predicted = nn.predict(model, X_test).argmax(axis=1)
    run.say("", _confusion_text(y_test, predicted, len(classes)))

    from viz import plot_history
    title = f"digits: 64-{args.hidden}-10, Adam"
    run.picture("history.png", lambda path: plot_history(history, path=path, title=title))
    run.picture("mistakes.png", lambda path: _plot_mistakes(path, images_test, y_test, predicted, classes))
    run.result(f"train accuracy {train['accuracy']:.3f}, test accuracy {test['accuracy']:.3f}")


def _confusion_text(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> str:
    """The confusion matrix as text: row = true digit, column = predicted digit."""
    matrix = np.zeros((n_classes, n_classes), dtype=int)
    np.add.at(matrix, (y_true, y_pred), 1)
    lines = ["confusion matrix (rows: true digit, columns: predicted)",
             "      " + " ".join(f"{c:>3}" for c in range(n_classes))]
    lines += [f"  {row:>2}: " + " ".join(f"{count:>3}" for count in matrix[row]) for row in range(n_classes)]
    return "\n".join(lines)


def _plot_mistakes(path, images: np.ndarray, y_test: np.ndarray, predicted: np.ndarray, classes) -> None:
    """The test digits the network misread (the first 16), each titled "true -> predicted"."""
    from viz.plots import new_figure

    wrong = np.flatnonzero(predicted != y_test)
    shown = wrong[:16]
    columns = 8
    rows = max(1, -(-len(shown) // columns))
    figure = new_figure((8, 0.4 + 1.2 * rows))
    figure.suptitle(f"{len(wrong)} of {len(y_test)} test digits misread (true -> predicted)")
    for position in range(rows * columns):
        axes = figure.add_subplot(rows, columns, position + 1)
        axes.set_axis_off()
        if position < len(shown):
            index = shown[position]
            axes.imshow(images[index], cmap="gray_r", vmin=0, vmax=16)
            axes.set_title(f"{classes[y_test[index]]} -> {classes[predicted[index]]}", fontsize=9)
    figure.savefig(path)


if __name__ == "__main__":
    common.run(NAME, parser(), main)
