"""tutorials/digits.py: scikit-learn's 8x8 digits, softmax cross-entropy and Adam, at least 97% on the test set."""
import pytest

pytest.importorskip("sklearn")


def test_smoke_run_writes_its_result_line_and_pictures(run_tutorial):
    run = run_tutorial("digits", "--smoke")
    run.assert_succeeded()
    run.assert_pictures("history.png", "mistakes.png")


def test_full_run_reads_at_least_97_percent_of_test_digits(run_tutorial):
    run = run_tutorial("digits")
    run.assert_succeeded()
    assert run.number(r"test accuracy (\d\.\d+)") >= 0.97
