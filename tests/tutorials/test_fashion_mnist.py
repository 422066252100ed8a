"""tutorials/fashion_mnist.py on the real files: one epoch of the Keras example, and clear errors without them."""
import os

import pytest

from nn.datasets import FASHION_MNIST_SYSTEM_DIR


def dataset_or_skip():
    """CI (AUTOGRAD_CORE_CI set) installs Debian's dataset-fashion-mnist and must fail rather than skip."""
    installed = (FASHION_MNIST_SYSTEM_DIR / "t10k-labels-idx1-ubyte.gz").is_file()
    if not installed and not os.environ.get("FASHION_MNIST_DIR"):
        if os.environ.get("AUTOGRAD_CORE_CI"):
            pytest.fail("Fashion-MNIST is missing in CI: .ci/run must install Debian's dataset-fashion-mnist")
        pytest.skip("Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)")


def test_smoke_run_writes_its_result_line_and_pictures(run_tutorial):
    dataset_or_skip()
    run = run_tutorial("fashion_mnist", "--smoke")
    run.assert_succeeded()
    run.assert_pictures("history.png", "predictions.png")


def test_one_epoch_on_all_images_is_above_80_percent_on_the_test_set(run_tutorial):
    dataset_or_skip()
    run = run_tutorial("fashion_mnist", "--epochs", "1")
    run.assert_succeeded()
    assert run.number(r"validation accuracy (\d\.\d+)") > 0.80
    assert run.number(r"test accuracy (\d\.\d+)") > 0.80
    assert run.number(r"(\d+\.\d) s per epoch") > 0


def test_a_validation_split_that_leaves_no_training_images_is_a_usage_error(run_tutorial):
    dataset_or_skip()
    run = run_tutorial("fashion_mnist", "--validation", "60000")
    assert run.returncode == 2
    assert "usage:" in run.stderr and "--validation 60000 leaves no training images" in run.stderr
    assert "Traceback" not in run.stderr


def test_missing_data_exits_1_naming_the_three_ways_to_provide_it(run_tutorial, tmp_path):
    env = {key: value for key, value in os.environ.items() if key != "FASHION_MNIST_DIR"}
    run = run_tutorial("fashion_mnist", "--data", str(tmp_path / "empty"), env=env)
    assert run.returncode == 1
    assert run.stdout == ""
    assert "fashion_mnist: error: Fashion-MNIST not found" in run.stderr
    for option in ("--data DIR", "FASHION_MNIST_DIR", "dataset-fashion-mnist"):
        assert option in run.stderr
    assert "Traceback" not in run.stderr
