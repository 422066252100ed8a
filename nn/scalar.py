"""The scalar level: Neuron, Layer and MLP made of ``Value``s, where every weight can be inspected.

Called micrograd's way: ``MLP(2, [16, 16, 1])(x)`` with ``x`` a list (or 1-D array) of numbers or
Values. Return types: a ``Neuron`` returns one ``Value``; a ``Layer`` always returns a list of
``nout`` Values (also when ``nout == 1``); an ``MLP`` returns a single ``Value`` when its last
layer has one output (as micrograd's does) and a list otherwise.

Speed: a neuron's forward makes two nodes, ``dot(w, x, b)`` = ``b + w0*x0 + w1*x1 + ...`` as ONE node
(op ``dot``, parents ``w0..wn, x0..xn, b``; d/dw_i = x_i, d/dx_i = w_i, d/db = 1) and one activation
node — 2n fewer nodes than a chain of binary ``*`` and ``+``, about five times faster — and inputs
that are plain numbers are wrapped in ``Value``s once per layer, not once per neuron.

Default initialisation is PyTorch's for ``nn.Linear``: every weight and bias ~ U(-1/sqrt(nin),
1/sqrt(nin)), drawn for a whole layer as a (nout, nin) matrix then the biases. So after the
same ``nn.manual_seed``, ``MLP(2, [16, 1])`` and ``Sequential(Linear(2, 16), ReLU(), Linear(16, 1))``
start from the same numbers (micrograd draws U(-1, 1) and zero biases instead:
``nn.init.uniform_(neuron.w, -1, 1)``).
"""
from __future__ import annotations

import numbers
from typing import Callable, Optional, Sequence, Union

import numpy as np

from autograd_core import Value, dot

from . import init
from .module import Module
from .seeding import SeedLike, resolve_rng

Activation = Union[str, Callable[[Value], Value], None]

# The activation names a Neuron understands, mapped to the Value method that applies them.
ACTIVATIONS: dict[str, Optional[Callable[[Value], Value]]] = {
    "linear": None,
    "relu": Value.relu,
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
    "leaky_relu": Value.leaky_relu,
    "elu": Value.elu,
    "selu": Value.selu,
    "softplus": Value.softplus,
    "step": Value.step,
    "sign": Value.sign,
}


def _resolve_activation(activation: Activation) -> tuple[str, Optional[Callable[[Value], Value]]]:
    """(name, function) for an activation given by name, as a callable, or None (linear)."""
    if activation is None:
        return "linear", None
    if callable(activation):
        return getattr(activation, "__name__", type(activation).__name__), activation
    if activation in ACTIVATIONS:
        return activation, ACTIVATIONS[activation]
    raise ValueError(f"unknown activation {activation!r}; use one of {', '.join(ACTIVATIONS)}, None "
                     "(linear) or a function from Value to Value.")


def _as_values(x: object, nin: int) -> list[Value]:
    """The input as a list of exactly ``nin`` Values (numbers are wrapped once, here)."""
    if isinstance(x, (Value, numbers.Real)):
        x = [x]
    elif isinstance(x, np.ndarray) and x.ndim <= 1:
        x = x.ravel().tolist()
    elif isinstance(x, np.ndarray) or hasattr(x, "ndim"):  # a batch, or a Tensor
        raise TypeError(f"the scalar level takes one sample as a list of {nin} numbers or Values; got a "
                        f"{type(x).__name__} of shape {x.shape}. Fix: call the model once per row "
                        "([model(row) for row in X.tolist()]) or use nn.predict(model, X); for Tensors use "
                        "nn.Sequential(nn.Linear(...), ...).")
    try:
        values = [item if type(item) is Value else Value(item) for item in x]  # type: ignore[union-attr]
    except TypeError as error:
        raise TypeError(f"expected {nin} inputs as a list of numbers or Values, got {type(x).__name__}: "
                        f"{error}") from None
    if len(values) != nin:
        raise ValueError(f"expected {nin} inputs, got {len(values)}; pass one sample as a list of {nin} numbers "
                         "(for a batch, call the model once per sample).")
    return values


class Neuron(Module):
    """One unit: ``activation(w . x + b)``; ``w`` is a list of ``nin`` Values, ``b`` a Value (None without bias).

    ``activation``: a name from ``ACTIVATIONS`` ("relu" by default), a function on Values, or None
    (linear). Initialised like a PyTorch ``Linear(nin, 1)``: U(-1/sqrt(nin), 1/sqrt(nin)).
    """

    def __init__(self, nin: int, activation: Activation = "relu", bias: bool = True, seed: SeedLike = None) -> None:
        self._build(nin, activation, bias)
        init.default_linear_([self.w], [self.b] if bias else None, generator=seed)

    def _build(self, nin: int, activation: Activation, bias: bool) -> None:
        if isinstance(nin, bool) or not isinstance(nin, int) or nin < 1:
            raise ValueError(f"Neuron: nin must be a positive int, got {nin!r}.")
        self.nin = nin
        self.activation, self._activate = _resolve_activation(activation)
        self.w = [Value(0.0, label=f"w{i}") for i in range(nin)]
        self.b = Value(0.0, label="b") if bias else None

    @classmethod
    def _uninitialised(cls, nin: int, activation: Activation, bias: bool) -> "Neuron":
        """A neuron with zero weights, for a Layer that initialises all its neurons in one draw."""
        neuron = cls.__new__(cls)
        neuron._build(nin, activation, bias)
        return neuron

    def forward(self, x: Sequence[Union[Value, float]]) -> Value:
        total = dot(self.w, x, self.b)
        return total if self._activate is None else self._activate(total)

    def _local_state(self) -> dict[str, np.ndarray]:
        """PyTorch ``Linear(nin, 1)`` layout: weight (1, nin), bias (1,)."""
        return _read_linear_state([self])

    def _load_local_state(self, arrays: dict[str, np.ndarray]) -> None:
        _write_linear_state([self], arrays)

    def extra_repr(self) -> str:
        return f"nin={self.nin}, activation={self.activation!r}" + ("" if self.b is not None else ", bias=False")


