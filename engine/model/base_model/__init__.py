"""``BaseModel`` and the data preprocessors."""

from engine.model.base_model.base_model import BaseModel
from engine.model.base_model.data_preprocessor import (
    BaseDataPreprocessor,
    ImgDataPreprocessor,
)

__all__ = ["BaseModel", "ImgDataPreprocessor", "BaseDataPreprocessor"]
