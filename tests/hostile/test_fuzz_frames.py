"""Mutated frames from the child: the stream yields valid events until it refuses, never worse."""

from __future__ import annotations

import json
import random
import struct
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.hostile import contract, mutate
from visgrad.runner.stream import FrameStream
from visgrad.trace import codec

SETTINGS = settings(max_examples=60, deadline=None, derandomize=True)


def frame_of(header: dict, arrays: list) -> bytes:
    """A frame as the child writes it, from a (possibly hostile) header."""
    if "$arrays" not in header:
        header = dict(header)
        header["$arrays"] = [
            {"dtype": a.dtype.name, "shape": list(a.shape), "nbytes": a.nbytes} for a in arrays
        ]
    hb = mutate.to_text(header).encode()
    body = struct.pack("<I", len(hb)) + hb + b"".join(a.tobytes() for a in arrays)
    return struct.pack("<I", len(body)) + body


def consume(data: bytes, rng: random.Random) -> list:
    """Feed ``data`` in random pieces; the events the stream gave before it refused (if it did)."""
    stream, got = FrameStream(), []
    try:
        i = 0
        while i < len(data):
            n = rng.choice([1, 7, 4096, 1 << 20])
            got.extend(stream.feed(data[i : i + n]))
            i += n
        stream.close()
    except codec.CodecError as e:
        assert "\n" not in str(e) and len(str(e)) < 500, str(e)[:500]
    return got


def test_real_runs_pass_through_the_stream_whole(real_runs) -> None:
    rng = random.Random(0)
    for evs in real_runs:
        data = b"".join(codec.encode_frame(e) for e in evs)
        assert len(consume(data, rng)) == len(evs)


@SETTINGS
@given(rng=st.randoms(use_true_random=False), edits=st.sampled_from([1, 1, 2, 3, 8]))
def test_mutated_headers_give_valid_events_then_a_refusal(real_runs, rng, edits) -> None:
    evs = rng.choice(real_runs)
    records = mutate.mutate_log([codec.to_record(e) for e in evs], rng, edits)
    if rng.random() < 0.3:  # the array table itself
        h, arrays = records[rng.randrange(len(records))]
        h = dict(
            h,
            **{
                "$arrays": [
                    {"dtype": a.dtype.name, "shape": list(a.shape), "nbytes": a.nbytes}
                    for a in arrays
                ]
            },
        )
        records.append((mutate.mutate_header(h, rng, [1]), arrays))
    got = consume(b"".join(frame_of(h, a) for h, a in records), rng)
    with tempfile.TemporaryDirectory() as tmp:
        contract.exercise_model(got, Path(tmp))


@SETTINGS
@given(rng=st.randoms(use_true_random=False), edits=st.sampled_from([1, 2, 4, 16]))
def test_flipped_bytes_give_valid_events_then_a_refusal(real_runs, rng, edits) -> None:
    evs = rng.choice(real_runs)
    data = mutate.mutate_bytes(b"".join(codec.encode_frame(e) for e in evs), rng, edits)
    got = consume(data, rng)
    with tempfile.TemporaryDirectory() as tmp:
        contract.exercise_model(got, Path(tmp))


def test_a_header_that_is_not_an_object_is_refused() -> None:
    for text in ("[1, 2]", "5", "null", '"s"', "{" * 100_000):
        hb = text.encode()
        body = struct.pack("<I", len(hb)) + hb
        got = consume(struct.pack("<I", len(body)) + body, random.Random(1))
        assert got == []
    assert json  # the module is used to build headers above
