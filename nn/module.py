"""Module: the base of every layer and model — parameters by name, train/eval, state dicts, summary, scopes.

One naming rule serves parameters, state dicts and graph scopes. A public attribute holding a
parameter (a ``Value`` or a ``Tensor``) is named by the attribute; a list of them is named
``attr.i``; a child module prefixes its own names with ``attr.`` (a list of modules with
``attr.i.``), and ``Sequential`` calls its children ``0``, ``1``, ... as PyTorch does. So weight
2 of neuron 3 of the MLP's first layer is ``layers.0.neurons.3.w.2``, and every graph node made
while that neuron runs carries the scope ``layers.0.neurons.3`` (``Module.__call__`` enters
``autograd_core.name_scope`` with the module's name; the model you call has no name of its own).

State dicts map the same names to numpy arrays (buffers such as BatchNorm's running statistics
included), so they load into the equivalent ``torch.nn`` model and back. The scalar ``Neuron``
and ``Layer`` pack their Values into PyTorch's ``weight`` (out, in) and ``bias`` (out,) arrays.
"""
from __future__ import annotations

import contextlib
from typing import Any, Iterator, Mapping, NamedTuple, Optional, Sequence, Union

import numpy as np

from autograd_core import Tensor, Value, name_scope, no_grad
from autograd_core import zero_grad as _zero_grad_nodes

Parameter = Union[Value, Tensor]


def is_parameter(x: object) -> bool:
    """Parameters are the Values and Tensors a module holds in its public attributes."""
    return isinstance(x, (Value, Tensor))


def _as_array(p: Parameter) -> np.ndarray:
    return np.array(p.data, dtype=np.float64) if isinstance(p, Value) else p.data.copy()


def _write(p: Parameter, array: np.ndarray) -> None:
    """Overwrite a parameter's numbers in place, so optimisers holding it see the new values."""
    if isinstance(p, Value):
        p.data = float(array)
    else:
        p.data[...] = array


def _size(p: Parameter) -> int:
    return 1 if isinstance(p, Value) else int(p.data.size)


def _trainable(p: Parameter) -> bool:
    return isinstance(p, Value) or bool(p.requires_grad)


class StateDictError(ValueError):
    """A state dict does not fit a model (missing, unexpected or misshapen keys)."""


class IncompatibleKeys(NamedTuple):
    """What ``load_state_dict(strict=False)`` skipped (PyTorch's return value)."""

    missing_keys: list[str]
    unexpected_keys: list[str]


class Summary(str):
    """The text of ``Module.summary()``; its repr is the table itself, so a REPL shows it laid out."""

    def __repr__(self) -> str:
        return str(self)


