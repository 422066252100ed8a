"""draw_graph: golden dot sources, colours, rendering, large graphs and a missing dot program.

Golden files live in tests/viz/golden/. After an intended change of the picture, regenerate them with
``UPDATE_GOLDEN=1 python -m pytest tests/viz/test_graph.py`` and look at the diff before committing.
"""
import os
import pathlib
import re
import struct
import subprocess
import sys
import textwrap
import time

import graphviz
import numpy as np
import pytest

from autograd_core import Tensor, Value, name_scope
from viz import draw_graph
from viz.graph import (CONSTANT_FILL, HIGHLIGHT_FILL, PARAMETER_FILL, ROOT_FILL, DotNotInstalledError,
                       GraphTooLargeError, module_parent)

GOLDEN = pathlib.Path(__file__).parent / "golden"
REPO = pathlib.Path(__file__).resolve().parents[2]


# ----------------------------------------------------------------------------- graphs used below
def neuron():
    """micrograd's neuron: o = tanh(x1*w1 + x2*w2 + b), with b chosen so that o = 1/sqrt(2)."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1 = x1 * w1
    x1w1.label = "x1*w1"
    x2w2 = x2 * w2
    x2w2.label = "x2*w2"
    total = x1w1 + x2w2
    total.label = "x1*w1 + x2*w2"
    n = total + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    o.backward()
    return o


def with_constants():
    """A graph with numbers typed into the expression and a constant exponent."""
    a = Value(3.0, label="a")
    c = (2 * a ** 3 - a / 4).relu()
    c.label = "c"
    c.backward()
    return c, a


def small_tensor_graph():
    X = Tensor(np.arange(6.0).reshape(3, 2) / 10, label="X")
    W = Tensor(np.array([[1.0, -2.0, 0.5], [0.25, 1.5, -1.0]]), requires_grad=True, label="W")
    b = Tensor(np.array([0.1, -0.1, 0.0]), requires_grad=True, label="b")
    loss = ((X @ W + b).tanh() ** 2).sum()
    loss.label = "loss"
    loss.backward()
    return loss


def scoped_graph(layers=2, width=3):
    """A small MLP written by hand inside name scopes, with parameters made outside any scope."""
    x = [Value(1.0, label="x0"), Value(-2.0, label="x1")]
    for li in range(layers):
        weights = [[Value(0.1 * (i + j + 1), label=f"w{j}") for j in range(len(x))] for i in range(width)]
        outputs = []
        with name_scope(f"layers.{li}"):
            for i, row in enumerate(weights):
                with name_scope(f"neurons.{i}"):
                    outputs.append(sum((w * xi for w, xi in zip(row, x)), Value(0.0)).tanh())
        x = outputs
    loss = sum(x) ** 2
    loss.label = "loss"
    loss.backward()
    return loss


def node_lines(source):
    """{node id: its attribute text} from a dot source."""
    return dict(re.findall(r"^\s*(\w+) \[(.*)\]$", source, flags=re.M))


def check_golden(name, source):
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(source, encoding="utf-8")
    assert path.exists(), f"missing golden file {path}; create it with UPDATE_GOLDEN=1"
    assert source == path.read_text(encoding="utf-8")


def png_size(path):
    data = pathlib.Path(path).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


# ----------------------------------------------------------------------------- golden sources
def test_neuron_graph_matches_golden_source():
    check_golden("neuron.dot", draw_graph(neuron()).source)


def test_constants_and_constant_exponent_match_golden_source():
    c, a = with_constants()
    check_golden("constants.dot", draw_graph(c, highlight=[a]).source)


def test_tensor_graph_matches_golden_source():
    check_golden("tensor.dot", draw_graph(small_tensor_graph()).source)


def test_collapsed_graph_matches_golden_source():
    check_golden("collapsed.dot", draw_graph(scoped_graph(), collapse="module", cluster=True).source)


def test_clustered_graph_matches_golden_source():
    check_golden("clustered.dot", draw_graph(scoped_graph(layers=1, width=2), cluster=True, rankdir="TB").source)


# ----------------------------------------------------------------------------- content
def test_same_graph_built_twice_gives_the_same_source():
    assert draw_graph(neuron()).source == draw_graph(neuron()).source


def test_one_record_per_value_and_one_node_per_op():
    source = draw_graph(neuron()).source
    nodes = node_lines(source)
    assert len([n for n in nodes if n.startswith("v")]) == 10
    assert sorted(re.findall(r'^\s*op\d+ \[label="?([^" ]+)"?', source, flags=re.M)) == ["*", "*", "+", "+", "tanh"]
    assert "{ o | data 0.7071 | grad 1.0000 }" in source
    assert "{ x1 | data 2.0000 | grad -1.5000 }" in source


def test_leaves_root_and_highlighted_nodes_get_their_colours():
    o = neuron()
    n = o.parents[0]
    nodes = node_lines(draw_graph(o, highlight=[n]).source)
    fills = {re.search(r"\{ ([^|]+?) \|", attrs).group(1): re.search(r'fillcolor="([^"]+)"', attrs).group(1)
             for attrs in nodes.values() if "record" in attrs}
    assert fills["x1"] == fills["w2"] == fills["b"] == PARAMETER_FILL
    assert fills["o"] == ROOT_FILL
    assert fills["n"] == HIGHLIGHT_FILL


def test_highlight_by_label_matches_the_node_with_that_label():
    source = draw_graph(neuron(), highlight=["x1*w1"]).source
    line = next(line for line in source.splitlines() if "x1*w1 |" in line)
    assert HIGHLIGHT_FILL in line


def test_highlight_matches_by_identity_not_by_equal_data():
    """Value's == compares numbers: w2 (1.0) must not light up when another 1.0 is highlighted."""
    twin = Value(1.0, label="twin")
    source = draw_graph(neuron(), highlight=[twin]).source
    assert HIGHLIGHT_FILL not in source


