"""autograd-step: type an expression, then watch backpropagation go through it one node at a time.

    $ autograd-step "n = x*w + b; o = tanh(n)" x=2 w=-3 b=6.8813735870195432
    $ python -m viz.step --demo xor

The expression is never evaluated as Python. ``parse_program`` lets Python's ``ast`` module split it into
a syntax tree, then accepts only a small grammar (numbers, names, ``+ - * / **``, unary minus, parentheses,
calls of the functions in ``FUNCTIONS``, assignments separated by ``;``) and translates it into the tiny
tree below; anything else is refused with the line and column of the problem. Input length, nesting depth
and constant exponents are bounded, so every input is handled in bounded time. ``build_graph`` then runs
the tree on ``Value``s, and ``Session`` steps through ``Value.backward_steps()`` on the commands typed at
the ``(step)`` prompt.
"""
from __future__ import annotations

import argparse
import ast
import math
import os
import pathlib
import sys
import warnings
from dataclasses import dataclass, field
from typing import Callable, Iterator, Optional, Union

from autograd_core import Value, topological_order
from autograd_core.stepping import Step, expression_of, format_number, node_names, step_total

from .graph import DotNotInstalledError, draw_graph

MAX_LENGTH = 1000      # characters of one expression
MAX_DEPTH = 60         # nesting of operations (a chain a+b+c+... nests one level per term)
MAX_EXPONENT = 100     # |k| of a constant exponent x ** k
HELP_LINE = "(step) next | back | run | show NODE | grads | graph [FILE] | help | quit"
DEFAULT_PICTURE = "step.svg"
SHOWN_AROUND = 35      # characters shown each side of a problem in a long line

# The documented functions: name -> (how it acts on a Value, whether it takes a constant second argument).
FUNCTIONS: dict[str, tuple[Callable[..., Value], bool]] = {
    "tanh": (Value.tanh, False), "exp": (Value.exp, False), "log": (Value.log, False),
    "relu": (Value.relu, False), "sigmoid": (Value.sigmoid, False), "sqrt": (Value.sqrt, False),
    "sin": (Value.sin, False), "cos": (Value.cos, False), "abs": (Value.abs, False),
    "softplus": (Value.softplus, False), "elu": (Value.elu, True), "selu": (Value.selu, False),
    "leaky_relu": (Value.leaky_relu, True), "step": (Value.step, False), "sign": (Value.sign, False),
}
GRAMMAR = ("numbers, names, + - * / **, unary minus, parentheses, calls of "
           + " ".join(FUNCTIONS) + ", and assignments separated by ;")
SHORT_GRAMMAR = "numbers, names, + - * / **, unary minus, ( ), calls like tanh(x), assignments separated by ;"
BARE_RESULT = "out"    # the name of a last statement written without "name ="

DEMOS: dict[str, tuple[str, str, dict[str, float]]] = {
    "neuron": ("one tanh neuron, o = tanh(x*w + b) = 0.7071 (the tutorial's example)",
               "n = x*w + b; o = tanh(n)", {"x": 2.0, "w": -3.0, "b": 6.8813735870195432}),
    "micrograd1": ("micrograd's README expression (g = 24.7041, a.grad = 138.8338, b.grad = 645.5773)",
                   "c = a + b; d = a*b + b**3; c2 = c + (c + 1); c3 = c2 + (1 + c2 + (-a)); "
                   "d2 = d + (d*2 + relu(b + a)); d3 = d2 + (3*d2 + relu(b - a)); e = c3 - d3; f = e**2; "
                   "g1 = f / 2; g = g1 + 10 / f", {"a": -4.0, "b": 2.0}),
    "micrograd2": ("micrograd's sanity-check expression (y = -20, x.grad = 46)",
                   "z = 2*x + 2 + x; q = relu(z) + z*x; h = relu(z*z); y = h + q + q*x", {"x": -4.0}),
    "xor": ("a 2-2-1 tanh/sigmoid network with fixed weights that computes XOR, and its squared error",
            "h1 = tanh(w1*x1 + w2*x2 + b1); h2 = tanh(w3*x1 + w4*x2 + b2); y = sigmoid(u1*h1 + u2*h2 + b3); "
            "loss = (y - t)**2",
            {"x1": 1.0, "x2": 0.0, "t": 1.0, "w1": 2.0, "w2": 2.0, "b1": -1.0, "w3": 2.0, "w4": 2.0,
             "b2": -3.0, "u1": 3.0, "u2": -3.0, "b3": -2.6}),
}


