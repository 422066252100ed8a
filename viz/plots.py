"""Plots for the tutorials: decision boundaries, training histories, activation curves, 1-D function fits.

matplotlib is an optional extra, imported inside each function. Figures are built with
``matplotlib.figure.Figure`` rather than pyplot: no window, no global list of open figures, the Agg
renderer whatever the machine (a headless server included). Every function takes ``path=`` (the format
comes from the extension) and returns the figure, which Jupyter shows inline.
"""
from __future__ import annotations

import math
import sys
from typing import Any, Callable, Mapping, Optional, Union

import numpy as np

from autograd_core import Value, no_grad

PathLike = Any
ArrayLike = Any
CLASS_COLOURS = ("#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                 "#bcbd22", "#17becf")   # class 0 red and class 1 blue, as the probability shading
SCALAR_GRID = 40     # a scalar MLP runs once per grid point in Python: 40 x 40 = 1600 calls
TENSOR_GRID = 200


def new_figure(figsize: tuple[float, float], dpi: int = 100) -> Any:
    """A new figure outside pyplot; inside Jupyter, pyplot is imported once so figures display inline.

    Every plot, the tutorials' own included, starts here, so a missing matplotlib always says how to install it.
    """
    try:
        from matplotlib.figure import Figure
    except ImportError as missing:
        raise ImportError("plots need matplotlib, an optional extra: pip install matplotlib") from missing
    if "ipykernel" in sys.modules:
        import matplotlib.pyplot  # noqa: F401  (registers the inline display of Figure objects)
    return Figure(figsize=figsize, dpi=dpi, layout="constrained")


def _finish(fig: Any, path: Optional[PathLike]) -> Any:
    if path is not None:
        fig.savefig(path, dpi=fig.dpi)
    return fig


# ----------------------------------------------------------------------------- decision boundary
def _is_scalar_model(model: Any) -> bool:
    """The scalar ``nn.MLP``, ``Layer`` or ``Neuron`` (or micrograd's, built alike) takes one list of numbers a call."""
    if hasattr(model, "neurons") or hasattr(model, "w"):
        return True
    layers = getattr(model, "layers", None)
    return isinstance(layers, (list, tuple)) and bool(layers) and hasattr(layers[0], "neurons")


def _scalar_outputs(model: Any, points: np.ndarray) -> np.ndarray:
    rows = []
    for point in points:
        out = model([float(v) for v in point])
        out = out if isinstance(out, (list, tuple)) else [out]
        rows.append([float(getattr(o, "data", o)) for o in out])
    return np.array(rows, dtype=float)


def _batch_outputs(model: Any, points: np.ndarray) -> np.ndarray:
    """A tensor model (anything with ``parameters``) gets the grid as one ``Tensor`` batch; a plain function
    of a numpy array (n, 2) gets the array."""
    if hasattr(model, "parameters"):
        from autograd_core import Tensor

        points = Tensor(points)
    out = model(points)
    return np.asarray(getattr(out, "data", out), dtype=float).reshape(len(points), -1)


def model_outputs(model: Any, points: np.ndarray) -> np.ndarray:
    """The model's outputs at ``points`` (n, 2) as an (n, k) float array, with no graph recorded."""
    with no_grad():
        if _is_scalar_model(model):
            return _scalar_outputs(model, points)
        return _batch_outputs(model, points)


def _probabilities(outputs: np.ndarray, output: str) -> tuple[np.ndarray, str]:
    """(n, k) outputs to (n, k') probabilities (one column P(class 1), or one per class) and what to call them."""
    if output not in ("auto", "probability", "logit"):
        raise ValueError(f"output={output!r}: use 'probability' (sigmoid/softmax already applied), 'logit' "
                         "(raw scores; a boundary at 0, as with a hinge loss) or 'auto' (decide from the values).")
    in_unit = bool(np.all((outputs >= 0) & (outputs <= 1)))
    if outputs.shape[1] == 1:
        is_probability = output == "probability" or (output == "auto" and in_unit)
        if is_probability:
            return outputs, "P(class 1)"
        return 1.0 / (1.0 + np.exp(-outputs)), "sigmoid(score)"  # a hinge score is no probability: say so
    sums_to_one = in_unit and np.allclose(outputs.sum(axis=1), 1.0, atol=1e-6)
    if output == "probability" or (output == "auto" and sums_to_one):
        return outputs, "P(class)"
    shifted = np.exp(outputs - outputs.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True), "softmax(scores)"


def _class_labels(y: ArrayLike, n: int) -> np.ndarray:
    """Integer classes from integer, {-1, 1} (micrograd's demo) or one-hot labels."""
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] > 1:
        y = y.argmax(axis=1)
    y = y.reshape(-1)
    if len(y) != n:
        raise ValueError(f"plot_decision_boundary: X has {n} points but y has {len(y)} labels; give one label "
                         "per point.")
    return np.where(y < 0, 0, y).astype(int) if set(np.unique(y)) <= {-1, 1} else y.astype(int)


