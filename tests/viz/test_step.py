"""The autograd-step REPL: building graphs from expressions, the session's commands, the demos (checked
against PyTorch), and the console script driven end to end through a pseudo-terminal."""
from __future__ import annotations

import doctest
import math
import os
import pathlib
import re
import sys

import pexpect
import pytest
import torch

from viz.step import (DEMOS, HELP_LINE, Binary, Call, ExpressionError, Name, Negate, Number, Session, ValuesError,
                      build_graph, main, parse_program, parse_values)

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NEURON = "n = x*w + b; o = tanh(n)"
NEURON_VALUES = {"x": 2.0, "w": -3.0, "b": 6.8813735870195432}
NEURON_NARRATION = [
    "step 1/4  seed: do/do = 1",
    "step 2/4  o = tanh(n): n.grad += (1 - o^2) * o.grad = (1 - 0.7071^2) * 1 = 0.5",
    "step 3/4  n = v1 + b: v1.grad += 1 * n.grad = 1 * 0.5 = 0.5; b.grad += 1 * n.grad = 1 * 0.5 = 0.5",
    "step 4/4  v1 = x * w: x.grad += w * v1.grad = -3 * 0.5 = -1.5; w.grad += x * v1.grad = 2 * 0.5 = 1",
]


def session_for(text: str = NEURON, values: dict = NEURON_VALUES) -> tuple[Session, list[str]]:
    printed: list[str] = []
    return Session(build_graph(text, dict(values)), write=printed.append), printed


def grads(session: Session) -> list[float]:
    return [node.grad for node in session.graph.order]


# ----------------------------------------------------------------------------- building the graph
def test_the_graph_lists_nodes_in_the_order_the_text_computes_them() -> None:
    graph = build_graph(NEURON, NEURON_VALUES)
    assert [graph.names[id(node)] for node in graph.order] == ["x", "w", "v1", "b", "n", "o"]
    assert [graph.described[id(node)] for node in graph.order] == ["input", "input", "x * w", "input", "v1 + b",
                                                                   "tanh(n)"]
    assert graph.root.label == "o" and graph.root.data == pytest.approx(math.sqrt(0.5))
    assert graph.notes == []


def test_intermediate_results_get_free_names_and_numbers_stay_unlabelled_constants() -> None:
    graph = build_graph("v1 = 2*x; o = tanh(v1*x)", {"x": 1.0})
    by_text = {graph.described[id(n)]: n for n in graph.order}
    assert by_text["v1 * x"].label == "v2"           # "v1" is taken by the user
    constant = by_text["constant"]
    assert constant.label == "" and graph.names[id(constant)] == "2"


@pytest.mark.parametrize("text, values, words, column", [
    ("o = tanh(q)", {}, "q has no value", 10),
    ("o = tanh(y); y = 2*x", {"x": 1.0}, "y is used before it is assigned", 10),
    ("o = tanh + 1", {}, "tanh is a function", 5),
    ("tanh = 2*x; o = tanh(x)", {"x": 1.0}, "tanh is a function name", 1),
    ("n = 2*x; n = n + 1", {"x": 1.0}, "n is assigned twice", 10),
    ("x = 2*w", {"x": 1.0, "w": 1.0}, "x is assigned here and also given a value", 1),
    ("y = x", {"x": 1.0}, "only gives x a second name", 1),
    ("o = 3", {}, "nothing to backpropagate", 1),
])
def test_bad_names_are_refused_with_a_message_and_a_column(text: str, values: dict, words: str, column: int) -> None:
    with pytest.raises(ExpressionError) as caught:
        build_graph(text, values)
    assert words in caught.value.message and caught.value.column == column


def test_unused_values_and_assignments_get_a_note() -> None:
    graph = build_graph("n = x*2; o = tanh(x)", {"x": 1.0, "z": 5.0})
    assert graph.notes == ["note: z=5 is not used by the expression.",
                           "note: n is computed but o does not use it, so backpropagation never reaches it."]


def test_division_by_zero_is_explained_where_it_starts_and_stepping_still_works() -> None:
    graph = build_graph("q = x / y; o = tanh(q) + q", {"x": 1.0, "y": 0.0})
    assert len(graph.notes) == 1
    assert graph.notes[0].startswith("note: q = x / y is inf (division by zero).")
    texts = [str(step) for step in graph.root.backward_steps()]
    assert texts[-1] == ("step 4/4  q = x / y: x.grad += 1/y * q.grad = 1/0 * 1 = inf; "
                         "y.grad += -x/y^2 * q.grad = -1/0^2 * 1 = -inf")