# ----------------------------------------------------------------------------- errors
class ExpressionError(ValueError):
    """A refused expression; ``line`` and ``column`` (1-based, in characters) point at the problem."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message, self.line, self.column = message, line, column

    def where(self, text: str) -> str:
        """The message after the offending line of ``text`` with a caret under the problem."""
        lines = text.splitlines() or [""]
        source = lines[min(self.line, len(lines)) - 1]
        start = max(0, min(self.column - 1 - SHOWN_AROUND, len(source) - 2 * SHOWN_AROUND))
        shown = source[start:start + 2 * SHOWN_AROUND]
        before = "..." if start > 0 else ""
        after = "..." if start + 2 * SHOWN_AROUND < len(source) else ""
        caret = " " * (len(before) + self.column - 1 - start) + "^"
        place = f"column {self.column}" if len(lines) == 1 else f"line {self.line}, column {self.column}"
        return f"  {before}{shown}{after}\n  {caret}\n{place}: {self.message}"


# ----------------------------------------------------------------------------- the accepted grammar
@dataclass(frozen=True)
class Number:
    value: float
    line: int
    column: int


@dataclass(frozen=True)
class Name:
    id: str
    line: int
    column: int


@dataclass(frozen=True)
class Negate:
    operand: "Expression"
    line: int
    column: int


@dataclass(frozen=True)
class Binary:
    op: str                     # one of + - * / **
    left: "Expression"
    right: "Expression"
    line: int
    column: int


@dataclass(frozen=True)
class Call:
    function: str               # a key of FUNCTIONS
    argument: "Expression"
    constant: Optional[float]   # alpha of elu / leaky_relu, when given
    line: int
    column: int


Expression = Union[Number, Name, Negate, Binary, Call]


@dataclass(frozen=True)
class Assignment:
    target: str
    expression: Expression
    line: int
    column: int


_OPERATORS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_REFUSED_OPERATORS = {ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@", ast.LShift: "<<", ast.RShift: ">>",
                      ast.BitOr: "|", ast.BitXor: "^", ast.BitAnd: "&"}
_WHAT_IS_IT = {  # how a refused piece of Python is called in an error message
    "Attribute": "attribute access (a.b)", "Subscript": "indexing (a[i])", "Lambda": "a lambda",
    "Compare": "a comparison", "BoolOp": "and/or", "IfExp": "an if-expression", "NamedExpr": "the := operator",
    "Starred": "unpacking with *", "JoinedStr": "an f-string", "List": "a list", "Tuple": "a tuple",
    "Dict": "a dict", "Set": "a set", "ListComp": "a comprehension", "SetComp": "a comprehension",
    "DictComp": "a comprehension", "GeneratorExp": "a generator expression", "Await": "await",
    "Yield": "yield", "YieldFrom": "yield", "Import": "an import", "ImportFrom": "an import",
    "AugAssign": "an augmented assignment (x += ...)", "AnnAssign": "an annotated assignment",
    "FunctionDef": "a function definition", "ClassDef": "a class definition", "Delete": "del",
}


class _Reader:
    """Translates one ``ast`` tree into the grammar above, knowing the text for exact columns."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines() or [""]

    def position(self, line: int, byte_offset: int) -> tuple[int, int]:
        """ast counts columns in UTF-8 bytes; people count characters, from 1."""
        source = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        return line, len(source.encode("utf-8")[:byte_offset].decode("utf-8", errors="ignore")) + 1

    def error(self, message: str, node: ast.AST) -> ExpressionError:
        line, column = self.position(node.lineno, node.col_offset)
        return ExpressionError(message, line, column)

    def refuse(self, node: ast.AST, what: str = "") -> ExpressionError:
        what = what or _WHAT_IS_IT.get(type(node).__name__, f"this kind of Python ({type(node).__name__})")
        return self.error(f"{what} is not allowed. Allowed: {SHORT_GRAMMAR}.", node)

    def statement(self, node: ast.stmt, is_last: bool) -> Assignment:
        line, column = self.position(node.lineno, node.col_offset)
        if isinstance(node, ast.Assign):
            if len(node.targets) != 1 or not isinstance(node.targets[0], ast.Name):
                raise self.refuse(node.targets[-1] if len(node.targets) == 1 else node,
                                  "assigning to anything but one plain name")
            return Assignment(node.targets[0].id, self.expression(node.value, 1), line, column)
        if isinstance(node, ast.Expr) and is_last:
            return Assignment(BARE_RESULT, self.expression(node.value, 1), line, column)
        if isinstance(node, ast.Expr):
            raise self.error("only the last statement may be a bare expression; name this one (v = ...).", node)
        raise self.refuse(node)

    def expression(self, node: ast.expr, depth: int) -> Expression:
        if depth > MAX_DEPTH:
            raise self.error(f"the expression nests more than {MAX_DEPTH} operations deep; split it into "
                             "several assignments separated by ;", node)
        line, column = self.position(node.lineno, node.col_offset)
        if isinstance(node, ast.Constant):
            return Number(self.number(node), line, column)
        if isinstance(node, ast.Name):
            return Name(node.id, line, column)
        if isinstance(node, ast.UnaryOp):
            return self.unary(node, depth)
        if isinstance(node, ast.BinOp):
            return self.binary(node, depth)
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        raise self.refuse(node)

    def number(self, node: ast.Constant) -> float:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.refuse(node, f"{type(value).__name__} {value!r}")
        try:
            number = float(value)
        except OverflowError:
            number = math.inf
        if not math.isfinite(number):
            raise self.error("this number is too large for a float (at most about 1.8e308).", node)
        return number

    def unary(self, node: ast.UnaryOp, depth: int) -> Expression:
        line, column = self.position(node.lineno, node.col_offset)
        if not isinstance(node.op, ast.USub):
            symbol = {ast.UAdd: "unary +", ast.Not: "not", ast.Invert: "~"}[type(node.op)]
            raise self.refuse(node, symbol)
        operand = self.expression(node.operand, depth + 1)
        if isinstance(operand, Number):      # -3 is the number -3, not an op on the number 3
            return Number(-operand.value, line, column)
        return Negate(operand, line, column)

    def binary(self, node: ast.BinOp, depth: int) -> Expression:
        line, column = self.position(node.lineno, node.col_offset)
        symbol = _OPERATORS.get(type(node.op))
        if symbol is None:
            operator = _REFUSED_OPERATORS.get(type(node.op), type(node.op).__name__)
            line, column = self.operator_position(node)
            raise ExpressionError(f"the operator {operator} is not allowed (the operators are + - * / **).",
                                  line, column)
        left = self.expression(node.left, depth + 1)
        right = self.expression(node.right, depth + 1)
        if symbol == "**" and isinstance(right, Number) and abs(right.value) > MAX_EXPONENT:
            raise ExpressionError(f"the exponent {format_number(right.value)} is too large; constant "
                                  f"exponents must lie between -{MAX_EXPONENT} and {MAX_EXPONENT}.",
                                  right.line, right.column)
        return Binary(symbol, left, right, line, column)

    def operator_position(self, node: ast.BinOp) -> tuple[int, int]:
        """Where the operator sits: the first character after the left operand that is no bracket or space."""
        line, end = node.left.end_lineno or node.lineno, node.left.end_col_offset or node.col_offset
        source = self.lines[line - 1].encode("utf-8")
        offset = end
        while offset < len(source) and source[offset:offset + 1] in (b" ", b")", b"\t"):
            offset += 1
        return self.position(line, offset)

    def call(self, node: ast.Call, depth: int) -> Expression:
        line, column = self.position(node.lineno, node.col_offset)
        if not isinstance(node.func, ast.Name):
            raise self.refuse(node.func if isinstance(node.func, ast.Attribute) else node,
                              "calling something other than a function name")
        name = node.func.id
        if name not in FUNCTIONS:
            raise self.error(f"{name} is not one of the functions; they are: {' '.join(FUNCTIONS)}.", node)
        takes_constant = FUNCTIONS[name][1]
        if node.keywords:
            raise self.refuse(node.keywords[0].value, f"a keyword argument to {name}")
        most = 2 if takes_constant else 1
        if not 1 <= len(node.args) <= most:
            usage = f"{name}(x) or {name}(x, alpha)" if takes_constant else f"{name}(x)"
            raise self.error(f"{name} takes {'one or two arguments' if takes_constant else 'one argument'}: "
                             f"write {usage}.", node)
        argument = self.expression(node.args[0], depth + 1)
        constant = None
        if len(node.args) == 2:
            second = self.expression(node.args[1], depth + 1)
            if not isinstance(second, Number):
                raise ExpressionError(f"the alpha of {name} must be a number.", second.line, second.column)
            constant = second.value
        return Call(name, argument, constant, line, column)


