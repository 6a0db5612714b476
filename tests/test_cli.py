"""The ``visgrad`` command: headless trace, info, export and demos, with shell-friendly errors."""

import json
import xml.etree.ElementTree as ET

import networkx as nx
import pytest

from visgrad import cli


@pytest.fixture(scope="module")
def tutorial_trace(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "t.vgtrace"
    assert cli.main(["trace", "--demo", "tutorial", "-o", str(out)]) == 0
    return out


def test_demos_lists_every_demo(capsys):
    assert cli.main(["demos"]) == 0
    names = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert names == ["tutorial", "mlp", "control_flow", "nan", "makemore", "gpt", "cnn"]


def test_info_shows_the_tutorials_leaves_and_grads(tutorial_trace, capsys):
    assert cli.main(["info", str(tutorial_trace)]) == 0
    out = capsys.readouterr().out
    assert "backward calls: 4" in out
    assert "  w  shape [5, 3]" in out and "  b  shape [3]" in out
    # The Jacobian part's leaf after zero_() and one more backward: 4 on the diagonal, 2 off it.
    assert "  inp  shape [4, 5]" in out and "[4, 2, 2, 2, ...]" in out


def test_export_writes_dot_graphml_json_and_svg(tutorial_trace, tmp_path):
    for ext in ("dot", "graphml", "json", "svg"):
        out = tmp_path / f"g.{ext}"
        assert cli.main(["export", str(tutorial_trace), "-o", str(out), "--tick", "20"]) == 0
        assert out.stat().st_size > 0
    assert nx.read_graphml(tmp_path / "g.graphml").number_of_nodes() > 0
    assert json.loads((tmp_path / "g.json").read_text())["nodes"]
    assert ET.parse(tmp_path / "g.svg").getroot().tag.endswith("svg")
    assert (tmp_path / "g.dot").read_text().startswith("digraph")


def test_script_that_raises_is_traced_and_exits_1(tmp_path, capsys):
    script = tmp_path / "bad.py"
    script.write_text(
        "import torch\nx = torch.ones(2, requires_grad=True)\ny = (x * 2).sum()\n"
        "raise ValueError('boom')\n"
    )
    out = tmp_path / "bad.vgtrace"
    assert cli.main(["trace", str(script), "-o", str(out)]) == 1
    assert "ValueError: boom" in capsys.readouterr().err
    assert out.exists()


@pytest.mark.parametrize(
    "argv, message",
    [
        (["info", "missing.vgtrace"], "trace not found"),
        (["export", "missing.py", "-o", "x.dot"], "file not found"),
        (["export", "x.py", "-o", "x.pdf"], "cannot export to .pdf"),
        (["trace", "--demo", "tutorial", "-o", "x.zip"], "must end in .vgtrace"),
        (["missing_script.py"], "file not found"),
    ],
)
def test_bad_input_is_one_line_error_with_exit_1(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cli.main(argv) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0]


def test_malformed_trace_is_refused_cleanly(tmp_path, capsys):
    bad = tmp_path / "bad.vgtrace"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    assert cli.main(["info", str(bad)]) == 1
    assert capsys.readouterr().err.startswith("visgrad: error:")


def test_usage_error_exits_2(capsys):
    assert cli.main(["trace"]) == 2
    assert capsys.readouterr().err.startswith("visgrad: error: ")
