"""The tensor level: Linear, Sequential, Flatten, Dropout, BatchNorm1d and activation modules on ``Tensor``.

Shapes, parameter names, defaults and train/eval behaviour follow ``torch.nn``, so a state dict
moves between the two: ``Linear.weight`` is (out_features, in_features), a ``Sequential`` names
its children ``0``, ``1``, ..., ``BatchNorm1d`` saves ``weight, bias, running_mean, running_var,
num_batches_tracked``. Parameters are float32 unless ``dtype=`` says otherwise (float64 for
gradient checks). Activation modules call ``nn.functional``, so they also accept Values (all but
``PReLU``, whose slope is a Tensor parameter).
"""
from __future__ import annotations

from typing import Any, Iterator, Union

import numpy as np

from autograd_core import Tensor, Value

from . import functional as F
from .functional import _as_tensor
from . import init
from .module import Module
from .seeding import SeedLike, resolve_rng


def _parameter(data: np.ndarray, label: str) -> Tensor:
    return Tensor(data, requires_grad=True, label=label)


class Linear(Module):
    """y = x W^T + b, with ``weight`` W of shape (out_features, in_features) and ``bias`` b (out_features,).

    Default initialisation is PyTorch's: ``kaiming_uniform_(W, a=sqrt(5))``, i.e. W and b ~
    U(-1/sqrt(in_features), 1/sqrt(in_features)) (see ``nn.init.default_linear_``). Numpy inputs
    are converted to the layer's dtype (as Keras does); Tensor inputs keep theirs.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, dtype: Any = np.float32,
                 seed: SeedLike = None) -> None:
        self.in_features, self.out_features = in_features, out_features
        self.weight = _parameter(np.zeros((out_features, in_features), dtype=dtype), "weight")
        self.bias = _parameter(np.zeros(out_features, dtype=dtype), "bias") if bias else None
        init.default_linear_(self.weight, self.bias, generator=seed)

    def forward(self, x: Any) -> Tensor:
        x = _as_tensor(x, self.weight.dtype)  # numpy data takes the layer's dtype
        if not x.shape or x.shape[-1] != self.in_features:
            raise ValueError(f"Linear({self.in_features}, {self.out_features}) got input of shape {x.shape}: its last "
                             f"axis must have {self.in_features} features. Fix: flatten or reshape the input "
                             "(nn.Flatten()), or build the layer with the input's size.")
        out = x @ self.weight.T
        return out if self.bias is None else out + self.bias

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class Sequential(Module):
    """Modules applied one after the other; indexable (``net[0]``, ``net[1:]``), ``len``, iterable."""

    def __init__(self, *modules: Module) -> None:
        self._layers: list[Module] = []
        for module in modules:
            self.append(module)

    def append(self, module: Module) -> "Sequential":
        """Add ``module`` at the end, named by its position (PyTorch's ``0``, ``1``, ...); returns self for chaining."""
        if not isinstance(module, Module):
            raise TypeError(f"Sequential takes Modules, got {type(module).__name__}; wrap functions in a Module.")
        module._adopt_as(str(len(self._layers)))
        self._layers.append(module)
        return self

    def named_children(self) -> list[tuple[str, Module]]:
        return [(str(i), module) for i, module in enumerate(self._layers)]

    def forward(self, x: Any) -> Any:
        for module in self._layers:
            x = module(x)
        return x

    def __getitem__(self, index: Union[int, slice]) -> Union[Module, "Sequential"]:
        if isinstance(index, slice):
            return Sequential(*self._layers[index])
        return self._layers[index]

    def __len__(self) -> int:
        return len(self._layers)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._layers)


