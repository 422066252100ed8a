"""draw_network: a fully connected network as the lecture slides draw it, layers as columns of circles.

Edges are coloured by the sign of their weight and drawn thicker the larger it is, like TensorFlow
Playground (blue positive, orange negative); neurons are tinted the same way by their bias and named by
their activation. The picture is a graphviz drawing whose positions are all computed here and pinned
(``pos="x,y!"``, laid out by ``neato``), so the columns stay straight whatever the weights are.
"""
from __future__ import annotations

import dataclasses
import html
import math
from typing import Any, Optional, Sequence

import numpy as np

from .graph import FONT, Drawing, PathLike, finish

POSITIVE = (31, 119, 180)    # blue
NEGATIVE = (255, 127, 14)    # orange
COLUMN_GAP = 2.4             # inches between layer columns
ROW_GAP = 0.62               # inches between neurons of a column
NEURON_SIZE = 0.5            # inches, the circle's diameter
MAX_PENWIDTH = 4.5

# Display names of activations (scalar ``MLP`` activation strings and ``Sequential`` module classes).
ACTIVATION_NAMES = {
    "relu": "ReLU", "leaky_relu": "leaky", "leakyrelu": "leaky", "prelu": "PReLU", "elu": "ELU",
    "selu": "SELU", "sigmoid": "σ", "tanh": "tanh", "softplus": "softplus", "softmax": "softmax",
    "identity": "linear", "linear": "linear", "step": "step", "sign": "sign",
}


@dataclasses.dataclass
class _Layer:
    """One fully connected layer as numbers: weights (out, in) like ``torch.nn.Linear``, biases (out,) or None."""

    weights: np.ndarray
    biases: Optional[np.ndarray]
    activation: str


# ----------------------------------------------------------------------------- reading a model
def _activation_name(activation: Any) -> str:
    """A short display name from an activation string, function or module."""
    if activation is None:
        return "linear"
    if not isinstance(activation, str):
        activation = getattr(activation, "__name__", type(activation).__name__)
    return ACTIVATION_NAMES.get(activation.lower(), activation)


def _neuron_layer(neurons: list) -> _Layer:
    """Scalar ``Neuron``s of one layer: ``neuron.w`` is a list of Values, ``neuron.b`` a Value or None."""
    weights = np.array([[w.data for w in neuron.w] for neuron in neurons], dtype=float)
    has_bias = all(neuron.b is not None for neuron in neurons)
    biases = np.array([neuron.b.data for neuron in neurons], dtype=float) if has_bias else None
    return _Layer(weights, biases, _activation_name(neurons[0].activation))


def _sequential_layers(model: Any, nn: Any) -> list[_Layer]:
    """``nn.Sequential`` of ``Linear`` layers, each followed by at most one activation module."""
    activations = (nn.ReLU, nn.LeakyReLU, nn.PReLU, nn.ELU, nn.SELU, nn.Sigmoid, nn.Tanh, nn.Softplus, nn.Softmax,
                   nn.Step)
    pass_through = (nn.Flatten, nn.Dropout, nn.Identity)   # change no neuron, so the diagram leaves them out
    layers: list[_Layer] = []
    for index, module in enumerate(model):
        kind = type(module).__name__
        if isinstance(module, nn.Linear):
            bias = module.bias
            layers.append(_Layer(np.asarray(module.weight.data, dtype=float),
                                 None if bias is None else np.asarray(bias.data, dtype=float), "linear"))
        elif isinstance(module, activations):
            if not layers or layers[-1].activation != "linear":
                raise ValueError(f"draw_network: module {index} ({kind}) is an activation with no Linear layer "
                                 "right before it; the diagram shows one activation per layer of neurons. fix: put "
                                 "each activation right after its Linear layer.")
            layers[-1].activation = _activation_name(kind)
        elif not isinstance(module, pass_through):
            raise ValueError(f"draw_network: module {index} is a {kind}, which the diagram cannot draw; it draws "
                             "Linear layers, activation modules, Flatten, Dropout and Identity. fix: draw the "
                             "computation instead, viz.draw_graph(loss, collapse='module').")
    return layers


