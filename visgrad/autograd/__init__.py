"""``visgrad.autograd``: the backward engine, grad modes and custom functions."""

from visgrad.autograd import functional, profiler  # noqa: E402 - torch.autograd.*
from visgrad.autograd.anomaly import (
    detect_anomaly,
    is_anomaly_check_nan_enabled,
    is_anomaly_enabled,
    set_detect_anomaly,
)
from visgrad.autograd.engine import backward, grad
from visgrad.autograd.function import Function
from visgrad.autograd.grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)
from visgrad.autograd.gradcheck import GradcheckError, gradcheck, gradgradcheck
from visgrad.autograd.node import Node

__all__ = [
    "Function",
    "GradcheckError",
    "Node",
    "detect_anomaly",
    "functional",
    "profiler",
    "gradcheck",
    "gradgradcheck",
    "is_anomaly_check_nan_enabled",
    "is_anomaly_enabled",
    "set_detect_anomaly",
    "backward",
    "enable_grad",
    "grad",
    "inference_mode",
    "is_grad_enabled",
    "no_grad",
    "set_grad_enabled",
]