class Module:
    """Base class: subclasses set parameters and child modules as attributes and define ``forward``."""

    training: bool = True
    _scope_name: str = ""
    _buffer_names: tuple[str, ...] = ()

    # -- attributes -------------------------------------------------------------------------
    def __setattr__(self, name: str, value: Any) -> None:
        """Give each child module (or list of modules) its name, which becomes its graph scope."""
        if not name.startswith("_"):
            if isinstance(value, Module):
                value._adopt_as(name)
            elif isinstance(value, (list, tuple)):
                for index, item in enumerate(value):
                    if isinstance(item, Module):
                        item._adopt_as(f"{name}.{index}")
        object.__setattr__(self, name, value)

    def _adopt_as(self, name: str) -> None:
        object.__setattr__(self, "_scope_name", name)

    def __getattr__(self, name: str) -> Any:
        """Called only for a missing attribute: raise, with the attributes that do exist."""
        if name.startswith("__"):
            raise AttributeError(name)
        known = ", ".join(k for k in vars(self) if not k.startswith("_")) or "none"
        raise AttributeError(f"{type(self).__name__} has no attribute {name!r} (its attributes: {known}). "
                             "Parameters by name: named_parameters(); sub-modules: named_children().")

    def register_buffer(self, name: str, array: np.ndarray) -> None:
        """Keep ``array`` as state that is saved and loaded but not trained (running statistics)."""
        object.__setattr__(self, "_buffer_names", (*self._buffer_names, name))
        setattr(self, name, np.asarray(array))

    # -- calling ----------------------------------------------------------------------------
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        with name_scope(self._scope_name):
            return self.forward(*args, **kwargs)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """What the module computes; every subclass defines it (calling the module runs it in its scope)."""
        raise NotImplementedError(f"{type(self).__name__} must define forward(self, ...) to be called.")

    # -- the tree ---------------------------------------------------------------------------
    def _public_attributes(self) -> Iterator[tuple[str, Any]]:
        return ((name, value) for name, value in vars(self).items() if not name.startswith("_"))

    def named_children(self) -> list[tuple[str, "Module"]]:
        """Direct sub-modules with their names, in the order they were assigned."""
        children = []
        for name, value in self._public_attributes():
            if isinstance(value, Module):
                children.append((name, value))
            elif isinstance(value, (list, tuple)):
                children.extend((f"{name}.{i}", item) for i, item in enumerate(value) if isinstance(item, Module))
        return children

    def children(self) -> list["Module"]:
        """Direct sub-modules, without names (PyTorch's spelling)."""
        return [child for _, child in self.named_children()]

    def named_modules(self, prefix: str = "") -> list[tuple[str, "Module"]]:
        """This module (named ``prefix``) and every sub-module below it, each once, depth first."""
        found: list[tuple[str, Module]] = []
        seen: set[int] = set()
        stack = [(prefix, self)]
        while stack:
            name, module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            found.append((name, module))
            children = [(f"{name}.{child_name}" if name else child_name, child)
                        for child_name, child in module.named_children()]
            stack.extend(reversed(children))
        return found

    def modules(self) -> list["Module"]:
        """This module and every sub-module below it, each once (``named_modules`` without the names)."""
        return [module for _, module in self.named_modules()]

    def _named_local_parameters(self) -> Iterator[tuple[str, Parameter]]:
        for name, value in self._public_attributes():
            if is_parameter(value):
                yield name, value
            elif isinstance(value, (list, tuple)):
                yield from ((f"{name}.{i}", item) for i, item in enumerate(value) if is_parameter(item))

    def named_parameters(self) -> list[tuple[str, Parameter]]:
        """Every parameter with its dotted name (``layers.0.neurons.3.w.1``, ``0.weight``), each once."""
        found = []
        seen: set[int] = set()
        for prefix, module in self.named_modules():
            for name, parameter in module._named_local_parameters():
                if id(parameter) not in seen:
                    seen.add(id(parameter))
                    found.append((f"{prefix}.{name}" if prefix else name, parameter))
        return found

    def parameters(self) -> list[Parameter]:
        """Every parameter, each once, in ``named_parameters`` order (a list, as in micrograd)."""
        return [parameter for _, parameter in self.named_parameters()]

    def zero_grad(self) -> None:
        """Reset the gradient of every parameter before the next backward pass."""
        _zero_grad_nodes(self.parameters())

    # -- modes ------------------------------------------------------------------------------
    def train(self, mode: bool = True) -> "Module":
        """Switch this module and all below it to training behaviour (dropout on, batch statistics)."""
        if not isinstance(mode, bool):
            raise TypeError(f"train(mode): mode must be True or False, got {mode!r}.")
        for module in self.modules():
            object.__setattr__(module, "training", mode)
        return self

    def eval(self) -> "Module":
        """Switch to evaluation behaviour (dropout off, running statistics); same as ``train(False)``."""
        return self.train(False)

    # -- state dicts ------------------------------------------------------------------------
    def _state_children(self) -> list[tuple[str, "Module"]]:
        """The children whose state is saved under their own prefix (all of them, by default)."""
        return self.named_children()

    def _local_state(self) -> dict[str, np.ndarray]:
        """This module's own entries: its parameters, then its buffers (copies)."""
        state = {name: _as_array(p) for name, p in self._named_local_parameters()}
        state.update((name, np.array(getattr(self, name), copy=True)) for name in self._buffer_names)
        return state

    def _load_local_state(self, arrays: Mapping[str, np.ndarray]) -> None:
        """Write checked arrays (a subset of ``_local_state``'s keys) into this module in place."""
        parameters = dict(self._named_local_parameters())
        for name, array in arrays.items():
            if name in parameters:
                _write(parameters[name], array)
            else:
                setattr(self, name, np.array(array, dtype=getattr(self, name).dtype))

    def _state_entries(self, prefix: str = "") -> Iterator[tuple[str, "Module", str, np.ndarray]]:
        """(full key, owning module, local key, current array) for every state dict entry."""
        for key, array in self._local_state().items():
            yield prefix + key, self, key, array
        for name, child in self._state_children():
            yield from child._state_entries(f"{prefix}{name}.")

    def state_dict(self) -> dict[str, np.ndarray]:
        """Copies of every parameter and buffer as numpy arrays, under PyTorch's names."""
        return {key: array for key, _, _, array in self._state_entries()}

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True) -> IncompatibleKeys:
        """Copy arrays (numpy, torch tensors, nested lists) into the parameters and buffers in place.

        With ``strict=True`` every key must match; a wrong shape is always an error. The error names
        the first bad key (and the file, for a state dict from ``nn.load_state``).
        """
        entries = list(self._state_entries())
        expected = {key for key, _, _, _ in entries}
        where = f"file {state_dict.source!r}" if getattr(state_dict, "source", None) else "the state dict"
        problems: list[tuple[str, str]] = []
        missing: list[str] = []
        accepted: dict[int, tuple[Module, dict[str, np.ndarray]]] = {}
        for key, owner, local_key, current in entries:
            if key not in state_dict:
                missing.append(key)
                if strict:
                    problems.append((key, f"key {key!r} is missing from {where}"))
                continue
            array = _to_numpy(state_dict[key], key, where)
            if array.shape != current.shape:
                problems.append((key, f"key {key!r} has shape {array.shape} in {where}, "
                                      f"but the model's has shape {current.shape}"))
                continue
            accepted.setdefault(id(owner), (owner, {}))[1][local_key] = array
        unexpected = [key for key in state_dict if key not in expected]
        if strict:
            problems.extend((key, f"key {key!r} in {where} is not in the model") for key in unexpected)
        if problems:
            raise StateDictError(_load_error_message(type(self).__name__, where, problems))
        for owner, arrays in accepted.values():
            owner._load_local_state(arrays)
        return IncompatibleKeys(missing, unexpected)

    # -- summary and repr -------------------------------------------------------------------
    def summary(self, input_shape: Optional[Sequence[int]] = None) -> Summary:
        """A Keras-style table of the direct sub-modules: name (type), output shape, parameter count.

        Output shapes come from one forward pass on zeros of shape ``input_shape`` (one sample,
        without the batch dimension; guessed from the first layer's input size when omitted), run
        in eval mode without recording a graph, so running statistics are left untouched.
        """
        shape = tuple(input_shape) if input_shape is not None else _guess_input_shape(self)
        rows = self.named_children() or [(type(self).__name__.lower(), self)]
        with _recording_outputs(rows) as outputs:
            self._run_example(shape)
        table = [_summary_row(name, module, outputs) for name, module in rows]
        return Summary(_format_summary(type(self).__name__, shape, self.parameters(), table))

    def _run_example(self, shape: tuple[int, ...]) -> None:
        parameters = self.parameters()
        if parameters and all(isinstance(p, Value) for p in parameters):
            example: Any = np.zeros(shape).tolist()
        else:
            dtype = parameters[0].data.dtype if parameters else np.float32
            example = Tensor(np.zeros((1, *shape), dtype=dtype))
        modes = [(module, module.training) for module in self.modules()]
        self.eval()
        try:
            with no_grad():
                self(example)
        finally:
            for module, mode in modes:
                object.__setattr__(module, "training", mode)

    def extra_repr(self) -> str:
        """The constructor arguments worth showing inside ``ClassName(...)``."""
        return ""

    def _repr_children(self) -> list[tuple[str, "Module"]]:
        return self.named_children()

    def __repr__(self) -> str:
        head = f"{type(self).__name__}({self.extra_repr()}"
        children = self._repr_children()
        if not children:
            return head + ")"
        lines = [head]
        lines.extend(f"  ({name}): " + repr(child).replace("\n", "\n  ") for name, child in children)
        return "\n".join(lines) + "\n)"


