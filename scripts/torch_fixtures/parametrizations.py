"""PyTorch's values, gradients, graphs, error texts, printouts and state-dict keys for weight
norm, spectral norm (as parametrizations and as the older hooks), ``nn.utils.parametrize`` and the
ops beneath them (``torch._weight_norm``, ``torch.norm_except_dim``, ``torch.vdot``).

Each call is written as visgrad and PyTorch both spell it; the test evaluates the same text with
visgrad on the same inputs. Layers are built after ``torch.manual_seed`` so their parameters and
the power iteration's starting vectors come from the global stream. Writes
``tests/fixtures/torch/parametrizations.json`` and ``parametrizations.npz``.
"""

from __future__ import annotations

import warnings

import torch
from _cases import C, N, write

P = "torch.nn.utils.parametrizations"
U = "torch.nn.utils"
R = "torch.nn.utils.parametrize"


def _seeded(build: str, run: str) -> str:
    """``run`` (an expression of the module ``m`` and input ``x``) on ``build`` made after seed 3."""
    return f"(lambda _, m, x: {run})(torch.manual_seed(3), {build}, x)"


CASES = {
    # -- the ops ---------------------------------------------------------------------------------
    "weight_norm_dim0": (
        "torch._weight_norm(v, g, 0)",
        {"v": ((4, 3, 2), N), "g": ((4, 1, 1), N)},
        "float64",
    ),
    "weight_norm_dim0_flat_g": (
        "torch._weight_norm(v, g)",
        {"v": ((3, 5), N), "g": ((3,), N)},
        "float64",
    ),
    "weight_norm_last": (
        "torch._weight_norm(v, g, 2)",
        {"v": ((2, 3, 4), N), "g": ((1, 1, 4), N)},
        "float64",
    ),
    "weight_norm_middle": (
        "torch._weight_norm(v, g, 1)",
        {"v": ((2, 3, 4), N), "g": ((1, 3, 1), N)},
        "float64",
    ),
    "weight_norm_whole": (
        "torch._weight_norm(v, g, -1)",
        {"v": ((3, 4), N), "g": ((), N)},
        "float64",
    ),
    "weight_norm_f32": (
        "torch._weight_norm(v, g, 0)",
        {"v": ((5, 7), N), "g": ((5, 1), N)},
        "float32",
    ),
    "weight_norm_strided": (
        "torch._weight_norm(v.transpose(0, 1), g, 0)",
        {"v": ((3, 4), N), "g": ((4, 1), N)},
        "float64",
    ),
    "norm_except_dim0": ("torch.norm_except_dim(v, 2, 0)", {"v": ((3, 4, 2), N)}, "float64"),
    "norm_except_dim1": ("torch.norm_except_dim(v, 2, 1)", {"v": ((3, 4, 2), N)}, "float64"),
    "norm_except_last": ("torch.norm_except_dim(v, 2, 2)", {"v": ((3, 4, 2), N)}, "float64"),
    "norm_except_all": ("torch.norm_except_dim(v, 2, -1)", {"v": ((3, 4), N)}, "float64"),
    "norm_except_p3": ("torch.norm_except_dim(v, 3, 0)", {"v": ((3, 4), N)}, "float64"),
    "vdot": ("torch.vdot(a, b)", {"a": ((5,), N), "b": ((5,), N)}, "float64"),
    "vdot_method": ("a.vdot(b)", {"a": ((4,), N), "b": ((4,), N)}, "float32"),
    # -- weight norm as a parametrization -----------------------------------------------------------
    "wn_linear": (
        _seeded(
            f"{P}.weight_norm(torch.nn.Linear(3, 4))",
            "(m(x), m.parametrizations.weight.original0.detach(),"
            " m.parametrizations.weight.original1.detach(), m.weight.detach())",
        ),
        {"x": ((2, 3), N)},
        "float32",
    ),  # fmt: skip
    "wn_conv_whole": (
        _seeded(
            f"{P}.weight_norm(torch.nn.Conv1d(2, 3, 3).double(), dim=None)",
            "(m(x), m.parametrizations.weight.original0.detach())",
        ),
        {"x": ((2, 2, 5), N)},
        "float64",
    ),  # fmt: skip
    "wn_conv_dim1": (
        _seeded(f"{P}.weight_norm(torch.nn.Conv2d(2, 3, 2).double(), dim=1)", "m(x)"),
        {"x": ((1, 2, 3, 3), N)},
        "float64",
    ),
    "wn_removed": (
        _seeded(
            f"{P}.weight_norm(torch.nn.Linear(3, 2).double())",
            f"({R}.remove_parametrizations(m, 'weight')(x), m.weight.detach())",
        ),
        {"x": ((4, 3), N)},
        "float64",
    ),  # fmt: skip
    "wn_assigned": (
        _seeded(
            f"{P}.weight_norm(torch.nn.Linear(2, 2).double())",
            "(setattr(m, 'weight', x), m.parametrizations.weight.original0.detach(),"
            " m.weight.detach())[1:]",
        ),
        {"x": ((2, 2), C)},
        "float64",
    ),  # fmt: skip
    # -- the older weight-norm hook -----------------------------------------------------------------
    "wn_hook_linear": (
        _seeded(
            f"{U}.weight_norm(torch.nn.Linear(3, 4))",
            "(m(x), m.weight_g.detach(), m.weight_v.detach())",
        ),
        {"x": ((2, 3), N)},
        "float32",
    ),  # fmt: skip
    "wn_hook_conv_dim2": (
        _seeded(f"{U}.weight_norm(torch.nn.Conv1d(2, 3, 2).double(), dim=2)", "m(x)"),
        {"x": ((2, 2, 4), N)},
        "float64",
    ),
    "wn_hook_removed": (
        _seeded(
            f"{U}.remove_weight_norm({U}.weight_norm(torch.nn.Linear(3, 2).double()))",
            "(m(x), m.weight.detach())",
        ),
        {"x": ((2, 3), N)},
        "float64",
    ),  # fmt: skip
    # -- spectral norm ------------------------------------------------------------------------------
    "sn_linear_train": (
        _seeded(
            f"{P}.spectral_norm(torch.nn.Linear(3, 4).double())",
            "(m(x), m(x), m.parametrizations.weight[0]._u.clone(),"
            " m.parametrizations.weight[0]._v.clone())",
        ),
        {"x": ((2, 3), N)},
        "float64",
    ),  # fmt: skip
    "sn_linear_eval": (
        _seeded(
            f"{P}.spectral_norm(torch.nn.Linear(4, 3), n_power_iterations=3).eval()",
            "(m(x), m.weight.detach())",
        ),
        {"x": ((2, 4), N)},
        "float32",
    ),  # fmt: skip
    "sn_conv_transpose": (
        _seeded(
            f"{P}.spectral_norm(torch.nn.ConvTranspose2d(3, 2, 2).double())",
            "(m(x), m.parametrizations.weight[0]._u.clone())",
        ),
        {"x": ((1, 3, 2, 2), N)},
        "float64",
    ),  # fmt: skip
    "sn_hook_linear": (
        _seeded(
            f"{U}.spectral_norm(torch.nn.Linear(3, 4).double())",
            "(m(x), m(x), m.weight_u.clone(), m.weight_v.clone(), m.weight.detach())",
        ),
        {"x": ((2, 3), N)},
        "float64",
    ),  # fmt: skip
    "sn_hook_conv_eval": (
        _seeded(
            f"{U}.spectral_norm(torch.nn.Conv2d(2, 3, 2), n_power_iterations=2)",
            "(m(x), m.eval()(x), m.weight_u.clone())",
        ),
        {"x": ((1, 2, 3, 3), N)},
        "float32",
    ),  # fmt: skip
    "wn_old_checkpoint": (
        _seeded(
            f"{U}.weight_norm(torch.nn.Linear(3, 2).double())",
            f"(lambda b: (b.load_state_dict(m.state_dict()), b(x), m(x))[1:])"
            f"({P}.weight_norm(torch.nn.Linear(3, 2).double()))",
        ),
        {"x": ((4, 3), N)},
        "float64",
    ),
    "sn_hook_reloaded": (
        _seeded(
            f"{U}.spectral_norm(torch.nn.Linear(3, 4).double())",
            f"(m(x), (lambda b: (b.load_state_dict(m.state_dict()), b.eval()(x))[1])"
            f"({U}.spectral_norm(torch.nn.Linear(3, 4).double())))",
        ),
        {"x": ((2, 3), N)},
        "float64",
    ),
    "sn_hook_removed": (
        _seeded(
            f"{U}.remove_spectral_norm({U}.spectral_norm(torch.nn.Linear(3, 3).double()))",
            "(m(x), m.weight.detach())",
        ),
        {"x": ((2, 3), N)},
        "float64",
    ),  # fmt: skip
}

