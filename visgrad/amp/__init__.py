"""``torch.amp``: automatic mixed precision as a CPU-only build has it.

``GradScaler`` is the real loss scaler (on ``"cpu"`` it scales, unscales, skips steps whose
gradients overflowed and adapts the scale exactly as PyTorch's); on ``"cuda"`` it disables itself
with PyTorch's warning. ``autocast`` for CUDA disables itself the same way; autocasting CPU ops to
a lower precision is not implemented (visgrad has no bfloat16 tensors) and says so.
"""

from visgrad.amp.autocast_mode import autocast, custom_bwd, custom_fwd, is_autocast_available
from visgrad.amp.grad_scaler import GradScaler

__all__ = ["GradScaler", "autocast", "custom_bwd", "custom_fwd", "is_autocast_available"]
