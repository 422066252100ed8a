"""backward_steps(): the engine's own backward pass, paused after every node, each pause a ``Step`` that narrates itself.

Nothing here applies the chain rule: ``backward_steps`` drives ``engine.propagate`` (the generator that
``backward()`` drains) and only *describes* what it did, using the op's templates (``ScalarOp.expression``
and ``ScalarOp.formulas``) filled once with node names and once with numbers::

    step 1/4  seed: do/do = 1
    step 2/4  o = tanh(n): n.grad += (1 - o^2) * o.grad = (1 - 0.7071^2) * 1 = 0.5

Names: a node's ``label`` when it has one; an unlabelled leaf (a number typed into an expression, as
in ``2 * x``) is named by its value (``2``); every other unlabelled node gets ``v1``, ``v2``, ... in
topological order (parents before children), skipping names that labels already use. Numbers are shown
with 4 significant digits, negative numbers in parentheses inside a longer formula.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterator, Optional

from .engine import Node, propagate, topological_order
from .value import Value

SIGNIFICANT_DIGITS = 4
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_UPSTREAM = re.compile(r"\bg\b")      # a TensorOp formula's name for the upstream gradient


# ----------------------------------------------------------------------------- the records
@dataclass(frozen=True)
class ParentUpdate:
    """What one step added to one parent: ``parent.grad += formula * node.grad = local * upstream = contribution``.

    ``formula`` is the local derivative d node / d parent in words (``"(1 - o^2)"``); ``local`` is its
    number for a scalar node and ``None`` for a tensor node (whose op applies a vector-Jacobian product
    instead of multiplying by one number); ``contribution`` is what the engine added (``None`` when the
    op sends this parent nothing).
    """

    parent: Any
    name: str
    formula: str
    local: Optional[float]
    contribution: Any


@dataclass(frozen=True)
class Step:
    """One step of the backward pass: the seed (``index == 1``, ``op == "seed"``) or one op node.

    ``upstream`` is the gradient that arrived at ``node`` in this pass (for the seed step, the seed);
    ``parents`` has one ``ParentUpdate`` per parent, in the op's parent order (empty for the seed).
    ``str(step)`` is the one-line narration, written when the step happened.
    """

    index: int
    total: int
    node: Any
    name: str
    op: str
    expression: str
    upstream: Any
    parents: tuple[ParentUpdate, ...]
    text: str

    def __str__(self) -> str:
        return self.text


# ----------------------------------------------------------------------------- names and numbers
def format_number(x: float) -> str:
    """Four significant digits; ``-0`` prints as ``0`` (a sign of zero means nothing to a reader)."""
    return f"{x + 0.0:.{SIGNIFICANT_DIGITS}g}"


def is_scalar(node: Any) -> bool:
    """Value nodes are narrated with numbers; Tensor nodes with shapes and summaries."""
    return isinstance(node, Value)


def _is_one_number(data: Any) -> bool:
    return isinstance(data, float) or getattr(data, "size", 0) == 1


def node_names(root: Any, order: Optional[list] = None) -> dict[int, str]:
    """A readable name for every node ``root`` depends on, keyed by ``id(node)`` (see the module docstring).

    ``v1``, ``v2``, ... are numbered along ``order``: the engine's topological order unless the caller
    gives another one that lists every node parents-first (the REPL gives the order its text computes).
    """
    order = topological_order(root) if order is None else order
    taken = {node.label for node in order if getattr(node, "label", "")}
    names: dict[int, str] = {}
    counter = 0
    for node in order:
        label = getattr(node, "label", "")
        if label:
            names[id(node)] = label
        elif not node._parents and _is_one_number(node.data):
            names[id(node)] = format_number(float(node.data))
        else:
            counter += 1
            while f"v{counter}" in taken:
                counter += 1
            names[id(node)] = f"v{counter}"
    return names


def _fill(template: str, values: dict[str, str]) -> str:
    """Replace ``{a}``, ``{b}``, ``{out}``, ``{k}``; a negative filling gets parentheses unless it stands alone."""
    if template in (f"{{{key}}}" for key in values):
        return values[template[1:-1]]

    def replace(match: re.Match) -> str:
        return _operand(values.get(match.group(1), match.group(0)))

    return _PLACEHOLDER.sub(replace, template)


def _operand(text: str) -> str:
    """``-3`` inside a longer formula reads as ``(-3)``: ``1 - -3^2`` would mean something else."""
    return f"({text})" if text.startswith("-") else text


def _op_templates(node: Any) -> tuple[str, tuple[str, ...]]:
    """The op's expression and one formula template per parent (``ScalarOp``/``TensorOp.templates``)."""
    return node._op.templates(node)