def test_unlabelled_constants_show_their_number_only():
    c, _ = with_constants()
    source = draw_graph(c).source
    assert re.search(rf'label=2\.0000 .*fillcolor="{CONSTANT_FILL}"', source)
    assert re.search(rf'label=4\.0000 .*fillcolor="{CONSTANT_FILL}"', source)


def test_constant_exponent_is_shown_with_its_value():
    c, _ = with_constants()
    assert 'label="**3"' in draw_graph(c).source


def test_show_grad_false_leaves_gradients_out():
    source = draw_graph(neuron(), show_grad=False).source
    assert "grad" not in source
    assert "{ o | data 0.7071 }" in source


def test_top_to_bottom_records_lay_fields_across():
    source = draw_graph(neuron(), rankdir="TB").source
    assert 'label="o | data 0.7071 | grad 1.0000"' in source


def test_tensor_records_show_shape_dtype_and_numbers_or_summary():
    source = draw_graph(small_tensor_graph()).source
    assert "W (2, 3) float64" in source
    assert r"[1.0000, -2.0000, 0.5000]\l" in source          # small: the numbers
    assert r"X (3, 2) float64 | data\l[0.0000, 0.1000]\l" in source   # six numbers are still shown in full
    assert "grad None" in source                              # intermediate tensors keep no gradient


def test_large_tensor_gets_a_summary_instead_of_numbers():
    t = Tensor(np.arange(12.0).reshape(3, 4), requires_grad=True, label="big")
    loss = t.sum()
    loss.backward()
    source = draw_graph(loss).source
    assert r"mean 5.5000  std 3.4521\lmin 0.0000  max 11.0000\l" in source


def test_record_special_characters_are_escaped_and_render(tmp_path):
    a = Value(1.0, label="{weird|<label>}")
    b = a * 2
    source = draw_graph(b).source
    assert r"\{weird\|\<label\>\}" in source
    draw_graph(b, path=tmp_path / "weird.svg")
    assert "weird" in (tmp_path / "weird.svg").read_text()


