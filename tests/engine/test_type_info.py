"""finfo / iinfo, dtype promotion as functions, and torch.compile, against PyTorch's fixture."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import visgrad as torch

DOC = json.loads(
    (Path(__file__).resolve().parents[1] / "fixtures" / "torch" / "type_info.json").read_text()
)


@pytest.mark.parametrize("name", sorted(DOC["finfo"]))
def test_finfo_fields_and_repr_match_pytorch(name: str) -> None:
    want = DOC["finfo"][name]
    got = torch.finfo(getattr(torch, name))
    assert repr(got) == want["repr"]
    for k, v in want.items():
        if k != "repr":
            assert getattr(got, k) == v, k
    assert repr(torch.finfo()) == DOC["finfo_default"]
    assert got == torch.finfo(getattr(torch, name))
    assert (got == torch.finfo(torch.float16)) == (name == "float16")


@pytest.mark.parametrize("name", sorted(DOC["iinfo"]))
def test_iinfo_fields_and_repr_match_pytorch(name: str) -> None:
    want = DOC["iinfo"][name]
    got = torch.iinfo(getattr(torch, name))
    assert repr(got) == want["repr"]
    assert (got.bits, got.max, got.min, got.dtype) == (want["bits"], want["max"], want["min"], name)


def test_promote_types_and_can_cast_match_pytorch_for_every_pair() -> None:
    wrong = []
    for pair, want in DOC["promote_types"].items():
        a, b = (getattr(torch, d) for d in pair.split())
        if repr(torch.promote_types(a, b)) != want:
            wrong.append(("promote_types", pair, repr(torch.promote_types(a, b)), want))
        if torch.can_cast(a, b) != DOC["can_cast"][pair]:
            wrong.append(("can_cast", pair, not DOC["can_cast"][pair], DOC["can_cast"][pair]))
    assert not wrong


def test_result_type_ranks_tensors_zero_dim_tensors_and_numbers_as_pytorch() -> None:
    wrong = []
    for pair, want in DOC["result_type"].items():
        a, b = (eval(x, {"torch": torch}) for x in pair.split(" | "))  # noqa: S307 - fixture's
        got = repr(torch.result_type(a, b))
        if got != want:
            wrong.append((pair, got, want))
    assert not wrong, wrong[:10]


@pytest.mark.parametrize("call", sorted(DOC["errors"]))
def test_bad_arguments_raise_pytorchs_error(call: str) -> None:
    want = DOC["errors"][call]
    with pytest.raises(Exception) as info:  # noqa: PT011 - the class is compared below
        eval(call, {"torch": torch})  # noqa: S307 - the fixture's fixed calls
    assert type(info.value).__name__ == want["type"]
    assert str(info.value) == want["message"]


def test_compile_wraps_a_module_as_pytorch_does_and_runs_it_unchanged() -> None:
    torch.manual_seed(0)
    lin = torch.nn.Linear(2, 3)
    c = torch.compile(lin)
    assert repr(c) == DOC["compile"]["repr"]
    assert list(torch.compile(torch.nn.Linear(2, 3)).state_dict()) == DOC["compile"]["state_dict"]
    x = torch.randn(4, 2)
    assert torch.equal(c(x), lin(x))
    assert c.weight is lin.weight and c._orig_mod is lin
    c.eval()
    assert not lin.training
    assert torch.compile(lin, disable=True) is lin


def test_compile_as_a_decorator_keeps_the_function() -> None:
    @torch.compile(mode="reduce-overhead")
    def double(x: torch.Tensor) -> torch.Tensor:
        """Twice x."""
        return x * 2

    @torch.compile
    def triple(x: torch.Tensor) -> torch.Tensor:
        return x * 3

    x = torch.ones(2, requires_grad=True)
    (double(x) + triple(x)).sum().backward()
    assert x.grad.tolist() == [5.0, 5.0]
    assert double.__name__ == "double" and double.__doc__ == "Twice x."
