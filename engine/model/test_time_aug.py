"""``BaseTTAModel``: test-time augmentation around a model.

The test dataloader yields, for each batch, every augmented view of it
(as ``TestTimeAug`` packs them): every field is a list indexed by
augmentation, in a dict ``{'inputs': [views_0, views_1], 'data_samples':
[samples_0, samples_1]}`` or a tuple/list ``([views_0, views_1],
[samples_0, samples_1])``. :meth:`BaseTTAModel.test_step` does::

    per_aug = [{key: value[j] for key, value in data.items()}
               for each augmentation j]               # one batch per view
    preds = [module.test_step(batch) for batch in per_aug]
    per_sample = [[preds[j][i] for each j] for each sample i]
    return merge_preds(per_sample)                    # one result per sample

so the call chain of ``Runner.test()`` is ``wrapper.test_step ->
tta_model.test_step -> module.test_step``, and :meth:`merge_preds` gets a
list of ``batch_size`` lists of ``num_augs`` predictions.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Any

import torch.nn as nn

from engine.model.base_model import BaseModel
from engine.registry import MODELS
from engine.structures import BaseDataElement

__all__ = ["BaseTTAModel"]


@MODELS.register_module()
class BaseTTAModel(BaseModel):
    """Run a model on every augmented view and merge the predictions.

    Subclasses implement :meth:`merge_preds`. ``forward`` is not used
    (``test_step`` calls the wrapped model's ``test_step``) and raises.

    Args:
        module: The model, or a cfg dict built with ``MODELS``.
        data_preprocessor: Accepted for MMEngine compatibility and not used:
            each view is preprocessed by ``module``'s own data preprocessor
            inside ``module.test_step``; this model keeps a default
            ``BaseDataPreprocessor``. Defaults to None.

    Raises:
        TypeError: if ``module`` is neither an ``nn.Module`` nor a dict.

    Examples:
        >>> class AverageScore(BaseTTAModel):
        ...     def merge_preds(self, data_samples_list):
        ...         merged = []
        ...         for samples in data_samples_list:
        ...             score = sum(s.score for s in samples) / len(samples)
        ...             merged.append(samples[0].new(score=score))
        ...         return merged
        >>> tta = AverageScore(module=dict(type='MyClassifier'))  # doctest: +SKIP
        >>> tta.test_step(dict(inputs=[batch, flipped_batch]))  # doctest: +SKIP
    """

    def __init__(
        self,
        module: dict | nn.Module,
        data_preprocessor: dict | nn.Module | None = None,
    ) -> None:
        super().__init__()
        if isinstance(module, nn.Module):
            self.module = module
        elif isinstance(module, dict):
            self.module = MODELS.build(module)
        else:
            raise TypeError(
                "The type of module should be a `nn.Module` instance or a dict, "
                f"but got {module!r} ({type(module).__name__})"
            )

    @abstractmethod
    def merge_preds(
        self, data_samples_list: list[list[BaseDataElement]]
    ) -> list[BaseDataElement]:
        """Merge the predictions of the views of each sample.

        Args:
            data_samples_list: One list per sample of the batch, holding that
                sample's prediction for each augmentation, in order.

        Returns:
            One merged prediction per sample.
        """

    def test_step(self, data: dict | tuple | list) -> list:
        """Predict every view with ``module.test_step`` and merge them.

        Args:
            data: A dict, tuple or list of fields, each a sequence with one
                entry per augmentation.

        Returns:
            What :meth:`merge_preds` returns for the batch.

        Raises:
            TypeError: if ``data`` is neither a dict nor a list/tuple.
            ValueError: if ``data`` is empty or its fields differ in length.
        """
        module: Any = self.module
        predictions = [module.test_step(batch) for batch in _split_augs(data)]
        per_sample = [list(views) for views in zip(*predictions)]
        return self.merge_preds(per_sample)

    def forward(
        self,
        inputs: Any,
        data_samples: list | None = None,
        mode: str = "tensor",
    ) -> dict | list:
        """Not used by test-time augmentation; always raises.

        Raises:
            NotImplementedError: always; call :meth:`test_step`, or override
                this method in a subclass that needs it.
        """
        raise NotImplementedError(
            f"`{type(self).__name__}.forward` is not called during training or "
            "testing: call `test_step` instead, or implement `forward` in the "
            "subclass if you need it"
        )


def _split_augs(data: dict | tuple | list) -> list[Any]:
    """The per-augmentation batches held in a test-time-augmented batch.

    Every field of ``data`` (a dict value, or an item of a list/tuple) is a
    sequence with one entry per augmentation.

    Args:
        data: ``{key: [value_aug0, value_aug1, ...]}`` or
            ``[[field0_aug0, field0_aug1, ...], [field1_aug0, ...]]``.

    Returns:
        ``[{key: value_aug0}, {key: value_aug1}, ...]`` for a dict,
        ``[[field0_aug0, field1_aug0], [field0_aug1, field1_aug1], ...]``
        for a list or tuple.

    Raises:
        TypeError: if ``data`` is neither a dict nor a list/tuple.
        ValueError: if ``data`` is empty or its fields differ in length.

    Examples:
        >>> _split_augs(dict(inputs=['a0', 'a1'], data_samples=['s0', 's1']))
        [{'inputs': 'a0', 'data_samples': 's0'}, {'inputs': 'a1', 'data_samples': 's1'}]
        >>> _split_augs((['a0', 'a1'], ['s0', 's1']))
        [['a0', 's0'], ['a1', 's1']]
    """
    if isinstance(data, dict):
        fields = data
    elif isinstance(data, (list, tuple)):
        fields = dict(enumerate(data))
    else:
        raise TypeError(
            "test-time-augmented data must be a dict, tuple or list of "
            f"per-augmentation sequences, but got {type(data).__name__}"
        )
    num_augs = _num_augs(fields)
    batches = [
        {key: value[idx] for key, value in fields.items()} for idx in range(num_augs)
    ]
    if isinstance(data, dict):
        return batches
    return [list(batch.values()) for batch in batches]


def _num_augs(fields: dict[Any, Any]) -> int:
    """The common length of the per-augmentation sequences in ``fields``."""
    lengths = {key: len(value) for key, value in fields.items()}
    if len(set(lengths.values())) != 1:
        raise ValueError(
            "every field of test-time-augmented data must hold one entry per "
            f"augmentation, but the lengths by field are {lengths or 'empty'}"
        )
    return next(iter(lengths.values()))
