"""draw_network: columns of neurons, edges coloured by sign and sized by magnitude, for MLP and Sequential."""
import re
import struct

import numpy as np
import pytest

import nn
from viz import draw_network
from viz.network import NEGATIVE, POSITIVE, shown_rows


def tiny_mlp():
    """MLP(2, [2, 1]) with hand-set weights, so every edge's colour and width can be predicted."""
    model = nn.MLP(2, [2, 1], activation="tanh")
    weights = [[[0.5, -1.0], [2.0, 0.25]], [[-0.1, 1.0]]]
    for layer, rows in zip(model.layers, weights):
        for neuron, row in zip(layer.neurons, rows):
            for w, number in zip(neuron.w, row):
                w.data = number
            neuron.b.data = 0.0
    return model


def edges(source):
    """{(tail, head): (colour, penwidth)} from a draw_network source."""
    found = {}
    for tail, head, attrs in re.findall(r"^\s*(c\d+n\d+) -> (c\d+n\d+) \[(.*)\]$", source, flags=re.M):
        colour = re.search(r'color="(#[0-9a-f]{6})"', attrs).group(1)
        width = float(re.search(r"penwidth=([\d.]+)", attrs).group(1))
        found[tail, head] = (colour, width)
    return found


def hue(colour):
    """Which of the two weight colours a (possibly faded) edge colour is: the channel that stays lowest."""
    rgb = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
    return "positive" if rgb[0] < rgb[2] else "negative"


def test_one_circle_per_neuron_with_its_activation():
    source = draw_network(tiny_mlp()).source
    assert len(re.findall(r"^\s*c0n\d+ \[", source, flags=re.M)) == 2
    assert len(re.findall(r"^\s*c1n\d+ \[label=tanh", source, flags=re.M)) == 2
    assert re.search(r"^\s*c2n0 \[label=linear", source, flags=re.M)


def test_edges_are_coloured_by_sign_and_thick_by_magnitude():
    found = edges(draw_network(tiny_mlp()).source)
    assert len(found) == 2 * 2 + 2 * 1
    assert hue(found["c0n0", "c1n1"][0]) == "positive"       # w = 2.0 from input 0 to neuron 1
    assert hue(found["c0n1", "c1n0"][0]) == "negative"       # w = -1.0
    widths = [found[key][1] for key in (("c0n1", "c1n1"), ("c0n0", "c1n0"), ("c0n1", "c1n0"), ("c0n0", "c1n1"))]
    assert widths == sorted(widths) and widths[0] < widths[-1]   # |w| = 0.25 < 0.5 < 1.0 < 2.0


def test_strongest_weight_gets_the_full_colour():
    found = edges(draw_network(tiny_mlp()).source)
    assert found["c0n0", "c1n1"][0] == "#%02x%02x%02x" % POSITIVE
    assert found["c1n1", "c2n0"][0] == "#%02x%02x%02x" % POSITIVE
    assert found["c1n0", "c2n0"][0] != "#%02x%02x%02x" % NEGATIVE   # -0.1 is faint


def test_sequential_of_linear_layers_is_drawn_with_module_activations():
    net = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Dropout(0.5), nn.Linear(4, 2), nn.Softmax())
    source = draw_network(net).source
    assert len(re.findall(r"^\s*c1n\d+ \[label=ReLU", source, flags=re.M)) == 4
    assert len(re.findall(r"^\s*c2n\d+ \[label=softmax", source, flags=re.M)) == 2
    weight = net[0].weight.data
    colour, _ = edges(source)["c0n2", "c1n3"]
    assert hue(colour) == ("positive" if weight[3, 2] >= 0 else "negative")


def test_sequential_and_mlp_with_the_same_weights_draw_the_same_edges():
    model = tiny_mlp()
    net = nn.Sequential(nn.Linear(2, 2, dtype=np.float64), nn.Tanh(), nn.Linear(2, 1, dtype=np.float64))
    for linear, layer in zip((net[0], net[2]), model.layers):
        linear.weight.data[...] = [[w.data for w in n.w] for n in layer.neurons]
        linear.bias.data[...] = [n.b.data for n in layer.neurons]
    assert edges(draw_network(net).source) == edges(draw_network(model).source)


def test_big_layers_show_first_and_last_neurons_around_an_ellipsis():
    net = nn.Sequential(nn.Flatten(), nn.Linear(784, 30), nn.Sigmoid(), nn.Linear(30, 10))
    source = draw_network(net, max_neurons=10).source
    assert "775 more" in source and "21 more" in source
    assert re.search(r"^\s*c0n783 \[", source, flags=re.M) and not re.search(r"^\s*c0n400 ", source, flags=re.M)
    assert len(edges(source)) == 9 * 9 + 9 * 10


def test_shown_rows_keeps_the_ends_and_marks_the_gap():
    assert shown_rows(5, 10) == [0, 1, 2, 3, 4]
    assert shown_rows(784, 6) == [0, 1, 2, None, 782, 783]


def test_input_and_output_names_label_the_end_columns():
    source = draw_network(tiny_mlp(), input_names=["x", "y"], output_names=["class"]).source
    assert re.search(r"^\s*c0n1 \[label=y ", source, flags=re.M)
    assert 'label="class\nlinear"' in source


def test_wrong_number_of_names_is_refused():
    with pytest.raises(ValueError, match="3 names for 2 neurons"):
        draw_network(tiny_mlp(), input_names=["a", "b", "c"])


def test_a_single_linear_layer_is_drawn_as_inputs_and_outputs():
    linear = nn.Linear(3, 2, seed=0)
    found = edges(draw_network(linear).source)
    assert len(found) == 3 * 2
    w = linear.weight.data
    assert hue(found["c0n2", "c1n0"][0]) == ("positive" if w[0, 2] >= 0 else "negative")


def test_other_models_are_refused_with_what_is_supported():
    with pytest.raises(TypeError, match="nn.MLP.*nn.Sequential.*fix: "):
        draw_network(lambda x: x)


def test_unsupported_module_in_sequential_is_named():
    with pytest.raises(ValueError, match="module 1 is a BatchNorm1d.*fix: draw the computation"):
        draw_network(nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3), nn.ReLU()))


def test_renders_png_with_straight_columns(tmp_path):
    nn.manual_seed(0)
    draw_network(nn.MLP(2, [16, 16, 1]), path=tmp_path / "mlp.png")
    data = (tmp_path / "mlp.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert height > width > 400          # 16 neurons tall, 4 columns wide


def test_renders_svg_with_weight_tooltips(tmp_path):
    draw_network(tiny_mlp(), path=tmp_path / "mlp.svg")
    assert re.search(r'xlink:title="w = (-|&#45;)1"', (tmp_path / "mlp.svg").read_text())