def _layers_of(model: Any) -> list[_Layer]:
    import nn   # only drawing a network needs nn

    if isinstance(model, nn.MLP):
        layers = [_neuron_layer(layer.neurons) for layer in model.layers]
    elif isinstance(model, nn.Layer):
        layers = [_neuron_layer(model.neurons)]
    elif isinstance(model, nn.Neuron):
        layers = [_neuron_layer([model])]
    elif isinstance(model, nn.Sequential):
        layers = _sequential_layers(model, nn)
    elif isinstance(model, nn.Linear):
        layers = _sequential_layers([model], nn)
    else:
        raise TypeError(f"draw_network draws nn.MLP, nn.Layer, nn.Neuron, nn.Linear and nn.Sequential of Linear "
                        f"layers; got {type(model).__name__}. fix: build the model from those, or draw its "
                        "computation with viz.draw_graph(loss, collapse='module').")
    if not layers:
        raise ValueError("draw_network: the model has no Linear layer to draw; add one, e.g. nn.Sequential("
                         "nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 1)).")
    return layers


# ----------------------------------------------------------------------------- colours and geometry
def _colour(value: float, scale: float, faintest: float, strongest: float = 0.0) -> str:
    """Blue for positive, orange for negative, mixed with white: ``faintest`` white at 0, ``strongest`` at ``scale``."""
    strength = min(abs(value) / scale, 1.0) if scale > 0 else 0.0
    fade = strongest + (faintest - strongest) * (1.0 - strength)
    rgb = POSITIVE if value >= 0 else NEGATIVE
    return "#" + "".join(f"{round(c + (255 - c) * fade):02x}" for c in rgb)


def shown_rows(count: int, limit: int) -> list[Optional[int]]:
    """Which neurons of a column to draw: all, or the first and last few with ``None`` for the ellipsis."""
    if count <= limit:
        return list(range(count))
    head = limit // 2
    tail = limit - 1 - head
    return list(range(head)) + [None] + list(range(count - tail, count))


def _y(row: int, rows: int) -> float:
    return ((rows - 1) / 2 - row) * ROW_GAP


def _names(given: Optional[Sequence[str]], count: int, stem: str, where: str) -> list[str]:
    if given is None:
        return [f"{stem}{i + 1}" for i in range(count)]
    if len(given) != count:
        raise ValueError(f"draw_network: {where} has {len(given)} names for {count} neurons; give one per neuron.")
    return [str(name) for name in given]


# ----------------------------------------------------------------------------- the picture
def draw_network(model: Any, path: Optional[PathLike] = None, format: Optional[str] = None,
                 max_neurons: int = 16, input_names: Optional[Sequence[str]] = None,
                 output_names: Optional[Sequence[str]] = None, title: Optional[str] = None) -> Drawing:
    """Draw ``model`` (scalar ``nn.MLP``/``Layer``/``Neuron``, ``nn.Linear``, ``nn.Sequential`` of ``Linear``).

    Each edge is one weight: blue if positive, orange if negative, its thickness proportional to ``|w|``
    (relative to the largest weight of its layer). A neuron's fill shows its bias the same way and its
    text its activation. Columns with more than ``max_neurons`` neurons show the first and last few
    around a ``⋮``. Returns a graphviz drawing; ``path`` renders it (``.svg .png .pdf``, ``.dot`` for source).
    """
    if max_neurons < 3:
        raise ValueError(f"max_neurons={max_neurons}: give at least 3 (first, ellipsis, last).")
    layers = _layers_of(model)
    sizes = [layers[0].weights.shape[1]] + [layer.weights.shape[0] for layer in layers]
    columns = [shown_rows(size, max_neurons) for size in sizes]
    tallest = max(len(column) for column in columns)
    drawing = Drawing(name="network", engine="neato")
    drawing.attr(layout="neato", splines="false", outputorder="edgesfirst", fontname=FONT, pad="0.3", bgcolor="white")
    drawing.attr("node", fontname=FONT, fontsize="10", fixedsize="true", width=str(NEURON_SIZE),
                 height=str(NEURON_SIZE), shape="circle", style="filled", penwidth="1.2", color="#444444")
    drawing.attr("edge", arrowhead="none")
    _neurons(drawing, layers, sizes, columns, _names(input_names, sizes[0], "x", "input_names"),
             _names(output_names, sizes[-1], "", "output_names") if output_names is not None else None)
    _edges(drawing, layers, columns)
    _headers(drawing, layers, sizes, tallest, title)
    return finish(drawing, path, format)


