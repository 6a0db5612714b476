"""torch.testing.assert_close: the same verdicts and the same failure texts as PyTorch's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import visgrad as torch
from visgrad.testing import assert_close

CALLS = json.loads(
    (Path(__file__).resolve().parents[1] / "fixtures" / "torch" / "testing.json").read_text()
)["calls"]


@pytest.mark.parametrize("call", sorted(CALLS))
def test_assert_close_agrees_with_pytorch(call: str) -> None:
    want = CALLS[call]
    env = {"torch": torch, "assert_close": assert_close}
    if want is None:
        eval(call, env)  # noqa: S307 - the fixture's fixed calls
        return
    with pytest.raises(Exception) as info:  # noqa: PT011 - the class is compared below
        eval(call, env)  # noqa: S307
    assert type(info.value).__name__ == want["type"]
    assert str(info.value) == want["message"]
