"""Mutated real trace files: each either loads and then works everywhere, or is refused in one line."""

from __future__ import annotations

import json
import random
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.hostile import contract, mutate
from visgrad.trace.files import TraceFileError, load_trace, save_trace

SETTINGS = settings(max_examples=60, deadline=None, derandomize=True)


@pytest.fixture(scope="module")
def trace_members(real_runs, tmp_path_factory) -> list[tuple[dict, list[dict], dict[str, bytes]]]:
    """Per run: its manifest, its events.jsonl headers and its array blocks, as saved."""
    out = []
    for i, evs in enumerate(real_runs):
        path = tmp_path_factory.mktemp("base") / f"run{i}.vgtrace"
        save_trace(path, evs)
        with zipfile.ZipFile(path) as zf:
            manifest = json.loads(zf.read("manifest.json"))
            lines = zf.read("events.jsonl").decode().splitlines()
            blocks = {n: zf.read(n) for n in zf.namelist() if n.startswith("blocks/")}
        out.append((manifest, [json.loads(line) for line in lines], blocks))
    return out


def write_trace(path: Path, manifest: dict, lines: list[str], blocks: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.json", json.dumps(manifest))
        zf.writestr("events.jsonl", "\n".join(lines) + "\n")
        for name, data in blocks.items():
            zf.writestr(name, data)


def load_or_refuse(path: Path) -> list | None:
    """The loaded events, or None when refused with a one-line message."""
    try:
        return load_trace(path)
    except TraceFileError as e:
        assert "\n" not in str(e) and len(str(e)) < 500, str(e)[:500]
        return None


@SETTINGS
@given(rng=st.randoms(use_true_random=False), edits=st.sampled_from([1, 1, 2, 3, 8]))
def test_a_mutated_events_file_loads_and_works_everywhere_or_is_refused(
    trace_members, rng: random.Random, edits: int
) -> None:
    manifest, headers, blocks = rng.choice(trace_members)
    items = mutate.mutate_log([(h, []) for h in headers], rng, edits)
    manifest = dict(manifest, events=len(items))
    if rng.random() < 0.1:
        manifest = mutate.mutate_header(manifest, rng, [1])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "m.vgtrace"
        write_trace(path, manifest, [mutate.to_text(h) for h, _ in items], blocks)
        evs = load_or_refuse(path)
        if evs is not None:
            contract.exercise_model(evs, Path(tmp), budget=rng.choice([None, 0, 4096]))


@pytest.fixture(scope="module")
def trace_bytes(real_runs, tmp_path_factory) -> list[bytes]:
    """Each run saved once (a file's bytes differ with the time it was written)."""
    out = []
    for evs in real_runs:
        path = tmp_path_factory.mktemp("bytes") / "run.vgtrace"
        save_trace(path, evs)
        out.append(path.read_bytes())
    return out


@settings(max_examples=40, deadline=None, derandomize=True)
@given(rng=st.randoms(use_true_random=False), edits=st.sampled_from([1, 2, 4, 16]))
def test_a_file_with_flipped_bytes_loads_and_works_or_is_refused(
    trace_bytes, rng: random.Random, edits: int
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "m.vgtrace"
        path.write_bytes(mutate.mutate_bytes(rng.choice(trace_bytes), rng, edits))
        evs = load_or_refuse(path)
        if evs is not None:
            contract.exercise_model(evs, Path(tmp))