def parse_program(text: str) -> tuple[Assignment, ...]:
    """Read ``"n = x*w + b; o = tanh(n)"`` into assignments of the accepted grammar, or raise ``ExpressionError``.

    The last statement may be a bare expression; it is then named ``out``. Only the shape is checked
    here; names are checked against values by ``build_graph``.
    """
    if len(text) > MAX_LENGTH:
        kept = text[:MAX_LENGTH]
        raise ExpressionError(f"the expression is {len(text)} characters long; the limit is {MAX_LENGTH}. "
                              "Split it or shorten names.", kept.count("\n") + 1, MAX_LENGTH - kept.rfind("\n"))
    if not text.strip():
        raise ExpressionError("the expression is empty; write something like  o = tanh(x*w + b)")
    try:
        with warnings.catch_warnings():     # "invalid decimal literal" and friends: the refusal says enough
            warnings.simplefilter("ignore")
            module = ast.parse(text, mode="exec")
    except SyntaxError as error:
        line = error.lineno or 1
        raise ExpressionError(f"this is not a valid expression ({error.msg}).", line, max(error.offset or 1, 1))
    except (ValueError, RecursionError, MemoryError) as error:   # null bytes, pathological nesting
        raise ExpressionError(f"this text cannot be read as an expression ({error}).")
    reader = _Reader(text)
    if not module.body:
        raise ExpressionError("the expression has no statement; write something like  o = tanh(x*w + b)")
    last = len(module.body) - 1
    return tuple(reader.statement(node, i == last) for i, node in enumerate(module.body))


