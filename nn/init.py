"""Initialisers (``nn.init``): fill weights in place, with PyTorch's names, formulas and gain table.

Every function takes the thing to fill — a ``Tensor``, a numpy array, or a (nested) list of
``Value``s such as ``neuron.w`` or ``[n.w for n in layer.neurons]`` — fills it in place and
returns it. Random ones take ``generator``: an ``int`` seed, a ``numpy.random.Generator``, or
``None`` for the global generator of ``nn.manual_seed``. Numbers are drawn in float64 and then
cast to the target's dtype, so a float32 and a float64 model seeded alike start from the same
(rounded) numbers.

Fans follow PyTorch: a weight of shape ``(out, in, *kernel)`` has ``fan_in = in * prod(kernel)``
and ``fan_out = out * prod(kernel)``; a list of lists of Values has the shape of its nesting.
"""
from __future__ import annotations

import math
from typing import Any, Callable, Optional

import numpy as np

from autograd_core import Value

from .seeding import SeedLike, resolve_rng

# ----------------------------------------------------------------------------- the gain table
_UNIT_GAIN = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
              "conv_transpose3d", "sigmoid")


def calculate_gain(nonlinearity: str, param: Optional[float] = None) -> float:
    """The factor that keeps activations' variance steady through ``nonlinearity`` (PyTorch's table).

    linear, conv*, sigmoid: 1; tanh: 5/3; relu: sqrt(2);
    leaky_relu: sqrt(2 / (1 + slope^2)) with slope ``param`` (default 0.01); selu: 3/4.
    """
    if nonlinearity in _UNIT_GAIN:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        if isinstance(slope, bool) or not isinstance(slope, (int, float)):
            raise ValueError(f"calculate_gain: negative slope {slope!r} is not a number; pass e.g. param=0.2.")
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    known = ", ".join((*_UNIT_GAIN, "tanh", "relu", "leaky_relu", "selu"))
    raise ValueError(f"calculate_gain: unsupported nonlinearity {nonlinearity!r}; use one of {known}.")


# ----------------------------------------------------------------------------- what can be filled
def _flatten_values(nested: Any, shape: list[int], depth: int, out: list[Value]) -> None:
    """Collect the Values of a nested list in row-major order, checking it is rectangular."""
    if depth == len(shape):
        shape.append(len(nested))
    elif shape[depth] != len(nested):
        raise ValueError(f"nn.init: ragged list of Values (lengths {shape[depth]} and {len(nested)} at depth "
                         f"{depth}); pass a rectangular nesting such as [n.w for n in layer.neurons].")
    for item in nested:
        if isinstance(item, (list, tuple)):
            _flatten_values(item, shape, depth + 1, out)
        elif isinstance(item, Value):
            if depth + 1 != len(shape):
                raise ValueError("nn.init: a list mixes Values and lists at the same depth; pass a rectangular nesting.")
            out.append(item)
        else:
            raise TypeError(f"nn.init: expected Values in the list, got {type(item).__name__} {item!r}.")


def _target(x: Any) -> tuple[tuple[int, ...], Callable[[np.ndarray], None]]:
    """The shape of ``x`` and a function that writes an array of that shape into it in place."""
    if isinstance(x, (list, tuple)):
        shape: list[int] = []
        values: list[Value] = []
        _flatten_values(x, shape, 0, values)

        def write_values(array: np.ndarray) -> None:
            for value, number in zip(values, array.ravel().tolist()):
                value.data = number

        return tuple(shape), write_values
    array = x if isinstance(x, np.ndarray) else getattr(x, "data", None)
    if not isinstance(array, np.ndarray):
        raise TypeError(f"nn.init: cannot fill a {type(x).__name__}; pass a Tensor, a numpy array, "
                        "or a (nested) list of Values.")
    if not np.issubdtype(array.dtype, np.floating):
        raise TypeError(f"nn.init: cannot fill an array of dtype {array.dtype}; initialise floating-point weights.")

    def write_array(values: np.ndarray) -> None:
        array[...] = values

    return array.shape, write_array


def _fill(x: Any, make: Callable[[tuple[int, ...]], np.ndarray]) -> Any:
    shape, write = _target(x)
    write(np.asarray(make(shape), dtype=np.float64).reshape(shape))
    return x


def _fans(shape: tuple[int, ...]) -> tuple[int, int]:
    if len(shape) < 2:
        raise ValueError(f"nn.init: fan in and fan out need at least 2 dimensions, got shape {shape}. "
                         "For one neuron's weights pass [neuron.w] (shape (1, nin)).")
    receptive = math.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


