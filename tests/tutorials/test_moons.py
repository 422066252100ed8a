"""tutorials/moons.py: micrograd's demo re-run (MLP(2, [16, 16, 1]), hinge + L2, 100 steps) reaches 100%."""


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