def test_values_on_the_command_line_are_checked() -> None:
    assert parse_values(["x=2", "w = -3.5"]) == {"x": 2.0, "w": -3.5}
    for bad, words in [(["x"], "not NAME=NUMBER"), (["x=two"], "'two' in 'x=two' is not a number"),
                       (["x=inf"], "finite"), (["x=nan"], "finite"), (["1x=2"], "not a valid name"),
                       (["tanh=1"], "function name"), (["x=1", "x=2"], "given twice")]:
        with pytest.raises(ValuesError, match=words):
            parse_values(bad)


# ----------------------------------------------------------------------------- the demos, against PyTorch
def torch_run(program: tuple, values: dict) -> tuple[dict, torch.Tensor]:
    """The same tiny tree evaluated by PyTorch: the oracle for values and gradients."""
    functions = {"tanh": torch.tanh, "relu": torch.relu, "sigmoid": torch.sigmoid, "exp": torch.exp,
                 "log": torch.log, "sqrt": torch.sqrt, "sin": torch.sin, "cos": torch.cos, "abs": torch.abs}
    env = {name: torch.tensor(v, dtype=torch.float64, requires_grad=True) for name, v in values.items()}

    def run(e: object) -> torch.Tensor:
        if isinstance(e, Number):
            return torch.tensor(e.value, dtype=torch.float64)
        if isinstance(e, Name):
            return env[e.id]
        if isinstance(e, Negate):
            return -run(e.operand)
        if isinstance(e, Call):
            return functions[e.function](run(e.argument))
        assert isinstance(e, Binary)
        left, right = run(e.left), run(e.right)
        return {"+": left + right, "-": left - right, "*": left * right, "/": left / right,
                "**": left ** right}[e.op]

    inputs = dict(env)
    for assignment in program:
        env[assignment.target] = run(assignment.expression)
    return inputs, env[program[-1].target]


@pytest.mark.parametrize("demo", sorted(DEMOS))
def test_every_demo_steps_to_pytorchs_values_and_gradients(demo: str) -> None:
    _, text, values = DEMOS[demo]
    session, _ = session_for(text, values)
    session.run()
    inputs, result = torch_run(parse_program(text), values)
    result.backward()
    assert session.graph.root.data == pytest.approx(result.item(), rel=1e-12)
    for name, tensor in inputs.items():
        node = session.graph.node(name)
        assert node.grad == pytest.approx(tensor.grad.item(), rel=1e-12, abs=1e-12), name


def test_the_micrograd_demos_reproduce_micrograds_published_numbers() -> None:
    session, _ = session_for(*DEMOS["micrograd1"][1:])
    session.run()
    node = session.graph.node
    assert (node("g").data, node("a").grad, node("b").grad) == pytest.approx((24.7041, 138.8338, 645.5773), abs=1e-4)
    session, _ = session_for(*DEMOS["micrograd2"][1:])
    session.run()
    assert (session.graph.root.data, session.graph.node("x").grad) == (-20.0, 46.0)


def test_the_xor_demo_network_computes_xor() -> None:
    _, text, values = DEMOS["xor"]
    for x1 in (0.0, 1.0):
        for x2 in (0.0, 1.0):
            y = build_graph(text, {**values, "x1": x1, "x2": x2}).node("y").data
            assert (y > 0.5) == (x1 != x2)


# ----------------------------------------------------------------------------- the session's commands
def test_next_prints_the_exact_narration_and_says_so_at_the_end() -> None:
    session, printed = session_for()
    for _ in range(5):
        session.execute("next")
    assert printed[:4] == NEURON_NARRATION
    assert printed[4].startswith("already at the end (4/4)")


def test_back_then_next_gives_the_same_step_and_exactly_the_same_gradients_at_every_step() -> None:
    session, printed = session_for(*DEMOS["xor"][1:])
    for k in range(1, session.total + 1):
        session.execute("next")
        before, text = grads(session), printed[-1]
        session.execute("back")
        assert len(session.steps) == k - 1
        session.execute("next")
        assert printed[-1] == text and grads(session) == before


