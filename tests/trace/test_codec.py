"""Events survive the wire encoding exactly; large arrays become summaries; bad frames are refused."""

import json
import struct

import numpy as np
import pytest

import visgrad as torch
from visgrad import events
from visgrad.trace import codec


def _same(a, b):
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and np.array_equal(a, b)
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return a == b and type(a) is type(b)


def test_every_event_of_a_run_round_trips_exactly():
    with events.Recorder() as rec:
        w = torch.randn(3, 2, requires_grad=True)
        loss = (torch.ones(2, 3) @ w).sum()
        loss.backward()
    assert len(rec.events) > 5
    for ev in rec.events:
        back = codec.decode_body(codec.encode_frame(ev)[4:])
        assert type(back) is type(ev)
        for k, v in ev.fields().items():
            assert _same(v, back.fields()[k]), (ev.kind, k)


def test_array_above_the_payload_limit_arrives_as_summary():
    big = np.arange(100, dtype=np.float32)
    big[3] = np.nan
    ev = events.TensorCreated(seq=1, tensor=1, shape=(100,), value=big)
    back = codec.decode_body(codec.encode_frame(ev, limit=10)[4:])
    s = back.value
    assert isinstance(s, codec.ArraySummary)
    assert s.shape == (100,) and s.nan == 1 and s.max == 99.0 and s.min == 0.0
    assert s.preview[:3] == (0.0, 1.0, 2.0)


def test_transposed_arrays_numpy_scalars_and_nested_tuples_round_trip():
    a = np.arange(12, dtype=np.float64).reshape(3, 4).T  # not C-contiguous
    ev = events.ForwardOp(
        seq=3,
        op="t",
        inputs=(1, None),
        outputs=(2,),
        shapes=((4, 3),),
        dtypes=("float64",),
        attrs={"dim": np.int64(1), "sizes": (1, 2)},
        values=(a,),
        next_nodes=(None, 7),
    )
    back = codec.decode_body(codec.encode_frame(ev)[4:])
    assert back.values[0].tolist() == a.tolist() and back.values[0].dtype == np.float64
    assert back.attrs == {"dim": 1, "sizes": [1, 2]}
    assert back.inputs == (1, None) and back.shapes == ((4, 3),) and back.next_nodes == (None, 7)


def test_none_array_and_summary_side_by_side_in_one_tuple_round_trip():
    small = np.array([1.5, -2.0], dtype=np.float32)
    ev = events.BackwardNode(
        seq=4,
        node=1,
        name="MulBackward0",
        sources=((1, 0), (2, 1)),
        grads_in=(None, small, np.zeros(50, np.float32)),
    )
    back = codec.decode_body(codec.encode_frame(ev, limit=10)[4:])
    none, arr, summary = back.grads_in
    assert none is None and arr.tolist() == [1.5, -2.0]
    assert isinstance(summary, codec.ArraySummary) and summary.shape == (50,) and summary.max == 0.0
    assert back.sources == ((1, 0), (2, 1))


def test_headers_are_written_as_compact_json_dumps_writes_them():
    header = {
        "a": [1, None, True],
        "é": 'q"\\\n\u2603',
        "f": [0.1, float("nan"), -1e300],
        "t": (1, 2),
    }
    assert codec.to_json(header) == json.dumps(header, separators=(",", ":"))
    with pytest.raises(TypeError, match="not JSON serializable"):
        codec.to_json({"x": object()})


def _frame(header, payload=b""):
    hb = json.dumps(header).encode()
    return struct.pack("<I", len(hb)) + hb + payload


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"\x05\x00\x00\x00{}",
        _frame([1, 2]),
        _frame({"kind": "nope", "seq": 1}),
        _frame({"kind": "tensor", "seq": "x"}),
        _frame({"kind": "tensor", "seq": 1, "evil": 1}),
        _frame({"kind": "tensor", "seq": 1, "value": {"$a": 3}}),
        _frame({"kind": "forward", "seq": 1, "values": [{"$a": True}]}),
        _frame({"kind": "forward", "seq": 1, "values": [{"$s": {"shape": 3}}]}),
        _frame(
            {
                "kind": "tensor",
                "seq": 1,
                "$arrays": [{"dtype": "object", "shape": [1], "nbytes": 8}],
            }
        ),
        _frame(
            {
                "kind": "tensor",
                "seq": 1,
                "$arrays": [{"dtype": "float32", "shape": [4], "nbytes": 16}],
            },
            b"\0" * 8,
        ),
        _frame(
            {
                "kind": "tensor",
                "seq": 1,
                "$arrays": [{"dtype": "float32", "shape": [4], "nbytes": 99}],
            }
        ),
    ],
)
def test_malformed_frames_are_refused_with_codec_error(body):
    with pytest.raises(codec.CodecError):
        codec.decode_body(body)
