"""torch.save / torch.load: PyTorch's files read here, ours read by PyTorch, hostile files refused."""

from __future__ import annotations

import io
import json
import os
import pickle
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import visgrad as torch
from tests.serialization import checkpoint_cases as cases
from visgrad import events
from visgrad.serialization import CheckpointError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
THEIRS = FIXTURES / "torch" / "checkpoints"
OURS = FIXTURES / "visgrad" / "checkpoints"
RECORDED = json.loads((FIXTURES / "torch" / "checkpoints.json").read_text())
NAMES = sorted(RECORDED["objects"])
LOAD_ERRORS = (pickle.UnpicklingError, CheckpointError, EOFError)


def as_json(obj):
    return json.loads(json.dumps(cases.describe(obj)))


@pytest.mark.parametrize("name", NAMES)
def test_reads_what_pytorch_saved(name):
    assert as_json(torch.load(THEIRS / f"{name}.pt")) == RECORDED["objects"][name]


def test_reads_pytorchs_protocol_4_pickles_and_file_objects():
    assert as_json(torch.load(THEIRS / "protocol4.pt")) == RECORDED["objects"]["nested"]
    data = (THEIRS / "tensor.pt").read_bytes()
    assert as_json(torch.load(io.BytesIO(data))) == RECORDED["objects"]["tensor"]


def test_views_pytorch_saved_share_memory_after_loading():
    v = torch.load(THEIRS / "views.pt")
    v["base"][1, 2] = -1.0
    assert v["row"][2].item() == v["col"][1].item() == v["t"][2, 1].item() == -1.0
    assert v["block"][0, 1].item() == -1.0


def test_a_loaded_state_dict_loads_into_a_model_and_parameters_stay_parameters():
    model = cases._model(torch)
    with torch.no_grad():
        for p in model.parameters():
            p.zero_()
    print(model.load_state_dict(torch.load(THEIRS / "state_dict.pt")))
    assert as_json(model.state_dict()) == RECORDED["objects"]["state_dict"]
    params = torch.load(THEIRS / "parameter.pt")
    assert isinstance(params["p"], torch.nn.Parameter) and params["p"].requires_grad
    assert params["leaf"].requires_grad and params["leaf"].is_leaf


@pytest.mark.parametrize("name", NAMES)
def test_pytorch_reads_what_we_saved(name):
    assert as_json(cases.objects(torch)[name]) == RECORDED["torch_read_visgrad"][name]


def test_our_views_share_one_storage_in_pytorch_too():
    v = torch.load(OURS / "views.pt")
    v["base"][1, 2] = -1.0
    assert as_json(v) == RECORDED["views_after_write"]


@pytest.mark.parametrize("name", NAMES)
def test_we_write_the_bytes_pytorch_was_shown(name, tmp_path):
    # If the writer changes, re-record (scripts/torch_fixtures/checkpoints.py) so PyTorch reads
    # the new files before they are committed.
    torch.save(cases.objects(torch)[name], tmp_path / f"{name}.pt")
    assert (tmp_path / f"{name}.pt").read_bytes() == (OURS / f"{name}.pt").read_bytes()


def test_a_pickled_module_is_refused_in_one_line():
    with pytest.raises(pickle.UnpicklingError) as info:
        torch.load(THEIRS / "module.pt", weights_only=False)
    msg = str(info.value)
    assert "\n" not in msg
    assert msg.startswith(
        "Weights only load failed: unsupported global torch.nn.modules.container.Sequential"
    )


def test_the_legacy_format_is_named():
    with pytest.raises(CheckpointError) as info:
        torch.load(THEIRS / "legacy.pt")
    assert "legacy (pre-1.6) format" in str(info.value)


def test_loading_announces_each_tensor():
    with events.Recorder() as rec:
        sd = torch.load(THEIRS / "state_dict.pt")
    made = [e for e in rec.of(events.TensorCreated) if e.op == "load"]
    assert [e.tensor for e in made] == [t._id for t in sd.values()]