# ----------------------------------------------------------------------------- running it on Values
@dataclass
class Graph:
    """An expression run forward on ``Value``s, with everything a session shows about it."""

    source: str
    values: dict[str, float]
    root: Value
    order: list                                                  # topological, parents first
    names: dict[int, str]                                        # id(node) -> name
    described: dict[int, str]                                    # id(node) -> "input", "constant", "x * w" ...
    notes: list[str] = field(default_factory=list)               # unused names, nan/inf and where they start

    def node(self, name: str) -> Optional[Value]:
        return next((n for n in self.order if self.names[id(n)] == name), None)

    def all_names(self) -> str:
        """Every node's name in computing order, for messages that list what ``show`` accepts."""
        return " ".join(self.names[id(n)] for n in self.order)


class _Builder:
    """Runs assignments on Values, checking every name on the way."""

    def __init__(self, values: dict[str, float], targets: set[str]) -> None:
        self.values = values
        self.defined: dict[str, Value] = {name: Value(v, label=name) for name, v in values.items()}
        self.assigned_at: dict[str, int] = {}
        self.later = targets            # every name the program assigns, to tell "later" from "never"
        self.created: list[Value] = []
        self.inputs_used: set[int] = set()

    def assign(self, statement: Assignment, position: int) -> Value:
        target = statement.target
        if target in FUNCTIONS:
            raise ExpressionError(f"{target} is a function name; choose another name for this value.",
                                  statement.line, statement.column)
        if target in self.values:
            raise ExpressionError(f"{target} is assigned here and also given a value ({target}="
                                  f"{format_number(self.values[target])}); drop one of the two.",
                                  statement.line, statement.column)
        if target in self.assigned_at:
            raise ExpressionError(f"{target} is assigned twice; give the second one a new name (like "
                                  f"{target}2).", statement.line, statement.column)
        if isinstance(statement.expression, Name):
            source = statement.expression.id
            raise ExpressionError(f"{target} = {source} only gives {source} a second name; use {source} itself.",
                                  statement.line, statement.column)
        node = self.run(statement.expression)
        node.label = target
        self.defined[target] = node
        self.assigned_at[target] = position
        return node

    def run(self, expression: Expression) -> Value:
        """The Value of ``expression``; every node made is appended to ``created`` (an order parents-first)."""
        if isinstance(expression, Name):
            node = self.lookup(expression)
            if node.label in self.values and id(node) not in self.inputs_used:
                self.inputs_used.add(id(node))
                self.created.append(node)
            return node
        node = self.compute(expression)
        self.created.append(node)
        return node

    def compute(self, expression: Expression) -> Value:
        if isinstance(expression, Number):
            return Value(expression.value)
        if isinstance(expression, Negate):
            return -self.run(expression.operand)
        if isinstance(expression, Call):
            function, _ = FUNCTIONS[expression.function]
            argument = self.run(expression.argument)
            return function(argument) if expression.constant is None else function(argument, expression.constant)
        left = self.run(expression.left)
        if expression.op == "**" and isinstance(expression.right, Number):
            return left ** expression.right.value      # a constant exponent: the op x ** k
        right = self.run(expression.right)
        return {"+": Value.__add__, "-": Value.__sub__, "*": Value.__mul__, "/": Value.__truediv__,
                "**": Value.__pow__}[expression.op](left, right)

    def lookup(self, name: Name) -> Value:
        if name.id in self.defined:
            return self.defined[name.id]
        if name.id in FUNCTIONS:
            message = f"{name.id} is a function; call it like {name.id}(x)."
        elif name.id in self.later:
            message = f"{name.id} is used before it is assigned; move its assignment earlier."
        else:
            message = (f"{name.id} has no value: give it one ({name.id}=NUMBER after the expression, or "
                       f"set {name.id}=NUMBER at the (step) prompt) or assign it earlier ({name.id} = ...; ...).")
        raise ExpressionError(message, name.line, name.column)


