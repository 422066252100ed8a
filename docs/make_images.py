"""Draw the pictures the README shows, into docs/images/ (run from the repository root).

    python docs/make_images.py

Needs Graphviz's ``dot`` and matplotlib. Seeded, so the pictures only change when the code does.
"""
import pathlib
import sys

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import nn  # noqa: E402
from autograd_core import Value  # noqa: E402
from viz import draw_graph, draw_network, plot_decision_boundary, plot_history  # noqa: E402

IMAGES = ROOT / "docs" / "images"


def neuron_graph(path: pathlib.Path) -> None:
    """micrograd's neuron o = tanh(x1*w1 + x2*w2 + b) after backward: every local gradient on the picture."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1, x2w2 = x1 * w1, x2 * w2
    x1w1.label, x2w2.label = "x1*w1", "x2*w2"
    total = x1w1 + x2w2
    total.label = "x1*w1 + x2*w2"
    n = total + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    o.backward()
    draw_graph(o, path=path)


def collapsed_mlp_graph(path: pathlib.Path) -> None:
    """The loss of a scalar MLP(2, [16, 16, 1]) on 20 points: thousands of Values, one box per neuron."""
    nn.manual_seed(0)
    model = nn.MLP(2, [16, 16, 1])
    X, y = nn.data.moons(20, noise=0.1, seed=0)
    loss = sum(((model(list(x)) - (2.0 * t - 1.0)) ** 2 for x, t in zip(X, y)), Value(0.0))
    loss.label = "loss"
    loss.backward()
    draw_graph(loss, collapse="module", cluster=True, path=path)


def trained_moons_model():
    """A 2-16-16-1 network trained on two moons; returns the model, the data and the history."""
    X, y = nn.data.moons(300, noise=0.15, seed=0)
    X_train, X_val, y_train, y_val = nn.data.train_test_split(X, y, test_size=0.25, seed=0)
    nn.manual_seed(0)
    net = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 1), nn.Sigmoid())
    history = nn.fit(net, X_train, y_train.reshape(-1, 1).astype(np.float32), loss="binary_cross_entropy",
                     optimizer=nn.Adam(net.parameters(), lr=0.01), epochs=60, batch_size=32, seed=0,
                     validation_data=(X_val, y_val.reshape(-1, 1).astype(np.float32)),
                     metrics=["binary_accuracy"], verbose=0)
    return net, X, y, history


def main() -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    pictures = [IMAGES / name for name in ("neuron_graph.svg", "mlp_graph_collapsed.svg", "network.svg",
                                           "decision_boundary.png", "history.png")]
    neuron_graph(pictures[0])
    collapsed_mlp_graph(pictures[1])
    net, X, y, history = trained_moons_model()
    draw_network(net, path=pictures[2], title="2-16-16-1 network trained on two moons")
    plot_decision_boundary(net.eval(), X, y, path=pictures[3], title="two moons: P(class 1) of the trained network")
    plot_history(history, path=pictures[4])
    print(f"wrote {', '.join(p.name for p in pictures)} to {IMAGES}")


if __name__ == "__main__":
    main()
