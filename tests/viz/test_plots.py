"""Plots: each writes a valid PNG of the expected pixel size and returns its figure; inputs are checked."""
import pathlib
import struct
import subprocess
import sys

import numpy as np
import pytest

import nn
from autograd_core import Value
from viz import plot_activations, plot_approximation, plot_decision_boundary, plot_history
from viz.plots import activation_curve, model_outputs

REPO = pathlib.Path(__file__).resolve().parents[2]


def png_size(path):
    data = pathlib.Path(path).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    return struct.unpack(">II", data[16:24])


def ring_data(n=60, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-2, 2, size=(n, 2))
    return X, (np.hypot(X[:, 0], X[:, 1]) < 1.2).astype(int)


def ring_probability(points):
    """A hand-made classifier on numpy arrays: P(class 1) high inside the unit ring."""
    return 1 / (1 + np.exp(4 * (np.hypot(points[:, 0], points[:, 1]) - 1.2)))


# ----------------------------------------------------------------------------- decision boundary
def test_decision_boundary_of_a_function_writes_a_png_of_the_figure_size(tmp_path):
    X, y = ring_data()
    fig = plot_decision_boundary(ring_probability, X, y, path=tmp_path / "b.png", figsize=(6, 5), dpi=80)
    assert png_size(tmp_path / "b.png") == (480, 400)
    assert fig.axes[0].get_title() == "decision boundary"


def test_decision_boundary_of_a_scalar_mlp_calls_it_per_grid_point(tmp_path):
    nn.manual_seed(0)
    model = nn.MLP(2, [4, 1], activation="tanh")
    X, y = ring_data(20)
    plot_decision_boundary(model, X, 2 * y - 1, path=tmp_path / "scalar.png", resolution=12)
    assert png_size(tmp_path / "scalar.png") == (600, 500)


def test_scalar_and_tensor_models_with_the_same_weights_give_the_same_outputs():
    nn.manual_seed(3)
    model = nn.MLP(2, [5, 1], activation="relu")
    net = nn.Sequential(nn.Linear(2, 5, dtype=np.float64), nn.ReLU(), nn.Linear(5, 1, dtype=np.float64))
    for linear, layer in zip((net[0], net[2]), model.layers):
        linear.weight.data[...] = [[w.data for w in n.w] for n in layer.neurons]
        linear.bias.data[...] = [n.b.data for n in layer.neurons]
    points = np.random.default_rng(0).normal(size=(7, 2))
    np.testing.assert_allclose(model_outputs(model, points), model_outputs(net, points), rtol=1e-12)


def test_decision_boundary_of_a_multiclass_tensor_model(tmp_path):
    nn.manual_seed(1)
    net = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 3))
    X = np.random.default_rng(0).normal(size=(30, 2))
    y = np.arange(30) % 3
    fig = plot_decision_boundary(net, X, y, path=tmp_path / "multi.png", resolution=50, title="three classes")
    assert png_size(tmp_path / "multi.png") == (600, 500)
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["class 0", "class 1", "class 2"]


def test_scores_are_read_as_logits_and_probabilities_as_they_are():
    from viz.plots import _probabilities

    scores = np.array([[-2.0], [0.0], [3.0]])
    read, meaning = _probabilities(scores, "auto")
    np.testing.assert_allclose(read[:, 0], 1 / (1 + np.exp(-scores[:, 0])))
    assert meaning == "sigmoid(score)"  # a hinge score is not called a probability on the colour bar
    probabilities = np.array([[0.1], [0.9]])
    read, meaning = _probabilities(probabilities, "auto")
    np.testing.assert_allclose(read, probabilities)
    assert meaning == "P(class 1)"
    logits = np.array([[1.0, 2.0, 3.0]])
    softmax = np.exp(logits) / np.exp(logits).sum()
    np.testing.assert_allclose(_probabilities(logits, "auto")[0], softmax)


def test_decision_boundary_refuses_inputs_that_are_not_two_dimensional():
    with pytest.raises(ValueError, match=r"2-D inputs; X has shape \(5, 3\)"):
        plot_decision_boundary(ring_probability, np.zeros((5, 3)), np.zeros(5))