def build_graph(text: str, values: dict[str, float]) -> Graph:
    """Parse ``text`` and run it forward on Values; the last assignment is the root to backpropagate from.

    ``Graph.order`` is the order the expression computes its nodes (left to right, inner first), which is
    a topological order that reads like the text. Unlabelled intermediate results are labelled ``v1``,
    ``v2``, ... in that order, so that the narration, the tables and the pictures use the same names;
    numbers typed into the expression stay unlabelled constants (named by their value).
    """
    program = parse_program(text)
    builder = _Builder(values, {statement.target for statement in program})
    for position, statement in enumerate(program):
        root = builder.assign(statement, position)
    last = program[-1]
    if not root.parents:
        raise ExpressionError(f"the result {last.target} is a plain number; there is nothing to backpropagate "
                              "through. Compute it from other values.", last.line, last.column)
    reached = {id(node) for node in topological_order(root)}
    order = [node for node in builder.created if id(node) in reached]
    names = node_names(root, order)
    for node in order:
        if node.parents and not node.label:
            node.label = names[id(node)]
    described = {id(node): _describe(node, names, values) for node in order}
    graph = Graph(text, dict(values), root, order, names, described)
    graph.notes = _unused(builder, order, last.target) + _non_finite_origins(graph)
    return graph


def _describe(node: Value, names: dict[int, str], values: dict[str, float]) -> str:
    if node.parents:
        return expression_of(node, names)
    return "input" if node.label in values else ("set in the expression" if node.label else "constant")


_POWER_TROUBLE = "a power that is undefined (0 to a negative power, a negative base to a fractional power) or too large"
_REASONS = {"/": "division by zero", "log": "the log of zero or of a negative number",
            "sqrt": "the square root of a negative number", "exp": "exp of a large number overflows",
            "**": _POWER_TROUBLE, "**k": _POWER_TROUBLE}


def _non_finite_origins(graph: Graph) -> list[str]:
    """A note for every node that turns finite inputs into inf or nan: where the trouble starts."""
    notes = []
    for node in graph.order:
        if node.parents and not math.isfinite(node.data) and all(math.isfinite(p.data) for p in node.parents):
            reason = _REASONS.get(node.op, "the result is too large for a float")
            name = graph.names[id(node)]
            notes.append(f"note: {name} = {graph.described[id(node)]} is {format_number(node.data)} ({reason}). "
                         f"Floats follow IEEE rules (1/0 = inf, 0/0 = nan) instead of stopping, so whatever is "
                         f"computed from {name}, and every gradient through it, can be inf or nan.")
    return notes


def _unused(builder: _Builder, order: list, result: str) -> list[str]:
    reached = {id(node) for node in order}
    notes = [f"note: {name}={format_number(value)} is not used by the expression."
             for name, value in builder.values.items() if id(builder.defined[name]) not in reached]
    notes += [f"note: {name} is computed but {result} does not use it, so backpropagation never reaches it."
              for name in builder.assigned_at if id(builder.defined[name]) not in reached]
    return notes


# ----------------------------------------------------------------------------- values on the command line
class ValuesError(ValueError):
    """A ``NAME=NUMBER`` argument that cannot be used."""


def parse_values(items: list[str]) -> dict[str, float]:
    """``["x=2", "w=-3"]`` -> ``{"x": 2.0, "w": -3.0}``, refusing bad names, non-numbers, inf/nan and repeats."""
    values: dict[str, float] = {}
    for item in items:
        name, equals, number = (part.strip() for part in item.partition("="))
        if not equals or not name or not number:
            raise ValuesError(f"{item!r} is not NAME=NUMBER (for example x=2, with no spaces around =).")
        if not name.isidentifier() or name.startswith("__"):
            raise ValuesError(f"{name!r} in {item!r} is not a valid name (letters, digits and _, not first a digit, "
                              "not starting with __).")
        if name in FUNCTIONS:
            raise ValuesError(f"{name} is a function name; give the value another name.")
        try:
            value = float(number)
        except ValueError:
            raise ValuesError(f"{number!r} in {item!r} is not a number.") from None
        if not math.isfinite(value):
            raise ValuesError(f"{item}: give a finite number (inf and nan arise by themselves, e.g. from 1/0).")
        if name in values:
            raise ValuesError(f"{name} is given twice; keep one of {name}={format_number(values[name])} and {item}.")
        values[name] = value
    return values


