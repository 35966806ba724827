"""Dataset memory with dataloader workers, and collate throughput.

**Memory** (cases ``mem ...``): a ``BaseDataset`` of N items (full: 200,000;
smoke: 5,000) read from an OpenMMLab 2.0 json file (COCO-like items: a path,
a size and three boxes each) is iterated once, shuffled, by a ``DataLoader``
with W workers (full: 4; smoke: 2), batch size 256, ``pseudo_collate`` and,
as the Runner builds it, the implementation's ``worker_init_fn`` (the
``plain`` rows, not in the smoke run: without ``worker_init_fn``). Each
measurement runs in a fresh interpreter; every 20 batches it reads
``/proc/<pid>/smaps_rollup`` of the main process and of the workers and
keeps the peak of the sums:

* ``RSS`` counts every resident page of every process, so pages that a
  forked worker still shares with the main process count once per process;
* ``PSS anon`` divides each shared anonymous page among its sharers: the
  sum is the heap memory the job really uses, the figure ``serialize_data``
  improves. (File-backed pages, the shared libraries, are left out: their
  PSS depends on unrelated processes mapping the same files.)

The benchmark harness reports seconds; a memory case returns MiB / 1000, so
**the "(ms)" column of a ``mem`` row reads MiB** and the ratio is a memory
ratio.

**Collate** (cases ``collate ...``): B batches (full: 2,000; smoke: 50) of 32
samples ``dict(inputs=<3x32x32 tensor>, label=<int>, meta=dict(path=<str>))``
through ``pseudo_collate``, ``default_collate`` and, as the baseline
identical for both implementations, ``torch.utils.data.default_collate``.
"""

from __future__ import annotations

import functools
import importlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import torch
from torch.utils.data import default_collate as torch_default_collate

from benchmarks.suite import Case

NAME = "dataset"
_ROOT = Path(__file__).resolve().parents[2]
_SAMPLE_EVERY = 20


def _write_annotations(path: Path, num_items: int) -> None:
    data_list = [
        dict(
            img_path=f"train2017/{i:012d}.jpg",
            width=640,
            height=480,
            instances=[
                dict(bbox=[1.0 * k, 2.0 * k, 30.0 + k, 40.0 + k], bbox_label=k % 80)
                for k in range(3)
            ],
        )
        for i in range(num_items)
    ]
    path.write_text(json.dumps(dict(metainfo=dict(classes=["a"]), data_list=data_list)))


def _memory_kib(pid: int) -> tuple[int, int]:
    """``(Rss, Pss_Anon)`` of process ``pid`` in KiB; zeros if it has exited."""
    values = {"Rss:": 0, "Pss_Anon:": 0}
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                key, *rest = line.split()
                if key in values:
                    values[key] = int(rest[0])
    except OSError:
        pass
    return values["Rss:"], values["Pss_Anon:"]


def measure(
    impl: str, ann_file: str, serialize: bool, workers: int, init_fn: bool
) -> dict[str, float]:
    """Peak RSS and PSS-anon sums (MiB) over main + workers during one epoch."""
    dataset_mod = importlib.import_module(f"{impl}.dataset")
    dataset = dataset_mod.BaseDataset(ann_file=ann_file, serialize_data=serialize)
    worker_init = functools.partial(
        dataset_mod.worker_init_fn, num_workers=workers, rank=0, seed=0
    )
    loader = torch.utils.data.DataLoader(
        dataset,
        batch_size=256,
        num_workers=workers,
        sampler=dataset_mod.DefaultSampler(dataset, shuffle=True, seed=0),
        collate_fn=dataset_mod.pseudo_collate,
        worker_init_fn=worker_init if init_fn else None,
    )
    iterator = iter(loader)
    pids = [os.getpid()] + [w.pid for w in iterator._workers]  # type: ignore[attr-defined]
    peak_rss = peak_pss = 0
    for count, _ in enumerate(iterator):
        if count % _SAMPLE_EVERY == 0:
            sums = [sum(values) for values in zip(*map(_memory_kib, pids))]
            peak_rss, peak_pss = max(peak_rss, sums[0]), max(peak_pss, sums[1])
    return dict(rss_mib=peak_rss / 1024, pss_mib=peak_pss / 1024)


class _MemoryProbe:
    """Runs :func:`measure` in a fresh interpreter; one case per figure."""

    def __init__(
        self, impl: str, ann_file: Path, serialize: bool, workers: int, init_fn: bool
    ):
        self.args = [impl, str(ann_file), str(serialize), str(workers), str(init_fn)]
        self.pending_pss: list[float] = []

    def _run(self) -> dict[str, float]:
        code = (
            "import json, sys; from benchmarks.suites.dataset import measure; "
            "a = sys.argv[1:]; "
            "print(json.dumps(measure(a[0], a[1], a[2] == 'True', int(a[3]), "
            "a[4] == 'True')))"
        )
        env = dict(os.environ, PYTHONPATH=str(_ROOT))
        proc = subprocess.run(
            [sys.executable, "-c", code, *self.args],
            cwd=_ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        return json.loads(proc.stdout.strip().splitlines()[-1])

    def rss(self) -> float:
        """Measure; return the RSS sum (MiB / 1000) and keep the PSS sum."""
        figures = self._run()
        self.pending_pss.append(figures["pss_mib"])
        return figures["rss_mib"] / 1000

    def pss(self) -> float:
        """The PSS sum of the matching :meth:`rss` run (MiB / 1000)."""
        if not self.pending_pss:
            return self._run()["pss_mib"] / 1000
        return self.pending_pss.pop(0) / 1000


def _batches(num_batches: int) -> list[list[dict[str, Any]]]:
    torch.manual_seed(0)
    return [
        [
            dict(inputs=torch.rand(3, 32, 32), label=i, meta=dict(path=f"{b}/{i}.jpg"))
            for i in range(32)
        ]
        for b in range(num_batches)
    ]


def _collate_case(collate: Any, batches: list) -> Case:
    def case() -> None:
        for batch in batches:
            collate(batch)

    return case


def cases(impl: str, workdir: Path, smoke: bool) -> dict[str, Case]:
    """Memory with serialize_data True/False, and three collate functions."""
    num_items, workers = (5_000, 2) if smoke else (200_000, 4)
    ann_file = workdir / "annotations.json"
    _write_annotations(ann_file, num_items)
    result: dict[str, Case] = {}
    size = f"{num_items // 1000}k items {workers} workers"
    variants = [(True, True), (False, True)] + ([] if smoke else [(True, False)])
    for serialize, init_fn in variants:
        probe = _MemoryProbe(impl, ann_file, serialize, workers, init_fn)
        tag = f"{size} serialize={serialize}{'' if init_fn else ' plain'}"
        result[f"mem RSS sum MiB {tag}"] = probe.rss
        result[f"mem PSS anon sum MiB {tag}"] = probe.pss
    dataset_mod = importlib.import_module(f"{impl}.dataset")
    batches = _batches(50 if smoke else 2000)
    for name, collate in (
        ("pseudo_collate", dataset_mod.pseudo_collate),
        ("default_collate", dataset_mod.default_collate),
        ("torch default_collate", torch_default_collate),
    ):
        result[f"collate {name} x{len(batches)}x32"] = _collate_case(collate, batches)
    return result
