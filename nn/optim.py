"""Optimisers (SGD, RMSprop, Adam, AdamW) with PyTorch's defaults and update formulas.

Each optimiser states its update once, on numpy arrays, in ``_update``. The same maths serves both
kinds of parameter:

- a ``Tensor`` is updated in place (``.data`` keeps its array and its dtype); a Tensor whose
  ``.grad`` is None took no part in the last backward pass and is skipped, as in PyTorch;
- the ``Value`` parameters of a group are gathered into one float64 vector per step, updated with
  the same array maths, and written back, so a scalar MLP with hundreds of weights costs a few
  array operations per step instead of hundreds of Python-level updates.

Hyperparameters live in ``param_groups`` (a list of dicts, PyTorch's layout), which is what the
learning-rate schedules in ``nn.schedules`` change. ``state_dict()`` gives PyTorch's layout too:
``{"state": {index: {...}}, "param_groups": [{..., "params": [indices]}]}``.
"""
from __future__ import annotations

import copy
import math
import numbers
from typing import Any, Iterable, Union

import numpy as np

from autograd_core import Tensor, Value
from autograd_core.value import is_real_number
from autograd_core import zero_grad as _zero_grad_nodes

ParamsT = Union[Iterable[Any], Iterable[dict]]


# ----------------------------------------------------------------------------- parameter slots
class _TensorSlot:
    """One Tensor parameter: updated in place in its own dtype."""

    def __init__(self, tensor: Any, index: int) -> None:
        self.tensor = tensor
        self.indices = [index]
        self.state: dict[str, Any] = {}

    def read(self) -> tuple[np.ndarray, np.ndarray] | None:
        grad = self.tensor.grad
        return None if grad is None else (self.tensor.data, np.asarray(grad))

    def write(self, new: np.ndarray) -> None:
        np.copyto(self.tensor.data, new, casting="same_kind")

    def export_state(self) -> dict[int, dict]:
        return {self.indices[0]: copy.deepcopy(self.state)} if self.state else {}

    def import_state(self, per_index: dict[int, dict]) -> None:
        saved = per_index.get(self.indices[0], {})
        dtype = self.tensor.data.dtype
        self.state = {key: np.array(value, dtype=dtype) if isinstance(value, np.ndarray) else value
                      for key, value in saved.items()}


class _ValueBundle:
    """All ``Value`` parameters of one group, seen by the update as one float64 vector."""

    def __init__(self) -> None:
        self.values: list[Value] = []
        self.indices: list[int] = []
        self.state: dict[str, Any] = {}

    def add(self, value: Value, index: int) -> None:
        self.values.append(value)
        self.indices.append(index)

    def read(self) -> tuple[np.ndarray, np.ndarray]:
        count = len(self.values)
        data = np.fromiter((v.data for v in self.values), dtype=np.float64, count=count)
        grad = np.fromiter((v.grad for v in self.values), dtype=np.float64, count=count)
        return data, grad

    def write(self, new: np.ndarray) -> None:
        for value, number in zip(self.values, new.tolist()):
            value.data = number

    def export_state(self) -> dict[int, dict]:
        """One entry per Value, as PyTorch keeps state per parameter (buffers become floats)."""
        return {index: {key: float(entry[position]) if isinstance(entry, np.ndarray) else entry
                        for key, entry in self.state.items()}
                for position, index in enumerate(self.indices)}

    def import_state(self, per_index: dict[int, dict]) -> None:
        saved = [per_index.get(index, {}) for index in self.indices]
        if not saved or not saved[0]:
            self.state = {}
            return
        self.state = {key: np.array([entry[key] for entry in saved], dtype=np.float64)
                      if isinstance(value, float) else value
                      for key, value in saved[0].items()}


def _buffer(state: dict, name: str, like: np.ndarray) -> np.ndarray:
    """A running average kept in ``state``, starting at zeros shaped and typed like the parameter."""
    if name not in state:
        state[name] = np.zeros_like(like)
    return state[name]