def _fillings(node: Any, names: dict[int, str], as_numbers: bool) -> dict[str, str]:
    """What the placeholders stand for at ``node``, as names or as numbers: ``{a}``, ``{b}`` (and
    ``{p0}``, ``{p1}``, ... for ops of any arity) are the parents, ``{out}`` the node, ``{k}`` its constant."""
    describe = (lambda n: format_number(n.data)) if as_numbers else (lambda n: names[id(n)])
    parents = [describe(parent) for parent in node._parents]
    values = dict(zip(("a", "b"), parents))
    values.update((f"p{index}", text) for index, text in enumerate(parents))
    values["out"] = describe(node)
    if node.constant is not None:
        values["k"] = format_number(node.constant)
    return values


def expression_of(node: Any, names: dict[int, str]) -> str:
    """What an op node computes, in names: ``"tanh(n)"``, ``"x * w"``, ``"v3 ** 2"``."""
    return _fill(_op_templates(node)[0], _fillings(node, names, as_numbers=False))


def summarize(array: Any) -> str:
    """A tensor gradient in one phrase: its shape and mean, largest magnitude and norm (a 0-d one as its number)."""
    import numpy as np

    a = np.asarray(array, dtype=float)
    if a.ndim == 0:
        return format_number(float(a))
    if a.size == 0:
        return f"shape {a.shape} (empty)"
    return (f"shape {a.shape} mean {format_number(float(a.mean()))} |max| {format_number(float(np.abs(a).max()))} "
            f"norm {format_number(float(np.linalg.norm(a)))}")


def _show(x: Any, scalar: bool) -> str:
    return format_number(x) if scalar else summarize(x)


# ----------------------------------------------------------------------------- building the records
def _seed_step(root: Any, seed: Any, total: int, names: dict[int, str]) -> Step:
    name = names[id(root)]
    scalar = is_scalar(root)
    if scalar and seed == 1 or not scalar and _all_ones(seed):
        several = not scalar and root.data.size > 1
        body = f"seed: d{name}/d{name} = 1" + (f" (ones of shape {tuple(root.shape)})" if several else "")
    else:
        body = f"seed: {name}.grad += {_show(seed, scalar)} (the given gradient)"
    return Step(1, total, root, name, "seed", name, seed, (), f"step 1/{total}  {body}")


def _all_ones(array: Any) -> bool:
    import numpy as np

    return bool(np.all(np.asarray(array) == 1))


