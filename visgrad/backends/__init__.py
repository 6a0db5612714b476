"""``torch.backends``: the accelerator backends a CPU-only build reports as absent."""

from visgrad.backends import cpu, cuda, cudnn, mps

__all__ = ["cpu", "cuda", "cudnn", "mps"]