# ----------------------------------------------------------------------------- the base class
class Optimizer:
    """Holds parameter groups and per-parameter state; subclasses define ``_update``.

    ``params`` is an iterable of parameters (``Value`` or ``Tensor``) or of dicts
    ``{"params": [...], "lr": ...}`` that override the defaults for their group (PyTorch's
    parameter groups).
    """

    def __init__(self, params: ParamsT, defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        self.param_groups: list[dict[str, Any]] = []
        self._slots: list[list[_TensorSlot | _ValueBundle]] = []
        self._seen: set[int] = set()
        self._count = 0
        if hasattr(params, "named_parameters") or isinstance(params, Value) or isinstance(params, Tensor):
            raise TypeError(f"{type(self).__name__} takes an iterable of parameters, got a {type(params).__name__}. "
                            f"Fix: {type(self).__name__}(model.parameters(), ...) for a model, or "
                            f"{type(self).__name__}([w]) for a single parameter.")
        groups = list(params)
        if not groups:
            raise ValueError(f"{type(self).__name__} got an empty parameter list: pass model.parameters() "
                             "of a model that has parameters.")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, group: dict[str, Any]) -> None:
        """Add a group of parameters with its own hyperparameters (the rest from ``defaults``)."""
        unknown = set(group) - set(self.defaults) - {"params"}
        if unknown:
            raise TypeError(f"{type(self).__name__}: unknown hyperparameter(s) {sorted(unknown)}; "
                            f"known: {sorted(self.defaults)}.")
        params = list(group["params"])
        full = {**self.defaults, **{k: v for k, v in group.items() if k != "params"}, "params": params}
        self._check_hyperparameters(full)
        self.param_groups.append(full)
        self._slots.append(self._make_slots(params))

    def _make_slots(self, params: list) -> list[_TensorSlot | _ValueBundle]:
        slots: list[_TensorSlot | _ValueBundle] = []
        bundle = _ValueBundle()
        for param in params:
            if id(param) in self._seen:
                raise ValueError(f"{type(self).__name__}: a parameter appears twice; it would be updated "
                                 "twice per step. Pass each parameter once.")
            self._seen.add(id(param))
            if isinstance(param, Value):
                bundle.add(param, self._count)
            elif isinstance(param, Tensor):
                if not np.issubdtype(param.data.dtype, np.floating):
                    raise TypeError(f"{type(self).__name__}: a parameter has dtype {param.data.dtype}; only "
                                    "floating-point tensors can be optimised (use float32 or float64).")
                slots.append(_TensorSlot(param, self._count))
            else:
                raise TypeError(f"{type(self).__name__}: got a {type(param).__name__}, not a parameter. Pass "
                                "Value or Tensor parameters, e.g. model.parameters().")
            self._count += 1
        if bundle.values:
            slots.append(bundle)
        return slots

    def _check_hyperparameters(self, group: dict[str, Any]) -> None:
        """Refuse values PyTorch refuses, with the fix in the message."""
        for name in ("lr", "eps", "weight_decay", "momentum", "dampening", "alpha"):
            if name in group and not is_real_number(group[name]):
                raise TypeError(f"{type(self).__name__}: {name}={group[name]!r} is not a number; pass an int or "
                                "a float (not a string or None).")
            if name in group and not group[name] >= 0:
                raise ValueError(f"{type(self).__name__}: {name}={group[name]!r} is invalid; it must be >= 0.")

    # -- the step ---------------------------------------------------------------------------
    def step(self) -> None:
        """Update every parameter from its ``.grad`` (call after ``loss.backward()``)."""
        for group, slots in zip(self.param_groups, self._slots):
            for slot in slots:
                arrays = slot.read()
                if arrays is not None:
                    slot.write(self._update(arrays[0], arrays[1], slot.state, group))

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict, group: dict) -> np.ndarray:
        """The update rule: return the new parameter values (state is changed in place)."""
        raise NotImplementedError

    def zero_grad(self) -> None:
        """Reset every parameter's gradient before the next backward pass."""
        _zero_grad_nodes(p for group in self.param_groups for p in group["params"])

    # -- saving and loading -----------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """The optimiser's state in PyTorch's layout; parameters are named by their position."""
        state: dict[int, dict] = {}
        groups = []
        for group, slots in zip(self.param_groups, self._slots):
            for slot in slots:
                state.update(slot.export_state())
            indices = sorted(i for slot in slots for i in slot.indices)
            groups.append({**{k: v for k, v in group.items() if k != "params"}, "params": indices})
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore hyperparameters and buffers saved by ``state_dict()`` of an optimiser over the same parameters."""
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(f"load_state_dict: the saved state has {len(saved_groups)} parameter group(s), this "
                             f"optimiser has {len(self.param_groups)}; build it over the same parameters.")
        for number, (saved, group) in enumerate(zip(saved_groups, self.param_groups)):
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(f"load_state_dict: group {number} was saved with {len(saved['params'])} "
                                 f"parameters, this optimiser has {len(group['params'])}; build it over the "
                                 "same parameters.")
        per_index = {int(k): v for k, v in state_dict["state"].items()}
        for saved, group, slots in zip(saved_groups, self.param_groups, self._slots):
            group.update({k: v for k, v in saved.items() if k != "params"})
            for slot in slots:
                slot.import_state(per_index)

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for number, group in enumerate(self.param_groups):
            settings = ", ".join(f"{k}={v}" for k, v in group.items() if k != "params")
            lines.append(f"  group {number}: {len(group['params'])} parameters, {settings}")
        return "\n".join(lines + [")"])


# ----------------------------------------------------------------------------- the optimisers
class SGD(Optimizer):
    """Stochastic gradient descent, with optional (Nesterov) momentum and L2 weight decay (PyTorch's rule).

    g = grad + weight_decay * p;  with momentum: b = g at the first step, else b = momentum * b + (1 - dampening) * g,
    and g = g + momentum * b (Nesterov) or g = b;  then p = p - lr * g.
    """

    def __init__(self, params: ParamsT, lr: float = 1e-3, momentum: float = 0.0, dampening: float = 0.0,
                 nesterov: bool = False, weight_decay: float = 0.0) -> None:
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening, nesterov=nesterov,
                                      weight_decay=weight_decay))  # checks the types and signs first
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("SGD: nesterov=True needs momentum > 0 and dampening = 0 (as in PyTorch).")

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict, group: dict) -> np.ndarray:
        if group["weight_decay"]:
            grad = grad + group["weight_decay"] * param
        momentum = group["momentum"]
        if momentum:
            buffer = state.get("momentum_buffer")
            buffer = grad.copy() if buffer is None else momentum * buffer + (1 - group["dampening"]) * grad
            state["momentum_buffer"] = buffer
            grad = grad + momentum * buffer if group["nesterov"] else buffer
        return param - group["lr"] * grad


class RMSprop(Optimizer):
    """RMSprop (Hinton's lecture 6e) as PyTorch has it: eps is added *outside* the square root.

    s = alpha * s + (1 - alpha) * g^2;  centered: m = alpha * m + (1 - alpha) * g and the denominator
    is sqrt(s - m^2) + eps, else sqrt(s) + eps;  with momentum: b = momentum * b + g / denominator and
    p = p - lr * b, else p = p - lr * g / denominator.  (g includes weight_decay * p.)
    """

    def __init__(self, params: ParamsT, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False) -> None:
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                                      momentum=momentum, centered=centered))  # checks the types and signs first
        if not alpha <= 1.0:
            raise ValueError(f"RMSprop: alpha={alpha!r} is invalid; it must be in [0, 1] (default 0.99).")

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict, group: dict) -> np.ndarray:
        alpha = group["alpha"]
        if group["weight_decay"]:
            grad = grad + group["weight_decay"] * param
        state["step"] = state.get("step", 0) + 1
        square_avg = alpha * _buffer(state, "square_avg", param) + (1 - alpha) * grad * grad
        state["square_avg"] = square_avg
        if group["centered"]:
            grad_avg = alpha * _buffer(state, "grad_avg", param) + (1 - alpha) * grad
            state["grad_avg"] = grad_avg
            denominator = np.sqrt(square_avg - grad_avg * grad_avg) + group["eps"]
        else:
            denominator = np.sqrt(square_avg) + group["eps"]
        if group["momentum"] > 0:
            buffer = group["momentum"] * _buffer(state, "momentum_buffer", param) + grad / denominator
            state["momentum_buffer"] = buffer
            return param - group["lr"] * buffer
        return param - group["lr"] * grad / denominator


class Adam(Optimizer):
    """Adam (Kingma & Ba) with PyTorch's defaults, L2 ``weight_decay`` added to the gradient and optional AMSGrad.

    m = beta1 * m + (1 - beta1) * g;  v = beta2 * v + (1 - beta2) * g^2;  at step t,
    p = p - lr / (1 - beta1^t) * m / (sqrt(v_hat) / sqrt(1 - beta2^t) + eps), where v_hat = v, or the
    running maximum of v with ``amsgrad=True``.
    """

    decoupled_weight_decay = False

    def __init__(self, params: ParamsT, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, amsgrad: bool = False) -> None:
        if not (isinstance(betas, (tuple, list)) and len(betas) == 2
                and all(isinstance(beta, numbers.Real) and 0.0 <= beta < 1.0 for beta in betas)):
            raise ValueError(f"{type(self).__name__}: betas={betas!r} is invalid; give two numbers in [0, 1), "
                             "default (0.9, 0.999).")
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      amsgrad=amsgrad))

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict, group: dict) -> np.ndarray:
        lr, (beta1, beta2), decay = group["lr"], group["betas"], group["weight_decay"]
        if decay and self.decoupled_weight_decay:
            param = param * (1 - lr * decay)
        elif decay:
            grad = grad + decay * param
        step = state["step"] = state.get("step", 0) + 1
        exp_avg = beta1 * _buffer(state, "exp_avg", param) + (1 - beta1) * grad
        exp_avg_sq = beta2 * _buffer(state, "exp_avg_sq", param) + (1 - beta2) * grad * grad
        state["exp_avg"], state["exp_avg_sq"] = exp_avg, exp_avg_sq
        if group["amsgrad"]:
            exp_avg_sq = np.maximum(state.get("max_exp_avg_sq", exp_avg_sq), exp_avg_sq)
            state["max_exp_avg_sq"] = exp_avg_sq
        step_size = lr / (1 - beta1 ** step)
        denominator = np.sqrt(exp_avg_sq) / math.sqrt(1 - beta2 ** step) + group["eps"]
        return param - step_size * exp_avg / denominator


class AdamW(Adam):
    """Adam with *decoupled* weight decay (Loshchilov & Hutter): p = p * (1 - lr * weight_decay) before the Adam step.

    Same defaults as PyTorch's AdamW, including ``weight_decay=1e-2``.
    """

    decoupled_weight_decay = True

    def __init__(self, params: ParamsT, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2, amsgrad: bool = False) -> None:
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad)