def test_map_location():
    assert torch.load(THEIRS / "tensor.pt", map_location="cpu").shape == (3, 4)
    assert torch.load(THEIRS / "tensor.pt", map_location=torch.device("cpu")).shape == (3, 4)
    with pytest.raises(RuntimeError, match="CPU-only machine"):
        torch.load(THEIRS / "tensor.pt", map_location="cuda:0")


def test_saving_a_module_or_an_unknown_object_says_what_to_save():
    with pytest.raises(TypeError, match=r"cannot write a Sequential: .*model.state_dict\(\)"):
        torch.save(cases._model(torch), io.BytesIO())
    with pytest.raises(TypeError, match="cannot write a ndarray"):
        torch.save({"a": np.zeros(2)}, io.BytesIO())


# -- round trips ------------------------------------------------------------------------------
DTYPES = [torch.float32, torch.float64, torch.float16, torch.int64, torch.int32, torch.int8,
          torch.uint8, torch.bool]  # fmt: skip


@st.composite
def tensors(draw):
    dtype = draw(st.sampled_from(DTYPES))
    shape = draw(st.lists(st.integers(0, 4), max_size=3))
    n = int(np.prod(shape)) if shape else 1
    vals = np.array(draw(st.lists(st.integers(-100, 100), min_size=n, max_size=n)))
    t = torch.tensor(vals.reshape(shape)).to(dtype)
    if draw(st.booleans()) and t.ndim == 2:
        t = t.t()  # a non-contiguous view
    return t


values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False)
    | st.text(max_size=5) | st.binary(max_size=5) | tensors(),
    lambda inner: st.lists(inner, max_size=3) | st.tuples(inner, inner)
    | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=8,
)  # fmt: skip


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values)
def test_save_then_load_gives_back_the_same_values(obj):
    buf = io.BytesIO()
    torch.save(obj, buf)
    buf.seek(0)
    assert as_json(torch.load(buf)) == as_json(obj)


# -- hostile input ----------------------------------------------------------------------------
def checkpoint_with(pickle_bytes: bytes, extra: dict[str, bytes] | None = None) -> io.BytesIO:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("archive/data.pkl", pickle_bytes)
        for name, data in (extra or {}).items():
            zf.writestr(f"archive/{name}", data)
    buf.seek(0)
    return buf


class Evil:
    def __init__(self, fn, *args):
        self.fn, self.args = fn, args

    def __reduce__(self):
        return self.fn, self.args


def test_a_reduce_to_os_system_is_refused_and_never_runs(tmp_path):
    marker = tmp_path / "ran"
    for payload in (
        Evil(os.system, f"touch {marker}"),
        Evil(eval, f"open({str(marker)!r}, 'w')"),
        Evil(getattr, Evil(__import__, "os"), "system"),
        Evil(pickle.loads, b"x"),
    ):
        with pytest.raises(pickle.UnpicklingError) as info:
            torch.load(checkpoint_with(pickle.dumps(payload, protocol=2)))
        assert "unsupported global" in str(info.value) and "\n" not in str(info.value)
    assert not marker.exists()