def test_decision_boundary_refuses_labels_of_the_wrong_length():
    with pytest.raises(ValueError, match="5 points but y has 4 labels"):
        plot_decision_boundary(ring_probability, np.zeros((5, 2)), np.zeros(4))


def test_one_hot_and_plus_minus_one_labels_are_understood(tmp_path):
    X, y = ring_data(10)
    one_hot = np.eye(2)[y]
    fig = plot_decision_boundary(ring_probability, X, one_hot, resolution=10)
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels == [f"class {c}" for c in sorted(set(y))]


# ----------------------------------------------------------------------------- history
def test_history_draws_one_panel_per_quantity_with_train_and_validation(tmp_path):
    history = {"loss": [1.0, 0.5, 0.3], "val_loss": [1.1, 0.7, 0.6], "accuracy": [0.5, 0.8, 0.9],
               "val_accuracy": [0.4, 0.7, 0.8]}
    fig = plot_history(history, path=tmp_path / "h.png", dpi=50)
    assert png_size(tmp_path / "h.png") == (int(4.2 * 2 * 50), int(3.4 * 50))
    assert [ax.get_title() for ax in fig.axes] == ["loss", "accuracy"]
    assert [line.get_label() for line in fig.axes[0].get_lines()] == ["train", "validation"]


def test_history_from_nn_fit(tmp_path):
    X, y = ring_data(40)
    net = nn.Sequential(nn.Linear(2, 8, seed=0), nn.ReLU(), nn.Linear(8, 1, seed=1), nn.Sigmoid())
    history = nn.fit(net, X, y.reshape(-1, 1).astype(float), loss="binary_cross_entropy",
                     optimizer=nn.SGD(net.parameters(), lr=0.1), epochs=3, batch_size=10,
                     validation_data=(X, y.reshape(-1, 1).astype(float)), verbose=0)
    fig = plot_history(history, path=tmp_path / "fit.png")
    assert fig.axes[0].get_title() == "loss"
    png_size(tmp_path / "fit.png")


def test_falling_loss_gets_a_log_scale():
    fig = plot_history({"loss": [100.0, 1.0, 0.01]})
    assert fig.axes[0].get_yscale() == "log"


def test_empty_history_is_refused():
    with pytest.raises(ValueError, match="history is empty"):
        plot_history({"loss": []})


# ----------------------------------------------------------------------------- activations and approximation
def test_activations_plot_writes_a_png_of_the_figure_size(tmp_path):
    fig = plot_activations(path=tmp_path / "act.png", dpi=50)
    assert png_size(tmp_path / "act.png") == (650, 300)
    assert len(fig.axes) == 8


def test_activation_derivatives_come_from_backward_and_match_the_slope():
    xs = np.linspace(-3, 3, 61)
    values, slopes = activation_curve(Value.tanh, xs)
    np.testing.assert_allclose(values, np.tanh(xs), rtol=1e-12)
    np.testing.assert_allclose(slopes, 1 - np.tanh(xs) ** 2, rtol=1e-12)
    values, slopes = activation_curve(Value.softplus, xs)
    np.testing.assert_allclose(slopes, np.gradient(values, xs), atol=5e-3)


def test_approximation_plot_writes_a_png_and_labels_each_fit(tmp_path):
    x = np.linspace(-3, 3, 50)
    fig = plot_approximation(x, np.sin, {"2 units": 0.8 * np.sin(x), "8 units": lambda t: np.sin(t) + 0.01},
                             path=tmp_path / "fit.png", samples=(x[::5], np.sin(x[::5])), dpi=40)
    assert png_size(tmp_path / "fit.png") == (280, 180)
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels == ["target", "2 units", "8 units", "training points"]


def test_approximation_refuses_predictions_of_the_wrong_length():
    with pytest.raises(ValueError, match="'bad' has 3 values for 50 x positions"):
        plot_approximation(np.linspace(0, 1, 50), np.sin, {"bad": [1, 2, 3]})


# ----------------------------------------------------------------------------- dependencies
def test_importing_viz_does_not_import_matplotlib():
    code = "import sys; import viz; print('matplotlib' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "False", result.stderr
