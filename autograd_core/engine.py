"""The graph engine: one topological sort and one backward loop for every kind of node.

A node is anything that offers the engine these few things (``Value`` and ``Tensor`` both do):

``_parents``
    the ordered tuple of nodes it was computed from (empty for a leaf);
``_op``
    the operation that made it, an object with a ``name`` (``None`` for a leaf);
``_vjp(upstream)``
    the chain rule for its op: given the gradient arriving at the node, return one gradient
    contribution per parent (``None`` where a parent needs none);
``_accumulate(contribution)``
    add a contribution into the node's retained ``.grad`` (a node kind may choose not to retain);
``_all_finite(x)``
    whether a forward value or gradient holds no nan/inf (used only by anomaly mode);
``_scope``
    the ``name_scope`` the node was created in.

The engine itself knows nothing about floats or arrays: it adds contributions with ``+`` and
leaves everything numeric to the node kinds. A new op never touches this file.
"""
from __future__ import annotations

import contextlib
import functools
import os
import traceback
from typing import Any, Callable, Iterator, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class _EngineState:
    """Process-wide switches read by every node constructor (one attribute lookup each)."""

    __slots__ = ("grad_enabled", "anomaly", "scope")

    def __init__(self) -> None:
        self.grad_enabled = True
        self.anomaly = False
        self.scope = ""


state = _EngineState()