def _pos(column: int, row: int, rows: int) -> str:
    return f"{column * COLUMN_GAP:.3f},{_y(row, rows):.3f}!"


def _neurons(drawing: Drawing, layers: list[_Layer], sizes: list[int], columns: list[list[Optional[int]]],
             input_names: list[str], output_names: Optional[list[str]]) -> None:
    """Inputs in grey, each other neuron tinted by its bias and named by its activation; ``⋮`` for the rest."""
    for c, column in enumerate(columns):
        layer = layers[c - 1] if c else None
        bias_scale = float(np.abs(layer.biases).max()) if layer is not None and layer.biases is not None else 0.0
        for row, neuron in enumerate(column):
            pos = _pos(c, row, len(column))
            if neuron is None:
                drawing.node(f"c{c}_more", label=f"⋮\n{sizes[c] - len(column) + 1} more", pos=pos,
                             shape="plaintext", style="", fontsize="9", width="0.9")
                continue
            if layer is None:
                drawing.node(f"c{c}n{neuron}", label=input_names[neuron], pos=pos, fillcolor="#e8e8e8")
                continue
            text = layer.activation
            if output_names is not None and c == len(columns) - 1:
                text = f"{output_names[neuron]}\n{text}"
            bias = None if layer.biases is None else float(layer.biases[neuron])
            fill = "#ffffff" if bias is None else _colour(bias, bias_scale, faintest=0.95, strongest=0.45)
            tooltip = "no bias" if bias is None else f"bias {bias:.4g}"
            drawing.node(f"c{c}n{neuron}", label=text, pos=pos, fillcolor=fill, tooltip=tooltip,
                         fontsize="10" if len(text) <= 6 else "8")


def _edges(drawing: Drawing, layers: list[_Layer], columns: list[list[Optional[int]]]) -> None:
    for c, layer in enumerate(layers):
        scale = float(np.abs(layer.weights).max()) or 1.0
        heads = [n for n in columns[c + 1] if n is not None]
        tails = [n for n in columns[c] if n is not None]
        thickest = min(MAX_PENWIDTH, 40 / math.sqrt(len(heads) * len(tails)))   # dense layers get thinner lines
        for j in heads:
            for i in tails:
                w = float(layer.weights[j, i])
                width = 0.25 + (thickest - 0.25) * abs(w) / scale
                drawing.edge(f"c{c}n{i}", f"c{c + 1}n{j}", color=_colour(w, scale, faintest=0.7),
                             penwidth=f"{width:.2f}", tooltip=f"w = {w:.4g}")


def _headers(drawing: Drawing, layers: list[_Layer], sizes: list[int], tallest: int, title: Optional[str]) -> None:
    """Column titles above the tallest column, and the colour legend below it."""
    top = _y(0, tallest) + 0.75
    for c, size in enumerate(sizes):
        if c == 0:
            name, detail = "input", f"{size}"
        elif c == len(sizes) - 1:
            name, detail = "output", f"{size}, {layers[c - 1].activation}"
        else:
            name, detail = f"hidden {c}", f"{size}, {layers[c - 1].activation}"
        drawing.node(f"title{c}", label=f"<<b>{html.escape(name)}</b><br/>{html.escape(detail)}>",
                     pos=f"{c * COLUMN_GAP:.3f},{top:.3f}!", shape="plaintext", style="", width="1.6",
                     fontsize="11")
    positive, negative = (_colour(v, 1.0, faintest=0.0) for v in (1.0, -1.0))
    legend = (f'<<font color="{positive}"><b>━━━</b> positive weight</font>   '
              f'<font color="{negative}"><b>━━━</b> negative weight</font>   thicker: larger |w|; '
              "fill: bias>")
    middle = (len(sizes) - 1) * COLUMN_GAP / 2
    drawing.node("legend", label=legend, pos=f"{middle:.3f},{_y(tallest - 1, tallest) - 0.6:.3f}!",
                 shape="plaintext", style="", fixedsize="false", fontsize="10")
    if title:
        drawing.node("title", label=f"<<b>{html.escape(title)}</b>>", pos=f"{middle:.3f},{top + 0.55:.3f}!",
                     shape="plaintext", style="", fixedsize="false", fontsize="13")
