"""What the argument gate (``ops/gate.py``) knows of particular ops: the checks PyTorch's kernels
and Python code make that no annotation says.
"""

from __future__ import annotations

# Ops whose PyTorch kernel runs on floating-point tensors only: the kernel's name in PyTorch's
# "not implemented for 'Long'" error (the in-place forms share it).
FLOAT_KERNELS = {
    "celu": "elu_cpu",
    "cross_entropy": "log_softmax_lastdim_kernel_impl",
    "elu": "elu_cpu",
    "gelu": "GeluKernelImpl",
    "hardsigmoid": "hardsigmoid_cpu",
    "hardswish": "hardswish_cpu",
    "histogram": "histogramdd",
    "leaky_relu": "leaky_relu_cpu",
    "log_softmax": "log_softmax_lastdim_kernel_impl",
    "logsigmoid": "log_sigmoid_cpu",
    "mish": "mish_cpu",
    "selu": "elu_cpu",
    "silu": "silu_cpu",
    "softmax": "softmax_lastdim_kernel_impl",
    "softmin": "softmax_lastdim_kernel_impl",
    "softplus": "softplus_cpu",
}
# Ops PyTorch writes in Python that check no argument's type at all: every failure is one of
# their Python code's own (an assert, an attribute a number lacks), so they are not gated; the
# function itself fails in PyTorch's order.
UNGATED = frozenset({"multi_head_attention_forward", "interpolate", "gaussian_nll_loss"})
# Ops PyTorch writes in Python: a non-tensor where a tensor goes fails on the first attribute
# the Python code reads, so PyTorch raises AttributeError (``F.mse_loss(1.5, t)``: ``'float'
# object has no attribute 'size'``). The attribute, and the parameters it is read from.
PYTHON_LEVEL: dict[str, tuple[str, tuple[str, ...]]] = {
    **{
        n: ("size", ("input", "target", "weight"))
        for n in (
            "mse_loss",
            "l1_loss",
            "smooth_l1_loss",
            "huber_loss",
            "binary_cross_entropy",
        )
    },  # fmt: skip
    "binary_cross_entropy_with_logits": ("size", ("input", "target")),
    "adaptive_avg_pool2d": ("size", ("input",)),
    "adaptive_max_pool2d": ("size", ("input",)),
    "dropout1d": ("dim", ("input",)),
    "dropout2d": ("dim", ("input",)),
    "glu": ("dim", ("input",)),
    "normalize": ("norm", ("input",)),
    "softmin": ("softmax", ("input",)),
    "softsign": ("abs", ("input",)),
    "tanhshrink": ("tanh", ("input",)),
    "norm": ("layout", ("input",)),
    "split": ("split", ("a",)),
    "tensordot": ("dim", ("a", "b")),
    "instance_norm": ("size", ("input",)),
    "triplet_margin_with_distance_loss": ("ndim", ("anchor", "positive", "negative")),
}
# Ops whose ``dim`` PyTorch declares ``int[1]``: an int or a list of ints (not std and var, whose
# positional bool there is the deprecated ``unbiased``).
_INT_DIMS = ("sum", "mean", "nansum", "nanmean", "amax", "amin", "logsumexp", "all", "any")
# Parameters of particular ops that PyTorch types where the annotation does not say: a Scalar
# takes a number or a tensor, never a list; an ``int[1]`` dim an int or a list of ints. The
# in-place form shares its op's entry.
TYPED_PARAMS: dict[str, dict[str, str]] = {
    "fill": {"value": "Scalar"},
    "masked_fill": {"value": "Scalar"},
    "index_fill": {"value": "Scalar"},
    "xlogy": {"input": "Scalar", "other": "Scalar"},
    "copy": {"other": "Tensor or number"},
    **{n: {"dim": "int[1]"} for n in _INT_DIMS},
}
# Parameters PyTorch declares ``float`` (a C++ double, "must be float") where our annotation says
# ``float`` (which it calls a Scalar, "must be Number"); the in-place form shares its op's entry.
DOUBLES: dict[str, tuple[str, ...]] = {
    "allclose": ("rtol", "atol"),
    "isclose": ("rtol", "atol"),
    "batch_norm": ("momentum", "eps"),
    "instance_norm": ("momentum", "eps"),
    "layer_norm": ("eps",),
    "rms_norm": ("eps",),
    "group_norm": ("eps",),
    "cosine_similarity": ("eps",),
    "pairwise_distance": ("p", "eps"),
    "cosine_embedding_loss": ("margin",),
    "hinge_embedding_loss": ("margin",),
    "margin_ranking_loss": ("margin",),
    "triplet_margin_loss": ("margin", "p", "eps"),
    "huber_loss": ("delta",),
    "smooth_l1_loss": ("beta",),
    "scaled_dot_product_attention": ("dropout_p", "scale"),
    "pad": ("value",),
    "logit": ("eps",),
    "nan_to_num": ("nan", "posinf", "neginf"),
    "pinverse": ("rcond",),
    "cauchy": ("median", "sigma"),
    "exponential": ("lambd",),
    "geometric": ("p",),
    "log_normal": ("mean", "std"),
    "normal": ("mean", "std"),
}
# Ops PyTorch refuses bool tensors for: the error, and its words (checked before a floating-point
# kernel's refusal: softmin negates its input first).
BOOL_ERRORS: dict[str, tuple[type[Exception], str]] = {
    "relu": (RuntimeError, "Boolean inputs not supported for relu"),
    "hardtanh": (RuntimeError, "Bool inputs not supported for hardtanh"),
    "relu6": (RuntimeError, "Bool inputs not supported for hardtanh"),
    "threshold": (NotImplementedError, "\"threshold_cpu\" not implemented for 'Bool'"),
    "trace": (NotImplementedError, "\"trace\" not implemented for 'Bool'"),
    "geometric": (NotImplementedError, "\"geometric_cpu\" not implemented for 'Bool'"),
    "softmin": (
        RuntimeError,
        "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to "
        "invert a mask, use the `~` or `logical_not()` operator instead.",
    ),
}
_C_NAMES = {
    "float16": "Half", "float32": "Float", "float64": "Double", "bfloat16": "BFloat16",
    "int8": "Char", "int16": "Short", "int32": "Int", "int64": "Long", "uint8": "Byte",
    "bool": "Bool", "complex64": "ComplexFloat", "complex128": "ComplexDouble",
}  # fmt: skip
# Ops whose first two tensors must share a dtype (PyTorch's matrix kernels do not promote), and
# the form of PyTorch's message.
SAME_DTYPE = {
    "matmul": "mm",
    "mm": "mm2d",
    "mv": "mv",
    "dot": "dot",
    "vdot": "dot",
}
# C++'s names of the dtypes, which the matrix kernels' messages use.
_CPP_NAMES = {
    "float16": "c10::Half", "float32": "float", "float64": "double", "bfloat16": "c10::BFloat16",
    "int8": "signed char", "int16": "short int", "int32": "int", "int64": "long int",
    "uint8": "unsigned char", "bool": "bool",
}  # fmt: skip


def c_name(dt: object) -> str:
    """PyTorch's scalar-type name of a NumPy dtype (``Long``), as its kernels' errors say it."""
    name = getattr(dt, "name", str(dt))
    return _C_NAMES.get(name, name)
