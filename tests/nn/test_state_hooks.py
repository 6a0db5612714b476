"""``Module``'s state-dict hooks run where PyTorch runs them, with its arguments."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import visgrad as torch
from visgrad import nn


def test_save_hooks_run_before_and_after_a_module_and_may_add_to_its_metadata() -> None:
    model = nn.Sequential(nn.Linear(2, 2), nn.ReLU())
    calls: list[Any] = []
    model[0].register_state_dict_pre_hook(lambda m, prefix, keep: calls.append(("pre", prefix)))

    def post(m: Any, sd: Any, prefix: str, local: dict[str, Any]) -> None:
        calls.append(("post", prefix, sorted(sd)))
        local["note"] = 1

    model[0].register_state_dict_post_hook(post)
    sd = model.state_dict()
    # The post-hook sees the module's own keys already saved (nothing of its siblings yet).
    assert calls == [("pre", "0."), ("post", "0.", ["0.bias", "0.weight"])]
    assert sd._metadata["0"] == {"version": 1, "note": 1}
    model[0].register_state_dict_post_hook(lambda *a: {})
    with pytest.raises(RuntimeError, match="state_dict post-hook must return None"):
        model.state_dict()


def test_a_load_pre_hook_may_rename_the_checkpoints_keys_and_post_hooks_see_what_is_left() -> None:
    layer = nn.Linear(2, 1)
    source = {"w": torch.ones(1, 2), "bias": torch.zeros(1), "extra": torch.zeros(1)}

    def rename(sd: dict[str, Any], prefix: str, *rest: Any) -> None:
        sd[prefix + "weight"] = sd.pop(prefix + "w")

    seen: list[Any] = []
    layer._register_load_state_dict_pre_hook(rename)
    layer.register_load_state_dict_post_hook(
        lambda m, keys: seen.append(list(keys.unexpected_keys))
    )
    result = layer.load_state_dict(source, strict=False)
    np.testing.assert_array_equal(layer.weight.detach().numpy(), [[1.0, 1.0]])
    assert seen == [["extra"]] and result.unexpected_keys == ["extra"]


def test_the_public_load_pre_hook_is_given_the_module_first() -> None:
    layer = nn.Linear(2, 1)
    got: list[Any] = []
    handle = layer.register_load_state_dict_pre_hook(lambda m, sd, prefix, *rest: got.append(m))
    layer.load_state_dict(layer.state_dict())
    handle.remove()
    layer.load_state_dict(layer.state_dict())
    assert got == [layer]
