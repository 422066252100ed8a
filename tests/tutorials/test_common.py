"""What every tutorial shares: the flags, the quiet mode, and usage errors that explain themselves."""
import os
import re
import subprocess
import sys

import pytest

from .conftest import TUTORIALS

ALL = ["xor", "circles", "moons", "perceptron", "approximation", "digits", "fashion_mnist", "vanishing_gradients",
       "initialisation"]
BOTH_ENGINES = ["xor", "circles", "perceptron", "approximation", "initialisation"]
COMMON_FLAGS = ["--epochs", "--lr", "--seed", "--out", "--quiet", "--smoke"]


def help_text(name: str) -> str:
    completed = subprocess.run([sys.executable, str(TUTORIALS / f"{name}.py"), "--help"], capture_output=True,
                               text=True, timeout=60, check=True)
    return completed.stdout


def test_every_tutorial_is_listed_here():
    scripts = {path.stem for path in TUTORIALS.glob("*.py")} - {"common"}
    assert scripts == set(ALL)


@pytest.mark.parametrize("name", ALL)
def test_help_lists_the_common_flags(name):
    text = help_text(name)
    assert f"python tutorials/{name}.py" in text
    for flag in COMMON_FLAGS:
        assert flag in text
    assert ("--engine" in text) == (name in BOTH_ENGINES)


def test_quiet_prints_only_the_result_line(run_tutorial):
    run = run_tutorial("xor", "--smoke")
    run.assert_succeeded()
    assert run.stdout.strip() == run.result


def test_without_quiet_the_run_shows_the_data_the_model_and_the_pictures(run_tutorial):
    run = run_tutorial("circles", "--smoke", quiet=False)
    run.assert_succeeded()
    assert "train: circles(n=40" in run.stdout
    assert "Total params: 81" in run.stdout          # the model's summary(): 2-20-1
    assert f"wrote {run.out / 'boundary.png'}" in run.stdout


@pytest.mark.parametrize("name, flag, value, message", [
    ("circles", "--epochs", "0", "0 is not a whole number >= 1"),
    ("circles", "--points", "2.5", "2.5 is not a whole number >= 1"),
    ("circles", "--lr", "-1", "-1 is not a number > 0"),
    ("moons", "--seed", "-1", "-1 is not a whole number >= 0"),
    ("perceptron", "--test-size", "1.5", "1.5 is not a fraction between 0 and 1"),
    ("digits", "--dropout", "1", "1 is not a probability >= 0 and < 1"),
])
def test_a_bad_flag_value_is_a_usage_error_that_names_the_flag(run_tutorial, name, flag, value, message):
    run = run_tutorial(name, flag, value)
    assert run.returncode == 2
    assert f"{flag}: {message}" in run.stderr
    assert "Traceback" not in run.stderr


def test_the_seed_makes_a_run_repeatable(run_tutorial):
    first, second = run_tutorial("initialisation", "--smoke", "--seed", "3"), run_tutorial("initialisation", "--smoke",
                                                                                            "--seed", "3")
    first.assert_succeeded()
    assert first.result == second.result


def test_without_graphviz_the_graphs_are_saved_as_dot_source_and_the_run_succeeds(run_tutorial, tmp_path):
    env = {**os.environ, "PATH": str(tmp_path / "no-programs-here")}
    run = run_tutorial("circles", "--smoke", env=env)
    run.assert_succeeded()
    assert (run.out / "graph.dot").read_text().startswith("digraph")
    assert (run.out / "network.dot").is_file() and not (run.out / "network.png").exists()
    assert "layout=neato" in (run.out / "network.dot").read_text()  # `dot -Tpng` keeps the pinned columns
    run.assert_pictures("boundary.png", "history.png")
    assert "sudo apt-get install graphviz; then dot -Tpng" in run.stderr


def run_without(module: str, name: str, out, *flags: str) -> subprocess.CompletedProcess:
    """Run a tutorial in a Python where ``import module`` fails, as on a machine without that optional extra."""
    code = (f"import runpy, sys; sys.modules[{module!r}] = None; sys.path.insert(0, {str(TUTORIALS)!r}); "
            f"sys.argv = [{name!r}, '--out', {str(out)!r}, *{list(flags)!r}]; "
            f"runpy.run_path({str(TUTORIALS / (name + '.py'))!r}, run_name='__main__')")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)


def test_without_matplotlib_the_plots_are_skipped_with_a_note_and_the_run_succeeds(tmp_path):
    completed = run_without("matplotlib", "circles", tmp_path, "--smoke", "--quiet")
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.startswith("circles: train accuracy")
    assert "skipped" in completed.stderr and "pip install matplotlib" in completed.stderr
    assert not (tmp_path / "boundary.png").exists() and (tmp_path / "graph.svg").is_file()


def test_without_scikit_learn_digits_exits_1_saying_how_to_install_it(tmp_path):
    completed = run_without("sklearn", "digits", tmp_path, "--smoke")
    assert completed.returncode == 1
    assert "digits: error:" in completed.stderr and "pip install scikit-learn" in completed.stderr
    assert "Traceback" not in completed.stderr


def test_the_tutorials_readme_lists_every_script_with_a_picture_that_exists():
    readme = (TUTORIALS / "README.md").read_text()
    for name in ALL:
        assert f"[`{name}.py`]({name}.py)" in readme
    pictures = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", readme)
    assert len(pictures) == len(ALL)
    for picture in pictures:
        assert (TUTORIALS / picture).resolve().is_file(), picture
