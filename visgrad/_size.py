"""What a shape is: ``torch.Size``, and PyTorch's wrapping of a possibly negative dim."""

from __future__ import annotations


class Size(tuple):
    """A shape, printed as ``torch.Size([2, 3])``."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"torch.Size([{', '.join(str(s) for s in self)}])"

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n


def wrap_dim(d: int, ndim: int) -> int:
    """Wrap a possibly negative dim, with PyTorch's error text."""
    n = max(ndim, 1)
    if not -n <= d < n:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {d})"
        )
    return d % n if ndim else 0
