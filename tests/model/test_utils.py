"""engine.model.utils: stack_batch, merge_dict, anomalous params, SyncBN."""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator

import pytest
import torch
import torch.nn as nn
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.logging import MMLogger
from engine.model import (
    convert_sync_batchnorm,
    detect_anomalous_params,
    merge_dict,
    revert_sync_batchnorm,
    stack_batch,
)
from engine.model.utils import _BatchNormXd
from engine.utils import _reset_manager_instances

sizes = st.lists(st.integers(1, 6), min_size=2, max_size=2)


@settings(max_examples=40)
@given(
    shapes=st.lists(sizes, min_size=1, max_size=4),
    divisor=st.integers(1, 5),
    pad_value=st.integers(-3, 3),
)
def test_stack_batch_pads_at_the_end(
    shapes: list[list[int]], divisor: int, pad_value: int
) -> None:
    tensors = [torch.rand(2, h, w) + 10 for h, w in shapes]
    batch = stack_batch(tensors, divisor, pad_value)
    height = math.ceil(max(h for h, _ in shapes) / divisor) * divisor
    width = math.ceil(max(w for _, w in shapes) / divisor) * divisor
    assert batch.shape == (len(shapes), 2, height, width)
    for out, tensor, (h, w) in zip(batch, tensors, shapes):
        assert torch.equal(out[:, :h, :w], tensor)
        mask = torch.ones(height, width, dtype=torch.bool)
        mask[:h, :w] = False
        assert bool((out[:, mask] == pad_value).all())


def test_stack_batch_first_dim_not_padded() -> None:
    with pytest.raises(
        RuntimeError, match="stack expects each tensor to be equal size"
    ):
        stack_batch([torch.ones(1, 2), torch.ones(2, 2)])
    with pytest.raises(RuntimeError):
        stack_batch([torch.ones(2), torch.ones(3)], pad_size_divisor=4)


def test_stack_batch_keeps_dtype_and_same_sizes() -> None:
    out = stack_batch([torch.ones(1, 2, 2, dtype=torch.uint8)] * 2, pad_value=2.5)
    assert out.dtype == torch.uint8 and out.shape == (2, 1, 2, 2)
    padded = stack_batch(
        [
            torch.ones(1, 3, 3, dtype=torch.uint8),
            torch.ones(1, 2, 2, dtype=torch.uint8),
        ],
        pad_value=2.5,
    )
    assert padded[1, 0, 2, 2] == 2  # cast like torch's padding does
    assert stack_batch([torch.ones(1, 3, 3)], pad_size_divisor=2).shape == (1, 1, 4, 4)