# ----------------------------------------------------------------------------- helpers
def _to_numpy(value: Any, key: str, where: str) -> np.ndarray:
    try:
        array = np.asarray(value.detach().cpu() if hasattr(value, "detach") and hasattr(value, "cpu") else value)
    except Exception as error:  # any conversion failure becomes a message naming the key
        raise StateDictError(f"key {key!r} in {where} is not an array ({error}).") from error
    if not (np.issubdtype(array.dtype, np.number) or array.dtype == np.bool_):
        raise StateDictError(f"key {key!r} in {where} holds {array.dtype} data, not numbers.")
    return array


def _load_error_message(model: str, where: str, problems: list[tuple[str, str]]) -> str:
    first_key, first = problems[0]
    more = ""
    if len(problems) > 1:
        others = ", ".join(repr(key) for key, _ in problems[1:6])
        more = f" ({len(problems) - 1} more bad key(s): {others}{', ...' if len(problems) > 6 else ''})"
    return (f"cannot load {where} into {model}: {first}{more}. Fix: build the model with the same "
            "layers and sizes as the one that was saved; load_state_dict(..., strict=False) skips "
            "missing and unexpected keys (never wrong shapes).")


def _guess_input_shape(model: Module) -> tuple[int, ...]:
    for module in model.modules():
        for attribute in ("in_features", "nin"):
            size = vars(module).get(attribute)
            if isinstance(size, int):
                return (size,)
    raise ValueError(f"summary(): cannot tell the input size of {type(model).__name__}; "
                     "pass input_shape=..., the shape of one sample, e.g. summary(input_shape=(784,)).")


