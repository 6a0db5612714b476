"""``torch.device``: visgrad computes on the CPU; other devices can be named but not used."""

from __future__ import annotations

from typing import Any

# The device types PyTorch's parser accepts, in the order its error message lists them.
_TYPES = (
    "cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve", "fpga",
    "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia", "privateuseone",
)  # fmt: skip

CPU_ONLY = "visgrad runs on the CPU only: Torch not compiled with CUDA enabled"


class device:  # noqa: N801 - PyTorch's name
    """A device name such as ``device("cpu")`` or ``device("cuda", 0)``."""

    __slots__ = ("type", "index")

    def __init__(self, type: Any, index: int | None = None) -> None:  # noqa: A002
        if isinstance(type, device):
            self.type, self.index = type.type, type.index
            return
        kind, _, idx = str(type).partition(":")
        if kind not in _TYPES:
            raise RuntimeError(
                f"Expected one of {', '.join(_TYPES)} device type at start of device string: {type}"
            )
        self.type = kind
        self.index = int(idx) if idx else index

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other: object) -> bool:
        # Strings compare too (unlike PyTorch), so older ``t.device == "cpu"`` checks keep working.
        if isinstance(other, str):
            try:
                other = device(other)
            except RuntimeError:
                return False
        if not isinstance(other, device):
            return NotImplemented
        return self.type == other.type and self.index == other.index

    def __hash__(self) -> int:
        return hash((self.type, self.index))


CPU = device("cpu")


def tensor_cuda(self: Any, *args: Any, **kwargs: Any) -> Any:
    """``Tensor.cuda()``: there is no GPU to move to."""
    raise AssertionError(CPU_ONLY)


def set_default_device(dev: Any) -> None:
    """``torch.set_default_device``: only the CPU (or ``None``, the same) can be the default."""
    if dev is not None and device(dev).type != "cpu":
        raise AssertionError(CPU_ONLY)


def get_default_device() -> device:
    """``torch.get_default_device``: always the CPU."""
    return CPU