def _update(parent: Any, formula: str, local: Optional[float], contribution: Any, upstream: Any,
            names: dict[int, str], fillings: tuple[dict[str, str], dict[str, str]]) -> tuple[ParentUpdate, str]:
    """One parent's record and its phrase; ``fillings`` are the node's placeholders in names and in numbers.

    Scalar: ``n.grad += (1 - o^2) * o.grad = (1 - 0.7071^2) * 1 = 0.5`` (local derivative times upstream).
    Tensor: the op's formula is the whole vector-Jacobian product with ``g`` for the upstream gradient,
    ``n.grad += o.grad * (1 - o^2) = shape (4, 3) mean ... |max| ... norm ...``.
    """
    in_names, in_numbers = fillings
    name, parent_name = in_names["out"], names[id(parent)]
    if local is None:
        formula = _UPSTREAM.sub("{g}", formula)
        in_words = _fill(formula, {**in_names, "g": f"{name}.grad"})
        phrase = f"{parent_name}.grad += {in_words}"
    else:
        in_words = _fill(formula, in_names)
        phrase = f"{parent_name}.grad += {in_words} * {name}.grad"
    if contribution is None:
        phrase = f"{parent_name} gets nothing (it does not require grad)"
    elif local is None:
        phrase += f" = {summarize(contribution)}"
    else:
        phrase += (f" = {_fill(formula, in_numbers)} * {_operand(format_number(upstream))} = "
                   f"{format_number(contribution)}")
    return ParentUpdate(parent, parent_name, in_words, local, contribution), phrase


def _op_step(index: int, total: int, node: Any, upstream: Any, contributions: Any,
             names: dict[int, str]) -> Step:
    template, formulas = _op_templates(node)
    scalar = is_scalar(node)
    # the placeholders are filled once per step, not once per parent (a dot node has 2n + 1 parents)
    in_names = _fillings(node, names, as_numbers=False)
    fillings = (in_names, _fillings(node, names, as_numbers=True) if scalar else {})
    expression = _fill(template, in_names)
    locals_ = node._op.local(node) if scalar else (None,) * len(node._parents)
    updates, phrases = [], []
    for parent, formula, local, contribution in zip(node._parents, formulas, locals_, contributions):
        update, phrase = _update(parent, formula, local, contribution, upstream, names, fillings)
        updates.append(update)
        phrases.append(phrase)
    name = names[id(node)]
    shape = "" if scalar else f", shape {tuple(node.shape)}"
    text = f"step {index}/{total}  {name} = {expression}{shape}: " + "; ".join(phrases)
    return Step(index, total, node, name, node._op.name, expression, upstream, tuple(updates), text)


def step_total(order: list) -> int:
    """How many steps a backward pass over ``order`` (a topological order) takes: the seed plus one per op node."""
    return 1 + sum(1 for node in order if node._parents)


def backward_steps(root: Any, grad: Any = None) -> Iterator[Step]:
    """Run ``root``'s backward pass one node at a time, yielding a ``Step`` after each.

    First the seed step (``d root / d root = 1``, or ``grad`` when given), then one step per op node in
    the engine's order; leaves get no step of their own. Each step's gradients are already added to the
    parents' ``.grad`` when it is yielded, and after the last step every ``.grad`` is exactly what
    ``root.backward(grad)`` would have left (the same generator does the work).
    ``total`` counts the seed plus every op node reachable from ``root`` (``step_total``). A stepper
    abandoned half-way (``close()``, or dropped) has added only the steps it yielded: the engine sums
    the gradient flowing in a pass in a table local to that pass, never on the nodes.
    """
    if not isinstance(root, Node):
        raise TypeError(f"backward_steps needs a Value or Tensor to backpropagate from; got {type(root).__name__}. "
                        "fix: pass the result of a computation, e.g. backward_steps(loss) or loss.backward_steps().")
    return _steps(root, root._seed(grad))    # checked here, when called, not at the first next()


def _steps(root: Any, seed: Any) -> Iterator[Step]:
    """The stepper itself: drains the engine's pass one event at a time and describes each."""
    order = topological_order(root)
    names = node_names(root, order)
    total = step_total(order)
    events = propagate(root, seed, narrate=True)
    try:
        yield _seed_step(root, next(events)[1], total, names)
        for index, (node, upstream, contributions) in enumerate(events, start=2):
            yield _op_step(index, total, node, upstream, contributions, names)
    finally:  # a stepper abandoned half-way closes the engine's pass now, not whenever it is collected
        events.close()