# ----------------------------------------------------------------------------- rendering
def test_renders_svg_by_extension(tmp_path):
    draw_graph(neuron(), path=tmp_path / "neuron.svg")
    text = (tmp_path / "neuron.svg").read_text()
    assert "<svg" in text and "tanh" in text


def test_renders_png_by_extension(tmp_path):
    draw_graph(neuron(), path=tmp_path / "neuron.png")
    width, height = png_size(tmp_path / "neuron.png")
    assert width > 1000 and 100 < height < width


def test_renders_pdf_by_extension(tmp_path):
    draw_graph(neuron(), path=str(tmp_path / "neuron.pdf"))
    assert (tmp_path / "neuron.pdf").read_bytes()[:5] == b"%PDF-"


def test_dot_extension_saves_the_source(tmp_path):
    drawing = draw_graph(neuron(), path=tmp_path / "neuron.dot")
    assert (tmp_path / "neuron.dot").read_text() == drawing.source


def test_path_without_extension_takes_format(tmp_path):
    drawing = draw_graph(neuron(), path=tmp_path / "neuron", format="png")
    png_size(tmp_path / "neuron.png")
    assert drawing.format == "png"


def test_unknown_extension_is_refused_with_the_known_ones(tmp_path):
    with pytest.raises(ValueError, match=r"'jpeg'.*svg, png, pdf, dot"):
        draw_graph(neuron(), path=tmp_path / "neuron.jpeg")


def test_extension_and_format_that_disagree_are_refused(tmp_path):
    with pytest.raises(ValueError, match="give one of the two"):
        draw_graph(neuron(), path=tmp_path / "neuron.svg", format="png")


def test_bad_rankdir_and_collapse_are_refused():
    with pytest.raises(ValueError, match="rankdir"):
        draw_graph(neuron(), rankdir="sideways")
    with pytest.raises(ValueError, match="collapse"):
        draw_graph(neuron(), collapse="layers")


def test_something_other_than_a_node_is_refused_with_the_fix():
    for wrong in (3.0, [neuron()], None):
        with pytest.raises(TypeError, match=r"one Value or Tensor; got \w+\. fix: pass the result"):
            draw_graph(wrong)


def test_highlight_accepts_any_iterable_of_nodes_and_labels():
    o = neuron()
    n = o.parents[0]
    source = draw_graph(o, highlight=(h for h in [n, "x1"])).source
    highlighted = [line for line in source.splitlines() if HIGHLIGHT_FILL in line]
    assert len(highlighted) == 2 and any("{ n |" in line for line in highlighted)
    assert draw_graph(o, highlight=n).source == draw_graph(o, highlight=[n]).source


def test_result_is_a_graphviz_digraph():
    assert isinstance(draw_graph(neuron()), graphviz.Digraph)


# ----------------------------------------------------------------------------- large graphs
def test_too_many_nodes_raise_an_error_naming_the_count_and_the_fix():
    loss = scoped_graph()
    count = len(__import__("autograd_core").topological_order(loss))
    with pytest.raises(GraphTooLargeError, match=rf"(?s){count} nodes, more than max_nodes=20.*collapse='module'"):
        draw_graph(loss, max_nodes=20)


def test_collapse_draws_one_node_per_module_and_edges_between_them():
    source = draw_graph(scoped_graph(), collapse="module").source
    titles = re.findall(r"<b>([^<]+)</b>", source)
    assert titles == ["inputs", "layers.0.neurons.0", "layers.0.neurons.1", "layers.0.neurons.2",
                      "layers.1.neurons.0", "layers.1.neurons.1", "layers.1.neurons.2", "top level"]
    edges = re.findall(r"^\s*(m\d+) -> (m\d+)$", source, flags=re.M)
    assert len(edges) == 3 + 9 + 3                 # inputs->layer0, layer0->layer1 (all pairs), layer1->top


def test_collapsed_module_counts_its_values_parameters_and_ops():
    source = draw_graph(scoped_graph(), collapse="module").source
    # one neuron of layer 0: 2 weights, a 0.0 start, 2 products, 2 sums, a tanh
    assert "<b>layers.0.neurons.0</b></td><td>8 values, 2 parameters</td><td>2 *, 2 +, tanh</td>" in source