@contextlib.contextmanager
def _recording_outputs(named: list[tuple[str, Module]]) -> Iterator[dict[str, Any]]:
    """Temporarily wrap each module's ``forward`` to keep its first output (for ``summary``)."""
    outputs: dict[str, Any] = {}

    def recorder(name: str, forward: Any) -> Any:
        def record(*args: Any, **kwargs: Any) -> Any:
            result = forward(*args, **kwargs)
            outputs.setdefault(name, result)
            return result

        return record

    for name, module in named:
        object.__setattr__(module, "forward", recorder(name, module.forward))
    try:
        yield outputs
    finally:
        for _, module in named:
            vars(module).pop("forward", None)


def _output_shape(output: Any) -> tuple:
    """Tensors show the batch dimension as None (as Keras does); lists of Values show their length."""
    if isinstance(output, Tensor):
        return (None, *output.shape[1:]) if output.ndim else ()
    if isinstance(output, (list, tuple)):
        return (len(output), *(_output_shape(output[0]) if output else ()))
    return ()


def _summary_row(name: str, module: Module, outputs: dict[str, Any]) -> tuple[str, str, str]:
    shape = str(_output_shape(outputs[name])) if name in outputs else "(not called)"
    return f"{name} ({type(module).__name__})", shape, f"{sum(_size(p) for p in module.parameters()):,}"


def _format_summary(model: str, input_shape: tuple[int, ...], parameters: list[Parameter],
                    rows: list[tuple[str, str, str]]) -> str:
    header = ("Layer (type)", "Output Shape", "Param #")
    widths = [max(len(row[i]) for row in (header, *rows)) + 4 for i in range(3)]
    width = sum(widths)

    def line(cells: Sequence[str]) -> str:
        return "".join(cell.ljust(w) for cell, w in zip(cells, widths)).rstrip()

    total = sum(_size(p) for p in parameters)
    trainable = sum(_size(p) for p in parameters if _trainable(p))
    return "\n".join([
        f'Model: "{model}"    input shape: {input_shape}',
        "_" * width, line(header), "=" * width,
        *(line(row) for row in rows),
        "=" * width,
        f"Total params: {total:,}",
        f"Trainable params: {trainable:,}",
        f"Non-trainable params: {total - trainable:,}",
        "_" * width,
    ])
