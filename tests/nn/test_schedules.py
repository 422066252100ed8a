"""Learning-rate schedules against PyTorch's schedulers (the oracle), epoch by epoch."""
import numpy as np
import pytest
import torch

import nn
from autograd_core import Value
from nn.optim import SGD, Adam
from nn.schedules import CosineAnnealingLR, ExponentialLR, LinearDecay, LinearLR, StepLR

EPOCHS = 40
SCHEDULES = [
    (StepLR, dict(step_size=7)),
    (StepLR, dict(step_size=3, gamma=0.5)),
    (ExponentialLR, dict(gamma=0.9)),
    (CosineAnnealingLR, dict(T_max=10)),
    (CosineAnnealingLR, dict(T_max=15, eta_min=0.01)),
    (LinearLR, dict()),
    (LinearLR, dict(start_factor=1.0, end_factor=0.1, total_iters=30)),
]


def learning_rates(scheduler, optimizer):
    rates = []
    for _ in range(EPOCHS):
        rates.append([group["lr"] for group in optimizer.param_groups])
        optimizer.step()
        scheduler.step()
    return rates


@pytest.mark.parametrize("schedule, kwargs", SCHEDULES, ids=lambda x: getattr(x, "__name__", str(x)))
def test_schedule_gives_torchs_learning_rates(schedule, kwargs):
    ours = SGD([{"params": [Value(1.0)]}, {"params": [Value(2.0)], "lr": 0.3}], lr=0.1)
    theirs = torch.optim.SGD([{"params": [torch.zeros(1, requires_grad=True)]},
                              {"params": [torch.zeros(1, requires_grad=True)], "lr": 0.3}], lr=0.1)
    torch_schedule = getattr(torch.optim.lr_scheduler, schedule.__name__)(theirs, **kwargs)
    expected = learning_rates(torch_schedule, theirs)
    got = learning_rates(schedule(ours, **kwargs), ours)
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-12)


def test_linear_decay_is_micrographs_demo_schedule():
    optimizer = SGD([Value(0.0)], lr=1.0)
    schedule = LinearDecay(optimizer, total_steps=100)
    for k in range(100):
        assert optimizer.param_groups[0]["lr"] == pytest.approx(1.0 - 0.9 * k / 100, abs=1e-12)
        schedule.step()


def test_get_last_lr_and_state_dict_round_trip():
    optimizer = Adam([Value(0.0)], lr=0.2)
    schedule = StepLR(optimizer, step_size=2, gamma=0.5)
    for _ in range(3):
        schedule.step()
    assert schedule.get_last_lr() == [0.1]
    copy = StepLR(Adam([Value(0.0)], lr=0.2), step_size=2)
    copy.load_state_dict(schedule.state_dict())
    copy.step()
    schedule.step()
    assert copy.get_last_lr() == schedule.get_last_lr() == [0.05]


@pytest.mark.parametrize("make, message", [
    (lambda opt: StepLR(opt, step_size=0), "step_size"),
    (lambda opt: CosineAnnealingLR(opt, T_max=0), "T_max"),
    (lambda opt: LinearLR(opt, start_factor=0.0), "start_factor"),
])
def test_bad_schedule_arguments_are_refused_with_the_valid_range(make, message):
    with pytest.raises(ValueError, match=message):
        make(SGD([Value(0.0)], lr=0.1))


def test_a_schedule_given_a_model_instead_of_an_optimiser_says_how_to_build_one():
    with pytest.raises(TypeError, match=r"got a MLP. Fix: opt = nn.SGD\(model.parameters\(\)"):
        StepLR(nn.MLP(2, [1]), step_size=1)
