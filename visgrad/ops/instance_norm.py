"""``instance_norm``: each sample's channels normalised on their own, built as PyTorch builds it.

ATen folds the batch into the channels: the input is viewed as (1, N·C, *spatial), the weight,
bias and running statistics are repeated N times, one ``batch_norm`` normalises every (sample,
channel) pair as a channel, and the result is viewed back. The graph is therefore PyTorch's
(``ViewBackward0`` over ``NativeBatchNormBackward0``, ``RepeatBackward0`` for the affine), and
the running statistics take the mean over the batch of the N updated copies.
"""

from __future__ import annotations

from visgrad.autograd.grad_mode import no_grad
from visgrad.ops.norm import NativeBatchNormBackward0, batch_norm
from visgrad.ops.registry import declare
from visgrad.ops.shape import CloneBackward0, ViewBackward0
from visgrad.ops.tile_mask import RepeatBackward0
from visgrad.tensor import Size, Tensor

__all__ = ["instance_norm"]


def _repeat(t: Tensor | None, n: int) -> Tensor | None:
    return None if t is None else t.repeat(n)


@declare(
    "instance_norm",
    nodes=(ViewBackward0, NativeBatchNormBackward0, RepeatBackward0, CloneBackward0),
    torch=False,
    method=False,
    functional=True,
)
def instance_norm(
    input: Tensor,  # noqa: A002 - PyTorch's names
    running_mean: Tensor | None = None,
    running_var: Tensor | None = None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    use_input_stats: bool = True,
    momentum: float = 0.1,
    eps: float = 1e-05,
) -> Tensor:
    """Normalise each (sample, channel) over its positions; running stats averaged over samples."""
    shape = input._data.shape
    if use_input_stats:
        spatial = 1
        for s in shape[2:]:
            spatial *= s
        if spatial == 1:
            raise ValueError(
                "Expected more than 1 spatial element when training, got input size "
                f"{Size(shape)!r}"
            )
    elif running_mean is None or running_var is None:
        raise RuntimeError(
            "Expected running_mean and running_var to be defined when use_input_stats is false"
        )
    n, c = shape[0], shape[1]
    rm, rv = _repeat(running_mean, n), _repeat(running_var, n)
    folded = input.contiguous().view(1, n * c, *shape[2:])
    out = batch_norm(
        folded, rm, rv, _repeat(weight, n), _repeat(bias, n), use_input_stats, momentum, eps
    )
    with no_grad():
        for stat, copies in ((running_mean, rm), (running_var, rv)):
            if stat is not None and copies is not None:
                stat.copy_(copies.view(n, c).mean(0))
    return out.view(shape)
