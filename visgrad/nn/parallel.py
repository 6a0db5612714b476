"""``torch.nn.parallel``: data parallelism over the one CPU process visgrad runs.

``DistributedDataParallel`` needs an initialised process group (world size 1 here): gradients
averaged over one rank are the gradients, so it wraps the module and forwards to it, with the
attributes and ``no_sync`` training loops use. ``DataParallel`` without GPUs runs the module as it
is, as PyTorch's does.
"""

from __future__ import annotations

from typing import Any

from visgrad import distributed
from visgrad.nn.module import Module

__all__ = ["DataParallel", "DistributedDataParallel"]


class DistributedDataParallel(Module):
    """Replicate ``module`` on each rank and average gradients: one rank here."""

    def __init__(self, module: Module, device_ids: Any = None, output_device: Any = None,
                 dim: int = 0, broadcast_buffers: bool = True, init_sync: bool = True,
                 process_group: Any = None, bucket_cap_mb: Any = None,
                 find_unused_parameters: bool = False, check_reduction: bool = False,
                 gradient_as_bucket_view: bool = False, static_graph: bool = False,
                 **kwargs: Any) -> None:  # fmt: skip
        super().__init__()
        distributed.get_world_size(process_group)  # PyTorch's error without a process group
        if not any(p.requires_grad for p in module.parameters()):
            raise RuntimeError(
                "DistributedDataParallel is not needed when a module doesn't have any parameter "
                "that requires a gradient."
            )
        self.module = module
        self.device_ids = device_ids
        self.output_device = output_device
        self.dim = dim
        self.broadcast_buffers = broadcast_buffers
        self.find_unused_parameters = find_unused_parameters
        self.gradient_as_bucket_view = gradient_as_bucket_view
        self.static_graph = static_graph
        self.require_backward_grad_sync = True
        self.require_forward_param_sync = True

    def no_sync(self) -> Any:
        """Skip the gradient all-reduce inside the block (gradient accumulation)."""
        return distributed._NoSync(self)

    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        return self.module(*inputs, **kwargs)


class DataParallel(Module):
    """Split each batch over GPUs; without any, run ``module`` itself."""

    def __init__(
        self, module: Module, device_ids: Any = None, output_device: Any = None, dim: int = 0
    ) -> None:
        super().__init__()
        self.module = module
        self.device_ids: list[int] = []
        self.output_device = output_device
        self.dim = dim

    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        return self.module(*inputs, **kwargs)
