"""Data elements: the containers predictions and annotations travel in.

:class:`BaseDataElement` separates a sample's metainfo from its data;
:class:`InstanceData` holds per-instance fields of equal length,
:class:`LabelData` classification labels and scores, :class:`PixelData`
pixel-wise maps of a common height and width.
"""

from engine.structures.base_data_element import BaseDataElement
from engine.structures.instance_data import InstanceData
from engine.structures.label_data import LabelData
from engine.structures.pixel_data import PixelData

__all__ = ["BaseDataElement", "InstanceData", "LabelData", "PixelData"]
