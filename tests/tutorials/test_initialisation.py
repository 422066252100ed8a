"""tutorials/initialisation.py: zero initialisation keeps the hidden neurons identical, random breaks the symmetry."""
import pytest

PICTURES = ("symmetry.png", "network_zeros.png", "network_random.png", "boundary_zeros.png", "boundary_random.png")


def test_smoke_run_writes_its_result_line_and_pictures(run_tutorial):
    run = run_tutorial("initialisation", "--smoke")
    run.assert_succeeded()
    run.assert_pictures(*PICTURES)


@pytest.mark.parametrize("engine", ["tensor", "scalar"])
def test_full_run_zeros_leave_one_distinct_neuron_random_eight(run_tutorial, engine):
    run = run_tutorial("initialisation", "--engine", engine)
    run.assert_succeeded()
    assert run.number(r"zeros: (\d) distinct") == 1
    assert run.number(r"random: (\d) distinct") == 8
    assert run.number(r"random: .* train accuracy (\d\.\d+)") >= 0.95