# ----------------------------------------------------------------------------- the session
COMMANDS = ("next", "back", "run", "show", "grads", "graph", "forward", "set", "expr", "help", "quit")
HELP_TEXT = f"""{HELP_LINE}
  next, n, Enter    take the next backward step (next 5: five steps)
  back, b           undo the last step (back 5: five); the steps before it are replayed from zero gradients
  run, r            take all remaining steps
  show NODE, s      one node: how it is computed, its value, its gradient so far and its step
  grads, g          every node's gradient so far, from the result back to the inputs
  graph [FILE]      draw the graph, the current node in amber (default {DEFAULT_PICTURE}; .png .pdf .dot too)
  forward, f        print the forward table again
  set NAME=NUMBER   change values (several at once are fine) and start over
  expr TEXT         step through a new expression, keeping the values given so far
  help, h           this list
  quit, q, Ctrl-D   leave
A gradient is complete once every node that uses it has taken its step."""


def _hint(line: str) -> str:
    """What a line that is no command probably meant: a value to set, an expression, or something else."""
    if "=" not in line:
        return "type help to see the commands."
    try:
        parse_values(line.split())
    except ValuesError:
        return f"to step through a new expression, type  expr {line}"
    return f"to change values, type  set {line}"


def _count(text: str) -> Optional[int]:
    """The COUNT of ``next COUNT`` / ``back COUNT``: 1 when absent, None when it is no positive whole number."""
    if not text:
        return 1
    return int(text) if text.isascii() and text.isdigit() and int(text) > 0 else None


def _table(rows: list[tuple[str, ...]], header: tuple[str, ...]) -> str:
    widths = [max(len(row[i]) for row in [header] + rows) for i in range(len(header))]
    lines = ["  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip()
             for row in [header] + rows]
    return "\n".join(lines)


def forward_table(graph: Graph) -> str:
    """Every node in the order it was computed: name, value, and how (``input``, ``constant``, ``x * w``)."""
    rows = [(graph.names[id(n)], format_number(n.data), graph.described[id(n)]) for n in graph.order]
    return "forward pass (4 significant digits):\n" + _table(rows, ("name", "value", "computed as"))