def plot_decision_boundary(model: Any, X: ArrayLike, y: ArrayLike, path: Optional[PathLike] = None,
                           resolution: Optional[int] = None, output: str = "auto", margin: float = 0.5,
                           title: Optional[str] = None, figsize: tuple[float, float] = (6.0, 5.0),
                           dpi: int = 100) -> Any:
    """Shade where a 2-input classifier says what, and draw the data points on top.

    Works for the scalar ``nn.MLP`` (called once per grid point, so the grid is ``resolution=40`` per side
    by default) and for tensor models (the grid as one batch, 200 per side). A single output is read as
    P(class 1) (``output="probability"``) or as a score whose sigmoid is (``"logit"``; the boundary is at 0,
    as with micrograd's hinge loss); ``"auto"`` picks probability when every output lies in [0, 1]. Several
    outputs are classes: each region takes its argmax class's colour, paler where the model is unsure.
    Labels may be integers, -1/1 or one-hot. Call ``model.eval()`` first if it has dropout or batch norm.
    """
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"plot_decision_boundary draws 2-D inputs; X has shape {X.shape}. fix: pass an (n, 2) "
                         "array (project higher-dimensional data to two features first).")
    labels = _class_labels(y, len(X))
    side = resolution or (SCALAR_GRID if _is_scalar_model(model) else TENSOR_GRID)
    xs = np.linspace(X[:, 0].min() - margin, X[:, 0].max() + margin, side)
    ys = np.linspace(X[:, 1].min() - margin, X[:, 1].max() + margin, side)
    gx, gy = np.meshgrid(xs, ys)
    probabilities, meaning = _probabilities(model_outputs(model, np.column_stack([gx.ravel(), gy.ravel()])), output)
    fig = new_figure(figsize, dpi)
    ax = fig.add_subplot()
    if probabilities.shape[1] == 1:
        _shade_binary(fig, ax, gx, gy, probabilities[:, 0].reshape(gx.shape), meaning)
    else:
        _shade_classes(ax, xs, ys, probabilities.reshape(side, side, -1))
    for cls in np.unique(labels):
        chosen = labels == cls
        ax.scatter(X[chosen, 0], X[chosen, 1], s=28, color=CLASS_COLOURS[cls % len(CLASS_COLOURS)],
                   edgecolors="black", linewidths=0.6, label=f"class {cls}", zorder=3)
    ax.set(xlim=(xs[0], xs[-1]), ylim=(ys[0], ys[-1]), xlabel="$x_1$", ylabel="$x_2$",
           title=title or "decision boundary")
    ax.legend(loc="upper right", fontsize=8, framealpha=0.85)
    return _finish(fig, path)


