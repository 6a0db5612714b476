"""Program texts: decoded as Python decodes them, carried in trace files, capped in size."""

from __future__ import annotations

import json
import zipfile

import pytest

from visgrad.runner.session import run_headless
from visgrad.trace import sources
from visgrad.trace.files import TraceFileError, load_sources, load_trace, save_trace


def test_a_latin1_coding_cookie_is_honoured(tmp_path):
    p = tmp_path / "latin.py"
    p.write_bytes(b"# -*- coding: latin-1 -*-\nname = 'caf\xe9'\n")
    assert sources.read_source(p) == "# -*- coding: latin-1 -*-\nname = 'café'\n"


def test_a_utf8_bom_is_dropped_and_bad_bytes_do_not_raise(tmp_path):
    p = tmp_path / "bom.py"
    p.write_bytes(b"\xef\xbb\xbfx = 1\n")
    assert sources.read_source(p) == "x = 1\n"
    q = tmp_path / "bad.py"
    q.write_bytes(b"x = '\xff'\n")
    assert sources.read_source(q) == "x = '\ufffd'\n"


def test_an_unknown_coding_still_shows_the_text(tmp_path):
    p = tmp_path / "odd.py"
    p.write_bytes(b"# -*- coding: no-such-codec -*-\nx = 1\n")
    assert sources.read_source(p).endswith("x = 1\n")


def test_a_saved_trace_carries_its_program_and_a_reload_returns_it(tmp_path):
    script = tmp_path / "prog.py"
    script.write_text(
        "import visgrad as torch\nx = torch.ones(2, requires_grad=True)\n(x * 3).sum().backward()\n"
    )
    evs: list = []
    assert run_headless(script, on_event=evs.append) == 0
    texts = sources.sources_of(evs)
    assert texts == {str(script): script.read_text()}
    out = tmp_path / "prog.vgtrace"
    save_trace(out, evs, sources=texts)
    script.unlink()  # the trace alone must be enough
    assert load_sources(out) == texts
    assert len(load_trace(out)) == len(evs)


def test_sources_are_capped_per_file_and_in_total(tmp_path, monkeypatch):
    monkeypatch.setattr(sources, "MAX_FILE_CHARS", 100)
    monkeypatch.setattr(sources, "MAX_TOTAL_CHARS", 250)
    known = {f"/p/f{i}.py": "x" * 1000 for i in range(5)}

    class Ev:
        def __init__(self, f):
            self.source = (f, 1, "<module>")

    got = sources.sources_of([Ev(f) for f in known], known=known)
    assert [len(t) for t in got.values()] == [100, 100]


def test_hostile_sources_in_a_manifest_are_refused_or_repaired(tmp_path):
    out = tmp_path / "t.vgtrace"
    save_trace(out, [], sources={"/a.py": "x = 1\n"})
    with zipfile.ZipFile(out) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        events = zf.read("events.jsonl")
    for bad, expect in (
        ({"/a.py": 5}, TraceFileError),
        (["not", "a", "dict"], TraceFileError),
        ({"/a.py": "ok \ud800 lone"}, {"/a.py": "ok ? lone"}),
    ):
        manifest["sources"] = bad
        hostile = tmp_path / "h.vgtrace"
        with zipfile.ZipFile(hostile, "w") as zf:
            zf.writestr("manifest.json", json.dumps(manifest))
            zf.writestr("events.jsonl", events)
        if expect is TraceFileError:
            with pytest.raises(TraceFileError):
                load_sources(hostile)
        else:
            assert load_sources(hostile) == expect