def _rebuild(storage_numel: int, size: tuple, stride: tuple, offset: int = 0) -> bytes:
    """A pickle of one float tensor over storage '0', written by hand."""
    out = b"\x80\x02ctorch._utils\n_rebuild_tensor_v2\n((X\x07\x00\x00\x00storage"
    out += b"ctorch\nFloatStorage\nX\x01\x00\x00\x000X\x03\x00\x00\x00cpu"
    out += b"J" + storage_numel.to_bytes(4, "little", signed=True) + b"tQ"
    out += b"J" + offset.to_bytes(4, "little", signed=True)
    for dims in (size, stride):
        out += b"(" + b"".join(b"J" + d.to_bytes(4, "little", signed=True) for d in dims) + b"t"
    return out + b"\x89ccollections\nOrderedDict\n)Rt" + b"R."


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x80\x02r\xff\xff\xff\xffN.", "pickle stack underflow"),  # memo put on an empty stack
        (b"\x80\x02Nr\xff\xff\xff\x7f.", "memo index"),  # a huge memo index allocates nothing
        (b"\x80\x02X\xff\xff\xff\x7fabc.", "truncated"),  # a string longer than the data
        (b"\x80\x02\x8b\xff\xff\xff\x7f.", "truncated"),  # LONG4 of 2 GB
        (b"\x80\x02cbuiltins\nbytearray\nJ\x00\xca\x9a;\x85R.", "bytearray takes bytes"),
        (b"\x80\x02ccollections\nOrderedDict\n)RNb.", "cannot BUILD"),
        (b"\x80\x02ccollections\nOrderedDict\n)R}X\x09\x00\x00\x00__class__Nsb.", "cannot set"),
        (b"\x80\x02(iposix\nsystem\n.", "opcode INST is not allowed"),
        (b"\x80\x02\x82\x01.", "opcode EXT1 is not allowed"),
        (b"\x80\x02N", "truncated"),
        (b"\x80\x02NN.", "malformed stack"),
        (b"\x80\x02(N(N.", "malformed stack"),
        (b"\x80\x02\xff.", "unknown opcode 0xff"),
        (b"\x80\x02h\x05.", "memo key 5 not found"),
        (b"\x80\x02}]Ns.", "unhashable list"),
        pytest.param(b"\x80\x02" + b"(" * 100_000 + b"N.", "malformed stack", id="100k marks"),
    ],
)
def test_hostile_pickles_fail_with_one_line(data, message):
    with pytest.raises(LOAD_ERRORS) as info:
        torch.load(checkpoint_with(data))
    assert message in str(info.value) and "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("numel", "record", "size", "stride", "offset", "message"),
    [
        (6, 20, (2, 3), (3, 1), 0, "should hold 24 bytes"),  # storage shorter than declared
        (6, 24, (2, 3), (3, 1), 1, "reaches past its storage"),
        (6, 24, (3, 3), (3, 1), 0, "reaches past its storage"),
        (1, 4, (100_000, 100_000), (0, 0), 0, "elements over a storage of 1"),
        (6, 24, (2, 3), (-3, 1), 0, "non-integer or negative"),
        (-1, 0, (0,), (1,), 0, "malformed storage id"),
    ],
)
def test_tensors_that_reach_outside_their_storage_are_refused(
    numel, record, size, stride, offset, message
):
    data = _rebuild(numel, size, stride, offset)
    with pytest.raises(LOAD_ERRORS) as info:
        torch.load(checkpoint_with(data, {"data/0": bytes(record)}))
    assert message in str(info.value)


def test_a_well_formed_hand_written_tensor_loads():
    data = _rebuild(6, (2, 3), (1, 2))
    raw = np.arange(6, dtype=np.float32).tobytes()
    t = torch.load(checkpoint_with(data, {"data/0": raw}))
    assert t.tolist() == [[0.0, 2.0, 4.0], [1.0, 3.0, 5.0]]


def test_broken_archives_fail_cleanly(tmp_path):
    good = (THEIRS / "state_dict.pt").read_bytes()
    cases_ = {
        "truncated": good[: len(good) // 2],
        "empty": b"",
        "junk": b"hello world",
        "zip without data.pkl": _zip({"a/b": b"x"}),
        "two folders": _zip({"a/data.pkl": b"N.", "b/x": b""}),
        "compressed": _zip({"a/data.pkl": b"\x80\x02N."}, zipfile.ZIP_DEFLATED),
    }
    for name, data in cases_.items():
        with pytest.raises(LOAD_ERRORS) as info:
            torch.load(io.BytesIO(data))
        assert "\n" not in str(info.value).strip(), name


def _zip(records: dict[str, bytes], method: int = zipfile.ZIP_STORED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        for name, data in records.items():
            zf.writestr(name, data)
    return buf.getvalue()


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_corrupted_checkpoints_either_load_or_fail_cleanly(data):
    good = bytearray((THEIRS / "nested.pt").read_bytes())
    for _ in range(data.draw(st.integers(1, 8))):
        i = data.draw(st.integers(0, len(good) - 1))
        good[i] = data.draw(st.integers(0, 255))
    try:
        torch.load(io.BytesIO(bytes(good)))
    except LOAD_ERRORS:
        pass