def test_back_replays_to_exactly_the_state_of_one_step_less() -> None:
    session, _ = session_for(*DEMOS["micrograd1"][1:])
    fresh, _ = session_for(*DEMOS["micrograd1"][1:])
    for _ in range(7):
        session.execute("next")
    session.execute("back")
    for _ in range(6):
        fresh.execute("next")
    assert grads(session) == grads(fresh)


def test_back_at_the_start_and_undoing_the_seed_are_explained() -> None:
    session, printed = session_for()
    session.execute("back")
    session.execute("next")
    session.execute("back")
    assert printed == ["already at the start: no step taken yet.", NEURON_NARRATION[0],
                       "undid step 1/4; back at the start: no step taken, no gradient yet."]


def test_run_takes_every_remaining_step() -> None:
    session, printed = session_for()
    session.execute("n")
    session.execute("run")
    assert printed[1:4] == NEURON_NARRATION[1:] and printed[4].startswith("done")
    assert session.graph.node("x").grad == pytest.approx(-1.5)


def test_next_and_back_take_a_count() -> None:
    session, printed = session_for()
    session.execute("next 3")
    assert printed == NEURON_NARRATION[:3]
    session.execute("back 2")
    assert printed[-1] == f"undid steps 2-3/4; the current step is again:\n{NEURON_NARRATION[0]}"
    session.execute("next 9")
    assert printed[-4:-1] == NEURON_NARRATION[1:] and printed[-1].startswith("already at the end")
    for bad in ("next two", "back -1", "next ²", "back 0"):
        session.execute(bad)
        assert printed[-1].startswith("usage: ")
    assert len(session.steps) == 4


def test_an_empty_line_takes_the_next_step() -> None:
    session, printed = session_for()
    session.execute("")
    assert printed == NEURON_NARRATION[:1]


def test_show_tells_value_gradient_so_far_what_it_waits_for_and_its_step() -> None:
    session, printed = session_for()
    session.execute("next")
    session.execute("next")
    session.execute("show v1")
    assert printed[2:] == ["v1 = x * w = -6", "  grad 0 (waiting for the step of n)", "  used by n",
                           "  its own step has not come yet."]
    del printed[:]
    session.execute("show")          # the current node
    assert printed == ["o = tanh(n) = 0.7071", "  grad 1 (complete)", "  used by nothing: it is the result",
                       f"  {NEURON_NARRATION[1]}"]
    del printed[:]
    session.execute("show q")
    assert printed == ["no node named 'q'; the nodes are: x w v1 b n o"]


def test_grads_lists_every_node_from_the_result_back_with_its_status() -> None:
    session, printed = session_for()
    for _ in range(3):
        session.execute("next")
    session.execute("grads")
    assert printed[-1] == "\n".join([
        "gradients after step 3/4:",
        "  name  value   grad  status",
        "  o     0.7071  1     complete",
        "  n     0.8814  0.5   complete",
        "  b     6.881   0.5   complete",
        "  v1    -6      0.5   complete",
        "  w     -3      0     waiting for the step of v1",
        "  x     2       0     waiting for the step of v1",
    ])