def _shade_binary(fig: Any, ax: Any, gx: np.ndarray, gy: np.ndarray, p: np.ndarray, meaning: str) -> None:
    """P(class 1) (or ``meaning``) from class 0's colour through white (unsure) to class 1's, 0.5 in black."""
    from matplotlib.colors import LinearSegmentedColormap

    colours = LinearSegmentedColormap.from_list("classes", [CLASS_COLOURS[0], "#ffffff", CLASS_COLOURS[1]])
    shading = ax.contourf(gx, gy, p, levels=np.linspace(0, 1, 21), cmap=colours, alpha=0.55, vmin=0, vmax=1)
    ax.contour(gx, gy, p, levels=[0.5], colors="black", linewidths=1.5)
    fig.colorbar(shading, ax=ax, label=meaning, ticks=[0, 0.25, 0.5, 0.75, 1])


def _shade_classes(ax: Any, xs: np.ndarray, ys: np.ndarray, p: np.ndarray) -> None:
    """Each pixel in its predicted class's colour, mixed with white by how unsure the model is there."""
    from matplotlib.colors import to_rgb

    classes = p.shape[-1]
    palette = np.array([to_rgb(CLASS_COLOURS[c % len(CLASS_COLOURS)]) for c in range(classes)])
    winner = p.argmax(axis=-1)
    confidence = (p.max(axis=-1) - 1 / classes) / (1 - 1 / classes)          # 0 at chance, 1 when certain
    strength = (0.12 + 0.43 * confidence)[..., None]
    image = palette[winner] * strength + (1 - strength)
    ax.imshow(image, origin="lower", extent=(xs[0], xs[-1], ys[0], ys[-1]), aspect="auto", interpolation="bilinear")


# ----------------------------------------------------------------------------- training history
def _history_series(history: Any) -> dict[str, list[float]]:
    """Keras' ``History`` (``.history``), ``nn.History`` or a plain dict of lists."""
    data = getattr(history, "history", history)
    if not hasattr(data, "items"):
        raise TypeError(f"plot_history needs a dict of lists like {{'loss': [...], 'val_loss': [...]}}; got "
                        f"{type(history).__name__}.")
    series = {str(k): [float(v) for v in values] for k, values in data.items() if len(values)}
    if not series:
        raise ValueError("plot_history: the history is empty; train for at least one epoch first.")
    return series


def plot_history(history: Any, path: Optional[PathLike] = None, title: Optional[str] = None,
                 dpi: int = 100) -> Any:
    """One panel per quantity (loss first, then each metric), training solid and validation dashed.

    ``history`` is what ``nn.fit`` returns (dict-like: ``loss``, ``val_loss``, ``accuracy``,
    ``val_accuracy`` ...). A loss that falls by more than two orders of magnitude gets a log scale.
    """
    series = _history_series(history)
    names = sorted({k[4:] if k.startswith("val_") else k for k in series}, key=lambda n: (n != "loss", n))
    fig = new_figure((4.2 * len(names), 3.4), dpi)
    axes = fig.subplots(1, len(names), squeeze=False)[0]
    for ax, name in zip(axes, names):
        for key, style, label in ((name, "-", "train"), (f"val_{name}", "--", "validation")):
            if key in series:
                values = series[key]
                ax.plot(range(1, len(values) + 1), values, style, marker="o" if len(values) <= 30 else None,
                        markersize=3, label=label)
        positive = [v for k in (name, f"val_{name}") for v in series.get(k, [])]
        if "loss" in name and min(positive) > 0 and max(positive) / min(positive) > 100:
            ax.set_yscale("log")
        ax.set(xlabel="epoch", title=name.replace("_", " "))
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    if title:
        fig.suptitle(title)
    return _finish(fig, path)


# ----------------------------------------------------------------------------- activations
def _activation_table() -> list[tuple[str, Callable[[Value], Value], str]]:
    """(title, function on a Value, note on its derivative) for the activations of the lecture notes."""
    return [
        ("step", Value.step, "autograd: straight-through 1"),
        ("sigmoid σ", Value.sigmoid, ""),
        ("tanh", Value.tanh, ""),
        ("ReLU", Value.relu, ""),
        ("leaky ReLU (α = 0.1)", lambda v: v.leaky_relu(0.1), ""),
        ("ELU (α = 1)", Value.elu, ""),
        ("SELU", Value.selu, ""),
        ("softplus", Value.softplus, ""),
    ]


