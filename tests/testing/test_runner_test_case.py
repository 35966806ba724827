"""``RunnerTestCase``: the toy job trains, and tearDown leaves nothing behind."""

from __future__ import annotations

import copy
import os
import unittest

from engine.logging import MessageHub
from engine.registry import DATASETS, METRICS, MODELS
from engine.testing import RunnerTestCase


class _Case(RunnerTestCase):
    def test_epoch_based(self) -> None:
        runner = self.build_runner(copy.deepcopy(self.epoch_based_cfg))
        runner.train()
        assert runner.epoch == 2 and runner.iter == 8
        assert runner.val()["acc"] == 1
        assert runner.test()["acc"] == 1

    def test_iter_based(self) -> None:
        runner = self.build_runner(copy.deepcopy(self.iter_based_cfg))
        runner.train()
        assert runner.iter == 12
        assert os.path.isfile(os.path.join(self.temp_dir.name, "iter_12.pth"))


def test_runner_test_case_runs_and_cleans_up() -> None:
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(_Case)
    result = unittest.TestResult()
    suite.run(result)
    assert result.wasSuccessful(), result.errors + result.failures
    assert result.testsRun == 2
    for registry, name in (
        (MODELS, "ToyModel"),
        (DATASETS, "ToyDataset"),
        (METRICS, "ToyMetric"),
    ):
        assert name not in registry.module_dict
    assert not MessageHub._instance_dict


def test_experiment_names_are_unique() -> None:
    case = _Case("test_epoch_based")
    assert case.experiment_name != case.experiment_name
