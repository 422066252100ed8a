"""tutorials/vanishing_gradients.py: a deep sigmoid net's first layers get almost no gradient, a ReLU net's do."""


def test_smoke_run_writes_its_result_line_and_picture(run_tutorial):
    run = run_tutorial("vanishing_gradients", "--smoke")
    run.assert_succeeded()
    run.assert_pictures("gradients.png")


def test_full_run_gradients_vanish_with_sigmoid_only(run_tutorial):
    run = run_tutorial("vanishing_gradients")
    run.assert_succeeded()
    assert run.number(r"sigmoid (\d\.\d+e[-+]\d+)") < 1e-4
    assert run.number(r"relu (\d\.\d+e[-+]\d+)") > 1e-2
    assert run.number(r"epochs: sigmoid (\d\.\d+)") < 0.7 < run.number(r", relu (\d\.\d+) \(seed")
