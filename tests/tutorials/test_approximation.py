"""tutorials/approximation.py: one hidden layer fits sin better and better with 2, 5 and 20 units."""


def test_smoke_run_writes_its_result_line_and_picture(run_tutorial):
    run = run_tutorial("approximation", "--smoke")
    run.assert_succeeded()
    run.assert_pictures("approximation.png")


def test_full_run_error_falls_as_units_are_added(run_tutorial):
    run = run_tutorial("approximation")
    run.assert_succeeded()
    errors = [float(e) for e in run.result.split("mean squared error ")[1].split(" (seed")[0].split(" / ")]
    assert len(errors) == 3
    assert errors[0] > errors[1] > errors[2]
    assert errors[2] < 0.01
