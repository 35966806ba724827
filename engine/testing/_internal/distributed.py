"""A ``unittest.TestCase`` whose tests run in ``world_size`` processes at once.

Usage::

    class TestAllReduce(MultiProcessTestCase):
        def setUp(self):
            super().setUp()
            self._spawn_processes()

        def test_sum(self):  # runs in every process, self.rank = 0, 1, ...
            os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT='29512')
            dist.init_process_group(
                'gloo', rank=self.rank, world_size=self.world_size)
            ...

In the main process ``setUp`` spawns one process per rank (start method
``spawn``); each builds a fresh instance of the test class (without calling
``setUp``), sets ``rank`` and runs the test method. The main process's test
method waits for them and then passes, fails with every failing rank's
traceback, fails naming the ranks that ran past ``timeout`` (with their
stacks), or is skipped if the ranks skipped. When a rank fails, the others
are stopped at once.
"""

from __future__ import annotations

import faulthandler
import functools
import logging
import multiprocessing
import os
import sys
import tempfile
import threading
import time
import traceback
import unittest
from enum import Enum
from multiprocessing.connection import Connection, wait
from typing import Any, NamedTuple

logger = logging.getLogger(__name__)


class TestSkip(NamedTuple):
    """An exit code by which a rank says that it skipped the test."""

    exit_code: int
    message: str


TEST_SKIPS = {
    "backend_unavailable": TestSkip(
        10, "Skipped because distributed backend is not available."
    ),
    "no_cuda": TestSkip(11, "CUDA is not available."),
    "multi-gpu-2": TestSkip(12, "Need at least 2 CUDA device"),
    "generic": TestSkip(
        13, "Test skipped at subprocess level, look at subprocess log for skip reason"
    ),
}

_TRACEBACK_WAIT_S = 5.0


