"""``Module.state_dict`` / ``load_state_dict``, module by module as PyTorch walks them.

Each module saves and loads its own parameters and persistent buffers
(``_save_to_state_dict`` / ``_load_from_state_dict``, which layers may override); the walk over
children, the ``_metadata`` versions and the error texts follow PyTorch's so checkpoints and
messages match.
"""

from __future__ import annotations

from collections import OrderedDict, namedtuple
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from visgrad.autograd.grad_mode import no_grad
from visgrad.nn._state_hooks import hooks_of, run_load_post_hooks, run_save_hooks
from visgrad.nn._write import write_
from visgrad.nn.parameter import Parameter
from visgrad.tensor import Tensor

if TYPE_CHECKING:
    from visgrad.nn.module import Module


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """What ``load_state_dict`` returns; prints like PyTorch's when everything matched."""

    __slots__ = ()

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


def state_dict(
    module: Module, destination: Any = None, prefix: str = "", keep_vars: bool = False
) -> Any:
    """Parameters and persistent buffers of ``module`` and its children by dotted name."""
    if destination is None:
        destination = OrderedDict()
        destination._metadata = OrderedDict()
    for hook in hooks_of(module, "_state_dict_pre_hooks").values():
        hook(module, prefix, keep_vars)
    metadata = getattr(destination, "_metadata", None)
    local: dict[str, Any] = {"version": module._version}
    if metadata is not None:
        metadata[prefix[:-1]] = local
    module._save_to_state_dict(destination, prefix, keep_vars)
    for name, child in module._modules.items():
        if child is not None:
            state_dict(child, destination, prefix + name + ".", keep_vars)
    return run_save_hooks(module, destination, prefix, local)


def save_own(module: Module, destination: Any, prefix: str, keep_vars: bool) -> None:
    """The default ``_save_to_state_dict``: this module's own tensors, detached."""
    for name, p in module._parameters.items():
        if p is not None:
            destination[prefix + name] = p if keep_vars else p.detach()
    for name, b in module._buffers.items():
        if b is not None and name not in module._non_persistent:
            destination[prefix + name] = b if keep_vars else b.detach()


def load_state_dict(
    module: Module, sd: Any, strict: bool = True, assign: bool = False
) -> _IncompatibleKeys:
    """Copy ``sd`` into ``module`` in place (or assign its tensors); PyTorch's checks and texts."""
    if not isinstance(sd, Mapping):
        raise TypeError(f"Expected state_dict to be dict-like, got {type(sd)}.")
    missing: list[str] = []
    unexpected: list[str] = []
    errors: list[str] = []
    metadata = getattr(sd, "_metadata", None)
    sd = OrderedDict(sd)

    def load(mod: Module, local: dict[str, Any], prefix: str) -> None:
        meta = dict(metadata.get(prefix[:-1], {})) if isinstance(metadata, Mapping) else {}
        if assign:
            meta["assign_to_params_buffers"] = True
        mod._load_from_state_dict(local, prefix, meta, strict, missing, unexpected, errors)
        for name, child in mod._modules.items():
            if child is not None:
                sub = prefix + name + "."
                load(child, {k: v for k, v in local.items() if k.startswith(sub)}, sub)
        run_load_post_hooks(mod, _IncompatibleKeys(missing, unexpected))

    load(module, sd, "")
    if strict:
        if unexpected:
            keys = ", ".join(f'"{k}"' for k in unexpected)
            errors.insert(0, f"Unexpected key(s) in state_dict: {keys}. ")
        if missing:
            keys = ", ".join(f'"{k}"' for k in missing)
            errors.insert(0, f"Missing key(s) in state_dict: {keys}. ")
    if errors:
        raise RuntimeError(
            f"Error(s) in loading state_dict for {type(module).__name__}:\n\t" + "\n\t".join(errors)
        )
    return _IncompatibleKeys(missing, unexpected)


def load_own(
    module: Module,
    sd: dict[str, Any],
    prefix: str,
    local_metadata: dict[str, Any],
    strict: bool,
    missing: list[str],
    unexpected: list[str],
    errors: list[str],
) -> None:
    """The default ``_load_from_state_dict``: the load pre-hooks, this module's own tensors, then
    unexpected keys."""
    for hook in hooks_of(module, "_load_state_dict_pre_hooks").values():
        hook(sd, prefix, local_metadata, strict, missing, unexpected, errors)
    local = {k: v for k, v in module._parameters.items() if v is not None}
    local.update(
        (k, v)
        for k, v in module._buffers.items()
        if v is not None and k not in module._non_persistent
    )
    assign = local_metadata.get("assign_to_params_buffers", False)
    for name, target in local.items():
        key = prefix + name
        if key not in sd:
            missing.append(key)
            continue
        value = sd[key]
        if not isinstance(value, Tensor):
            errors.append(
                f'While copying the parameter named "{key}", expected torch.Tensor or '
                f"Tensor-like object from checkpoint but received {type(value)}"
            )
            continue
        if target.ndim == 0 and value.ndim == 1:
            value = value[0]  # PyTorch reads old checkpoints' 1-element scalars this way
        if value.shape != target.shape:
            errors.append(
                f"size mismatch for {key}: copying a param with shape {value.shape} from "
                f"checkpoint, the shape in current model is {target.shape}."
            )
            continue
        _copy_in(module, name, target, value, assign)
    for key in sd:
        if not key.startswith(prefix):
            continue
        head = key[len(prefix) :].split(".", 1)
        if len(head) > 1:
            if head[0] not in module._modules:
                unexpected.append(key)
        elif head[0] not in local:
            unexpected.append(key)


def _copy_in(module: Module, name: str, target: Tensor, value: Tensor, assign: bool) -> None:
    with no_grad():
        if not assign:
            write_(target, value._data, "copy_")
        elif isinstance(target, Parameter):
            if not isinstance(value, Parameter):
                value = Parameter(value, requires_grad=target.requires_grad)
            else:
                value.requires_grad_(target.requires_grad)
            setattr(module, name, value)
        else:
            setattr(module, name, value)
