"""Conformance of ``Config`` (docs L5325-6164 and the runner config L2804-2906).

The config files are the doc's own (all shown inline), written into
``tmp_path`` at test time; tests ``chdir`` there so paths are the doc's
relative ones. ``my_module.py`` holds the class the doc shows above it
(AMB-31). The cross-repository base (CFG-24) is a package written to
``tmp_path`` in the installation layout (``<pkg>/.mim/configs``); MMEngine
only resolves the OpenMMLab package names, so it is called ``mmdet``.
"""

from __future__ import annotations

import re
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conformance.harness.impl import Impl

DOC_FILES = {
    "learn_read_config.py": """\
        test_int = 1
        test_list = [1, 2, 3]
        test_dict = dict(key1='value1', key2=0.1)
        """,
    "config.json": """\
        {
          "test_int": 1,
          "test_list": [1, 2, 3],
          "test_dict": {"key1": "value1", "key2": 0.1}
        }
        """,
    "config.yml": """\
        test_int: 1
        test_list: [1, 2, 3]
        test_dict:
          key1: "value1"
          key2: 0.1
        """,
    "config_sgd.py": (
        "optimizer = dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=0.0001)\n"
    ),
    "optimizer_cfg.py": (
        "optimizer = dict(type='SGD', lr=0.02, momentum=0.9, weight_decay=0.0001)\n"
    ),
    "resnet50.py": """\
        _base_ = ['optimizer_cfg.py']
        model = dict(type='ResNet', depth=50)
        """,
    "runtime_cfg.py": "gpu_ids = [0, 1]\n",
    "resnet50_runtime.py": """\
        _base_ = ['optimizer_cfg.py', 'runtime_cfg.py']
        model = dict(type='ResNet', depth=50)
        """,
    "resnet50_lr0.01.py": """\
        _base_ = ['optimizer_cfg.py', 'runtime_cfg.py']
        model = dict(type='ResNet', depth=50)
        optimizer = dict(lr=0.01)
        """,
    "resnet50_gpu0.py": """\
        _base_ = ['optimizer_cfg.py', 'runtime_cfg.py']
        model = dict(type='ResNet', depth=50)
        gpu_ids = [0]
        """,
    "resnet50_delete_key.py": """\
        _base_ = ['optimizer_cfg.py', 'runtime_cfg.py']
        model = dict(type='ResNet', depth=50)
        optimizer = dict(_delete_=True, type='SGD', lr=0.01)
        """,
    "refer_base_var.py": """\
        _base_ = ['resnet50.py']
        a = {{_base_.model}}
        """,
    "modify_refer_base_var.py": """\
        _base_ = ['resnet50.py']
        a = {{_base_.model}}
        a['type'] = 'MobileNet'
        """,
    "modify_base_var.py": """\
        _base_ = ['resnet50.py']
        a = _base_.model
        a.type = 'MobileNet'
        """,
    "predefined_var.py": "work_dir = './work_dir/{{fileBasenameNoExtension}}'\n",
    "replace_data_root.py": """\
        dataset_type = 'CocoDataset'
        data_root = '{{$DATASET:/data/coco/}}'
        dataset=dict(ann_file= data_root + 'train.json')
        """,
    "replace_num_classes.py": """\
        model=dict(
            bbox_head=dict(
                num_classes={{'$NUM_CLASSES:80'}}))
        """,
    "custom_imports.py": """\
        custom_imports = dict(imports=['my_module'], allow_failed_imports=False)
        optimizer = dict(type='CustomOptim')
        """,
    "my_module.py": """\
        from {impl}.registry import OPTIMIZERS

        @OPTIMIZERS.register_module()
        class CustomOptim:
            pass
        """,
    "cross_repo.py": """\
        _base_ = [
            'mmdet::_base_/schedules/schedule_1x.py',
            'mmdet::_base_/datasets/coco_instance.py',
            'mmdet::_base_/default_runtime.py',
            'mmdet::_base_/models/faster_rcnn_r50_fpn.py',
        ]
        """,
}

