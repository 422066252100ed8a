"""tutorials/xor.py: the perceptron rule never converges on XOR, a 2-4-1 network learns it."""
import pytest

PICTURES = ("network.png", "boundary.png", "history.png", "graph.svg")


def test_smoke_run_writes_its_result_line_and_pictures(run_tutorial):
    run = run_tutorial("xor", "--smoke")
    run.assert_succeeded()
    run.assert_pictures(*PICTURES)


@pytest.mark.parametrize("engine", ["scalar", "tensor"])
def test_full_run_learns_xor_and_the_perceptron_does_not(run_tutorial, engine):
    run = run_tutorial("xor", "--engine", engine)
    run.assert_succeeded()
    assert "never converges" in run.result
    assert run.number(r"network accuracy (\d\.\d+)") == 1.0


def test_full_run_explains_why_and_prints_the_truth_table(run_tutorial):
    run = run_tutorial("xor", quiet=False)
    run.assert_succeeded()
    assert "not linearly separable" in run.stdout
    table = [line for line in run.stdout.splitlines() if line.strip().startswith(("0   0", "0   1", "1   0", "1   1"))]
    assert [line.split("|")[-1].strip() for line in table] == ["0", "1", "1", "0"]
