"""The op registry is complete: every op declared once, with the names PyTorch gives it.

PyTorch's names come from ``tests/fixtures/torch/api_names.json`` (recorded by
``scripts/torch_fixtures/api_names.py``); the generated stubs must match the registry.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import visgrad as torch
import visgrad.nn.functional as F
from tests.engine.gradcheck_util import differentiable_nodes, node_classes
from visgrad.ops import generate, registry
from visgrad.ops.base import Op
from visgrad.runner import torch_alias

FIXTURE = json.loads(
    (Path(__file__).parents[1] / "fixtures" / "torch" / "api_names.json").read_text()
)
PT_TORCH = set(FIXTURE["torch"])
PT_TENSOR = set(FIXTURE["tensor"])
PT_FUNCTIONAL = set(FIXTURE["functional"])
PT_LINALG = set(FIXTURE["linalg"])

# What PyTorch has next to a declared op that visgrad leaves out on purpose, and why.
NOT_PROVIDED = {
    # Comparisons written in place keep the input's dtype; visgrad's comparisons give bools.
    **{f"Tensor.{n}_": "in-place comparison" for n in ("eq", "ne", "lt", "le", "gt", "ge")},
    "Tensor.floor_divide_": "in-place integer division",
    # Same name, another signature: the nn.functional form is the one users call.
    "torch.dropout": "torch.dropout(input, p, train) differs from F.dropout",
    "torch.binary_cross_entropy_with_logits": "takes the reduction as an int enum",
    "torch.instance_norm": "takes weight and bias first and a cudnn_enabled flag",
    "torch.embedding_bag": "takes the weight first and returns the kernel's four tensors",
}


def _tensor_names() -> set[str]:
    return {name for name, _attr, _d in registry.tensor_attributes()}


def test_generated_stubs_are_up_to_date() -> None:
    stale = [str(p.name) for p in generate.stale()]
    assert stale == [], f"run `python -m visgrad.ops.generate` to update {stale}"


def test_the_namespaces_and_tensor_hold_exactly_the_declared_functions() -> None:
    for name, fn in registry.namespace("torch").items():
        assert getattr(torch, name) is fn, name
    for name, fn in registry.namespace("functional").items():
        assert getattr(F, name) is fn, name
    assert sorted(F.__all__) == sorted(registry.namespace("functional"))
    for name, fn in registry.namespace("linalg").items():
        assert getattr(torch.linalg, name) is fn, name
    assert sorted(torch.linalg.__all__) == sorted(registry.namespace("linalg"))
    for name, attr, _d in registry.tensor_attributes():
        got = torch.Tensor.__dict__[name]
        assert got is attr or (isinstance(got, property) and got.fget is attr.fget), name


def test_every_declared_name_is_one_pytorch_has() -> None:
    invented = [f"torch.{n}" for n in registry.namespace("torch") if n not in PT_TORCH]
    invented += [f"F.{n}" for n in registry.namespace("functional") if n not in PT_FUNCTIONAL]
    invented += [f"linalg.{n}" for n in registry.namespace("linalg") if n not in PT_LINALG]
    invented += [f"Tensor.{n}" for n in _tensor_names() if n not in PT_TENSOR]
    assert invented == []


def _gaps() -> list[str]:
    methods = set(dir(torch.Tensor))
    # What a program's `import torch` sees: the alias also gives the functions whose visgrad name
    # is one of our packages (torch.trace), whether or not that package was imported yet.
    ns = {n for n in dir(torch) if not n.startswith("__")} | set(torch_alias._METHOD_FUNCTIONS)
    gaps = []
    for d in registry.DECLARATIONS:
        for n in d.names:
            exported = n in ns or d.functional
            if n in PT_TORCH and n not in ns and not d.functional and d.method:
                # A method-only declaration of a name that is also a torch function.
                gaps.append(f"torch.{n}")
            if n in PT_TORCH and n not in ns and d.functional:
                gaps.append(f"torch.{n}")
            if exported and n in PT_TENSOR and n not in methods:
                gaps.append(f"Tensor.{n}")
            if (exported or n in methods) and n + "_" in PT_TENSOR and n + "_" not in methods:
                gaps.append(f"Tensor.{n}_")
            if n in ns and n + "_" in PT_TORCH and n + "_" not in ns:
                gaps.append(f"torch.{n}_")
    return sorted(set(gaps))


def test_every_op_has_the_method_in_place_variant_and_function_pytorch_has() -> None:
    missing = [g for g in _gaps() if g not in NOT_PROVIDED]
    assert missing == [], "declare these (or list them in NOT_PROVIDED with the reason)"


def test_every_listed_gap_is_still_a_gap() -> None:
    # An entry for something visgrad now has would hide a regression: drop it.
    assert sorted(set(NOT_PROVIDED) - set(_gaps())) == []


def test_every_differentiable_node_class_is_declared_by_an_op() -> None:
    declared = {n for d in registry.DECLARATIONS for n in d.nodes}
    assert [c.__name__ for c in differentiable_nodes() if c not in declared] == []


def test_every_op_class_with_outputs_to_differentiate_has_formulas() -> None:
    missing = [
        c.__name__
        for c in node_classes()
        if issubclass(c, Op)
        and c.differentiable
        and not c.formulas
        and c.forward is not Op.forward
        and "backward" in c.__dict__
    ]
    assert missing == []


@pytest.mark.parametrize("cls", differentiable_nodes(), ids=lambda c: c.__name__)
def test_every_input_of_a_node_has_a_formula(cls: type) -> None:
    assert set(cls.input_names) - set(cls.no_grad_inputs) <= set(cls.formulas), cls.input_names


def test_a_declaration_never_replaces_a_method_the_class_defines() -> None:
    class Probe:
        exp = None

    with pytest.raises(TypeError, match="defined by Tensor"):
        registry.install(Probe)


def test_a_name_declared_twice_is_refused() -> None:
    @registry.declare("exp", torch=False)
    def exp_again(a: torch.Tensor) -> torch.Tensor:
        return a

    try:
        with pytest.raises(TypeError, match="declared twice"):
            registry.install(type("Probe", (), {}))
    finally:
        registry.DECLARATIONS.remove(next(d for d in registry.DECLARATIONS if d.fn is exp_again))
