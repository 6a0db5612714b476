"""``visgrad stats``: one row per training iteration, as CSV or JSON, with one-line errors."""

import csv
import json

import pytest

from visgrad import cli
from visgrad.trace.files import load_trace

ADAM_12 = """\
import torch
torch.manual_seed(2)  # a seed whose tiny-bias updates stay below the bias norm
net = torch.nn.Sequential(torch.nn.Linear(3, 6), torch.nn.Tanh(), torch.nn.Linear(6, 1))
opt = torch.optim.Adam(net.parameters(), lr=0.05)
x = torch.randn(20, 3)
y = x.sum(dim=1, keepdim=True)
for step in range(12):
    opt.zero_grad()
    loss = torch.nn.functional.mse_loss(net(x), y)
    loss.backward()
    opt.step()
    print(loss.item())
with torch.no_grad():
    print("final", torch.nn.functional.mse_loss(net(x), y).item())
"""


@pytest.fixture(scope="module")
def adam_trace(tmp_path_factory):
    d = tmp_path_factory.mktemp("stats")
    (d / "adam.py").write_text(ADAM_12)
    out = d / "adam.vgtrace"
    assert cli.main(["trace", str(d / "adam.py"), "-o", str(out)]) == 0
    return out


def _printed_losses(trace) -> list[float]:
    text = "".join(ev.text for ev in load_trace(trace) if ev.kind == "output")
    return [float(line) for line in text.splitlines() if not line.startswith("final")]


def test_twelve_adam_steps_give_twelve_rows_whose_loss_is_what_the_program_printed(
    adam_trace, tmp_path, capsys
):
    out = tmp_path / "s.csv"
    assert cli.main(["stats", str(adam_trace), "-o", str(out)]) == 0
    rows = list(csv.DictReader(out.read_text().splitlines()))
    printed = _printed_losses(adam_trace)
    assert len(printed) == 12 and len(rows) == 12
    assert [int(r["iteration"]) for r in rows] == list(range(1, 13))
    assert [float(r["loss"]) for r in rows] == printed  # exactly, not approximately
    assert printed[-1] < printed[0]
    names = ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert list(rows[0]) == ["iteration", "loss", "lr"] + [
        f"{n} {c}" for n in names for c in ("grad_norm", "update_ratio")
    ]
    assert {r["lr"] for r in rows} == {"0.05"}
    for r in rows:
        for n in names:
            assert float(r[f"{n} grad_norm"]) > 0 and 0 < float(r[f"{n} update_ratio"]) < 1


def test_json_and_stdout_csv_hold_the_same_rows(adam_trace, capsys):
    assert cli.main(["stats", str(adam_trace), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert cli.main(["stats", str(adam_trace)]) == 0
    text_rows = list(csv.DictReader(capsys.readouterr().out.splitlines()))
    assert len(rows) == len(text_rows) == 12
    assert [r["loss"] for r in rows] == [float(r["loss"]) for r in text_rows]
    assert rows[3]["2.weight grad_norm"] == float(text_rows[3]["2.weight grad_norm"])


@pytest.mark.parametrize(
    "argv, message",
    [
        (["stats", "missing.vgtrace"], "file not found"),
        (["stats", "t.py", "-o", "out.txt"], "must end in .csv"),
        (["stats", "t.py"], "has no training iteration"),
        (["stats", "bad.vgtrace"], "not a trace file"),
        (["stats", "notes.txt"], "expected a .py script"),
    ],
)
def test_bad_input_is_a_one_line_error(argv, message, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "t.py").write_text("import torch\nprint(torch.ones(2).sum())\n")
    (tmp_path / "bad.vgtrace").write_bytes(b"PK\x03\x04 not a zip")
    (tmp_path / "notes.txt").write_text("hello")
    assert cli.main(argv) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0], err
