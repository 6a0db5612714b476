"""PyTorch's error and warning texts, word for word (see PyTorch 2.13), in one place."""

from __future__ import annotations

from typing import Any

from visgrad import dtypes
from visgrad.autograd.grad_mode import MODES

BACKWARD_TWICE = (
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Saved intermediate values of the graph are freed when you call "
    ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
    "graph a second time or if you need to access saved tensors after calling backward."
)
SCALAR_ONLY = "grad can be implicitly created only for scalar outputs"
NO_GRAD_FN = "element {} of tensors does not require grad and does not have a grad_fn"
NONLEAF_GRAD_WARNING = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad field "
    "to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you "
    "access the non-leaf Tensor by mistake, make sure you access the leaf Tensor instead. See "
    "github.com/pytorch/pytorch/pull/30531 for more information."
)
REQUIRES_GRAD_NONLEAF = (
    "you can only change requires_grad flags of leaf variables. If you want to use a computed "
    "variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach()."
)
REQUIRES_GRAD_DTYPE = "Only Tensors of floating point and complex dtype can require gradients"
REQUIRES_GRAD_DTYPE_INPLACE = "only Tensors of floating point dtype can require gradients"
INPLACE_LEAF = "a leaf Variable that requires grad is being used in an in-place operation."
INPLACE_VIEW_OF_LEAF = (
    "a view of a leaf Variable that requires grad is being used in an in-place operation."
)
RETAIN_GRAD_NO_GRAD = "can't retain_grad on Tensor that has requires_grad=False"
HOOK_NO_GRAD = "cannot register a hook on a tensor that doesn't require gradient"
POST_ACC_HOOK_NONLEAF = "post accumulate grad hooks cannot be registered on non-leaf tensors"
CREATE_GRAPH_WARNING = (
    "Using backward() with create_graph=True will create a reference cycle between the parameter "
    "and its gradient which can cause a memory leak. We recommend using autograd.grad when creating "
    "the graph to avoid this. If you have to use this function, make sure to reset the .grad fields "
    "of your parameters to None after use to break the cycle and avoid the leak."
)
ANOMALY_WARNING = (
    "Anomaly Detection has been enabled. This mode will increase the runtime and should only be "
    "enabled for debugging."
)
UNUSED_INPUT = (
    "The differentiated Tensor at index {} appears to not have been used in the graph. Set "
    "allow_unused=True if this is the desired behavior."
)
INPUT_NO_GRAD = "One of the differentiated Tensors does not require grad"
_HINT = (
    "Hint: enable anomaly detection to find the operation that failed to compute its gradient, "
    "with torch.autograd.set_detect_anomaly(True, check_nan=False)."
)
_HINT_ANOMALY = (
    "Hint: the backtrace further above shows the operation that failed to compute its gradient. "
    "The variable in question was changed in there or anywhere later. Good luck!"
)


def size(shape: tuple[int, ...]) -> str:
    """``torch.Size([2, 3])`` as PyTorch prints it."""
    return f"torch.Size([{', '.join(str(s) for s in shape)}])"


def shape_mismatch(grad_shape: tuple[int, ...], out_shape: tuple[int, ...], i: int = 0) -> str:
    return (
        f"Mismatch in shape: grad_output[{i}] has a shape of {size(grad_shape)} and "
        f"output[{i}] has a shape of {size(out_shape)}."
    )


def version_mismatch(saved: Any) -> str:
    t = saved.current()
    shape = list(saved.data.shape if t is None else t.shape)
    type_name = (saved.data.dtype if t is None else t._data.dtype).name
    tname = dtypes.from_numpy(type_name).tensor_type
    of = ""
    # A saved output names the node that saved it; any other tensor its grad_fn at this moment.
    own = saved.tensor is None
    fn = saved.node_ref() if own else t.grad_fn
    if fn is not None:
        nr = saved.output_nr if own else t._output_nr
        op = fn.name()
        # A built-in node is named by its op: MulBackward0 is Mul, TBackward1 is T1 (a custom
        # Function's ExpBackward stays as it is).
        head, sep, number = op.rpartition("Backward")
        if sep and number.isdigit():
            op = head + ("" if number == "0" else number)
        of = f", which is output {nr} of {op},"
    hint = _HINT_ANOMALY if MODES.anomaly else _HINT
    return (
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: [torch.{tname} [{', '.join(str(s) for s in shape)}]]{of} is at version "
        f"{saved.version_counter.value}; expected version {saved.version} instead. {hint}"
    )


def broadcast(a: tuple[int, ...], b: tuple[int, ...]) -> str:
    """PyTorch's text for shapes that do not broadcast (dims counted in the result)."""
    n = max(len(a), len(b))
    pa = (1,) * (n - len(a)) + tuple(a)
    pb = (1,) * (n - len(b)) + tuple(b)
    for d in range(n - 1, -1, -1):
        if pa[d] != pb[d] and pa[d] != 1 and pb[d] != 1:
            return (
                f"The size of tensor a ({pa[d]}) must match the size of tensor b ({pb[d]}) at "
                f"non-singleton dimension {d}"
            )
    return f"shapes {list(a)} and {list(b)} cannot be broadcast"
