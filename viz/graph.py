"""draw_graph: a computation graph as a graphviz picture, one record per value and one small node per op.

The dot source is a pure function of the graph: node ids come from the topological index (never from
``id()``) and everything is emitted in an order fixed by the graph, so the same graph always gives the
same text (the tests keep golden copies). Large graphs are drawn per name scope (``collapse="module"``) or inside
scope clusters (``cluster=True``), and anything above ``max_nodes`` is refused before ``dot`` could hang.
"""
from __future__ import annotations

import collections
import html
import math
import pathlib
import re
from typing import Any, Iterable, Optional, Union

import graphviz
import numpy as np

from autograd_core import Tensor, topological_order
from autograd_core.engine import Node

# Colours: a light fill per role, so the numbers stay readable in print and on slides.
PARAMETER_FILL = "#cfe2ff"   # leaves that require grad: inputs and parameters (blue)
ROOT_FILL = "#c8ecc0"        # the node the picture was drawn from, usually the loss (green)
HIGHLIGHT_FILL = "#ffd54f"   # nodes the caller points at, e.g. the current backward step (amber)
CONSTANT_FILL = "#f0f0f0"    # leaves that need no gradient: numbers typed into an expression, data
OP_FILL = "#ffffff"
EDGE_COLOUR = "#555555"
FONT = "Helvetica"

RENDER_FORMATS = ("svg", "png", "pdf")
SOURCE_SUFFIXES = ("dot", "gv")
SMALL_TENSOR = 6             # tensors with at most this many numbers are shown in full
OPS_SHOWN_PER_MODULE = 4     # a collapsed module lists its most frequent ops, this many at most

PathLike = Union[str, pathlib.Path]


# ----------------------------------------------------------------------------- errors and rendering
class GraphTooLargeError(ValueError):
    """The graph has more nodes than ``max_nodes``: dot would take minutes and draw an unreadable picture."""


class DotNotInstalledError(graphviz.ExecutableNotFound):
    """Graphviz's ``dot`` program is missing: the picture can be built and saved as ``.dot``, not rendered."""

    def __init__(self) -> None:
        RuntimeError.__init__(
            self,
            "rendering needs Graphviz's `dot` program, which is not on PATH.\n"
            "  fix: install it: Debian/Ubuntu `sudo apt-get install graphviz`, Fedora `sudo dnf install graphviz`, "
            "macOS `brew install graphviz`, Windows `winget install graphviz`, conda `conda install graphviz`.\n"
            "  without it you can still read `.source` or save the source with path='graph.dot'.")