class Session:
    """One graph being stepped through: the commands of the ``(step)`` prompt, each a method."""

    def __init__(self, graph: Graph, write: Callable[[str], None] = print) -> None:
        self.write = write
        self.stepper: Optional[Iterator[Step]] = None
        self.steps: list[Step] = []
        self.load(graph)

    # -- state --------------------------------------------------------------------------------
    def load(self, graph: Graph) -> None:
        """Take a new graph; its gradients as they are now are the clean state that ``back`` replays from."""
        self.graph = graph
        self.clean = {id(node): node.grad for node in graph.order}
        self.total = step_total(graph.order)
        self.users: dict[int, list] = {id(node): [] for node in graph.order}
        for node in graph.order:
            for parent in {id(p): p for p in node.parents}.values():     # x * x uses x once
                self.users[id(parent)].append(node)
        self.restart()

    def restart(self) -> None:
        """Back to before the seed: clean gradients and a fresh pass of the engine."""
        if self.stepper is not None:
            self.stepper.close()     # the engine's pass must end before a new one starts on the same nodes
        for node in self.graph.order:
            node.grad = self.clean[id(node)]
        self.stepper = self.graph.root.backward_steps()
        self.steps = []

    def advance(self) -> Optional[Step]:
        step = next(self.stepper, None)
        if step is not None:
            self.steps.append(step)
        return step

    def waiting_for(self, node: Value) -> list:
        """The users of ``node`` whose step has not come yet: until then its gradient is incomplete."""
        done = {id(step.node) for step in self.steps[1:]}
        return [user for user in self.users[id(node)] if id(user) not in done]

    def status(self, node: Value) -> str:
        if not self.steps:
            return "not started"
        waiting = [self.graph.names[id(user)] for user in self.waiting_for(node)]
        if not waiting:
            return "complete"
        return f"waiting for the step{'s' if len(waiting) > 1 else ''} of {', '.join(waiting)}"

    # -- commands -----------------------------------------------------------------------------
    def start(self) -> None:
        self.write(forward_table(self.graph))
        for note in self.graph.notes:
            self.write(note)
        self.write(f"backward pass: {self.total} steps (the seed, then one per operation, from "
                   f"{self.graph.names[id(self.graph.root)]} back to the inputs).")

    def _times(self, command: str, count: str) -> Optional[int]:
        """The COUNT of ``next``/``back`` (1 when absent); None, after saying the usage, when it is no count."""
        times = _count(count)
        if times is None:
            self.write(f"usage: {command} [COUNT], e.g. {command} 3; {count!r} is not a positive whole number.")
        return times

    def next(self, count: str = "") -> None:
        times = self._times("next", count)
        if times is None:
            return
        for _ in range(times):
            step = self.advance()
            if step is None:
                self.write(f"already at the end ({self.total}/{self.total}): back undoes a step, grads shows "
                           "the result, quit leaves.")
                return
            self.write(str(step))

    def back(self, count: str = "") -> None:
        """Undo steps by replaying the ones before them from the clean gradients: exact, since nothing is subtracted."""
        times = self._times("back", count)
        if times is None:
            return
        if not self.steps:
            self.write("already at the start: no step taken yet.")
            return
        last = len(self.steps)
        keep = max(last - times, 0)
        self.restart()
        for _ in range(keep):
            self.advance()
        undone = f"step {last}/{self.total}" if keep == last - 1 else f"steps {keep + 1}-{last}/{self.total}"
        now = f"the current step is again:\n{self.steps[-1]}" if self.steps else \
            "back at the start: no step taken, no gradient yet."
        self.write(f"undid {undone}; {now}")

    def run(self, _: str = "") -> None:
        if len(self.steps) == self.total:
            self.next()
            return
        while (step := self.advance()) is not None:
            self.write(str(step))
        self.write("done: every gradient is complete (grads shows them all).")

    def show(self, name: str) -> None:
        if not name:
            current = self.steps[-1].node if self.steps else None
            if current is None:
                self.write("usage: show NODE, one of: " + self.graph.all_names())
                return
            name = self.graph.names[id(current)]
        node = self.graph.node(name)
        if node is None:
            self.write(f"no node named {name!r}; the nodes are: {self.graph.all_names()}")
            return
        how = self.graph.described[id(node)]
        self.write(f"{name} = {how} = {format_number(node.data)}" if node.parents
                   else f"{name} = {format_number(node.data)} ({how})")
        self.write(f"  grad {format_number(node.grad)} ({self.status(node)})")
        used_by = [self.graph.names[id(user)] for user in self.users[id(node)]]
        self.write("  used by " + (", ".join(used_by) if used_by else "nothing: it is the result"))
        if node.parents:
            taken = next((step for step in self.steps[1:] if step.node is node), None)
            self.write(f"  {taken}" if taken else "  its own step has not come yet.")

    def grads(self, _: str = "") -> None:
        rows = [(self.graph.names[id(n)], format_number(n.data), format_number(n.grad), self.status(n))
                for n in reversed(self.graph.order)]
        where = f"after step {len(self.steps)}/{self.total}" if self.steps else "before the first step"
        self.write(f"gradients {where}:\n" + _table(rows, ("name", "value", "grad", "status")))

    def picture(self, path: str) -> None:
        target = pathlib.Path(path or DEFAULT_PICTURE)
        if not target.suffix:
            target = target.with_suffix(".svg")
        current = (self.steps[-1].node,) if self.steps else ()
        if not target.parent.is_dir():
            self.write(f"could not draw the graph: the folder {target.parent} does not exist; create it first or "
                       f"give a FILE in an existing folder (graph {target.name} writes to the current one).")
            return
        try:
            draw_graph(self.graph.root, highlight=current, path=target)
        except DotNotInstalledError as error:
            self.write(f"could not draw the graph: {error}\n  here: graph {target.with_suffix('.dot')} saves "
                       "the source.")
            return
        except (OSError, ValueError, RuntimeError) as error:
            self.write(f"could not draw the graph: {error}")
            return
        marked = f"; amber: {self.graph.names[id(current[0])]}, the node of step {len(self.steps)}" if current else ""
        self.write(f"wrote {target}{marked}")

    def forward(self, _: str = "") -> None:
        self.write(forward_table(self.graph))

    def set_values(self, text: str) -> None:
        if not text:
            now = " ".join(f"{name}={format_number(v)}" for name, v in self.graph.values.items())
            self.write(f"usage: set NAME=NUMBER [NAME=NUMBER ...]; the values now: {now or 'none'}")
            return
        self.replace(self.graph.source, text)

    def expression(self, text: str) -> None:
        if not text:
            self.write(f"usage: expr TEXT, for example  expr o = tanh(x*w + b)   (now: {self.graph.source})")
            return
        self.replace(text, "")

    def replace(self, text: str, new_values: str) -> None:
        """Start over on another expression or other values; a refused one leaves the session as it was."""
        try:
            graph = build_graph(text, {**self.graph.values, **parse_values(new_values.split())})
        except ValuesError as error:
            self.write(f"not changed: {error}")
            return
        except ExpressionError as error:
            self.write(f"not changed:\n{error.where(text)}")
            return
        self.load(graph)
        self.start()

    def help(self, _: str = "") -> None:
        self.write(HELP_TEXT)

    def execute(self, line: str) -> bool:
        """Run one command line; False when it asks to leave."""
        word, _, rest = line.strip().partition(" ")
        word = word.lower()
        if word in ("quit", "q", "exit"):
            return False
        command = self.commands().get(word or "next")
        if command is None:
            self.write(f"unknown command {word!r}; {_hint(line.strip())}")
        else:
            command(rest.strip())
        return True

    def commands(self) -> dict[str, Callable[[str], None]]:
        table = {("next", "n"): self.next, ("back", "b"): self.back, ("run", "r"): self.run,
                 ("show", "s"): self.show, ("grads", "g"): self.grads, ("graph",): self.picture,
                 ("forward", "f"): self.forward, ("set",): self.set_values, ("expr",): self.expression,
                 ("help", "h", "?"): self.help}
        return {word: command for words, command in table.items() for word in words}

    def loop(self, read: Callable[[str], str] = input) -> int:
        """Read commands until ``quit`` or end of input (Ctrl-D); Ctrl-C only cancels the line being typed."""
        self.write(HELP_LINE)
        while True:
            try:
                line = read("(step) ")
            except EOFError:
                self.write("")
                return 0
            except KeyboardInterrupt:
                self.write("\n(to leave, type quit or press Ctrl-D)")
                continue
            if not self.execute(line):
                return 0


