"""Checks of OpenMMLab 2.0 annotation files and of parsed data infos."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from engine.fileio import list_from_file
from engine.logging import print_log

__all__ = ["as_info_list", "check_annotations", "read_meta_file"]


def read_meta_file(key: str, value: str) -> Any:
    """The lines of file ``value``, or ``value`` itself if it is no file."""
    try:
        return list_from_file(value)
    except (TypeError, FileNotFoundError):
        print_log(
            f"metainfo[{key!r}] = {value!r} is not a meta file, simply parsed "
            "as meta information",
            logger="current",
            level=logging.WARNING,
        )
        return value


def check_annotations(annotations: Any, ann_file: str) -> list:
    """The ``data_list`` of ``annotations`` after checking the format."""
    if not isinstance(annotations, dict):
        raise TypeError(
            f"{ann_file}: the annotations loaded from annotation file should be "
            f"a dict, but got {type(annotations)}"
        )
    missing = [key for key in ("metainfo", "data_list") if key not in annotations]
    if missing:
        raise ValueError(
            f"{ann_file}: annotation must have data_list and metainfo keys; "
            f"missing {missing} (found keys {sorted(map(str, annotations))})"
        )
    if not isinstance(annotations["metainfo"], Mapping):
        raise TypeError(
            f"{ann_file}: 'metainfo' should be a dict, but got "
            f"{type(annotations['metainfo'])}"
        )
    raw_list = annotations["data_list"]
    if not isinstance(raw_list, list):
        raise TypeError(
            f"{ann_file}: 'data_list' should be a list, but got {type(raw_list)}"
        )
    for position, raw_data_info in enumerate(raw_list):
        if not isinstance(raw_data_info, dict):
            raise TypeError(
                f"{ann_file}: data_list[{position}] should be a dict, but got "
                f"{type(raw_data_info)}"
            )
    return raw_list


def as_info_list(data_info: Any, ann_file: str, position: int) -> list[dict]:
    """``parse_data_info``'s result as a list of dicts, checked."""
    infos = data_info if isinstance(data_info, list) else [data_info]
    for info in infos:
        if not isinstance(info, dict):
            raise TypeError(
                f"{ann_file}: parse_data_info(data_list[{position}]) should "
                f"return a dict or a list of dict, but got {type(data_info)}"
            )
    return infos
