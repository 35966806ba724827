"""Pure parts of the tensor collectives: op names and parameter buckets."""

from __future__ import annotations

import pytest
import torch
from torch.distributed import ReduceOp

from engine.dist._tensor import _buckets, _reduce_op


def test_reduce_op_names_are_case_insensitive() -> None:
    assert _reduce_op("SUM") == _reduce_op("mean") == ReduceOp.SUM
    assert _reduce_op("Product") == ReduceOp.PRODUCT
    for bad in ("avg", "prod", 3):
        with pytest.raises(ValueError, match="reduce op should be one of"):
            _reduce_op(bad)  # type: ignore[arg-type]


def test_buckets_split_by_dtype_then_by_size() -> None:
    quarter_mib = 64 * 1024  # float32 elements
    floats = [torch.zeros(quarter_mib * 3) for _ in range(3)]  # 0.75 MiB each
    ints = [torch.zeros(2, dtype=torch.int64), torch.zeros(3, dtype=torch.int64)]
    tensors = [floats[0], ints[0], floats[1], ints[1], floats[2]]
    sizes = [[t.numel() for t in bucket] for bucket in _buckets(tensors, 1)]
    assert sizes == [[quarter_mib * 3]] * 3 + [[2, 3]]
    sizes = [[t.numel() for t in bucket] for bucket in _buckets(tensors, 2)]
    assert sizes == [[quarter_mib * 3] * 2, [quarter_mib * 3], [2, 3]]
    assert len(list(_buckets(tensors, -1))) == 2