def test_collapse_to_a_depth_merges_deeper_scopes():
    source = draw_graph(scoped_graph(), collapse=2).source
    assert re.findall(r"<b>([^<]+)</b>", source) == ["inputs", "layers.0", "layers.1", "top level"]


def test_collapsed_modules_beyond_max_nodes_suggest_a_depth():
    with pytest.raises(GraphTooLargeError, match=r"(?s)8 modules.*collapse=<depth>"):
        draw_graph(scoped_graph(), collapse="module", max_nodes=5)


def test_clusters_box_each_scope_inside_its_parent_module():
    source = draw_graph(scoped_graph(), cluster=True).source
    assert re.findall(r"label=\"?([\w.]+)\"? (?=.*style=\"rounded,dashed\")", source) == [
        "layers.0", "neurons.0", "neurons.1", "neurons.2", "layers.1", "neurons.0", "neurons.1", "neurons.2"]


def test_module_parent_drops_list_indices_with_their_list():
    assert module_parent("layers.0.neurons.3") == "layers.0"
    assert module_parent("layers.0") == ""
    assert module_parent("mlp.layer1") == "mlp"
    assert module_parent("encoder") == ""


def test_collapsed_scalar_mlp_loss_renders(tmp_path):
    import nn

    nn.manual_seed(0)
    model = nn.MLP(2, [16, 16, 1])
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(50, 2)), rng.choice([-1.0, 1.0], size=50)
    loss = sum(((model(list(x)) - t) ** 2 for x, t in zip(X, y)), Value(0.0))
    loss.backward()
    with pytest.raises(GraphTooLargeError):
        draw_graph(loss)
    started = time.perf_counter()
    drawing = draw_graph(loss, collapse="module", cluster=True, path=tmp_path / "mlp.svg")
    assert time.perf_counter() - started < 60     # a generous bound: it takes well under a second
    assert len(re.findall(r"<b>neurons\.\d+</b>", drawing.source)) == 33
    # the samples, which the first Layer wraps into Values in its own scope, are one "inputs" node, not a module
    assert re.findall(r"<b>inputs</b></td><td>(\d+) values", drawing.source) == ["100"]
    assert "<b>layers.0</b>" not in drawing.source
    assert "<svg" in (tmp_path / "mlp.svg").read_text()


# ----------------------------------------------------------------------------- without Graphviz's dot
MISSING_DOT_SCRIPT = textwrap.dedent("""
    import sys
    sys.path.insert(0, {repo!r})
    from autograd_core import Value
    from viz import draw_graph
    from viz.graph import DotNotInstalledError
    x = Value(2.0, label="x")
    y = (x * x).tanh()
    drawing = draw_graph(y, path={dot_path!r})          # building and saving the source need no dot
    assert "tanh" in drawing.source
    for attempt in (lambda: draw_graph(y, path={svg_path!r}), lambda: drawing.render("out", format="png"),
                    lambda: drawing._repr_image_svg_xml()):
        try:
            attempt()
        except DotNotInstalledError as error:
            print("ERROR:", error)
        else:
            raise SystemExit("rendering without dot did not fail")
""")


def test_without_dot_building_and_saving_work_and_rendering_says_how_to_install(tmp_path):
    empty_bin = tmp_path / "bin"
    empty_bin.mkdir()
    script = MISSING_DOT_SCRIPT.format(repo=str(REPO), dot_path=str(tmp_path / "g.dot"),
                                       svg_path=str(tmp_path / "g.svg"))
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True,
                            env={"PATH": str(empty_bin), "HOME": str(tmp_path)}, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("sudo apt-get install graphviz") == 3
    assert "tanh" in (tmp_path / "g.dot").read_text()
    assert not (tmp_path / "g.svg").exists()


def test_missing_dot_error_is_still_an_executable_not_found():
    assert issubclass(DotNotInstalledError, graphviz.ExecutableNotFound)
    assert "brew install graphviz" in str(DotNotInstalledError())
