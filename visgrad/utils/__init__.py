"""``torch.utils``: data loading and activation checkpointing."""

from visgrad.utils import checkpoint, data

__all__ = ["checkpoint", "data"]
