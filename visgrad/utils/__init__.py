"""``torch.utils``: data loading."""

from visgrad.utils import data

__all__ = ["data"]
