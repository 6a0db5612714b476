""".vgtrace files: exact round trip, atomic save, and refusal of malformed or hostile files."""

from __future__ import annotations

import gc
import io
import json
import os
import pickle
import zipfile
from dataclasses import fields

import numpy as np
import pytest

from tests.trace import trace_programs as tp
from visgrad import events as ev
from visgrad.runner.session import run_headless
from visgrad.trace import codec, file_blocks, files
from visgrad.trace.files import TraceFileError, info_text, load_trace, save_trace
from visgrad.trace.model import TraceModel


def assert_same_event(a: ev.Event, b: ev.Event) -> None:
    assert type(a) is type(b)
    for f in fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, tuple) and any(isinstance(v, np.ndarray) for v in x):
            assert len(x) == len(y)
            for u, v in zip(x, y, strict=True):
                assert (u is None and v is None) or (u.dtype == v.dtype and np.array_equal(u, v))
        elif isinstance(x, np.ndarray):
            assert x.dtype == y.dtype and x.shape == y.shape and np.array_equal(x, y)
        else:
            assert x == y, f.name


def test_round_trip_keeps_every_field_and_array_exactly(tmp_path) -> None:
    run = tp.jacobian()
    extra = [
        ev.Output(seq=900, text='quote " and \\ and \u00e9\n'),
        ev.RunState(seq=901, detail={"a": [1, 2]}),
    ]
    evs = [*run.events, *extra]
    path = tmp_path / "run.vgtrace"
    seen: list[tuple[int, int]] = []
    save_trace(path, TraceModel(evs), progress=lambda d, t: seen.append((d, t)))
    loaded = load_trace(path, progress=lambda d, t: seen.append((d, t)))
    assert len(loaded) == len(evs)
    for a, b in zip(evs, loaded, strict=True):
        assert_same_event(a, b)
    assert seen[-1] == (len(evs), len(evs))
    with zipfile.ZipFile(path) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    assert manifest["format"] == "visgrad-trace" and manifest["schema"] == files.SCHEMA_VERSION
    assert manifest["events"] == len(evs)


def test_loaded_trace_replays_to_the_same_grads(tmp_path) -> None:
    run = tp.tutorial()
    save_trace(tmp_path / "t.vgtrace", run.events)
    m = TraceModel(load_trace(tmp_path / "t.vgtrace"))
    s = m.state_at(len(m) - 1)
    np.testing.assert_array_equal(s.tensors[run.tensors["w"]._id].grad, run.grads["w"])


def test_info_text_lists_counts_and_final_grads(tmp_path) -> None:
    run = tp.square()
    save_trace(tmp_path / "s.vgtrace", run.events)
    text = info_text(tmp_path / "s.vgtrace")
    assert f"events: {len(run.events)}" in text
    assert "leaves requiring grad: 1" in text
    assert "shape [3]  norm 7.48331  [2, 4, 6]" in text


