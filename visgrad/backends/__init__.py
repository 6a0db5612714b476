"""``torch.backends``: the accelerator backends a CPU-only build reports as absent."""

from visgrad.backends import cudnn, mps

__all__ = ["cudnn", "mps"]
