"""``LabelData``: classification labels, scores and their conversions.

:class:`LabelData` is a plain :class:`BaseDataElement` (any fields, no shape
rules) with two helpers converting between a label tensor
(``tensor([1, 3])``) and its multi-hot form (``tensor([0, 1, 0, 1, 0])``).
"""

from __future__ import annotations

import torch

from engine.structures.base_data_element import BaseDataElement
from engine.utils._errors import CompatTypeError, CompatValueError


class LabelData(BaseDataElement):
    """Data element for classification labels and scores.

    Examples:
        >>> import torch
        >>> from engine.structures import LabelData
        >>> gt = LabelData(metainfo=dict(num_classes=5), label=torch.tensor([1, 3]))
        >>> onehot = LabelData.label_to_onehot(gt.label, gt.num_classes)
        >>> onehot
        tensor([0, 1, 0, 1, 0])
        >>> LabelData.onehot_to_label(onehot)
        tensor([1, 3])
    """

    @staticmethod
    def onehot_to_label(onehot: torch.Tensor) -> torch.Tensor:
        """The positions of the non-zero entries of a 1-D one/multi-hot tensor.

        Args:
            onehot: A 1-D tensor whose values lie in ``[0, 1]``.

        Returns:
            The int64 positions of its non-zero entries (empty if none).

        Raises:
            TypeError: If ``onehot`` is not a tensor.
            ValueError: If it is not 1-D or has a value outside ``[0, 1]``.

        Examples:
            >>> import torch
            >>> from engine.structures import LabelData
            >>> LabelData.onehot_to_label(torch.tensor([0, 1, 1]))
            tensor([1, 2])
        """
        if not isinstance(onehot, torch.Tensor):
            raise CompatTypeError(
                f"onehot should be a torch.Tensor, but got {type(onehot)}"
            )
        is_onehot = (
            onehot.ndim == 1 and onehot.max().item() <= 1 and onehot.min().item() >= 0
        )
        if not is_onehot:
            raise ValueError("input is not one-hot and can not convert to label")
        return onehot.nonzero().squeeze(-1)

    @staticmethod
    def label_to_onehot(label: torch.Tensor, num_classes: int) -> torch.Tensor:
        """The multi-hot vector of length ``num_classes`` marking ``label``.

        Args:
            label: A tensor of class indices in ``[0, num_classes)``.
            num_classes: The number of classes.

        Returns:
            A 1-D tensor of ``label``'s dtype and device with 1 at every
            listed class and 0 elsewhere.

        Raises:
            TypeError: If ``label`` is not a tensor.
            ValueError: If a class index is ``>= num_classes``.

        Examples:
            >>> import torch
            >>> from engine.structures import LabelData
            >>> LabelData.label_to_onehot(torch.tensor([0, 2]), 3)
            tensor([1, 0, 1])
        """
        if not isinstance(label, torch.Tensor):
            raise CompatTypeError(
                f"label should be a torch.Tensor, but got {type(label)}"
            )
        onehot = label.new_zeros((num_classes,))
        if label.numel() and label.max().item() >= num_classes:
            raise CompatValueError(
                f"label {label.max().item()} is out of range for "
                f"num_classes={num_classes}"
            )
        onehot[label] = 1
        return onehot