ERRORS = {
    "vdot_2d": ("torch.vdot(a, b)", {"a": ((2, 3), C), "b": ((3,), C)}),
    "vdot_sizes": ("torch.vdot(a, b)", {"a": ((3,), C), "b": ((4,), C)}),
    "vdot_dtypes": ("torch.vdot(a, b.double())", {"a": ((3,), C), "b": ((3,), C)}),
    "weight_norm_long": ("torch._weight_norm(v.long(), g.long(), 0)", {"v": ((2, 3), C), "g": ((2, 1), C)}),
    "weight_norm_long_middle": ("torch._weight_norm(v.long(), g, 1)", {"v": ((2, 3, 2), C), "g": ((1, 3, 1), C)}),
    "norm_except_dim_long": ("torch.norm_except_dim(v.long(), 2, 0)", {"v": ((2, 3), C)}),
    "register_missing": (f"{R}.register_parametrization(torch.nn.Linear(2, 2), 'foo', torch.nn.Identity())", {}),
    "register_shape": (f"{R}.register_parametrization(torch.nn.Linear(2, 3), 'weight', torch.nn.Flatten(0))", {}),
    "remove_missing": (f"{R}.remove_parametrizations(torch.nn.Linear(2, 2), 'weight')", {}),
    "remove_sequence_unparametrized": (
        f"{R}.remove_parametrizations({P}.weight_norm(torch.nn.Linear(2, 2)), 'weight', False)",
        {},
    ),
    "sn_iterations": (f"{P}.spectral_norm(torch.nn.Linear(2, 2), n_power_iterations=0)", {}),
    "sn_dim": (f"{P}.spectral_norm(torch.nn.Linear(2, 2), dim=2)", {}),
    "sn_missing": (f"{P}.spectral_norm(torch.nn.Linear(2, 2), name='foo')", {}),
    "wn_hook_twice": (f"{U}.weight_norm({U}.weight_norm(torch.nn.Linear(2, 2)))", {}),
    "wn_hook_remove_missing": (f"{U}.remove_weight_norm(torch.nn.Linear(2, 2))", {}),
    "sn_hook_twice": (f"{U}.spectral_norm({U}.spectral_norm(torch.nn.Linear(2, 2)))", {}),
    "sn_hook_iterations": (f"{U}.spectral_norm(torch.nn.Linear(2, 2), n_power_iterations=-1)", {}),
    "sn_hook_remove_missing": (f"{U}.remove_spectral_norm(torch.nn.Linear(2, 2))", {}),
    "sn_hook_no_bias": (f"{U}.spectral_norm(torch.nn.Linear(2, 2, bias=False), name='bias')", {}),
}  # fmt: skip

