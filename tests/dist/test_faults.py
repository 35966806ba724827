"""A dead or missing peer makes the others fail with a clear error, not hang.

The cases run under :class:`MultiProcessTestCase`: a hang would end at its
``timeout`` as a failure naming the stuck rank, never block the suite.
"""

from __future__ import annotations

import datetime
import os
import tempfile
import time

import torch
import torch.distributed as torch_dist

import engine.dist as dist
from engine.dist import _collect
from engine.dist._errors import CollectiveError
from engine.testing._internal import MultiProcessTestCase


class TestPeerFailures(MultiProcessTestCase):
    @property
    def timeout(self) -> int:
        return 60

    def setUp(self) -> None:
        super().setUp()
        self.skip_return_code_checks = ["test_killed_peer"]  # rank 1 kills itself
        self._spawn_processes()

    def _init(self, timeout_s: int) -> None:
        torch_dist.init_process_group(
            "gloo",
            init_method=f"file://{self.file_name}",
            rank=self.rank,
            world_size=self.world_size,
            timeout=datetime.timedelta(seconds=timeout_s),
        )

    def test_killed_peer(self) -> None:
        self._init(timeout_s=120)  # the error must come from the death, not a timeout
        if self.rank == 1:
            os._exit(17)
        with self.assertRaises(CollectiveError) as caught:
            dist.all_reduce(torch.ones(1))
        self.assertEqual(
            (caught.exception.op, caught.exception.rank), ("all_reduce", 0)
        )
        self.assertIn(
            "all_reduce failed on rank 0 (world size 2, backend gloo)",
            str(caught.exception),
        )
        self.assertIsInstance(caught.exception.__cause__, RuntimeError)
        given = os.path.join(tempfile.gettempdir(), f"given-{os.getpid()}")
        with self.assertRaises(CollectiveError):
            dist.collect_results_cpu([1, 2], 4, tmpdir=given)
        self.assertFalse(os.path.exists(given))
        made: list[str] = []
        mkdtemp = tempfile.mkdtemp
        _collect.tempfile.mkdtemp = lambda **kw: made.append(mkdtemp(**kw)) or made[-1]  # type: ignore[attr-defined]
        with self.assertRaises(CollectiveError) as caught:
            dist.collect_results([1, 2], 4)
        self.assertEqual(caught.exception.op, "broadcast_object_list")
        self.assertEqual(len(made), 1)
        self.assertFalse(os.path.exists(made[0]))

    def test_peer_never_arrives(self) -> None:
        self._init(timeout_s=120)  # a slow start must not fail the rendezvous
        short = torch_dist.new_group([0, 1], timeout=datetime.timedelta(seconds=1))
        released = self.file_name + ".released"
        if self.rank == 1:  # alive, but skips the barrier until rank 0 gave up
            while not os.path.exists(released):
                time.sleep(0.05)
            os.remove(released)
            torch_dist.destroy_process_group()
            return
        try:
            with self.assertRaises(CollectiveError) as caught:
                dist.barrier(short)
        finally:
            open(released, "w").close()
        message = str(caught.exception)
        self.assertIn("barrier failed on rank 0", message)
        self.assertIn("1000ms", message)  # the configured timeout, not the default