def activation_curve(fn: Callable[[Value], Value], xs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """f(x) and f'(x) at each x, the derivative taken by this library's backward pass (not by hand)."""
    values, slopes = [], []
    for x in xs:
        leaf = Value(float(x))
        out = fn(leaf)
        out.backward()
        values.append(out.data)
        slopes.append(leaf.grad)
    return np.array(values), np.array(slopes)


def plot_activations(path: Optional[PathLike] = None, x_range: tuple[float, float] = (-4.0, 4.0),
                     dpi: int = 100) -> Any:
    """Each activation function (solid) with its derivative (dashed), as in the lecture notes.

    The derivatives come from ``Value.backward``, so the picture also checks the library: a wrong
    backward rule shows as a dashed curve that is not the slope of the solid one.
    """
    table = _activation_table()
    xs = np.linspace(x_range[0], x_range[1], 401)
    fig = new_figure((13.0, 6.0), dpi)
    axes = fig.subplots(2, math.ceil(len(table) / 2), squeeze=False).ravel()
    for ax, (title, fn, note) in zip(axes, table):
        values, slopes = activation_curve(fn, xs)
        ax.axhline(0, color="#999999", linewidth=0.6)
        ax.axvline(0, color="#999999", linewidth=0.6)
        ax.plot(xs, values, color="#1f77b4", linewidth=2, label="f(x)")
        ax.plot(xs, slopes, "--", color="#ff7f0e", linewidth=1.6, label="f'(x)" + (f"  ({note})" if note else ""))
        ax.set_title(title)
        ax.set_ylim(min(-1.2, values.min() - 0.2), max(1.2, min(values.max(), 4.5) + 0.3))   # SELU reaches 4.2
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="lower right" if note else "upper left")
    return _finish(fig, path)


# ----------------------------------------------------------------------------- 1-D approximation
def _curve(values: Union[ArrayLike, Callable[[np.ndarray], ArrayLike]], x: np.ndarray, what: str) -> np.ndarray:
    data = values(x) if callable(values) else values
    curve = np.asarray(getattr(data, "data", data), dtype=float).reshape(-1)
    if curve.shape != x.shape:
        raise ValueError(f"plot_approximation: {what} has {curve.size} values for {x.size} x positions; give "
                         "one value per x (or a function of x).")
    return curve


def plot_approximation(x: ArrayLike, target: Union[ArrayLike, Callable], predictions_by_label: Mapping[str, Any],
                       path: Optional[PathLike] = None, title: Optional[str] = None,
                       samples: Optional[tuple[ArrayLike, ArrayLike]] = None,
                       figsize: tuple[float, float] = (7.0, 4.5), dpi: int = 100) -> Any:
    """A 1-D target function (thick grey) and each network's fit, for the universal-approximation tutorial.

    ``target`` and each prediction are arrays over ``x`` or functions of it; ``predictions_by_label`` maps
    a legend label (``"3 hidden units"``) to one. ``samples=(x_train, y_train)`` adds the training points.
    """
    x = np.asarray(x, dtype=float).reshape(-1)
    order = np.argsort(x)
    fig = new_figure(figsize, dpi)
    ax = fig.add_subplot()
    ax.plot(x[order], _curve(target, x, "target")[order], color="#444444", linewidth=5, alpha=0.35, label="target")
    for label, prediction in predictions_by_label.items():
        ax.plot(x[order], _curve(prediction, x, repr(label))[order], linewidth=1.8, label=str(label))
    if samples is not None:
        ax.scatter(np.asarray(samples[0]).reshape(-1), np.asarray(samples[1]).reshape(-1), s=12, color="black",
                   zorder=3, label="training points")
    ax.set(xlabel="x", ylabel="y", title=title or "function approximation")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return _finish(fig, path)