# Modules whose printout and state-dict keys are recorded.
MODULES = [
    f"{P}.weight_norm(torch.nn.Linear(3, 4))",
    f"{P}.weight_norm({P}.weight_norm(torch.nn.Conv2d(2, 3, 2)), name='bias')",
    f"{P}.spectral_norm(torch.nn.Linear(3, 4))",
    f"{P}.spectral_norm({P}.weight_norm(torch.nn.Linear(3, 4)))",
    f"torch.nn.Sequential({P}.weight_norm(torch.nn.Linear(2, 3)), torch.nn.ReLU())",
    f"{U}.weight_norm(torch.nn.Conv1d(2, 3, 2))",
    f"{U}.spectral_norm(torch.nn.Linear(3, 4))",
    f"{R}.remove_parametrizations({P}.spectral_norm(torch.nn.Linear(3, 4)), 'weight')",
]


def main() -> None:
    modules = []
    for expr in MODULES:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            m = eval(expr, {"torch": torch})  # noqa: S307 - our fixed expressions
        modules.append(
            {
                "expr": expr,
                "repr": repr(m),
                "class": type(m).__name__,
                "state_dict": list(m.state_dict()),
                "parameters": [n for n, _ in m.named_parameters()],
                "buffers": [n for n, _ in m.named_buffers()],
                "metadata": dict(m.state_dict()._metadata),
            }
        )
    write("parametrizations", CASES, ERRORS, 20261204, {"modules": modules})


if __name__ == "__main__":
    main()