class Drawing(graphviz.Digraph):
    """A ``graphviz.Digraph`` whose rendering explains how to install ``dot`` when it is missing.

    Everything that draws (``render``, ``view``, ``pipe``, and Jupyter's inline display, which pipes)
    goes through ``render`` or ``pipe``, so these two are the only places that need the translation.
    """

    def pipe(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().pipe(*args, **kwargs)
        except graphviz.ExecutableNotFound:
            raise DotNotInstalledError() from None   # the chained "file not found" traceback would only bury the fix

    def render(self, *args: Any, **kwargs: Any) -> str:
        try:
            return super().render(*args, **kwargs)
        except graphviz.ExecutableNotFound:
            raise DotNotInstalledError() from None


def _check_format(format: str, where: str) -> str:
    fmt = format.lower().lstrip(".")
    if fmt not in RENDER_FORMATS + SOURCE_SUFFIXES:
        raise ValueError(f"{where}: unknown picture format {format!r}; use one of "
                         f"{', '.join(RENDER_FORMATS + SOURCE_SUFFIXES)}.")
    return fmt


def finish(drawing: Drawing, path: Optional[PathLike], format: Optional[str]) -> Drawing:
    """Set the drawing's default format and, when ``path`` is given, write it there (shared with draw_network).

    The format comes from the path's extension (``.svg .png .pdf``; ``.dot``/``.gv`` write the source only
    and need no Graphviz install); ``format`` is used when the path has no extension.
    """
    if format is not None:
        drawing.format = _check_format(format, "format")
    if path is None:
        return drawing
    target = pathlib.Path(path)
    suffix = target.suffix.lstrip(".")
    fmt = _check_format(suffix, f"path {str(target)!r}") if suffix else (drawing.format if format else "svg")
    if format is not None and suffix and fmt != drawing.format:
        raise ValueError(f"path {str(target)!r} says {fmt!r} but format={format!r}; give one of the two.")
    if not suffix:
        target = target.with_suffix(f".{fmt}")
    if fmt in SOURCE_SUFFIXES:
        target.write_text(drawing.source, encoding="utf-8")
    else:
        target.write_bytes(drawing.pipe(format=fmt))
    return drawing


# ----------------------------------------------------------------------------- text of a node
def format_number(x: float) -> str:
    """Four decimals as in the lecture notes; scientific notation when that would hide the number."""
    if not math.isfinite(x):
        return str(x)
    if x == 0 or 1e-3 <= abs(x) < 1e5:
        return f"{x:.4f}"
    return f"{x:.3e}"


def _array_lines(a: Any) -> list[str]:
    """A small array in full (one line per row), a larger one as its mean, std, min and max."""
    a = np.asarray(a)
    if a.size <= SMALL_TENSOR:
        if a.ndim == 0:
            return [format_number(float(a))]
        rows = a.reshape(-1, a.shape[-1]) if a.ndim > 1 else a.reshape(1, -1)
        return ["[" + ", ".join(format_number(float(x)) for x in row) + "]" for row in rows]
    if not np.issubdtype(a.dtype, np.number):
        return [f"{a.size} values"]
    return [f"mean {format_number(float(a.mean()))}  std {format_number(float(a.std()))}",
            f"min {format_number(float(a.min()))}  max {format_number(float(a.max()))}"]


_RECORD_SPECIAL = re.compile(r"([{}|<>\\])")


def _escape(text: str) -> str:
    """Protect characters that mean something inside a graphviz record label."""
    return _RECORD_SPECIAL.sub(r"\\\1", text)


def _field(name: str, lines: list[str]) -> str:
    """One record field, ``name value`` on one line, or the name over left-aligned lines (``\\l`` ends one)."""
    if len(lines) == 1:
        return _escape(f"{name} {lines[0]}")
    return "".join(_escape(line) + r"\l" for line in [name, *lines])


def is_tensor(node: Any) -> bool:
    """Whether ``node`` is a Tensor (which has a shape) rather than a Value: they are drawn differently."""
    return isinstance(node, Tensor)


def needs_grad(node: Any) -> bool:
    """Whether a leaf is an input or parameter (drawn blue) rather than a constant (drawn grey).

    A ``Tensor`` says so itself (``requires_grad``). Every ``Value`` tracks gradients, so the picture uses
    the only visible difference: numbers typed into an expression (``2 * x``) become unlabelled leaves,
    while inputs and parameters carry a label.
    """
    if is_tensor(node):
        return bool(getattr(node, "requires_grad", False))
    return bool(node.label)


def _value_fields(node: Any, show_grad: bool) -> list[str]:
    """The record fields of one value: ``label | data | grad`` (tensors add shape and dtype to the label)."""
    if is_tensor(node):
        title = " ".join(part for part in (node.label, str(tuple(node.shape)), str(node.dtype)) if part)
        fields = [_escape(title), _field("data", _array_lines(node.data))]
        if show_grad:
            fields.append(_field("grad", ["None"] if node.grad is None else _array_lines(node.grad)))
        return fields
    fields = [_escape(node.label)] if node.label else []
    fields.append(f"data {format_number(node.data)}")
    if show_grad:
        fields.append(f"grad {format_number(node.grad)}")
    return fields


def op_text(node: Any) -> str:
    """The op's name; a constant exponent shows its value (``**3``) instead of the generic ``**k``."""
    k = node.constant
    if node.op == "**k" and k is not None:
        return f"**{int(k) if float(k).is_integer() else k:g}"
    return node.op


def _record_label(fields: list[str], rankdir: str) -> str:
    """Fields side by side in the reading direction: braces flip a record's layout in LR/RL graphs."""
    joined = " | ".join(fields)
    return f"{{ {joined} }}" if rankdir in ("LR", "RL") else joined


# ----------------------------------------------------------------------------- scopes and modules
INPUTS = "\0inputs"   # the group of shared inputs; "\0" cannot appear in a scope name


def home_scopes(order: list) -> dict[int, str]:
    """The scope each node is drawn in: its own, except for unscoped leaves, which join their user.

    Parameters are often made outside the module's scope (in ``__init__``) and constants are made
    where they are used, so a leaf without a scope that feeds a single scope belongs there. Leaves that
    feed several scopes, and data tensors (no ``requires_grad``, not a 0-d constant), are the graph's inputs
    (``INPUTS``). So is data that a module wrapped itself (the scalar ``Layer`` turns a sample's numbers into
    Values inside its own scope) when it feeds several scopes: it is no part of that module's work.
    """
    users: dict[int, set[str]] = collections.defaultdict(set)
    for node in order:
        for parent in node.parents:
            users[id(parent)].add(node.scope)
    homes = {}
    for node in order:
        scope = node.scope
        feeds = users[id(node)]
        shared_data = not needs_grad(node) and len(feeds) > 1
        if not node.parents and (not scope or shared_data):
            is_data = is_tensor(node) and not needs_grad(node) and len(node.shape) > 0   # not a scalar constant
            scope = next(iter(feeds)) if len(feeds) == 1 and not is_data else (INPUTS if feeds else "")
        homes[id(node)] = scope
    return homes


def _natural_key(scope: str) -> list:
    """Sort ``layer2`` before ``layer10``: digits compare as numbers."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", scope)]


def module_parent(scope: str) -> str:
    """The scope of the module that holds this one: ``layers.0.neurons.3`` -> ``layers.0``, ``mlp.layer1`` -> ``mlp``.

    ``nn`` names an item of a list of modules ``attr.i``; the list itself is no module, so a numeric
    last part is dropped together with the list's name.
    """
    parts = scope.split(".")
    if parts.pop().isdigit() and parts:
        parts.pop()
    return ".".join(parts)


def _with_ancestors(scopes: Iterable[str]) -> set[str]:
    found: set[str] = set()
    for scope in scopes:
        while scope and scope != INPUTS and scope not in found:
            found.add(scope)
            scope = module_parent(scope)
    return found


# ----------------------------------------------------------------------------- the picture, before dot
class _Picture:
    """Nodes and edges with the scope each node belongs to; emitted flat or inside nested clusters.

    ``clusters`` is the set of scopes that get a box (empty: no boxes); a node goes in the innermost
    box among its scope and that scope's module ancestors. ``rows`` are sibling nodes to keep side by
    side in this order (dot would otherwise rotate the sixteen neurons of a layer to start anywhere).
    """

    def __init__(self) -> None:
        self.nodes: list[tuple[str, dict, str]] = []   # (id, attributes, scope)
        self.edges: list[tuple[str, str]] = []
        self.rows: list[tuple[str, list[str]]] = []     # (scope of the row, ids in order)
        self.clusters: set[str] = set()

    def node(self, name: str, scope: str, **attrs: str) -> None:
        self.nodes.append((name, attrs, scope))

    def box_of(self, scope: str) -> str:
        """The innermost cluster that holds ``scope`` ("" is the page itself)."""
        while scope and scope not in self.clusters:
            scope = module_parent(scope)
        return scope

    def emit(self, drawing: graphviz.Digraph) -> None:
        members: dict[str, list] = collections.defaultdict(list)
        for name, attrs, scope in self.nodes:
            members[self.box_of(scope)].append((name, attrs))
        rows: dict[str, list] = collections.defaultdict(list)
        for scope, names in self.rows:
            rows[self.box_of(scope)].append(names)
        inner: dict[str, list[str]] = collections.defaultdict(list)
        for scope in sorted(self.clusters, key=_natural_key):
            inner[self.box_of(module_parent(scope))].append(scope)

        def fill(graph: graphviz.Digraph, box: str) -> None:
            for name, attrs in members[box]:
                graph.node(name, **attrs)
            for names in rows[box]:
                with graph.subgraph() as row:
                    row.attr(rank="same")
                    for upper, lower in zip(names, names[1:]):
                        row.edge(upper, lower, style="invis")
            for scope in inner[box]:
                with graph.subgraph(name=f"cluster_{scope}") as sub:
                    sub.attr(label=scope[len(box) + 1:] if box else scope, style="rounded,dashed",
                             color="#888888", fontname=FONT, fontcolor="#444444", labeljust="l")
                    fill(sub, scope)

        fill(drawing, "")
        for tail, head in self.edges:
            drawing.edge(tail, head)


def _fill(role: str) -> dict:
    colours = {"highlight": HIGHLIGHT_FILL, "root": ROOT_FILL, "parameter": PARAMETER_FILL,
               "constant": CONSTANT_FILL, "intermediate": OP_FILL}
    attrs = {"style": "filled", "fillcolor": colours[role]}
    if role == "highlight":
        attrs["penwidth"] = "2.5"
    return attrs


def _role(node: Any, root: Any, highlighted: set[int], labels: set[str]) -> str:
    if id(node) in highlighted or (node.label and node.label in labels):
        return "highlight"
    if node is root:
        return "root"
    if node.parents:
        return "intermediate"
    return "parameter" if needs_grad(node) else "constant"


def _full_picture(order: list, root: Any, show_grad: bool, rankdir: str, highlighted: set[int],
                  labels: set[str], cluster: bool) -> _Picture:
    """Every value as a record (constants as a plain number) and every op as a small ellipse."""
    picture = _Picture()
    index = {id(node): i for i, node in enumerate(order)}
    homes = home_scopes(order)
    if cluster:
        picture.clusters = _with_ancestors(homes.values())
    for i in reversed(range(len(order))):   # root first: dot then stacks the inputs in the order they are used
        node = order[i]
        scope = homes[id(node)]
        role = _role(node, root, highlighted, labels)
        if role == "constant" and not is_tensor(node):
            picture.node(f"v{i}", scope, label=format_number(node.data), shape="box",
                         style="rounded,filled,dashed", fillcolor=CONSTANT_FILL, color="#888888")
        else:
            picture.node(f"v{i}", scope, label=_record_label(_value_fields(node, show_grad), rankdir),
                         shape="record", **_fill(role))
        if node.parents:
            picture.node(f"op{i}", scope, label=_escape(op_text(node)), shape="ellipse",
                         style="filled", fillcolor="#eeeeee", fontsize="12", height="0.3", width="0.3",
                         margin="0.04")
            picture.edges.append((f"op{i}", f"v{i}"))
            picture.edges.extend((f"v{index[id(parent)]}", f"op{i}") for parent in node.parents)
    return picture


# ----------------------------------------------------------------------------- collapsed by module
def _group_key(scope: str, depth: Optional[int]) -> str:
    """The module a node is drawn in: its home scope cut to ``depth`` dotted parts ("" is the top level)."""
    if scope and depth is not None and scope != INPUTS:
        return ".".join(scope.split(".")[:depth])
    return scope


def _group_title(key: str) -> str:
    return {"": "top level", INPUTS: "inputs"}.get(key, key)


def _group_label(members: list, title: str) -> str:
    """A module's name in bold, its size, its parameter count and its most common ops (an HTML-like label).

    HTML rather than a record: records cannot stand side by side in a row of siblings (see ``_Picture``).
    """
    cells = [f"<b>{html.escape(title)}</b>"]
    parameters = sum(1 for m in members if not m.parents and needs_grad(m))
    counts = f"{len(members)} value{'s' * (len(members) != 1)}"
    if parameters:
        counts += f", {parameters} parameter{'s' * (parameters != 1)}"
    cells.append(counts)
    ops = collections.Counter(op_text(m) for m in members if m.parents)
    if ops:
        text = ", ".join(f"{n} {name}" if n > 1 else name for name, n in ops.most_common(OPS_SHOWN_PER_MODULE))
        cells.append(html.escape(text + (", …" if len(ops) > OPS_SHOWN_PER_MODULE else "")))
    row = "".join(f"<td>{cell}</td>" for cell in cells)
    return f'<<table border="0" cellborder="0" cellspacing="0" cellpadding="3" columns="*"><tr>{row}</tr></table>>'


def _group_order(order: list, depth: Optional[int]) -> tuple[dict[str, list], dict[int, str]]:
    """Members of each module, modules in natural order of their names (inputs first, top level last)."""
    homes = home_scopes(order)
    members: dict[str, list] = collections.defaultdict(list)
    group_of: dict[int, str] = {}
    for node in order:
        key = _group_key(homes[id(node)], depth)
        members[key].append(node)
        group_of[id(node)] = key
    ordered = sorted(members, key=lambda k: (k != INPUTS, k == "", _natural_key(k)))
    return {key: members[key] for key in ordered}, group_of


def _collapsed_picture(order: list, groups: dict[str, list], group_of: dict[int, str], root: Any, rankdir: str,
                       highlighted: set[int], labels: set[str], cluster: bool) -> _Picture:
    """One node per module (scope) with its size and most common ops; one edge per pair of linked modules."""
    name_of = {key: f"m{i}" for i, key in enumerate(groups)}
    picture = _Picture()
    if cluster:
        picture.clusters = _with_ancestors(module_parent(key) for key in groups)
    for key, members in groups.items():
        roles = {_role(m, root, highlighted, labels) for m in members}
        role = next((r for r in ("highlight", "root") if r in roles), "parameter" if key == INPUTS else "intermediate")
        box = picture.box_of(key)
        title = key[len(box) + 1:] if box and box != key else _group_title(key)
        attrs = _fill(role)
        attrs["style"] = "rounded,filled"
        picture.node(name_of[key], key, label=_group_label(members, title), shape="box", margin="0.05", **attrs)
    links: dict[tuple[str, str], None] = {}   # an ordered set
    for node in order:
        head = group_of[id(node)]
        for parent in node.parents:
            tail = group_of[id(parent)]
            if tail != head:
                links[tail, head] = None
    picture.edges.extend((name_of[tail], name_of[head]) for tail, head in links)
    # Inside clusters, dot (2.43) lays a left-to-right graph's rows out backwards, so the chain is reversed there.
    backwards = cluster and rankdir in ("LR", "RL")
    for parent, siblings in _parallel_siblings(groups, links).items():
        names = [name_of[key] for key in siblings]
        picture.rows.append((parent, names[::-1] if backwards else names))
    return picture


def _parallel_siblings(groups: dict[str, list], links: dict[tuple[str, str], None]) -> dict[str, list[str]]:
    """Modules of one parent with no edge among them (the neurons of a layer), which stand side by side."""
    siblings: dict[str, list[str]] = collections.defaultdict(list)
    for key in groups:
        if key and key != INPUTS:
            siblings[module_parent(key)].append(key)
    connected = {module_parent(tail) for tail, head in links if module_parent(tail) == module_parent(head)}
    return {parent: keys for parent, keys in siblings.items() if len(keys) > 1 and parent not in connected}


# ----------------------------------------------------------------------------- the public function
def _collapse_depth(collapse: Union[None, str, int]) -> tuple[bool, Optional[int]]:
    if collapse is None:
        return False, None
    if collapse == "module":
        return True, None
    if isinstance(collapse, int) and not isinstance(collapse, bool) and collapse >= 1:
        return True, collapse
    raise ValueError(f"collapse={collapse!r}: use None (every value), 'module' (one node per name scope) "
                     "or a positive int (one node per scope cut to that many dotted parts, e.g. 2 for 'layers.0').")


def _too_large(count: int, max_nodes: int, collapsed: bool) -> GraphTooLargeError:
    if collapsed:
        fix = ("collapse to fewer modules with collapse=<depth> (e.g. collapse=2 keeps 'layers.0' and drops "
               "'.neurons.3')")
    else:
        fix = ("draw one node per module with draw_graph(root, collapse='module') (nn modules name their scopes; "
               "wrap your own code in autograd_core.name_scope('...')), or cut the graph smaller")
    return GraphTooLargeError(
        f"the graph has {count} {'modules' if collapsed else 'nodes'}, more than max_nodes={max_nodes}: dot would "
        f"take very long and the picture would be unreadable.\n  fix: {fix}; or raise max_nodes if you really "
        "want every node.")


def _highlight_sets(highlight: Iterable[Any]) -> tuple[set[int], set[str]]:
    """Nodes are matched by identity (Value's == compares numbers), strings by label."""
    highlight = (highlight,) if isinstance(highlight, (str, Node)) else tuple(highlight)   # a generator is read twice
    nodes = {id(h) for h in highlight if not isinstance(h, str)}
    labels = {h for h in highlight if isinstance(h, str)}
    return nodes, labels


def draw_graph(root: Any, rankdir: str = "LR", show_grad: bool = True, highlight: Iterable[Any] = (),
               path: Optional[PathLike] = None, format: Optional[str] = None, max_nodes: int = 2000,
               collapse: Union[None, str, int] = None, cluster: bool = False) -> Drawing:
    """Draw the graph that computed ``root`` (a ``Value`` or ``Tensor``) and return a ``graphviz.Digraph``.

    Each value is a record ``label | data | grad`` (a tensor shows its shape and dtype, its numbers when it
    has at most six, else mean/std/min/max); each op is a small ellipse between its inputs and its output.
    Leaves that require grad are blue, constants grey and dashed, ``root`` green, and every node in
    ``highlight`` (nodes, or labels as strings) amber.

    ``collapse="module"`` draws one node per name scope (``collapse=2`` cuts scopes to two dotted parts);
    ``cluster=True`` groups nodes in boxes per scope. A graph larger than ``max_nodes`` raises
    ``GraphTooLargeError`` naming these options. ``path="loss.svg"`` renders by extension (svg, png, pdf;
    ``.dot`` saves the source and needs no Graphviz install); ``format`` sets the default for ``.render()``.
    """
    if not isinstance(root, Node):
        raise TypeError(f"draw_graph draws the graph behind one Value or Tensor; got {type(root).__name__}. fix: pass "
                        "the result of a computation, e.g. draw_graph(loss) (for a list of outputs, draw each one "
                        "or their sum).")
    if rankdir not in ("LR", "RL", "TB", "BT"):
        raise ValueError(f"rankdir={rankdir!r}: use 'LR' (left to right), 'TB' (top to bottom), 'RL' or 'BT'.")
    collapsed, depth = _collapse_depth(collapse)
    order = topological_order(root)
    highlighted, labels = _highlight_sets(highlight)
    drawing = Drawing(name="graph")
    drawing.attr(rankdir=rankdir, fontname=FONT)
    drawing.attr("node", fontname=FONT, fontsize="11")
    if collapsed:
        groups, group_of = _group_order(order, depth)
        if len(groups) > max_nodes:
            raise _too_large(len(groups), max_nodes, collapsed)
        picture = _collapsed_picture(order, groups, group_of, root, rankdir, highlighted, labels, cluster)
        # many parallel edges between modules: thin and translucent, so they read as a bundle, with room to fan out
        drawing.attr("edge", color="#55555577", arrowsize="0.35")
        drawing.attr(ranksep="1.2")
    else:
        if len(order) > max_nodes:
            raise _too_large(len(order), max_nodes, collapsed)
        picture = _full_picture(order, root, show_grad, rankdir, highlighted, labels, cluster)
        drawing.attr("edge", color=EDGE_COLOUR, arrowsize="0.7")
    if picture.rows:   # keep rows in the order given; crossing minimisation would rotate them
        drawing.attr(remincross="false")
    picture.emit(drawing)
    return finish(drawing, path, format)