class Flatten(Module):
    """Merge axes ``start_dim..end_dim`` (by default all but the batch axis: (N, 28, 28) -> (N, 784))."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x: Any) -> Tensor:
        return _as_tensor(x).flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Dropout(Module):
    """Inverted dropout: in training, zero each element with probability ``p`` and scale the rest by 1/(1-p).

    The identity in eval mode. Masks come from ``seed`` (an int or Generator), else from the global
    generator of ``nn.manual_seed`` at call time.
    """

    def __init__(self, p: float = 0.5, seed: SeedLike = None) -> None:
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"Dropout: p must be a probability in [0, 1], got {p!r}.")
        self.p = p
        self._generator = resolve_rng(seed) if seed is not None else None

    def forward(self, x: Any) -> Tensor:
        return F.dropout(_as_tensor(x), self.p, self.training, self._generator)

    def extra_repr(self) -> str:
        return f"p={self.p}"


class BatchNorm1d(Module):
    """Normalise each feature over the batch, then scale by ``weight`` (1) and shift by ``bias`` (0).

    Input (N, C) or (N, C, L). Training: batch mean and biased variance normalise, and
    ``running_mean``/``running_var`` move by ``momentum`` towards the batch mean and the *unbiased*
    batch variance (``momentum=None``: a cumulative average). Eval: the running statistics normalise.
    All as ``torch.nn.BatchNorm1d`` (eps 1e-5, momentum 0.1).
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: Union[float, None] = 0.1,
                 affine: bool = True, dtype: Any = np.float32) -> None:
        self.num_features, self.eps, self.momentum, self.affine = num_features, eps, momentum, affine
        if affine:
            self.weight = _parameter(np.ones(num_features, dtype=dtype), "weight")
            self.bias = _parameter(np.zeros(num_features, dtype=dtype), "bias")
        self.register_buffer("running_mean", np.zeros(num_features, dtype=dtype))
        self.register_buffer("running_var", np.ones(num_features, dtype=dtype))
        self.register_buffer("num_batches_tracked", np.array(0, dtype=np.int64))

    def forward(self, x: Any) -> Tensor:
        x = _as_tensor(x)
        if x.ndim not in (2, 3) or x.shape[1] != self.num_features:
            raise ValueError(f"BatchNorm1d({self.num_features}) expects input (N, {self.num_features}) or "
                             f"(N, {self.num_features}, L), got {x.shape}.")
        axes = (0,) if x.ndim == 2 else (0, 2)
        channel_shape = (1, self.num_features) + (1,) * (x.ndim - 2)
        if self.training:
            count = x.size // self.num_features
            if count < 2:
                raise ValueError(f"BatchNorm1d in training needs more than one value per feature, got input {x.shape}. "
                                 "Fix: use batches of at least 2 samples, or call model.eval() first.")
            mean = x.mean(axis=axes, keepdims=True)
            variance = x.var(axis=axes, keepdims=True)
            self._update_running(mean.data.reshape(-1), variance.data.reshape(-1) * (count / (count - 1)))
            normalised = (x - mean) / (variance + self.eps).sqrt()
        else:
            mean = self.running_mean.reshape(channel_shape)
            scale = 1.0 / np.sqrt(self.running_var.reshape(channel_shape) + self.eps)
            normalised = (x - mean.astype(x.dtype)) * scale.astype(x.dtype)
        if not self.affine:
            return normalised
        return normalised * self.weight.reshape(channel_shape) + self.bias.reshape(channel_shape)

    def _update_running(self, batch_mean: np.ndarray, unbiased_variance: np.ndarray) -> None:
        self.num_batches_tracked = self.num_batches_tracked + 1
        factor = 1.0 / float(self.num_batches_tracked) if self.momentum is None else self.momentum
        dtype = self.running_mean.dtype
        self.running_mean = ((1 - factor) * self.running_mean + factor * batch_mean).astype(dtype)
        self.running_var = ((1 - factor) * self.running_var + factor * unbiased_variance).astype(dtype)

    def extra_repr(self) -> str:
        return f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}"


# ----------------------------------------------------------------------------- activation modules
class ReLU(Module):
    """max(0, x)."""

    def forward(self, x: Any) -> Any:
        return F.relu(x)


class LeakyReLU(Module):
    """x for x > 0, negative_slope * x otherwise (default slope 0.01, as PyTorch)."""

    def __init__(self, negative_slope: float = 0.01) -> None:
        self.negative_slope = negative_slope

    def forward(self, x: Any) -> Any:
        return F.leaky_relu(x, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class PReLU(Module):
    """A leaky ReLU whose slope is learnt: ``weight`` (num_parameters,), initially 0.25 (PyTorch's name and default).

    ``num_parameters=1`` shares one slope; ``num_parameters=C`` learns one per channel (axis 1).
    """

    def __init__(self, num_parameters: int = 1, init: float = 0.25, dtype: Any = np.float32) -> None:
        self.num_parameters = num_parameters
        self.weight = _parameter(np.full(num_parameters, init, dtype=dtype), "weight")

    @property
    def alpha(self) -> Tensor:
        """The learnt slope(s) for x <= 0 (the parameter ``weight``)."""
        return self.weight

    def forward(self, x: Any) -> Tensor:
        if isinstance(x, Value) or (isinstance(x, (list, tuple)) and x and isinstance(x[0], Value)):
            raise TypeError("PReLU learns its slope as a Tensor, so it takes Tensors (or arrays), not Values. Fix: "
                            "for Values use LeakyReLU(negative_slope) or the scalar Neuron's 'leaky_relu'.")
        return F.prelu(_as_tensor(x), self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class ELU(Module):
    """x for x > 0, alpha * (e^x - 1) otherwise."""

    def __init__(self, alpha: float = 1.0) -> None:
        self.alpha = alpha

    def forward(self, x: Any) -> Any:
        return F.elu(x, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}"


class SELU(Module):
    """Self-normalising ELU (pair with ``nn.init.lecun_normal_``)."""

    def forward(self, x: Any) -> Any:
        return F.selu(x)


class Sigmoid(Module):
    """1 / (1 + e^-x)."""

    def forward(self, x: Any) -> Any:
        return F.sigmoid(x)


class Tanh(Module):
    """tanh(x)."""

    def forward(self, x: Any) -> Any:
        return F.tanh(x)


class Softplus(Module):
    """log(1 + e^(beta x)) / beta."""

    def __init__(self, beta: float = 1.0) -> None:
        self.beta = beta

    def forward(self, x: Any) -> Any:
        return F.softplus(x, self.beta)

    def extra_repr(self) -> str:
        return f"beta={self.beta}"


class Softmax(Module):
    """exp(x) / sum(exp(x)) along ``axis`` (the last by default)."""

    def __init__(self, axis: int = -1) -> None:
        self.axis = axis

    def forward(self, x: Any) -> Any:
        return F.softmax(x, self.axis)

    def extra_repr(self) -> str:
        return f"axis={self.axis}"


class Identity(Module):
    """Returns its input (a placeholder, e.g. for 'no activation')."""

    def forward(self, x: Any) -> Any:
        return x


class Step(Module):
    """Heaviside step 1[x > 0], with the straight-through gradient (Rosenblatt's threshold unit)."""

    def forward(self, x: Any) -> Any:
        return F.step(x)
