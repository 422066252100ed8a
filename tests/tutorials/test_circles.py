"""tutorials/circles.py: the README's main demo, 2-20-1 ReLU + sigmoid on circles(n=100, noise=0.15, factor=0.3)."""
import pytest

PICTURES = ("boundary.png", "history.png", "network.png", "graph.svg")


def test_smoke_run_writes_its_result_line_and_pictures(run_tutorial):
    run = run_tutorial("circles", "--smoke")
    run.assert_succeeded()
    run.assert_pictures(*PICTURES)


@pytest.mark.parametrize("engine", ["tensor", "scalar"])
def test_full_run_separates_the_circles_on_both_engines(run_tutorial, engine):
    run = run_tutorial("circles", "--engine", engine)
    run.assert_succeeded()
    assert run.number(r"train accuracy (\d\.\d+)") >= 0.95
    assert run.number(r"test accuracy (\d\.\d+)") >= 0.90
    run.assert_pictures(*PICTURES)
