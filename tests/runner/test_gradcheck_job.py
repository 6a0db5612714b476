"""Gradient check by re-running the program in a child: replay, float64, central differences."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

from visgrad import events
from visgrad.demos import demo_path
from visgrad.runner.gradcheck_job import GradcheckError, GradcheckJob, make_plan
from visgrad.runner.session import run_headless


def _trace(path: str) -> list[events.Event]:
    log: list[events.Event] = []
    run_headless(path, on_event=log.append)
    return log


@pytest.fixture(scope="module")
def tutorial():
    path = str(demo_path("tutorial"))
    return path, _trace(path)


def test_plan_takes_the_analytic_grad_of_the_chosen_backward_call(tutorial):
    _, log = tutorial
    first = make_plan(log)
    names = {v: k for k, v in first.names.items()}
    assert [first.names[t] for t in first.leaves] == ["w", "b"]
    w = next(e for e in log if isinstance(e, events.GradAccumulated) and e.tensor == names["w"])
    np.testing.assert_allclose(first.analytic[names["w"]], w.contribution)
    third = make_plan(log, backward_index=3)  # the Jacobian part's second call on inp
    (inp,) = third.leaves
    np.testing.assert_allclose(third.analytic[inp], 2 * (np.eye(4, 5) + 1))


def test_tutorial_gradients_agree_with_finite_differences(tutorial):
    path, log = tutorial
    res = GradcheckJob(path, log).run()
    assert [(r.name, r.shape, r.checked) for r in res] == [("w", (5, 3), 15), ("b", (3,), 3)]
    assert all(r.ok and r.max_rel_error < 1e-5 for r in res)


def test_a_wrong_custom_function_fails_with_the_expected_ratio(tmp_path):
    p = tmp_path / "wrong.py"
    p.write_text(
        textwrap.dedent("""
        import torch

        class Square(torch.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x * x

            @staticmethod
            def backward(ctx, g):
                (x,) = ctx.saved_tensors
                return g * x  # wrong: d(x^2)/dx is 2x

        x = torch.tensor([1.0, -3.0], requires_grad=True)
        print("the child's output must not reach the protocol")
        Square.apply(x).sum().backward()
    """)
    )
    (res,) = GradcheckJob(str(p), _trace(str(p))).run()
    assert not res.ok
    assert res.max_rel_error == pytest.approx(0.5, rel=1e-4)
    assert sorted(e.numeric for e in res.worst) == pytest.approx([-6.0, 2.0])


def test_progress_is_reported_and_large_requests_are_refused(tutorial):
    path, log = tutorial
    seen: list[tuple[int, int]] = []
    job = GradcheckJob(path, log, [make_plan(log).leaves[1]])
    job.run(progress=lambda d, n: seen.append((d, n)))
    assert seen[-1] == (6, 6)
    with pytest.raises(GradcheckError, match="not a leaf created before"):
        GradcheckJob(path, log, [10_000]).run()


def test_cancel_kills_the_child(tmp_path):
    p = tmp_path / "slow.py"
    p.write_text(
        "import time\nimport visgrad as torch\nx = torch.ones(3, requires_grad=True)\n"
        "(x * 2).sum().backward()\n"
    )
    log = _trace(str(p))
    p.write_text("import time\ntime.sleep(60)\n")  # the rerun hangs; cancel must end it
    job = GradcheckJob(str(p), log)
    import threading

    threading.Timer(0.5, job.cancel).start()
    with pytest.raises(GradcheckError, match="cancelled"):
        job.run()