def test_interrupted_save_leaves_the_previous_file_intact(tmp_path) -> None:
    path = tmp_path / "keep.vgtrace"
    save_trace(path, tp.square().events)
    before = path.read_bytes()

    def fail(done: int, total: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        save_trace(path, tp.tutorial().events, progress=fail)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["keep.vgtrace"]


# -- the malformed corpus ----------------------------------------------------------------------


def _renumber(v, off: int):
    if isinstance(v, dict):
        if set(v) == {"$a"}:
            return {"$a": v["$a"] + off}
        return {k: _renumber(x, off) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_renumber(x, off) for x in v]
    return v


def save_v1(path, evs) -> None:
    """A schema-1 file, as visgrad wrote them before blocks: one ``arrays/<i>.npy`` per array."""
    lines, n = [], 0
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for e in evs:
            header, arrays = codec.to_record(e)
            lines.append(json.dumps(_renumber(header, n), separators=(",", ":")) + "\n")
            for a in arrays:
                zf.writestr(f"arrays/{n}.npy", npy_bytes(a))
                n += 1
        zf.writestr("events.jsonl", "".join(lines))
        man = {"format": "visgrad-trace", "schema": 1, "events": len(evs), "arrays": n}
        zf.writestr("manifest.json", json.dumps(man))


def test_schema_1_file_still_loads_exactly(tmp_path) -> None:
    evs = tp.jacobian().events
    save_v1(tmp_path / "old.vgtrace", evs)
    loaded = load_trace(tmp_path / "old.vgtrace")
    assert len(loaded) == len(evs)
    for a, b in zip(evs, loaded, strict=True):
        assert_same_event(a, b)


def test_arrays_are_packed_into_blocks_and_load_as_aligned_read_only_arrays(
    tmp_path, monkeypatch
) -> None:
    monkeypatch.setattr(file_blocks, "BLOCK_BYTES", 100)  # a block every few events
    evs = tp.tutorial().events
    save_trace(tmp_path / "b.vgtrace", evs)
    with zipfile.ZipFile(tmp_path / "b.vgtrace") as zf:
        names = set(zf.namelist())
        manifest = json.loads(zf.read("manifest.json"))
    n_blocks = manifest["blocks"]
    assert n_blocks > 3
    assert names == {"manifest.json", "events.jsonl"} | {f"blocks/{k}.npy" for k in range(n_blocks)}
    loaded = load_trace(tmp_path / "b.vgtrace")
    for a, b in zip(evs, loaded, strict=True):
        assert_same_event(a, b)
    value = loaded[0].value
    assert value.flags.aligned and not value.flags.writeable


def members_of(tmp_path, v1: bool = False) -> dict[str, bytes]:
    path = tmp_path / "good.vgtrace"
    (save_v1 if v1 else save_trace)(path, tp.tutorial().events)
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def write_zip(path, members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> None:
    with zipfile.ZipFile(path, "w", method) as zf:
        for name, data in members.items():
            zf.writestr(name, data)


def edit_line(members: dict[str, bytes], i: int, fn) -> None:
    lines = members["events.jsonl"].decode().splitlines()
    lines[i] = fn(lines[i])
    members["events.jsonl"] = ("\n".join(lines) + "\n").encode()


def edit_arrays(members: dict[str, bytes], i: int, fn) -> None:
    """Apply ``fn`` to the ``$arrays`` table of the i-th event that has one."""
    lines = members["events.jsonl"].decode().splitlines()
    at = [k for k, line in enumerate(lines) if '"$arrays"' in line][i]
    header = json.loads(lines[at])
    fn(header["$arrays"])
    lines[at] = json.dumps(header)
    members["events.jsonl"] = ("\n".join(lines) + "\n").encode()


def npy_bytes(a: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, a, allow_pickle=True)
    return buf.getvalue()


def _not_zip(p, m):
    p.write_bytes(b"definitely not a zip file")


def _truncated(p, m):
    write_zip(p, m)
    p.write_bytes(p.read_bytes()[: p.stat().st_size // 2])


def _missing_manifest(p, m):
    del m["manifest.json"]
    write_zip(p, m)


def _manifest_not_json(p, m):
    m["manifest.json"] = b"{oops"
    write_zip(p, m)


def _wrong_schema(p, m):
    man = json.loads(m["manifest.json"])
    man["schema"] = 99
    m["manifest.json"] = json.dumps(man).encode()
    write_zip(p, m)


def _bad_json_line(p, m):
    edit_line(m, 3, lambda s: "{not json")
    write_zip(p, m)


def _unknown_kind(p, m):
    edit_line(m, 0, lambda s: s.replace('"kind":"tensor"', '"kind":"launch_missiles"'))
    write_zip(p, m)


def _unknown_field(p, m):
    edit_line(m, 0, lambda s: s.replace('"kind":"tensor"', '"kind":"tensor","evil":1'))
    write_zip(p, m)


def _ref_out_of_range(p, m):
    edit_line(m, 0, lambda s: s.replace('"value":{"$a":0}', '"value":{"$a":99999}'))
    write_zip(p, m)


def _offset_out_of_range(p, m):
    edit_arrays(m, 0, lambda t: t[0].__setitem__(1, 10**9))
    write_zip(p, m)


def _negative_offset(p, m):
    edit_arrays(m, 0, lambda t: t[0].__setitem__(1, -16))
    write_zip(p, m)


def _overlapping_arrays(p, m):
    edit_arrays(m, 1, lambda t: t[0].__setitem__(1, 0))
    write_zip(p, m)


def _block_dtype_not_allowed(p, m):
    edit_arrays(m, 0, lambda t: t[0].__setitem__(2, "complex64"))
    write_zip(p, m)


def _block_object_dtype(p, m):
    edit_arrays(m, 0, lambda t: t[0].__setitem__(2, "object"))
    write_zip(p, m)


def _block_missing(p, m):
    edit_arrays(m, 0, lambda t: t[0].__setitem__(0, 7))
    write_zip(p, m)


def _bad_array_table(p, m):
    edit_arrays(m, 0, lambda t: t.__setitem__(0, {"offset": 0}))
    write_zip(p, m)


def _block_object_npy(p, m):
    m["blocks/0.npy"] = npy_bytes(np.array([{"a": 1}, None], dtype=object))
    write_zip(p, m)


def _block_raw_pickle(p, m):
    m["blocks/0.npy"] = pickle.dumps(np.ones(3))
    write_zip(p, m)


def _block_not_flat_uint8(p, m):
    m["blocks/0.npy"] = npy_bytes(np.ones((4, 4), np.float32))
    write_zip(p, m)


def _block_header_claims_more_than_it_holds(p, m):
    real = m["blocks/0.npy"]
    m["blocks/0.npy"] = real.replace(b"'shape': (", b"'shape': (9999", 1)
    write_zip(p, m)


def _object_npy(p, m):
    m["arrays/0.npy"] = npy_bytes(np.array([{"a": 1}, None], dtype=object))
    write_zip(p, m)


def _raw_pickle(p, m):
    m["arrays/0.npy"] = pickle.dumps(np.ones(3))
    write_zip(p, m)


def _complex_npy(p, m):
    m["arrays/0.npy"] = npy_bytes(np.ones(5, np.complex64))
    write_zip(p, m)


def _traversal(p, m):
    m["../../evil.txt"] = b"x"
    write_zip(p, m)


def _traversal_in_arrays(p, m):
    m["arrays/../../evil.npy"] = m["arrays/0.npy"]
    write_zip(p, m)


def _count_mismatch(p, m):
    man = json.loads(m["manifest.json"])
    man["events"] += 1
    m["manifest.json"] = json.dumps(man).encode()
    write_zip(p, m)


def _more_events_than_manifest(p, m):
    man = json.loads(m["manifest.json"])
    man["events"] -= 1
    m["manifest.json"] = json.dumps(man).encode()
    write_zip(p, m)


def _corrupted_data(p, m):
    write_zip(p, m, zipfile.ZIP_STORED)
    data = bytearray(p.read_bytes())
    at = data.index(b'"kind":"forward"')
    data[at + 2] ^= 0xFF
    p.write_bytes(bytes(data))


MALFORMED = {
    "not a zip": (_not_zip, "not a readable zip"),
    "truncated zip": (_truncated, "not a readable zip"),
    "missing manifest": (_missing_manifest, "manifest.json is missing"),
    "manifest not JSON": (_manifest_not_json, "manifest.json is not JSON"),
    "wrong schema version": (_wrong_schema, "schema version 99 is not supported"),
    "bad JSON line": (_bad_json_line, "event 4 is not valid JSON"),
    "unknown event kind": (_unknown_kind, "unknown event kind 'launch_missiles'"),
    "unknown field": (_unknown_field, "unknown field 'evil'"),
    "array ref out of range": (_ref_out_of_range, "out of range"),
    "path traversal": (_traversal, "unexpected member name '../../evil.txt'"),
    "event count mismatch": (_count_mismatch, "but the manifest says"),
    "more events than manifest": (_more_events_than_manifest, "more events than the manifest"),
    "corrupted member data": (_corrupted_data, "events.jsonl is corrupted"),
    "array offset out of range": (_offset_out_of_range, "lies outside block 0"),
    "negative array offset": (_negative_offset, "is not a valid position"),
    "overlapping arrays": (_overlapping_arrays, "overlaps an earlier array in block 0"),
    "array dtype not allowed": (_block_dtype_not_allowed, "refused array of dtype complex64"),
    "array object dtype": (_block_object_dtype, "refused array of dtype object"),
    "block missing": (_block_missing, "block 7, which the file does not contain"),
    "bad array table": (_bad_array_table, "event 1 is invalid: bad array description"),
    "object dtype block": (_block_object_npy, "blocks/0.npy is not a flat uint8 block"),
    "raw pickle as block": (_block_raw_pickle, "blocks/0.npy is not a plain .npy block"),
    "float block": (_block_not_flat_uint8, "blocks/0.npy is not a flat uint8 block"),
    "block header larger than block": (
        _block_header_claims_more_than_it_holds,
        "blocks/0.npy is not a flat uint8 block of its member's size",
    ),
}
# Cases of the schema-1 layout, one .npy per array: made from a schema-1 file.
MALFORMED_V1 = {
    "object dtype npy": (_object_npy, "arrays/0.npy is not a plain .npy array"),
    "raw pickle as npy": (_raw_pickle, "arrays/0.npy is not a plain .npy array"),
    "complex dtype npy": (_complex_npy, "refused dtype complex64"),
    "path traversal in arrays": (_traversal_in_arrays, "unexpected member name"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED) + [f"v1 {c}" for c in sorted(MALFORMED_V1)])
def test_malformed_file_is_refused_with_a_clear_message(tmp_path, case) -> None:
    v1 = case.startswith("v1 ")
    make, message = MALFORMED_V1[case[3:]] if v1 else MALFORMED[case]
    members = members_of(tmp_path, v1)
    bad = tmp_path / "bad.vgtrace"
    make(bad, members)
    with pytest.raises(TraceFileError) as info:
        load_trace(bad)
    assert message in str(info.value)


def test_oversized_member_is_refused_before_reading(tmp_path, monkeypatch) -> None:
    members = members_of(tmp_path)
    monkeypatch.setattr(files, "MAX_MEMBER_BYTES", 200)
    write_zip(tmp_path / "big.vgtrace", members)
    with pytest.raises(TraceFileError, match="too big"):
        load_trace(tmp_path / "big.vgtrace")


def _claim_size(path, member: str, size: int) -> None:
    """Make the central directory claim ``size`` inflated bytes for ``member`` (as a bomb does)."""
    data = bytearray(path.read_bytes())
    at = data.index(b"PK\x01\x02")
    while True:
        n = int.from_bytes(data[at + 28 : at + 30], "little")
        if data[at + 46 : at + 46 + n].decode() == member:
            data[at + 24 : at + 28] = size.to_bytes(4, "little")
            break
        at = data.index(b"PK\x01\x02", at + 4)
    path.write_bytes(bytes(data))


def test_a_member_claiming_more_than_deflate_can_give_is_refused_as_a_zip_bomb(tmp_path) -> None:
    members = members_of(tmp_path)
    members["blocks/0.npy"] = npy_bytes(np.zeros(1 << 20, np.uint8))
    bomb = tmp_path / "bomb.vgtrace"
    write_zip(bomb, members)
    _claim_size(bomb, "blocks/0.npy", 1 << 30)
    with pytest.raises(TraceFileError, match="zip bomb") as info:
        load_trace(bomb)
    assert "\n" not in str(info.value)


def test_members_that_overlap_are_refused_as_a_zip_bomb(tmp_path) -> None:
    bomb = tmp_path / "bomb.vgtrace"
    write_zip(bomb, members_of(tmp_path))
    data = bomb.read_bytes()
    # A second central directory entry for the events, under another name: shared data.
    at = data.index(b"PK\x01\x02")
    end = data.index(b"PK\x05\x06")
    entries = data[at:end]
    i = 0
    while True:
        n = int.from_bytes(entries[i + 28 : i + 30], "little")
        extra = int.from_bytes(entries[i + 30 : i + 32], "little")
        comment = int.from_bytes(entries[i + 32 : i + 34], "little")
        size = 46 + n + extra + comment
        if entries[i + 46 : i + 46 + n] == b"events.jsonl":
            copy = bytearray(entries[i : i + size])
            copy[46 : 46 + n] = b"blocks/9.npy"
            break
        i += size
    eocd = bytearray(data[end:])
    count = int.from_bytes(eocd[10:12], "little") + 1
    eocd[8:10] = eocd[10:12] = count.to_bytes(2, "little")
    eocd[12:16] = (len(entries) + len(copy)).to_bytes(4, "little")
    bomb.write_bytes(data[:at] + entries + bytes(copy) + bytes(eocd))
    with pytest.raises(TraceFileError, match="overlap"):
        load_trace(bomb)


def test_a_trace_of_many_zero_arrays_records_and_loads(tmp_path) -> None:
    """Honest deflate of zeros reaches ~1000:1; that is not a bomb."""
    prog = tmp_path / "zeros.py"
    prog.write_text("import torch\nxs = [torch.zeros(256, 256) for _ in range(300)]\n")
    evs: list = []
    assert run_headless(prog, on_event=evs.append) == 0
    path = tmp_path / "zeros.vgtrace"
    save_trace(path, evs)
    assert len(load_trace(path)) == len(evs)


def test_missing_file_is_a_trace_file_error(tmp_path) -> None:
    with pytest.raises(TraceFileError, match="no such trace file"):
        load_trace(tmp_path / "nope.vgtrace")


def test_loading_leaves_the_garbage_collector_as_it_found_it(tmp_path) -> None:
    save_trace(tmp_path / "s.vgtrace", tp.square().events)
    load_trace(tmp_path / "s.vgtrace")
    assert gc.isenabled()
    with pytest.raises(TraceFileError):
        load_trace(tmp_path / "nope.vgtrace")
    (tmp_path / "bad.vgtrace").write_bytes(b"PK\x05\x06" + bytes(18))  # an empty zip
    with pytest.raises(TraceFileError, match="manifest.json is missing"):
        load_trace(tmp_path / "bad.vgtrace")
    assert gc.isenabled()
    gc.disable()
    try:
        load_trace(tmp_path / "s.vgtrace")
        assert not gc.isenabled()
    finally:
        gc.enable()
