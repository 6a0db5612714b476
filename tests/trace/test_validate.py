"""The event validator: real runs pass, every kind of bad field or bad order is refused by name."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pytest

from tests.trace import trace_programs as tp
from visgrad import events as ev
from visgrad.trace import validate
from visgrad.trace.summary import ArraySummary, summarize
from visgrad.trace.validate import EventValidator, ValidationError, check_event, field_checks


def test_recorded_runs_pass_whole() -> None:
    for run in (tp.tutorial(), tp.square(), tp.jacobian()):
        v = EventValidator()
        for e in run.events:
            v.check(e)
        assert v.count == len(run.events)


def _nested(n: int) -> list:
    v: list = [1]
    for _ in range(n):
        v = [v]
    return v


def _fwd(seq: int = 1, **kw) -> ev.ForwardOp:
    base = dict(
        op="mul",
        node=7,
        grad_fn="MulBackward0",
        inputs=(1, None),
        outputs=(2,),
        shapes=((2, 3),),
        dtypes=("float32",),
        next_nodes=(5, None),
        values=(np.zeros((2, 3), np.float32),),
    )
    return ev.ForwardOp(seq=seq, **{**base, **kw})


@pytest.mark.parametrize(
    ("event", "fragment"),
    [
        (ev.Output(seq=1, text=5), "'text' must be a string"),
        (ev.Output(seq=1, text="a\ud800"), "lone surrogate"),
        (ev.TensorNamed(seq=1, tensor="abc"), "'tensor' must be an integer"),
        (ev.TensorNamed(seq=1, tensor=True), "'tensor' must be an integer"),
        (ev.TensorNamed(seq=1, tensor=-3), "'tensor' must be between 0"),
        (ev.TensorNamed(seq=1, tensor=2**60), "'tensor' must be between 0"),
        (_fwd(shapes=7), "'shapes' must be a list"),
        (_fwd(shapes=((float("inf"),),)), "'shapes'[0] must hold non-negative integer sizes"),
        (_fwd(shapes=((-1, 3),)), "non-negative integer sizes"),
        (_fwd(shapes=((2**30, 2**30),)), "declares more than"),
        (_fwd(shapes=((1,) * 65,)), "more than 64 dimensions"),
        (_fwd(dtypes=("f4,(",)), "'dtypes'[0] must name a dtype"),
        (_fwd(inputs=("1",)), "'inputs'[0] must be an integer"),
        (_fwd(attrs={"a": _nested(40)}), "nested"),
        (_fwd(attrs={"a": np.zeros(2)}), "plain JSON"),
        (_fwd(attrs={5: 1}), "key that is not a valid string"),
        (_fwd(source=("f.py", "7", "<module>")), "'source'[1] must be an integer"),
        (_fwd(source=("f.py", 7)), "'source' must be a list of 3 items"),
        (_fwd(values=("not an array",)), "'values'[0] must be an array"),
        (_fwd(values=(np.zeros(2, dtype=np.complex64),)), "refused dtype"),
        (ev.RunState(seq=1, detail=[1, 2]), "'detail' must be"),
        (
            ev.RunState(seq=1, variables=((-1, "locals", "x", "int", 3, None),)),
            "'variables'[0][4] must be a string",
        ),
        (
            ev.RunState(seq=1, variables=((-1, "locals", "w", "Tensor", "1", -2),)),
            "'variables'[0][5] must be between 0",
        ),
        (ev.RunState(seq=1, stack=(("f.py", "3", "f", True),)), "'stack'[0][1] must be an integer"),
        (ev.RunState(seq=1, stack=(("f.py", 3, "f"),)), "'stack'[0] must be a list of 4 items"),
        (ev.BackwardNode(seq=1, node=3, sources=((1,),)), "'sources'[0] must be a list of 2"),
        (ev.GradAccumulated(seq=1, tensor=3, grad=summarize(np.ones(3))), None),
    ],
)
def test_a_field_of_the_wrong_type_or_range_is_refused_by_name(event, fragment) -> None:
    if fragment is None:
        check_event(event)
        return
    with pytest.raises(ValidationError) as info:
        check_event(event)
    assert fragment in str(info.value)
    assert len(str(info.value)) < 300 and "\n" not in str(info.value)


@pytest.mark.parametrize(
    "change, fragment",
    [
        ({"shape": (float("nan"),)}, "shape"),
        ({"dtype": "object"}, "dtype"),
        ({"nan": -1}, "nan"),
        ({"preview": (1.0,) * 100}, "preview"),
        ({"mean": "x"}, "mean"),
    ],
    ids=["shape", "dtype", "nan", "preview", "mean"],
)
def test_a_bad_array_summary_is_refused(change, fragment) -> None:
    bad = dataclasses.replace(summarize(np.ones((2, 3), np.float32)), **change)
    with pytest.raises(ValidationError, match=fragment):
        check_event(ev.GradAccumulated(seq=1, tensor=3, grad=bad))


def test_a_very_long_string_is_refused_past_the_limit_and_kept_below() -> None:
    lim = validate.Limits(max_string=1000)
    check_event(ev.Output(seq=1, text="x" * 1000), lim)
    with pytest.raises(ValidationError, match="1001 characters long"):
        check_event(ev.Output(seq=1, text="x" * 1001), lim)


def test_an_error_message_never_repeats_a_huge_value() -> None:
    with pytest.raises(ValidationError) as info:
        check_event(ev.TensorNamed(seq=1, tensor="9" * 1_000_000))
    assert len(str(info.value)) < 200


@pytest.mark.parametrize(
    ("first", "second", "fragment"),
    [
        (_fwd(1), _fwd(2, outputs=(3,)), "reuses node id 7"),
        (_fwd(1, node=None), _fwd(1, node=None, outputs=(3,)), "repeats the seq"),
        (_fwd(10_000), _fwd(1, node=8, outputs=(3,)), "comes long after seq 10000"),
        (
            _fwd(1),
            _fwd(2, node=8, outputs=(3, 3), shapes=((), ()), dtypes=("bool",) * 2, values=()),
            "one output tensor twice",
        ),
        (_fwd(1), _fwd(2, node=8, outputs=(3,), shapes=((2, 2),)), "its value is float32[2, 3]"),
        (_fwd(1), _fwd(2, node=8, outputs=(3,), dtypes=("int64",)), "the event says int64"),
        (_fwd(1), _fwd(2, node=8, outputs=(3, 4)), "2 outputs but 1 shapes"),
        (
            _fwd(1),
            ev.TensorCreated(seq=2, tensor=9, shape=(4,), value=np.zeros(3, np.float32)),
            "its value is float32[3]",
        ),
        (_fwd(1), ev.InplaceUpdate(seq=2, tensor=2, node=7, recorded=True), "reuses node id 7"),
        (_fwd(1), ev.Output(seq=0), "seq outside 1"),
        (
            _fwd(1),
            ev.RunState(seq=2, variables=((0, "locals", "x", "int", "3", None),)),
            "variable 0 belongs to row 0",
        ),
        (
            _fwd(1),
            ev.RunState(
                seq=2,
                variables=(
                    (-1, "globals", "xs", "list", "[1]", None),
                    (0, "globals", "[0]", "list", "[1]", None),
                    (1, "globals", "[0][0]", "int", "1", None),
                ),
            ),
            "variable 2 belongs to row 1, which is not a variable",
        ),
        (
            _fwd(1),
            ev.RunState(seq=2, variables=((-1, "builtins", "x", "int", "3", None),)),
            "names variable scope 'builtins'",
        ),
    ],
)
def test_an_event_that_does_not_fit_the_run_before_it_is_refused(first, second, fragment) -> None:
    v = EventValidator()
    v.check(first)
    with pytest.raises(ValidationError, match=fragment.replace("[", r"\[")):
        v.check(second)


def test_threads_may_deliver_seqs_slightly_out_of_order() -> None:
    v = EventValidator()
    for seq in (5, 3, 4, 9, 6, 6, 7):
        v.check(ev.Output(seq=seq, text="t"))
    v.check(_fwd(8))  # a seq that keys a graph node only once


def test_a_field_added_later_is_checked_from_its_annotation() -> None:
    @dataclass(frozen=True, slots=True)
    class Later(ev.Event):
        kind: ClassVar[str] = "later"
        base: ev.TensorId | None = None
        module: str = ""
        stack: tuple[ev.Source, ...] = ()
        summary: ArraySummary | None = None

    checks = dict(field_checks(Later))
    assert set(checks) == {"seq", "base", "module", "stack", "summary"}
    checks["base"](None, "base")
    checks["stack"]((("f.py", 1, "main"),), "stack")
    for name, bad, fragment in [
        ("base", -1, "between 0"),
        ("module", 7, "must be a string"),
        ("stack", (("f.py", "1", "main"),), "[0][1] must be an integer"),
        ("summary", np.zeros(2), "must be an array summary"),
    ]:
        with pytest.raises(ValidationError, match=fragment.replace("[", r"\[")):
            checks[name](bad, name)


def test_an_unknown_annotation_fails_loudly_when_the_validator_is_built() -> None:
    @dataclass(frozen=True, slots=True)
    class Odd(ev.Event):
        kind: ClassVar[str] = "odd"
        thing: set[int] = dataclasses.field(default_factory=set)

    with pytest.raises(TypeError, match="no check for the annotation"):
        field_checks(Odd)


HOSTILE = [
    None,
    True,
    0,
    1,
    -1,
    2**53,
    2**53 + 1,
    2**64,
    1.5,
    float("nan"),
    float("inf"),
    "",
    "x",
    "a\ud800",
    "float32",
    "f4,(",
    (),
    (1,),
    (None,),
    (1, None),
    ((1, 2),),
    ((-1,),),
    ("a", 1, "b"),
    ((2**40, 2**40),),
    (1.5,),
    [1],
    {},
    {"a": 1},
    {"a": [1, {"b": None}]},
    {1: 2},
    np.zeros(2, np.float32),
    np.zeros(2, np.complex64),
    (np.zeros(1),),
    (None, np.zeros(1)),
    summarize(np.ones(3)),
    (summarize(np.ones(3)),),
    dataclasses.replace(summarize(np.ones(3)), nan=-1),
]


@pytest.mark.parametrize("cls", sorted(ev.EVENT_TYPES.values(), key=lambda c: c.kind))
def test_the_fast_check_and_the_field_checks_agree_on_hostile_values(cls) -> None:
    fast, slow = validate._checks_of(cls, validate.LIMITS)
    for f in dataclasses.fields(cls):
        for value in HOSTILE:
            e = cls(**{"seq": 1, f.name: value})
            try:
                for name, label, check in slow:
                    check(getattr(e, name), label)
                accepted = True
            except ValidationError:
                accepted = False
            assert fast(e) == accepted, (cls.kind, f.name, value)
