"""tutorials/perceptron.py: Iris setosa vs the rest, Rosenblatt's rule and a sigmoid neuron side by side."""
import pytest


def test_smoke_run_writes_its_result_line_and_pictures(run_tutorial):
    run = run_tutorial("perceptron", "--smoke")
    run.assert_succeeded()
    run.assert_pictures("boundary.png", "history.png")


@pytest.mark.parametrize("engine", ["tensor", "scalar"])
def test_full_run_both_learners_separate_setosa(run_tutorial, engine):
    run = run_tutorial("perceptron", "--engine", engine)
    run.assert_succeeded()
    assert "converged in" in run.result
    assert run.number(r"rule test accuracy (\d\.\d+)") == 1.0
    assert run.number(r"neuron test accuracy (\d\.\d+)") == 1.0
