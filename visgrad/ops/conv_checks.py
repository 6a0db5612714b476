"""The checks ATen's convolution kernels make of stride, dilation and output padding after the
shape checks (``conv_functions`` calls them in ATen's order)."""

from __future__ import annotations

Ints = tuple[int, ...]


def check_zero_dilation(dilation: Ints, transposed: bool, batch: int) -> None:
    """A zero dilation passes the shape checks and is refused by the kernel ATen picks: for a
    batch of several, oneDNN's (in its words); for one, the native kernel, which runs a 1-D
    convolution as a 2-D one (a dilation of 1 in H first); an empty batch runs no kernel."""
    if all(d > 0 for d in dilation) or batch == 0:
        return
    if batch > 1:
        raise RuntimeError(
            "could not create a primitive descriptor for the deconvolution forward propagation "
            "primitive. Run workload with environment variable ONEDNN_VERBOSE=all to get "
            "additional diagnostic information."
            if transposed
            else "non-positive dilation is not supported"
        )
    full = [1, *dilation] if len(dilation) == 1 else list(dilation)
    if not transposed:
        raise RuntimeError(f"dilation should be greater than zero, but got {full}")
    names = ("depth", "height", "width")[3 - len(full) :]
    got = ", ".join(f"dilation_{n}: {v}" for n, v in zip(names, full, strict=True))
    raise RuntimeError(f"dilation should be greater than zero, but got {got}")


def check_transposed_stride(stride: Ints) -> None:
    """The transposed kernels hold the stride in C ints: one that does not fit wraps, and the
    wrapped value is what PyTorch checks (a 1-D convolution runs as a 2-D one of stride 1 in H)."""
    wrapped = [((s + (1 << 31)) % (1 << 32)) - (1 << 31) for s in stride]
    if all(s > 0 for s in wrapped):
        return
    names = ("depth", "height", "width")[3 - len(stride) :] if len(stride) > 1 else ("width",)
    if len(stride) == 1:
        names, wrapped = ("height", "width"), [1, *wrapped]
    got = " ".join(f"stride_{n}: {v}" for n, v in zip(names, wrapped, strict=True))
    raise RuntimeError(f"stride should be greater than zero, but got {got}")


def check_output_padding(output_padding: Ints, stride: Ints, dilation: Ints) -> None:
    if all(op < max(s, d) for op, s, d in zip(output_padding, stride, dilation, strict=True)):
        return
    names = ("depth", "height", "width")[3 - len(stride) :] if len(stride) > 1 else ("",)
    parts = []
    for label, vals in (("output_padding", output_padding), ("stride", stride),
                        ("dilation", dilation)):  # fmt: skip
        parts += [f"{label}{'_' + n if n else ''}: {v}" for n, v in zip(names, vals, strict=True)]
    raise RuntimeError(
        "output padding must be smaller than either stride or dilation, but got " + " ".join(parts)
    )
