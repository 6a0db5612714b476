"""The chain-rule panel's formulas are the op table's, found by grad_fn name."""

from __future__ import annotations

import numpy as np

from visgrad.app.panels import formulas as F
from visgrad.ops.elementwise import MulBackward0
from visgrad.ops.loss import BinaryCrossEntropyWithLogitsBackward0


def test_registry_reads_the_op_classes_themselves():
    reg = F.registry()
    assert reg["MulBackward0"].formulas == MulBackward0.formulas
    assert reg["MulBackward0"].input_names == ("self", "other")
    bce = reg["BinaryCrossEntropyWithLogitsBackward0"]
    assert bce.formulas == BinaryCrossEntropyWithLogitsBackward0.formulas
    assert "torch::autograd::AccumulateGrad" in reg


def test_local_derivatives_are_typeset():
    assert F.pretty(F.local_text("grad * other")) == "other"
    assert F.pretty(F.local_text("-grad * self / (other * other)")) == "−self / (other·other)"
    assert F.pretty(F.local_text("grad * exponent * self ** (exponent - 1)")) == (
        "exponent·self^(exponent − 1)"
    )
    bce = F.simplify(
        F.local_text(BinaryCrossEntropyWithLogitsBackward0.formulas["self"]),
        {"weight": None, "reduction": 1},
    )
    assert F.pretty(bce) == "(σ(self) − target) / n"


def test_elementwise_formulas_evaluate_and_others_do_not():
    z = np.array([0.0, 2.0])
    got = F.evaluate(
        "grad * (σ(self) − target) · weight / n",
        {"self": z, "target": np.zeros(2), "weight": None, "n": 2},
    )
    np.testing.assert_allclose(got, 1 / (1 + np.exp(-z)) / 2)
    assert F.evaluate("grad @ mat2.t()", {"mat2": np.eye(2)}) is None
    np.testing.assert_array_equal(F.sum_to_shape(np.ones((2, 3)), (3,)), [2.0, 2.0, 2.0])
    assert F.reduced_dims((4, 2, 3), (2, 1)) == (0, 2)
