"""tutorials/moons.py: micrograd's demo re-run (MLP(2, [16, 16, 1]), hinge + L2, 100 steps) reaches 100%."""
import random
import re

import pytest


def test_smoke_run_writes_its_result_line_and_pictures(run_tutorial):
    run = run_tutorial("moons", "--smoke")
    run.assert_succeeded()
    run.assert_pictures("boundary.png", "history.png", "network.png", "graph.svg")


def test_full_run_reaches_100_percent_and_prints_every_step(run_tutorial):
    run = run_tutorial("moons", quiet=False)
    run.assert_succeeded()
    steps = [line for line in run.stdout.splitlines() if line.startswith("step ")]
    assert len(steps) == 100 and steps[0].startswith("step 0 loss ") and steps[-1].startswith("step 99 ")
    assert run.number(r"accuracy (\d\.\d+) after 100 steps") == 1.0
    assert run.result.endswith("(seed 1337)")


def printed_losses(stdout: str) -> list[float]:
    return [float(loss) for loss in re.findall(r"^step \d+ loss (\S+),", stdout, flags=re.MULTILINE)]


def micrograd_losses(X, y, steps: int) -> list[float]:
    """The demo notebook's loop, run by micrograd itself (the oracle): its loss at each step."""
    import micrograd.nn as micrograd_nn  # a test extra: the oracle runs in CI, never skipped
    from micrograd.engine import Value

    random.seed(1337)
    model = micrograd_nn.MLP(2, [16, 16, 1])
    losses = []
    for k in range(steps):
        scores = [model([Value(a), Value(b)]) for a, b in X.tolist()]
        data_loss = sum((1 + -t * s).relu() for t, s in zip(y.tolist(), scores)) * (1.0 / len(scores))
        loss = data_loss + 1e-4 * sum(p * p for p in model.parameters())
        model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data -= (1.0 - 0.9 * k / 100) * p.grad
        losses.append(loss.data)
    return losses


def moons_points(source: str):
    """The points the tutorial trains on, drawn here the way its --points-from says."""
    if source == "sklearn":
        from sklearn.datasets import make_moons  # a test extra
        return make_moons(n_samples=100, noise=0.1, random_state=1337)
    import nn
    return nn.data.moons(n=100, noise=0.1, seed=1337)


@pytest.mark.parametrize("source", ["nn", "sklearn"])
def test_each_step_prints_the_loss_micrograd_itself_computes_on_the_same_points(run_tutorial, source):
    X, labels = moons_points(source)
    expected = micrograd_losses(X, 2 * labels - 1, steps=2)    # step 1 follows one update at lr 1.0
    run = run_tutorial("moons", "--points-from", source, "--epochs", "2", quiet=False)
    run.assert_succeeded()
    assert printed_losses(run.stdout) == pytest.approx(expected, abs=1e-6)
