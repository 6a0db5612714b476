"""PyTorch's once-per-process deprecation warnings of the ``torch.*`` linear-algebra aliases.

ATen gives these with ``TORCH_WARN_ONCE``: the first call in a process warns, later ones do not,
whatever Python's warning filters say. The texts are PyTorch's, without the `` (Triggered
internally at ...)`` tail that names a file of PyTorch's C++ build.
"""

from __future__ import annotations

import warnings

_GIVEN: set[str] = set()

CHOLESKY = (
    "torch.cholesky is deprecated in favor of torch.linalg.cholesky and will be removed in a "
    "future PyTorch release.\nL = torch.cholesky(A)\nshould be replaced with\n"
    "L = torch.linalg.cholesky(A)\nand\nU = torch.cholesky(A, upper=True)\n"
    "should be replaced with\nU = torch.linalg.cholesky(A).mH\nThis transform will produce "
    "equivalent results for all valid (symmetric positive definite) inputs."
)
QR = (
    "torch.qr is deprecated in favor of torch.linalg.qr and will be removed in a future PyTorch "
    "release.\nThe boolean parameter 'some' has been replaced with a string parameter 'mode'.\n"
    "Q, R = torch.qr(A, some)\nshould be replaced with\n"
    "Q, R = torch.linalg.qr(A, 'reduced' if some else 'complete')"
)
CROSS_DIM = (
    "Using torch.cross without specifying the dim arg is deprecated.\nPlease either pass the dim "
    "explicitly or simply use torch.linalg.cross.\nThe default value of dim will change to agree "
    "with that of linalg.cross in a future release."
)

LU = (
    "torch.lu is deprecated in favor of torch.linalg.lu_factor / torch.linalg.lu_factor_ex and "
    "will be removed in a future PyTorch release.\nLU, pivots = torch.lu(A, compute_pivots)\n"
    "should be replaced with\nLU, pivots = torch.linalg.lu_factor(A, compute_pivots)\nand\n"
    "LU, pivots, info = torch.lu(A, compute_pivots, get_infos=True)\nshould be replaced with\n"
    "LU, pivots, info = torch.linalg.lu_factor_ex(A, compute_pivots)"
)


def warn_once(text: str, stacklevel: int = 3) -> None:
    """A UserWarning with ``text`` the first time this process asks for it, nothing after."""
    if text in _GIVEN:
        return
    _GIVEN.add(text)
    warnings.warn(text, UserWarning, stacklevel=stacklevel)