class MultiProcessTestCase(unittest.TestCase):
    """Run each test method in :attr:`world_size` processes (see the module).

    Attributes:
        rank: ``MAIN_PROCESS_RANK`` in the main process, the rank in a child.
        file_name: A temporary file shared by the ranks of one test (e.g. for
            ``init_method=f'file://{self.file_name}'``).
        processes: The spawned processes, by rank (main process only).
        skip_return_code_checks: Test methods (or their names) whose ranks may
            end with any exit code, e.g. a rank that kills itself on purpose;
            only a raised exception or a timeout fails them. Set it in
            ``setUp``.
    """

    MAIN_PROCESS_RANK = -1
    TEST_ERROR_EXIT_CODE = 10

    class Event(Enum):
        """Requests the main process sends to a rank."""

        GET_TRACEBACK = 1

    @property
    def world_size(self) -> int:
        """The number of processes per test. Defaults to 2."""
        return 2

    @property
    def timeout(self) -> int:
        """Seconds a test may run before its processes are stopped."""
        return 1000

    @property
    def is_master(self) -> bool:
        """Whether this is the process of rank 0."""
        return self.rank == 0

    def __init__(
        self, method_name: str = "runTest", methodName: str = "runTest"
    ) -> None:
        if methodName != "runTest":
            method_name = methodName
        super().__init__(method_name)
        self.rank = self.MAIN_PROCESS_RANK
        self.file_name = ""
        self.processes: list[Any] = []
        self.pid_to_pipe: dict[int, Connection] = {}
        self.skip_return_code_checks: list[Any] = []
        fn = getattr(self, method_name, None)
        if fn is not None:  # unittest and pytest build a bare 'runTest' instance
            setattr(self, method_name, self.join_or_run(fn))

    def join_or_run(self, fn: Any) -> Any:
        """Wrap a test method: wait for the ranks in the main process, run in a rank."""

        @functools.wraps(fn)
        def wrapper() -> None:
            if self.rank == self.MAIN_PROCESS_RANK:
                self._join_processes(fn)
            else:
                fn()

        return wrapper

    def setUp(self) -> None:
        """Prepare the bookkeeping; subclasses then call ``_spawn_processes``."""
        super().setUp()
        self.skip_return_code_checks = []
        self.processes = []
        self.rank = self.MAIN_PROCESS_RANK
        with tempfile.NamedTemporaryFile(delete=False) as file:
            self.file_name = file.name
        self.pid_to_pipe = {}

    def tearDown(self) -> None:
        """Stop processes still running and remove the shared file."""
        super().tearDown()
        for process in self.processes:
            if process.is_alive():
                process.terminate()
            process.join(timeout=10)
        for pipe in self.pid_to_pipe.values():
            pipe.close()
        if self.file_name and os.path.exists(self.file_name):
            os.remove(self.file_name)

    def _current_test_name(self) -> str:
        return self.id().split(".")[-1]

    def _start_processes(self, proc: Any) -> None:
        self.processes = []
        for rank in range(self.world_size):
            parent_conn, child_conn = multiprocessing.Pipe()
            process = proc(
                target=self.__class__._run,
                name=f"process {rank}",
                args=(rank, self._current_test_name(), self.file_name, child_conn),
            )
            process.start()
            logger.info("Started process %d with pid %d", rank, process.pid)
            self.pid_to_pipe[process.pid] = parent_conn
            self.processes.append(process)

    def _spawn_processes(self) -> None:
        """Start one process per rank for the current test."""
        self._start_processes(multiprocessing.get_context("spawn").Process)

    def prepare_subprocess(self) -> None:
        """Hook run in each rank before the test method. Does nothing by default."""

    @classmethod
    def _run(cls, rank: int, test_name: str, file_name: str, parent_pipe: Any) -> None:
        self = cls(test_name)
        self.rank = rank
        self.file_name = file_name
        self.run_test(test_name, parent_pipe)

    def run_test(self, test_name: str, parent_pipe: Any) -> None:
        """Run ``test_name`` in this rank and exit with a code telling the outcome."""
        stop_recv, stop_send = multiprocessing.Pipe(duplex=False)
        listener = threading.Thread(
            target=MultiProcessTestCase._event_listener,
            args=(parent_pipe, stop_recv, self.rank),
            daemon=True,
        )
        listener.start()
        code = 0
        try:
            self.prepare_subprocess()
            getattr(self, test_name)()
        except unittest.SkipTest as e:
            logger.info("Process %d skipped %s: %s", self.rank, test_name, e)
            parent_pipe.send(str(e))
            code = TEST_SKIPS["generic"].exit_code
        except BaseException:
            parent_pipe.send(traceback.format_exc())
            code = self.TEST_ERROR_EXIT_CODE
        finally:
            stop_send.send(None)
            listener.join()
        sys.exit(code)

    @staticmethod
    def _event_listener(parent_pipe: Any, signal_pipe: Any, rank: int) -> None:
        """Answer the main process's requests until ``signal_pipe`` says stop."""
        while True:
            ready = wait([parent_pipe, signal_pipe])
            if signal_pipe in ready:
                return
            try:
                event = parent_pipe.recv()
            except EOFError:
                return
            if event == MultiProcessTestCase.Event.GET_TRACEBACK:
                with tempfile.TemporaryFile(mode="r+") as dump:
                    faulthandler.dump_traceback(dump)
                    dump.seek(0)
                    parent_pipe.send(dump.read())
                logger.info("Process %d sent its traceback", rank)

    def _join_processes(self, fn: Any) -> None:
        """Wait for the ranks (stop all once one fails), then judge the outcome."""
        start = time.time()
        deadline = start + self.timeout
        alive = list(self.processes)
        while alive and time.time() < deadline:
            wait([p.sentinel for p in alive], timeout=deadline - time.time())
            alive = [p for p in self.processes if p.exitcode is None]
            if any(p.exitcode == self.TEST_ERROR_EXIT_CODE for p in self.processes):
                break
        if alive and time.time() >= deadline:
            self._get_timedout_process_traceback()
        for process in alive:
            process.terminate()
            process.join(timeout=10)
        elapsed = time.time() - start
        skipped = {getattr(c, "__name__", c) for c in self.skip_return_code_checks}
        if getattr(fn, "__name__", None) in skipped:
            self._check_no_test_errors(elapsed)
        else:
            self._check_return_codes(elapsed)

    def _get_timedout_process_traceback(self) -> None:
        """Ask every rank still running for its stack; keep the answers."""
        self._timeout_stacks: dict[int, str] = {}
        for rank, process in enumerate(self.processes):
            if process.exitcode is not None:
                continue
            pipe = self.pid_to_pipe[process.pid]
            try:
                pipe.send(self.Event.GET_TRACEBACK)
                if pipe.poll(_TRACEBACK_WAIT_S):
                    self._timeout_stacks[rank] = pipe.recv()
            except (OSError, EOFError) as e:
                logger.error("Could not get the traceback of process %d: %s", rank, e)

    def _errors(self) -> str:
        """The reports of the ranks that failed the test."""
        reports = []
        for rank, process in enumerate(self.processes):
            if process.exitcode != self.TEST_ERROR_EXIT_CODE:
                continue
            pipe = self.pid_to_pipe[process.pid]
            message = pipe.recv() if pipe.poll() else "(no traceback received)"
            reports.append(
                f"Process {rank} exited with error code "
                f"{self.TEST_ERROR_EXIT_CODE} and exception:\n{message}"
            )
        return "\n".join(reports)

    def _timed_out(self, elapsed_time: float) -> str:
        stacks = getattr(self, "_timeout_stacks", {})
        lines = []
        for rank, process in enumerate(self.processes):
            if process.exitcode is None or rank in stacks:
                stack = stacks.get(rank, "(no stack received)")
                lines.append(
                    f"Process {rank} timed out after {elapsed_time:.1f} seconds "
                    f"(timeout {self.timeout} s); its stack:\n{stack}"
                )
        return "\n".join(lines)

    def _check_no_test_errors(self, elapsed_time: float) -> None:
        """Fail if a rank raised or ran past the timeout."""
        errors = self._errors() or self._timed_out(elapsed_time)
        if errors:
            raise RuntimeError(errors)

    def _check_return_codes(self, elapsed_time: float) -> None:
        """Fail, skip or pass according to the ranks' exit codes."""
        self._check_no_test_errors(elapsed_time)
        codes = [process.exitcode for process in self.processes]
        skip_codes = {skip.exit_code: skip.message for skip in TEST_SKIPS.values()}
        if codes and all(code in skip_codes for code in codes):
            pipe = self.pid_to_pipe[self.processes[0].pid]
            reason = pipe.recv() if pipe.poll() else skip_codes[codes[0]]
            raise unittest.SkipTest(reason)
        bad = {rank: code for rank, code in enumerate(codes) if code != 0}
        if bad:
            raise RuntimeError(
                "Processes ended with unexpected exit codes (rank: code; a "
                f"negative code is the signal that killed it): {bad}"
            )

    def _should_stop_test_suite(self) -> bool:
        """Whether the run should stop after this test (never, by default)."""
        return False