@pytest.mark.parametrize(
    ("arg", "error", "match"),
    [
        ((torch.ones(1, 2),), TypeError, "Expected input type to be list"),
        ([], ValueError, "could not be an empty list"),
        ([torch.ones(1, 2), torch.ones(1, 2, 2)], ValueError, r"got \[2, 3\]"),
        ([torch.tensor(1.0)], ValueError, "at least 1 dimension"),
    ],
)
def test_stack_batch_errors(arg: object, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        stack_batch(arg)  # type: ignore[arg-type]
    with pytest.raises(AssertionError):
        stack_batch(arg)  # type: ignore[arg-type]


def test_merge_dict() -> None:
    assert merge_dict(dict(a=1, b=2), dict(b=3, c=4)) == dict(a=1, b=3, c=4)
    assert merge_dict() == {}
    assert type(merge_dict(__import__("collections").OrderedDict(a=1))) is dict
    with pytest.raises(TypeError, match="should be a dict, but got <class 'list'>"):
        merge_dict(dict(a=1), [1])  # type: ignore[arg-type]


@pytest.fixture
def errors() -> Iterator[list[str]]:
    _reset_manager_instances()
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(record.getMessage())

    logger = MMLogger.get_instance("anomalous")
    logger.addHandler(Collect(level=logging.ERROR))
    yield lines
    _reset_manager_instances()


def test_detect_anomalous_params(errors: list[str]) -> None:
    net = nn.ModuleDict(dict(a=nn.Linear(2, 2), b=nn.Linear(2, 2), c=nn.Linear(2, 2)))
    net["c"].requires_grad_(False)
    loss = net["a"](torch.ones(1, 2)).sum() + net["c"](torch.ones(1, 2)).sum()
    detect_anomalous_params(loss, net)
    assert errors == [
        "b.weight with shape torch.Size([2, 2]) is not in the computational graph \n",
        "b.bias with shape torch.Size([2]) is not in the computational graph \n",
    ]


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.bn = nn.BatchNorm2d(3, momentum=0.3, eps=1e-3)
        self.seq = nn.Sequential(nn.BatchNorm1d(2, affine=False), nn.Linear(2, 2))
        self.gn = nn.GroupNorm(1, 2)


def test_convert_sync_batchnorm_shares_state() -> None:
    net = Net()
    net.eval()
    bn = net.bn
    bn.running_mean.fill_(0.5)
    bn.weight.requires_grad_(False)
    bn.qconfig = "q"  # type: ignore[assignment]
    assert convert_sync_batchnorm(net) is net
    sync = net.bn
    assert type(sync) is nn.SyncBatchNorm and type(net.seq[0]) is nn.SyncBatchNorm
    assert (sync.momentum, sync.eps, sync.num_features) == (0.3, 1e-3, 3)
    assert sync.weight is bn.weight and sync.running_mean is bn.running_mean
    assert sync.num_batches_tracked is bn.num_batches_tracked
    assert sync.qconfig == "q" and sync.training  # starts in training mode
    assert type(net.gn) is nn.GroupNorm and net.seq[0].weight is None
    top = nn.BatchNorm2d(2)
    assert type(convert_sync_batchnorm(top)) is nn.SyncBatchNorm


def test_convert_sync_batchnorm_implementations() -> None:
    with pytest.raises(ValueError, match='"torch" or "mmcv", but got foo'):
        convert_sync_batchnorm(Net(), implementation="foo")
    assert isinstance(convert_sync_batchnorm(nn.Linear(1, 1), "foo"), nn.Linear)
    with pytest.raises(ModuleNotFoundError, match="mmcv"):
        convert_sync_batchnorm(Net(), implementation="mmcv")


def test_revert_sync_batchnorm() -> None:
    sync = nn.SyncBatchNorm(3, momentum=0.2)
    sync.eval()
    sync.running_var.fill_(4)
    sync.qconfig = "q"  # type: ignore[assignment]
    net = nn.Sequential(
        sync,
        nn.Sequential(nn.SyncBatchNorm(2, affine=False, track_running_stats=False)),
    )
    assert revert_sync_batchnorm(net) is net
    reverted = net[0]
    assert type(reverted) is _BatchNormXd and type(net[1][0]) is _BatchNormXd
    assert reverted.weight is sync.weight and reverted.running_var is sync.running_var
    assert (reverted.momentum, reverted.training, reverted.qconfig) == (0.2, False, "q")
    assert net[1][0].running_mean is None and not net[1][0].track_running_stats
    for shape in ((2, 3), (2, 3, 4), (2, 3, 4, 4, 4)):
        assert reverted(torch.ones(shape)).shape == shape
    assert type(revert_sync_batchnorm(nn.SyncBatchNorm(2))) is _BatchNormXd
    assert type(revert_sync_batchnorm(nn.BatchNorm2d(2))) is nn.BatchNorm2d


def test_round_trip_keeps_child_order() -> None:
    net = nn.Sequential()
    net.add_module("x", nn.Linear(1, 1))
    net.add_module("bn", nn.BatchNorm1d(1))
    net.add_module("y", nn.ReLU())
    net = revert_sync_batchnorm(convert_sync_batchnorm(net))
    assert [name for name, _ in net.named_children()] == ["x", "bn", "y"]
    assert type(net.bn) is _BatchNormXd
