"""``inference_mode``, ``is_inference_mode_enabled`` and ``Tensor.is_inference`` as in PyTorch
2.13 (each answer below was printed by PyTorch for the same lines)."""

from __future__ import annotations

import threading

import pytest

import visgrad as torch


def test_the_mode_is_on_only_inside_and_disables_grad():
    assert torch.is_inference_mode_enabled() is False
    with torch.inference_mode():
        assert torch.is_inference_mode_enabled() is True
        assert torch.is_grad_enabled() is False
        with torch.inference_mode(False):
            assert torch.is_inference_mode_enabled() is False
            assert torch.is_grad_enabled() is True  # mode=False enables grad, as PyTorch's
            assert torch.ones(1).is_inference() is False
        assert torch.is_inference_mode_enabled() is True
    assert torch.is_inference_mode_enabled() is False
    with torch.no_grad(), torch.inference_mode(False):
        assert torch.is_grad_enabled() is True


def test_tensors_made_inside_are_inference_tensors_and_views_follow_their_base():
    a = torch.ones(2)
    p = torch.nn.Parameter(torch.ones(2))
    with torch.inference_mode():
        b = torch.ones(2)
        c = a * 2
        view_of_normal = a[0:1]
        y = p * 2
    assert (b.is_inference(), c.is_inference(), y.is_inference()) == (True, True, True)
    assert (a.is_inference(), view_of_normal.is_inference()) == (False, False)
    assert (y.requires_grad, y.grad_fn) == (False, None)
    # Outside: views and detaches of an inference tensor are inference tensors, new results not.
    assert (b[0:1].is_inference(), b.detach().is_inference()) == (True, True)
    assert ((b * 2).is_inference(), b.clone().is_inference()) == (False, False)
    assert torch.is_inference(b) is True and torch.is_inference(a) is False


def test_as_a_decorator():
    @torch.inference_mode()
    def f():
        return torch.is_inference_mode_enabled(), torch.ones(1).is_inference()

    assert f() == (True, True)
    assert torch.is_inference_mode_enabled() is False


def test_requires_grad_on_an_inference_tensor_outside_the_mode_raises_pytorchs_error():
    with torch.inference_mode():
        b = torch.ones(2)
        b.requires_grad_()  # inside the mode it is allowed
        b.requires_grad_(False)
    with pytest.raises(RuntimeError) as info:
        b.requires_grad_()
    assert str(info.value) == (
        "Setting requires_grad=True on inference tensor outside InferenceMode is not allowed."
    )


def test_the_mode_is_per_thread():
    seen = []
    with torch.inference_mode():
        t = threading.Thread(target=lambda: seen.append(torch.is_inference_mode_enabled()))
        t.start()
        t.join()
    assert seen == [False]