# ----------------------------------------------------------------------------- grad mode
class _GradMode:
    """Base of ``no_grad``/``enable_grad``: a context manager and decorator that restores the previous mode."""

    enabled: bool

    def __new__(cls, fn: Callable | None = None) -> Any:
        """``@no_grad`` works without parentheses too: then the class is applied to ``fn`` at once."""
        mode = super().__new__(cls)
        return mode(fn) if fn is not None else mode

    def __enter__(self) -> None:
        self._previous = state.grad_enabled
        state.grad_enabled = self.enabled

    def __exit__(self, *exc: object) -> None:
        state.grad_enabled = self._previous

    def __call__(self, fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self.__class__():
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


class no_grad(_GradMode):
    """Record no graph inside this block or decorated function (evaluation, optimiser updates)."""

    enabled = False


class enable_grad(_GradMode):
    """Record the graph again inside a ``no_grad`` block."""

    enabled = True


def is_grad_enabled() -> bool:
    """True when new operations record their parents (the default)."""
    return state.grad_enabled


# ----------------------------------------------------------------------------- name scopes
class name_scope:
    """Tag every node created inside with a dotted scope (``layer1.neuron3``) for drawing and debugging.

    Scopes nest: ``name_scope("mlp")`` then ``name_scope("layer0")`` gives ``mlp.layer0``. A small
    class rather than a generator-based context manager: every module call enters one, so it is on
    the forward pass's hot path.
    """

    __slots__ = ("name", "_previous")

    def __init__(self, name: str) -> None:
        self.name = name

    def __enter__(self) -> str:
        self._previous = previous = state.scope
        state.scope = f"{previous}.{self.name}" if previous and self.name else (self.name or previous)
        return state.scope

    def __exit__(self, *exc: object) -> None:
        state.scope = self._previous


# ----------------------------------------------------------------------------- anomaly mode
class AnomalyError(FloatingPointError):
    """An op produced nan or inf while anomaly mode was on."""


@contextlib.contextmanager
def anomaly_mode(enabled: bool = True) -> Iterator[None]:
    """Make the first op whose forward value or backward gradient is nan/inf raise ``AnomalyError``.

    The error names the op and the line of user code that created the node. It costs a finiteness
    check per node and a stack capture per node, so it is for debugging only. Where each node was
    created is kept in a table that lives as long as the outermost anomaly block (not in a slot of
    every node: nodes made outside anomaly mode should not pay for it).
    """
    previous = state.anomaly
    state.anomaly = enabled
    try:
        yield
    finally:
        state.anomaly = previous
        if not previous:
            _origins.clear()


# id(node) -> where the user created it; filled only inside anomaly mode. Ids are safe keys here:
# every op node made inside the block overwrites its own entry, and the table is emptied on exit.
_origins: dict[int, str] = {}


# Frames in these folders are the library's own; the first frame outside them is the user's line.
_PACKAGE_DIRS = tuple(
    os.path.join(os.path.abspath(folder), "")  # with a trailing separator: "nn_extra/" is not "nn/"
    for folder in (os.path.dirname(__file__), os.path.join(os.path.dirname(__file__), "..", "nn"))
)


def user_origin() -> str:
    """The innermost stack frame outside this library: where the user asked for the operation."""
    for frame in reversed(traceback.extract_stack()[:-1]):
        path = os.path.abspath(frame.filename)
        if not path.startswith(_PACKAGE_DIRS):
            return f'File "{frame.filename}", line {frame.lineno}: {(frame.line or "").strip()}'
    return "<unknown origin>"


def check_forward(node: Any, op: Any) -> None:
    """Anomaly mode, forward half: remember where ``op`` made ``node`` and refuse a nan/inf result.

    Called for every op output, also when no graph is recorded (``no_grad``, constant tensors):
    a nan is just as wrong there. Leaves made by constructors are not checked (nan data is allowed).
    """
    origin = _origins[id(node)] = user_origin()
    if not node._all_finite(node.data):
        raise AnomalyError(
            f"anomaly: op '{op.name}' produced nan/inf in its forward value.\n"
            f"  created at {origin}\n"
            "  fix: check the op's inputs (log/sqrt of a negative or zero, division by zero, overflow)."
        )


def _check_backward(node: Any, contributions: tuple) -> None:
    """Anomaly mode, backward half: refuse the first nan/inf a backward rule hands to a parent."""
    for index, contribution in enumerate(contributions):
        if contribution is not None and not node._all_finite(contribution):
            raise AnomalyError(
                f"anomaly: the backward rule of op '{node._op.name}' produced nan/inf for its "
                f"parent #{index}.\n  node created at {_origins.get(id(node), '<made outside anomaly mode>')}\n"
                "  fix: the op's derivative is undefined or overflows at these inputs."
            )


# ----------------------------------------------------------------------------- the node protocol
class Node:
    """The read-only view of the graph that every node kind shares (``Value``, ``Tensor``).

    The engine needs only the private protocol in this module's docstring; these properties are the
    public names pictures and users read.
    """

    __slots__ = ()

    @property
    def parents(self) -> tuple:
        """The nodes this one was computed from, in the op's argument order (empty for a leaf)."""
        return self._parents  # type: ignore[attr-defined]

    @property
    def op(self) -> str:
        """The name of the op that made this node, ``""`` for a leaf."""
        return self._op.name if self._op is not None else ""  # type: ignore[attr-defined]

    @property
    def scope(self) -> str:
        """The ``name_scope`` the node was created in (``layers.0.neurons.3``), ``""`` outside any."""
        return self._scope  # type: ignore[attr-defined]


# ----------------------------------------------------------------------------- the backward pass
def topological_order(root: Any) -> list:
    """Every node ``root`` depends on, parents before children, ``root`` last.

    Iterative depth-first search with an explicit stack (a ``None`` on the stack marks "all parents
    of the node below me are done"), so a chain of a million nodes costs linear time and no
    recursion. The order depends only on the graph, never on memory addresses.
    """
    order: list = []
    visited: set = set()
    stack: list = [root]
    push, pop, mark, emit = stack.append, stack.pop, visited.add, order.append  # bound once: hot loop
    while stack:
        node = pop()
        if node is None:
            emit(pop())
            continue
        if node in visited:
            continue
        mark(node)
        push(node)
        push(None)
        for parent in node._parents:
            if parent not in visited:
                push(parent)
    return order


def propagate(root: Any, seed: Any, narrate: bool = False) -> Iterator[tuple]:
    """The chain rule, once per node, in reverse topological order.

    Gradients accumulate into ``.grad`` as in PyTorch (each contribution is added the moment the
    chain rule produces it), while the gradient flowing in *this* pass is summed in a table local
    to the pass, so calling backward twice adds exactly the same amount twice and a pass stopped
    half-way leaves nothing behind. With ``narrate`` the generator yields ``(node, upstream,
    contributions)`` after the seed and after each op node (``backward_steps`` narrates these);
    without it, it runs to the end on the first ``next()``.
    """
    order = topological_order(root)
    arriving = {root: seed}  # node -> the gradient that reached it in this pass, summed over its children
    check = state.anomaly
    if check and not root._all_finite(seed):
        raise AnomalyError("anomaly: the gradient given to backward() is nan/inf; fix: pass a finite seed.")
    root._accumulate(seed)
    if narrate:
        yield root, seed, ()
    for node in reversed(order):
        upstream = arriving.pop(node, None)
        parents = node._parents
        if upstream is None or not parents:
            continue
        contributions = node._vjp(upstream)
        if check:
            _check_backward(node, contributions)
        for parent, contribution in zip(parents, contributions):
            if contribution is not None:
                previous = arriving.get(parent)
                arriving[parent] = contribution if previous is None else previous + contribution
                parent._accumulate(contribution)
        if narrate:
            yield node, upstream, contributions


def backward(root: Any, seed: Any) -> None:
    """Run the whole backward pass from ``root`` seeded with ``seed`` (d root / d root)."""
    for _ in propagate(root, seed):
        pass


def zero_grad(nodes: Any) -> None:
    """Reset the ``.grad`` of every node in ``nodes`` (any iterable) before the next backward."""
    for node in nodes:
        node.zero_grad()