def _fan(shape: tuple[int, ...], mode: str) -> int:
    fan_in, fan_out = _fans(shape)
    if mode == "fan_in":
        return fan_in
    if mode == "fan_out":
        return fan_out
    raise ValueError(f"nn.init: mode must be 'fan_in' or 'fan_out', got {mode!r}.")


# ----------------------------------------------------------------------------- constant fills
def constant_(x: Any, val: float) -> Any:
    """Fill with ``val``."""
    return _fill(x, lambda shape: np.full(shape, float(val)))


def zeros_(x: Any) -> Any:
    """Fill with 0 (biases; an all-zero weight matrix keeps hidden units identical — the symmetry problem)."""
    return constant_(x, 0.0)


def ones_(x: Any) -> Any:
    """Fill with 1 (BatchNorm's scale)."""
    return constant_(x, 1.0)


# ----------------------------------------------------------------------------- random fills
def uniform_(x: Any, a: float = 0.0, b: float = 1.0, generator: SeedLike = None) -> Any:
    """Fill with draws from U(a, b)."""
    rng = resolve_rng(generator)
    return _fill(x, lambda shape: rng.uniform(a, b, size=shape))


def normal_(x: Any, mean: float = 0.0, std: float = 1.0, generator: SeedLike = None) -> Any:
    """Fill with draws from N(mean, std^2)."""
    rng = resolve_rng(generator)
    return _fill(x, lambda shape: rng.normal(mean, std, size=shape))


def _uniform_with_bound(x: Any, bound: Callable[[tuple[int, ...]], float], generator: SeedLike) -> Any:
    """U(-b, b) with b computed from the target's shape (its fans)."""
    rng = resolve_rng(generator)

    def draw(shape: tuple[int, ...]) -> np.ndarray:
        limit = bound(shape)
        return rng.uniform(-limit, limit, size=shape)

    return _fill(x, draw)


def _normal_with_std(x: Any, std: Callable[[tuple[int, ...]], float], generator: SeedLike) -> Any:
    rng = resolve_rng(generator)
    return _fill(x, lambda shape: rng.normal(0.0, std(shape), size=shape))


def xavier_uniform_(x: Any, gain: float = 1.0, generator: SeedLike = None) -> Any:
    """Glorot uniform: U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out)); for tanh/sigmoid layers."""
    return _uniform_with_bound(x, lambda shape: gain * math.sqrt(6.0 / sum(_fans(shape))), generator)


def xavier_normal_(x: Any, gain: float = 1.0, generator: SeedLike = None) -> Any:
    """Glorot normal: N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out))."""
    return _normal_with_std(x, lambda shape: gain * math.sqrt(2.0 / sum(_fans(shape))), generator)


def kaiming_uniform_(x: Any, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu",
                     generator: SeedLike = None) -> Any:
    """He uniform: U(-b, b) with b = sqrt(3) * gain / sqrt(fan); for ReLU-family layers.

    ``a`` is the negative slope of a leaky ReLU (0 gives plain ReLU's gain sqrt(2)).
    """
    gain = calculate_gain(nonlinearity, a)
    return _uniform_with_bound(x, lambda shape: math.sqrt(3.0) * gain / math.sqrt(_fan(shape, mode)), generator)


def kaiming_normal_(x: Any, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu",
                    generator: SeedLike = None) -> Any:
    """He normal: N(0, std^2) with std = gain / sqrt(fan)."""
    gain = calculate_gain(nonlinearity, a)
    return _normal_with_std(x, lambda shape: gain / math.sqrt(_fan(shape, mode)), generator)


def lecun_normal_(x: Any, generator: SeedLike = None) -> Any:
    """LeCun normal: N(0, 1 / fan_in), the initialisation SELU's self-normalisation assumes.

    This is the SELU paper's plain normal (PyTorch: ``kaiming_normal_(w, nonlinearity="linear")``),
    not Keras's truncated variant.
    """
    return _normal_with_std(x, lambda shape: 1.0 / math.sqrt(_fan(shape, "fan_in")), generator)


def default_linear_(weight: Any, bias: Any = None, generator: SeedLike = None) -> None:
    """PyTorch's default for ``nn.Linear``: weight and bias ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)).

    The weight is drawn first with ``kaiming_uniform_(a=sqrt(5))`` (whose bound works out to
    1/sqrt(fan_in)), then the bias from the same generator, so ``Linear``, ``Layer`` and ``Neuron``
    seeded alike start from the same numbers.
    """
    rng = resolve_rng(generator)
    kaiming_uniform_(weight, a=math.sqrt(5.0), generator=rng)
    if bias is not None:
        fan_in = _fans(_target(weight)[0])[0]
        bound = 1.0 / math.sqrt(fan_in)
        uniform_(bias, -bound, bound, generator=rng)