def test_graph_draws_the_picture_with_the_current_node_highlighted(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    session, printed = session_for()
    session.execute("graph")
    assert printed[-1] == "wrote step.svg" and "<svg" in (tmp_path / "step.svg").read_text()
    session.execute("next")
    session.execute("next")
    session.execute("graph pictures")
    assert printed[-1] == "wrote pictures.svg; amber: o, the node of step 2"
    assert "#ffd54f" in (tmp_path / "pictures.svg").read_text()
    session.execute("graph out.txt")
    assert printed[-1].startswith("could not draw the graph:") and "unknown picture format" in printed[-1]


def test_graph_into_a_missing_folder_or_without_dot_says_what_to_do(tmp_path, monkeypatch) -> None:
    import viz.step
    from viz.graph import DotNotInstalledError

    session, printed = session_for()
    session.execute(f"graph {tmp_path / 'nowhere' / 'g.svg'}")
    assert printed[-1].startswith(f"could not draw the graph: the folder {tmp_path / 'nowhere'} does not exist;")
    assert "graph g.svg writes to the current one" in printed[-1]

    def without_dot(*args: object, **kwargs: object) -> None:
        raise DotNotInstalledError()

    monkeypatch.setattr(viz.step, "draw_graph", without_dot)
    session.execute(f"graph {tmp_path / 'g.png'}")
    assert "sudo apt-get install graphviz" in printed[-1]
    assert printed[-1].endswith(f"here: graph {tmp_path / 'g.dot'} saves the source.")


def test_unknown_commands_get_a_hint_and_the_session_keeps_running() -> None:
    session, printed = session_for()
    assert session.execute("fly away") is True
    assert printed == ["unknown command 'fly'; type help to see the commands."]
    session.execute("o = tanh(x)")
    assert printed[-1] == "unknown command 'o'; to step through a new expression, type  expr o = tanh(x)"
    session.execute("x=3 w=1")
    assert printed[-1] == "unknown command 'x=3'; to change values, type  set x=3 w=1"
    assert session.execute("quit") is False and session.execute("q") is False


def test_set_and_expr_rebuild_the_session_and_a_bad_one_changes_nothing() -> None:
    session, printed = session_for()
    session.execute("next")
    session.execute("set w=0")
    assert session.graph.node("w").data == 0.0 and session.steps == []
    session.execute("expr o = x / w")
    assert any("division by zero" in line for line in printed)
    del printed[:]
    session.execute("expr o = x.y")
    assert printed[0].startswith("not changed:\n  o = x.y\n      ^\ncolumn 5: attribute access")
    session.execute("set x")
    assert printed[-1].startswith("not changed: 'x' is not NAME=NUMBER")
    session.execute("set")
    assert printed[-1] == "usage: set NAME=NUMBER [NAME=NUMBER ...]; the values now: x=2 w=0 b=6.881"
    session.execute("set q=1")                       # allowed, but q is not used
    assert "note: q=1 is not used by the expression." in printed
    assert session.graph.source == "o = x / w"


def test_the_loop_prints_the_help_line_and_stops_at_end_of_input() -> None:
    session, printed = session_for()
    lines, prompts = ["n", "n"], []

    def read(prompt: str) -> str:
        prompts.append(prompt)
        if not lines:
            raise EOFError            # what input() raises on Ctrl-D
        return lines.pop(0)

    assert session.loop(read) == 0
    assert prompts == ["(step) "] * 3
    assert printed[:3] == [HELP_LINE, *NEURON_NARRATION[:2]]


# ----------------------------------------------------------------------------- main() in-process
def test_main_with_run_prints_the_table_every_step_and_the_gradients(capsys) -> None:
    assert main([NEURON, "x=2", "w=-3", "b=6.8813735870195432", "--run"]) == 0
    out = capsys.readouterr().out
    for line in NEURON_NARRATION:
        assert line in out
    assert "  v1    -6      x * w" in out and "gradients after step 4/4:" in out


def test_main_refuses_a_bad_expression_or_value_with_status_2(capsys) -> None:
    assert main(["o = x.y", "x=1"]) == 2
    assert "column 5: attribute access" in capsys.readouterr().err
    assert main(["o = tanh(x)", "x=abc"]) == 2
    assert "'abc' in 'x=abc' is not a number" in capsys.readouterr().err
    assert main([]) == 2
    assert "try: autograd-step --demo neuron" in capsys.readouterr().err


def test_a_demo_takes_changed_values(capsys) -> None:
    assert main(["--demo", "neuron", "x=1", "--run"]) == 0
    assert "  x     1       input" in capsys.readouterr().out


# ----------------------------------------------------------------------------- the console script in a terminal
def test_pyproject_declares_the_autograd_step_console_script() -> None:
    import importlib

    text = pathlib.Path(REPO_ROOT, "pyproject.toml").read_text()      # tomllib is 3.11+; the project allows 3.10
    scripts = text.split("[project.scripts]", 1)[1].split("\n[", 1)[0]
    module, function = re.search(r'^autograd-step = "([\w.]+):(\w+)"$', scripts, flags=re.M).groups()
    assert getattr(importlib.import_module(module), function) is main


def spawn(*args: str) -> pexpect.spawn:
    env = {**os.environ, "TERM": "dumb"}
    return pexpect.spawn(sys.executable, ["-m", "viz.step", *args], cwd=REPO_ROOT, env=env, encoding="utf-8",
                         timeout=30, dimensions=(60, 250))


def command(child: pexpect.spawn, line: str, *expected: str) -> None:
    child.sendline(line)
    for text in expected:
        child.expect_exact(text)
    child.expect_exact("(step) ")


def test_the_console_script_steps_through_an_expression_in_a_terminal(tmp_path) -> None:
    child = spawn(NEURON, "x=2", "w=-3", "b=6.8813735870195432")
    child.expect_exact("  o     0.7071  tanh(n)")
    child.expect_exact(HELP_LINE)
    child.expect_exact("(step) ")
    command(child, "next", NEURON_NARRATION[0])
    command(child, "", NEURON_NARRATION[1])
    command(child, "fly", "unknown command 'fly'; type help to see the commands.")
    command(child, "expr o = x.y", "column 5: attribute access (a.b) is not allowed.")
    command(child, "expr o = __import__('os').system('echo hacked')", "column 5: calling something other than")
    command(child, "expr o = x ** 9999", "column 10: the exponent 9999 is too large")
    command(child, "expr o = tanh(q)", "column 10: q has no value")
    command(child, "back", "undid step 2/4; the current step is again:", NEURON_NARRATION[0])
    command(child, "next", NEURON_NARRATION[1])
    command(child, "run", NEURON_NARRATION[2], NEURON_NARRATION[3], "done")
    command(child, "grads", "  x     2       -1.5  complete")
    command(child, "show w", "w = -3 (input)", "  grad 1 (complete)")
    command(child, f"graph {tmp_path / 'g.svg'}", "wrote ")
    assert (tmp_path / "g.svg").exists()
    command(child, "set w=0", "  v1    0      x * w")
    command(child, "expr o = x / w", "o = x / w is inf (division by zero)")
    command(child, "run", "x.grad += 1/w * o.grad = 1/0 * 1 = inf")
    child.sendcontrol("c")
    child.expect_exact("(to leave, type quit or press Ctrl-D)")
    child.expect_exact("(step) ")
    child.sendeof()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_the_console_script_quits_on_quit_and_refuses_a_bad_expression_with_status_2() -> None:
    child = spawn("--demo", "micrograd2")
    child.expect_exact("(step) ")
    child.sendline("quit")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    child = spawn("o = lambda: x", "x=1")
    child.expect_exact("column 5: a lambda is not allowed.")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2


# ----------------------------------------------------------------------------- the tutorial shows real output
TUTORIAL = pathlib.Path(REPO_ROOT, "tutorials", "backprop_step_by_step.md").read_text()


def code_blocks(language: str = "") -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", TUTORIAL, flags=re.S)


def test_the_tutorials_session_transcript_is_what_the_session_prints(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "docs" / "images").mkdir(parents=True)   # the transcript draws into docs/images/
    transcript = next(block for block in code_blocks() if block.startswith("(step) next\n"))
    session, printed = session_for()
    for line in transcript.splitlines():
        if line.startswith("(step) "):
            printed.append(line)
            session.execute(line[len("(step) "):])
    assert "\n".join(printed) == transcript.rstrip("\n")
    opening = next(block for block in code_blocks() if block.startswith("$ autograd-step \"n = x*w + b"))
    fresh, shown = session_for()
    fresh.start()
    assert "\n".join(shown + [HELP_LINE, "(step)"]) == "\n".join(opening.rstrip("\n").splitlines()[1:])


def test_the_tutorials_python_examples_run_as_written() -> None:
    runner = doctest.DocTestRunner()
    for number, block in enumerate(code_blocks("python")):
        runner.run(doctest.DocTestParser().get_doctest(block, {}, f"tutorial block {number}", "tutorial", 0))
    failed, attempted = runner.summarize(verbose=False)
    assert failed == 0 and attempted == 14


def test_the_tutorials_other_quoted_steps_are_real_output() -> None:
    micrograd2, _ = session_for(*DEMOS["micrograd2"][1:])
    micrograd2.run()
    division, _ = session_for("q = x / y; o = tanh(q)", {"x": 1.0, "y": 0.0})
    division.run()
    for step in micrograd2.steps[4], division.steps[2]:
        assert f"\n{step}\n" in TUTORIAL
    assert f"\n{division.graph.notes[0]}\n" in TUTORIAL
    with pytest.raises(ExpressionError) as caught:
        build_graph("o = tanh(x.real)", {"x": 1.0})
    assert caught.value.where("o = tanh(x.real)") in TUTORIAL