def _enable_line_editing(session: Session) -> None:
    """Arrow keys, history and tab completion of commands and node names, where ``readline`` exists."""
    try:
        import readline
    except ImportError:          # Windows without pyreadline: plain input() still works
        return

    def complete(text: str, state: int) -> Optional[str]:
        typing_the_command = " " not in readline.get_line_buffer().lstrip()
        words = COMMANDS if typing_the_command else sorted(set(session.graph.names.values()))
        matches = [word for word in words if word.startswith(text)]
        return matches[state] if state < len(matches) else None

    readline.set_completer(complete)
    readline.set_completer_delims(" \t")
    binding = "bind ^I rl_complete" if "libedit" in (readline.__doc__ or "") else "tab: complete"
    readline.parse_and_bind(binding)


# ----------------------------------------------------------------------------- the command line
def _arguments() -> argparse.ArgumentParser:
    demos = "\n".join(f"  {name:11} {text}\n  {'':11} {source}" for name, (text, source, _) in DEMOS.items())
    parser = argparse.ArgumentParser(
        prog="autograd-step", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Step through backpropagation of an expression, one node at a time.",
        epilog=f"examples:\n  autograd-step \"n = x*w + b; o = tanh(n)\" x=2 w=-3 b=6.8813735870195432\n"
               f"  autograd-step --demo xor\n  autograd-step --demo neuron x=1   (a demo with a value changed)\n\n"
               f"demos:\n{demos}\n\nthe grammar: {GRAMMAR}.\n{HELP_TEXT}")
    parser.add_argument("expression", nargs="?", help='assignments separated by ";", e.g. "o = tanh(x*w + b)"')
    parser.add_argument("values", nargs="*", metavar="NAME=NUMBER", help="values of the inputs, e.g. x=2 w=-3")
    parser.add_argument("--demo", choices=sorted(DEMOS), help="step through a built-in example")
    parser.add_argument("--run", action="store_true", help="print every step and the gradients, then exit")
    return parser


def _program(args: argparse.Namespace) -> tuple[str, dict[str, float]]:
    if args.demo:
        _, text, values = DEMOS[args.demo]
        given = ([args.expression] if args.expression else []) + args.values
        return text, {**values, **parse_values(given)}
    return args.expression, parse_values(args.values)


def main(argv: Optional[list[str]] = None) -> int:
    """The ``autograd-step`` console script; returns the exit status (2 for a refused expression or value)."""
    parser = _arguments()
    args = parser.parse_args(argv)
    if not args.expression and not args.demo:
        parser.print_usage(sys.stderr)
        print("autograd-step: give an expression and its values, or --demo with one of: " + " ".join(DEMOS)
              + ".\n  try: autograd-step --demo neuron      (autograd-step --help explains everything)",
              file=sys.stderr)
        return 2
    try:
        text, values = _program(args)
        graph = build_graph(text, values)
    except ValuesError as error:
        print(f"autograd-step: {error}", file=sys.stderr)
        return 2
    except ExpressionError as error:
        print(f"autograd-step: the expression was refused:\n{error.where(text)}", file=sys.stderr)
        return 2
    session = Session(graph)
    try:
        session.start()
        if args.run:
            session.run()
            session.grads()
            return 0
        _enable_line_editing(session)
        return session.loop()
    except BrokenPipeError:          # `autograd-step --demo xor --run | head`: the reader left, so stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