class Layer(Module):
    """``nout`` Neurons that all see the same inputs; returns a list of ``nout`` Values (always a list).

    ``neurons[j].w[i]`` is the weight from input i to neuron j — entry (j, i) of the PyTorch
    ``Linear`` weight this layer saves as ``weight`` (nout, nin), with ``bias`` (nout,).
    Initialised like ``Linear(nin, nout)``: weights then biases ~ U(-1/sqrt(nin), 1/sqrt(nin)), in one draw.
    """

    def __init__(self, nin: int, nout: int, activation: Activation = "relu", bias: bool = True,
                 seed: SeedLike = None) -> None:
        if isinstance(nout, bool) or not isinstance(nout, int) or nout < 1:
            raise ValueError(f"Layer: nout must be a positive int, got {nout!r}.")
        self.nin, self.nout = nin, nout
        self.neurons = [Neuron._uninitialised(nin, activation, bias) for _ in range(nout)]
        self.activation = self.neurons[0].activation
        init.default_linear_([n.w for n in self.neurons], [n.b for n in self.neurons] if bias else None,
                             generator=seed)

    def forward(self, x: Sequence[Union[Value, float]]) -> list[Value]:
        x = _as_values(x, self.nin)
        return [neuron(x) for neuron in self.neurons]

    def _state_children(self) -> list[tuple[str, Module]]:
        return []  # the neurons' numbers are saved as this layer's weight matrix

    def _local_state(self) -> dict[str, np.ndarray]:
        return _read_linear_state(self.neurons)

    def _load_local_state(self, arrays: dict[str, np.ndarray]) -> None:
        _write_linear_state(self.neurons, arrays)

    def _repr_children(self) -> list[tuple[str, Module]]:
        return []  # nout identical lines would hide the shape; extra_repr says it all

    def extra_repr(self) -> str:
        bias = "" if self.neurons[0].b is not None else ", bias=False"
        return f"nin={self.nin}, nout={self.nout}, activation={self.activation!r}{bias}"


def _read_linear_state(neurons: list[Neuron]) -> dict[str, np.ndarray]:
    """The Values of ``neurons`` as PyTorch's ``Linear`` arrays: weight (nout, nin), bias (nout,)."""
    state = {"weight": np.array([[w.data for w in neuron.w] for neuron in neurons])}
    if neurons[0].b is not None:
        state["bias"] = np.array([neuron.b.data for neuron in neurons])
    return state


def _write_linear_state(neurons: list[Neuron], arrays: dict[str, np.ndarray]) -> None:
    """Copy a (nout, nin) weight and (nout,) bias into the Values of ``neurons``."""
    if "weight" in arrays:
        for neuron, row in zip(neurons, arrays["weight"].tolist()):
            for weight, number in zip(neuron.w, row):
                weight.data = float(number)
    if "bias" in arrays:
        for neuron, number in zip(neurons, arrays["bias"].tolist()):
            neuron.b.data = float(number)


class MLP(Module):
    """A multi-layer perceptron of Layers: ``MLP(nin, [h1, h2, ..., nout])``.

    Hidden layers use ``activation``; the last layer uses ``output_activation`` (None: linear, as
    in micrograd). Returns one Value when the last layer has one output, else a list.
    Each layer is initialised as a ``Layer`` (PyTorch's ``Linear`` default), layer after layer from one stream.
    """

    def __init__(self, nin: int, nouts: Sequence[int], activation: Activation = "relu",
                 output_activation: Activation = None, bias: bool = True, seed: SeedLike = None) -> None:
        if isinstance(nouts, int) or not nouts:
            raise ValueError(f"MLP: nouts must be a non-empty list of layer sizes such as [16, 16, 1], got {nouts!r}.")
        rng = resolve_rng(seed)
        sizes = [nin, *nouts]
        last = len(nouts) - 1
        self.nin = nin
        self.layers = [Layer(sizes[i], sizes[i + 1], activation if i < last else output_activation, bias, seed=rng)
                       for i in range(len(nouts))]

    def forward(self, x: Sequence[Union[Value, float]]) -> Union[Value, list[Value]]:
        for layer in self.layers:
            x = layer(x)
        return x[0] if len(x) == 1 else x