OPTIMIZER = {"type": "SGD", "lr": 0.02, "momentum": 0.9, "weight_decay": 0.0001}
OPTIMIZER_TEXT = "{'type': 'SGD', 'lr': 0.02, 'momentum': 0.9, 'weight_decay': 0.0001}"


@pytest.fixture
def docs(tmp_path: Path, impl: Impl, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The doc's config files in a folder that is the working directory."""
    for name, text in DOC_FILES.items():
        text = textwrap.dedent(text).replace("{impl}", impl.name)
        (tmp_path / name).write_text(text)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def fromfile(impl: Impl, name: str, **kwargs: Any) -> Any:
    return impl.attr("config.Config").fromfile(name, **kwargs)


# -- reading and accessing (CFG-01..03) -------------------------------------------


@pytest.mark.spec("CFG-01")
def test_the_three_formats_read_the_same(impl: Impl, docs: Path) -> None:
    expected = {"test_int": 1, "test_list": [1, 2, 3], "test_dict": OPTIMIZER}
    expected["test_dict"] = {"key1": "value1", "key2": 0.1}
    for name in ("learn_read_config.py", "config.json", "config.yml"):
        assert fromfile(impl, name).to_dict() == expected, name


@pytest.mark.spec("CFG-01")
def test_print_shows_the_path_as_given(
    impl: Impl, docs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    print(fromfile(impl, "learn_read_config.py"))
    assert capsys.readouterr().out == (
        "Config (path: learn_read_config.py): {'test_int': 1, 'test_list': "
        "[1, 2, 3], 'test_dict': {'key1': 'value1', 'key2': 0.1}}\n"
    )


@pytest.mark.spec("CFG-02")
def test_attribute_and_item_access(
    impl: Impl, docs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = fromfile(impl, "learn_read_config.py")
    print(cfg.test_int)
    print(cfg.test_list)
    print(cfg.test_dict)
    cfg.test_int = 2
    print(cfg["test_int"])
    print(cfg["test_list"])
    print(cfg["test_dict"])
    cfg["test_list"][1] = 3
    print(cfg["test_list"])
    assert capsys.readouterr().out.splitlines() == [
        "1",
        "[1, 2, 3]",
        "{'key1': 'value1', 'key2': 0.1}",
        "2",
        "[1, 2, 3]",
        "{'key1': 'value1', 'key2': 0.1}",
        "[1, 3, 3]",
    ]
    assert cfg.test_dict.key1 == "value1"  # nested dicts are ConfigDicts


@pytest.mark.spec("CFG-03")
def test_build_an_optimizer_from_the_config(impl: Impl, docs: Path) -> None:
    import torch

    impl.mod("optim")  # registers the torch optimizers
    cfg = fromfile(impl, "config_sgd.py")
    model = torch.nn.Conv2d(1, 1, 1)
    cfg.optimizer.params = model.parameters()
    optimizer = impl.attr("registry.OPTIMIZERS").build(cfg.optimizer)
    assert isinstance(optimizer, torch.optim.SGD)
    group = optimizer.param_groups[0]
    assert (group["lr"], group["momentum"], group["weight_decay"]) == (0.1, 0.9, 1e-4)
    lines = repr(optimizer).splitlines()
    for line in ["SGD (", "Parameter Group 0", "    dampening: 0", "    lr: 0.1"]:
        assert line in lines
    for line in ["    maximize: False", "    nesterov: False", ")"]:
        assert line in lines


# -- inheritance (CFG-04..11) --------------------------------------------------------


@pytest.mark.spec("CFG-04")
def test_single_base(impl: Impl, docs: Path) -> None:
    cfg = fromfile(impl, "resnet50.py")
    assert str(cfg.optimizer) == OPTIMIZER_TEXT
    assert cfg.model == {"type": "ResNet", "depth": 50}


@pytest.mark.spec("CFG-05")
def test_several_bases(impl: Impl, docs: Path) -> None:
    cfg = fromfile(impl, "resnet50_runtime.py")
    assert sorted(cfg.keys()) == ["gpu_ids", "model", "optimizer"]
    assert str(cfg.optimizer) == OPTIMIZER_TEXT


@pytest.mark.spec("CFG-05")
def test_bases_may_not_share_a_key(impl: Impl, docs: Path) -> None:
    (docs / "dup.py").write_text("_base_ = ['optimizer_cfg.py', 'config_sgd.py']\n")
    with pytest.raises(KeyError, match="optimizer"):
        fromfile(impl, "dup.py")


@pytest.mark.spec("CFG-06")
def test_a_child_dict_merges_into_the_base_dict(impl: Impl, docs: Path) -> None:
    cfg = fromfile(impl, "resnet50_lr0.01.py")
    assert str(cfg.optimizer) == (
        "{'type': 'SGD', 'lr': 0.01, 'momentum': 0.9, 'weight_decay': 0.0001}"
    )


@pytest.mark.spec("CFG-07")
def test_a_child_list_replaces_the_base_list(impl: Impl, docs: Path) -> None:
    assert fromfile(impl, "resnet50_gpu0.py").gpu_ids == [0]


@pytest.mark.spec("CFG-08")
def test_delete_replaces_the_base_dict(impl: Impl, docs: Path) -> None:
    cfg = fromfile(impl, "resnet50_delete_key.py")
    assert str(cfg.optimizer) == "{'type': 'SGD', 'lr': 0.01}"


@pytest.mark.spec("CFG-09")
def test_textual_reference_to_a_base_value(impl: Impl, docs: Path) -> None:
    assert str(fromfile(impl, "refer_base_var.py").a) == (
        "{'type': 'ResNet', 'depth': 50}"
    )


@pytest.mark.spec("CFG-09")
@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("refer.json", '{"_base_": ["resnet50.py"], "a": {{_base_.model}}}'),
        ("refer.yaml", "_base_: [resnet50.py]\na: {{_base_.model}}\n"),
    ],
)
def test_textual_reference_in_json_and_yaml(
    impl: Impl, docs: Path, name: str, text: str
) -> None:
    (docs / name).write_text(text)
    assert fromfile(impl, name).a == {"type": "ResNet", "depth": 50}


@pytest.mark.spec("CFG-10")
def test_a_textual_reference_cannot_be_modified(impl: Impl, docs: Path) -> None:
    with pytest.raises(TypeError):
        fromfile(impl, "modify_refer_base_var.py")


@pytest.mark.spec("CFG-11")
def test_pythonic_reference_can_be_modified(impl: Impl, docs: Path) -> None:
    assert str(fromfile(impl, "modify_base_var.py").a) == (
        "{'type': 'MobileNet', 'depth': 50}"
    )


# -- dumping (CFG-12..14) ------------------------------------------------------------


@pytest.mark.spec("CFG-12")
@pytest.mark.diverges(
    "mmengine",
    reason="MMEngine 0.10.7 sorts the keys of .py dumps; the doc shows them in "
    "order (doc L5737-5738)",
)
def test_dump_to_python_has_the_doc_text(impl: Impl, docs: Path) -> None:
    fromfile(impl, "resnet50.py").dump("resnet50_dump.py")
    assert (docs / "resnet50_dump.py").read_text() == (
        "optimizer = dict(type='SGD', lr=0.02, momentum=0.9, weight_decay=0.0001)\n"
        "model = dict(type='ResNet', depth=50)\n"
    )


@pytest.mark.spec("CFG-12")
def test_a_python_dump_reloads_without_its_bases(impl: Impl, docs: Path) -> None:
    cfg = fromfile(impl, "resnet50.py")
    cfg.dump("resnet50_dump.py")
    text = (docs / "resnet50_dump.py").read_text()
    assert "_base_" not in text
    assert fromfile(impl, "resnet50_dump.py").to_dict() == cfg.to_dict()


@pytest.mark.spec("CFG-13")
def test_dump_to_yaml_and_json_have_the_doc_texts(impl: Impl, docs: Path) -> None:
    cfg = fromfile(impl, "resnet50.py")
    cfg.dump("resnet50_dump.yaml")
    cfg.dump("resnet50_dump.json")
    assert (docs / "resnet50_dump.yaml").read_text() == (
        "model:\n  depth: 50\n  type: ResNet\noptimizer:\n  lr: 0.02\n"
        "  momentum: 0.9\n  type: SGD\n  weight_decay: 0.0001\n"
    )
    assert (docs / "resnet50_dump.json").read_text() == (
        '{"optimizer": {"type": "SGD", "lr": 0.02, "momentum": 0.9, '
        '"weight_decay": 0.0001}, "model": {"type": "ResNet", "depth": 50}}'
    )
    for name in ("resnet50_dump.yaml", "resnet50_dump.json"):
        assert fromfile(impl, name).to_dict() == cfg.to_dict()


@pytest.mark.spec("CFG-14")
def test_dump_a_config_built_from_a_dict(impl: Impl, docs: Path) -> None:
    impl.attr("config.Config")(dict(a=1, b=2)).dump("dump_dict.py")
    text = (docs / "dump_dict.py").read_text()
    # The doc shows "a=1"; its own CFG-12 spaces assignments (AMB-28).
    assert text.replace(" ", "") == "a=1\nb=2\n"
    assert fromfile(impl, "dump_dict.py").to_dict() == {"a": 1, "b": 2}


# -- substitutions (CFG-15, 20..22) ------------------------------------------------


@pytest.mark.spec("CFG-15")
def test_predefined_variables(impl: Impl, docs: Path) -> None:
    assert fromfile(impl, "./predefined_var.py").work_dir == "./work_dir/predefined_var"
    (docs / "folder").mkdir()
    (docs / "folder" / "file.py").write_text(
        "a = '{{fileDirname}}'\nb = '{{fileBasename}}'\n"
        "c = '{{fileBasenameNoExtension}}'\nd = '{{fileExtname}}'\n"
    )
    cfg = fromfile(impl, "folder/file.py")
    assert Path(cfg.a) == docs / "folder"
    assert (cfg.b, cfg.c, cfg.d) == ("file.py", "file", ".py")


@pytest.mark.spec("CFG-20")
def test_environment_variable_default_and_value(
    impl: Impl, docs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DATASET", raising=False)
    expected = (
        "Config (path: replace_data_root.py): {'dataset_type': 'CocoDataset', "
        "'data_root': '{root}', 'dataset': {'ann_file': '{root}train.json'}}"
    )
    assert str(fromfile(impl, "replace_data_root.py")) == expected.replace(
        "{root}", "/data/coco/"
    )
    monkeypatch.setenv("DATASET", "/new/dataset/path/")
    assert str(fromfile(impl, "replace_data_root.py")) == expected.replace(
        "{root}", "/new/dataset/path/"
    )


@pytest.mark.spec("CFG-21")
def test_merged_option_changes_only_its_field(
    impl: Impl, docs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DATASET", raising=False)
    cfg = fromfile(impl, "replace_data_root.py")
    cfg.merge_from_dict({"data_root": "/new/dataset/path/"})
    assert cfg.to_dict() == {
        "dataset_type": "CocoDataset",
        "data_root": "/new/dataset/path/",
        "dataset": {"ann_file": "/data/coco/train.json"},
    }


@pytest.mark.spec("CFG-22")
def test_environment_variable_for_a_number(
    impl: Impl, docs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NUM_CLASSES", raising=False)
    expected = (
        "Config (path: replace_num_classes.py): "
        "{'model': {'bbox_head': {'num_classes': N}}}"
    )
    assert str(fromfile(impl, "replace_num_classes.py")) == expected.replace("N", "80")
    monkeypatch.setenv("NUM_CLASSES", "20")
    cfg = fromfile(impl, "replace_num_classes.py")
    assert str(cfg) == expected.replace("N", "20")
    assert type(cfg.model.bbox_head.num_classes) is int


# -- custom imports and other repositories (CFG-23, 24) ---------------------------


@pytest.fixture
def my_module(
    impl: Impl, docs: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    monkeypatch.syspath_prepend(str(docs))
    optimizers = impl.attr("registry.OPTIMIZERS")
    yield
    optimizers.module_dict.pop("CustomOptim", None)
    sys.modules.pop("my_module", None)


@pytest.mark.spec("CFG-23")
def test_custom_imports_register_the_module(impl: Impl, my_module: None) -> None:
    cfg = fromfile(impl, "custom_imports.py")
    assert "my_module" in sys.modules
    custom_optim = impl.attr("registry.OPTIMIZERS").build(cfg.optimizer)
    assert re.fullmatch(
        r"<my_module\.CustomOptim object at 0x[0-9a-f]+>", str(custom_optim)
    )


@pytest.mark.spec("CFG-23")
def test_a_failed_custom_import_is_an_error(impl: Impl, docs: Path) -> None:
    (docs / "bad_import.py").write_text(
        "custom_imports = dict(imports=['no_such_module_xyz'], "
        "allow_failed_imports=False)\n"
    )
    with pytest.raises(ImportError):
        fromfile(impl, "bad_import.py")


MMDET_CONFIGS = {
    "_base_/schedules/schedule_1x.py": (
        "train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=12, val_interval=1)\n"
    ),
    "_base_/datasets/coco_instance.py": "dataset_type = 'CocoDataset'\n",
    "_base_/default_runtime.py": "default_scope = 'mmdet'\n",
    "_base_/models/faster_rcnn_r50_fpn.py": "model = dict(type='FasterRCNN')\n",
}


@pytest.fixture
def mmdet(docs: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A package installed in the convention the doc names (``.mim/configs``)."""
    site = docs / "site"
    package = site / "mmdet"
    for rel_path, text in MMDET_CONFIGS.items():
        path = package / ".mim" / "configs" / rel_path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (package / "__init__.py").write_text("")
    (package / ".mim" / "model-index.yml").write_text("Import: []\n")
    monkeypatch.syspath_prepend(str(site))
    yield package
    for name in [m for m in sys.modules if m.split(".")[0] == "mmdet"]:
        del sys.modules[name]


@pytest.mark.spec("CFG-24")
def test_inherit_configs_of_an_installed_package(
    impl: Impl, mmdet: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = fromfile(impl, "cross_repo.py")
    print(cfg.train_cfg)
    assert capsys.readouterr().out == (
        "{'type': 'EpochBasedTrainLoop', 'max_epochs': 12, 'val_interval': 1, "
        "'_scope_': 'mmdet'}\n"
    )
    assert cfg.model == {"type": "FasterRCNN", "_scope_": "mmdet"}
    assert cfg.default_scope == "mmdet"


# -- runner configs (CFG-26..28) ---------------------------------------------------

EXAMPLE_CONFIG = """\
model = dict(type='MyAwesomeModel',
    layers=2,
    activation='relu')
work_dir = 'exp/my_awesome_model'

train_dataloader = dict(
    dataset=dict(type='MyDataset',
        is_train=True,
        size=10000),
    sampler=dict(
        type='DefaultSampler',
        shuffle=True),
    collate_fn=dict(type='default_collate'),
    batch_size=64,
    pin_memory=True,
    num_workers=2)
train_cfg = dict(
    by_epoch=True,
    max_epochs=10,
    val_begin=2,
    val_interval=1)
optim_wrapper = dict(
    optimizer=dict(
        type='Adam',
        lr=0.001))
param_scheduler = dict(
    type='MultiStepLR',
    by_epoch=True,
    milestones=[4, 8],
    gamma=0.1)

val_dataloader = dict(
    dataset=dict(type='MyDataset',
        is_train=False,
        size=1000),
    sampler=dict(
        type='DefaultSampler',
        shuffle=False),
    collate_fn=dict(type='default_collate'),
    batch_size=1000,
    pin_memory=True,
    num_workers=2)
val_cfg = dict()
val_evaluator = dict(type='Accuracy')

default_hooks = dict(
    checkpoint=dict(type='CheckpointHook', interval=1))
launcher = 'none'
env_cfg = dict(
    cudnn_benchmark=False,
    backend='nccl',
    mp_cfg=dict(mp_start_method='fork'))
log_level = 'INFO'
load_from = None
resume = False
"""


@pytest.mark.spec("CFG-26")
def test_runner_config_file(impl: Impl, docs: Path) -> None:
    (docs / "example_config.py").write_text(EXAMPLE_CONFIG)
    cfg = fromfile(impl, "example_config.py")
    assert cfg.model == {"type": "MyAwesomeModel", "layers": 2, "activation": "relu"}
    assert cfg.train_dataloader.dataset == {
        "type": "MyDataset",
        "is_train": True,
        "size": 10000,
    }
    assert cfg.train_dataloader.sampler.shuffle is True
    assert cfg.train_cfg.val_begin == 2
    assert cfg.param_scheduler.milestones == [4, 8]
    assert cfg.val_cfg == {}
    assert cfg.env_cfg.mp_cfg == {"mp_start_method": "fork"}
    assert (cfg.launcher, cfg.log_level, cfg.load_from, cfg.resume) == (
        "none",
        "INFO",
        None,
        False,
    )


@pytest.mark.spec("CFG-27")
def test_config_dict_construction_and_nested_assignment(impl: Impl) -> None:
    config_dict = impl.attr("config.ConfigDict")
    cfg = impl.attr("config.Config")(
        dict(
            model=dict(type="ImageClassifier"),
            tta_model=dict(type="AverageClsScoreTTA"),
            tta_pipeline=[dict(type="TestTimeAug")],
            test_dataloader=dict(dataset=dict(pipeline=[])),
        )
    )
    cfg.model = config_dict(**cfg.tta_model, module=cfg.model)
    cfg.test_dataloader.dataset.pipeline = cfg.tta_pipeline
    assert cfg.model == {
        "type": "AverageClsScoreTTA",
        "module": {"type": "ImageClassifier"},
    }
    assert cfg.to_dict()["test_dataloader"]["dataset"]["pipeline"] == [
        {"type": "TestTimeAug"}
    ]


BUILTIN = (str, int, float, bool, type(None), list, tuple, dict)


def _builtin_only(value: Any) -> bool:
    if isinstance(value, dict):
        return all(_builtin_only(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return all(_builtin_only(v) for v in value)
    return isinstance(value, BUILTIN)


@pytest.mark.spec("CFG-28")
def test_runner_config_holds_builtin_types_built_by_registries(
    impl: Impl, docs: Path
) -> None:
    import torch

    (docs / "example_config.py").write_text(EXAMPLE_CONFIG)
    cfg = fromfile(impl, "example_config.py")
    assert _builtin_only(cfg.to_dict())
    impl.mod("optim")
    optimizer_cfg = dict(cfg.optim_wrapper.optimizer)
    optimizer_cfg["params"] = torch.nn.Linear(1, 1).parameters()
    optimizer = impl.attr("registry.OPTIMIZERS").build(optimizer_cfg)
    assert isinstance(optimizer, torch.optim.Adam)  # no registration needed
