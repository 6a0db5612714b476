"""The Training panel over real runs: curves from the trace model's statistics, live growth,
clicks that travel to an iteration, histograms of the cursor's iteration, markers."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

import visgrad as torch
from visgrad import events
from visgrad.app.panels.training import TrainingPanel, running_mean
from visgrad.trace.model import TraceModel

from .panel_harness import StaticController


def _train(steps: int = 6, nan_at: int | None = None) -> list[events.Event]:
    with events.Recorder() as rec:
        torch.manual_seed(0)
        net = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
        opt = torch.optim.SGD(net.parameters(), lr=0.1)
        x = torch.randn(16, 3)
        for step in range(steps):
            opt.zero_grad()
            loss = net(x).pow(2).mean()
            if step == nan_at:
                loss = loss * float("nan")
            loss.backward()
            opt.step()
    return rec.events


@pytest.fixture(scope="module")
def six_steps():
    return _train()


@pytest.fixture
def made(qtbot):
    """Panels a test made, deleted through Qt's event loop before the test ends.

    Left to Python's garbage collector, a pyqtgraph view can be torn down while Qt still has a
    paint queued for it (a crash in ``GraphicsView.paintEvent``); ``deleteLater`` then a wait lets
    Qt delete the widgets in order while their wrappers are still alive.
    """
    widgets: list = []
    yield widgets
    for w in widgets:
        w.close()
        w.deleteLater()
    qtbot.wait(10)


def _panel(qtbot, made, model: TraceModel) -> tuple[TrainingPanel, StaticController]:
    c = StaticController(model)
    panel = TrainingPanel(c)
    made.append(panel)
    panel.resize(1100, 420)
    panel.show()
    qtbot.waitExposed(panel)
    panel.refresh()
    qtbot.wait(20)  # let the plots take their sizes before anything maps a click
    return panel, c


def _y(curve) -> np.ndarray:
    return np.asarray(curve.getOriginalDataset()[1], dtype=np.float64)


def test_curves_show_the_models_losses_norms_ratios_and_lr(qtbot, made, six_steps):
    model = TraceModel(six_steps)
    panel, _ = _panel(qtbot, made, model)
    st = model.training
    assert _y(panel.loss.curves["loss"]).tolist() == [it.loss for it in st.iterations]
    assert len(panel.ratio.curves) == len(panel.grad.curves) == 4  # two weights, two biases
    for tid in st.parameters():
        assert np.array_equal(_y(panel.grad.curves[tid]), st.column(st.grad_norm[tid]))
        assert np.allclose(_y(panel.ratio.curves[tid]), st.column(st.update_ratio[tid]))
    (lr,) = panel.lr.curves.values()
    assert _y(lr).tolist() == [0.1] * 6
    assert "0.weight" in panel.legend.text() and "2.bias" in panel.legend.text()
    assert "iteration 6</b> of 6" in panel.header.text()


def test_panel_grows_live_as_events_arrive(qtbot, made, six_steps):
    model = TraceModel()
    panel, c = _panel(qtbot, made, model)
    assert "No training iteration yet" in panel.header.text()
    seen = []
    for chunk in np.array_split(np.arange(len(six_steps)), 7):
        model.extend(six_steps[i] for i in chunk)
        c.go_to(len(model) - 1)  # what the controller does when events arrive while live
        panel.refresh()
        seen.append(len(_y(panel.loss.curves["loss"])) if "loss" in panel.loss.curves else 0)
    assert seen == sorted(seen) and seen[-1] == 6 and seen[0] < 6


def test_a_running_program_is_redrawn_at_most_every_live_interval(qtbot, made, six_steps):
    model = TraceModel()
    panel, c = _panel(qtbot, made, model)
    c.run_state = "running"
    half = len(six_steps) // 2
    model.extend(six_steps[:half])
    panel.refresh()  # moments after the first draw: waits, and comes back by itself
    assert _loss_points(panel) == 0
    qtbot.waitUntil(lambda: _loss_points(panel) > 0, timeout=5000)
    drawn = _loss_points(panel)
    model.extend(six_steps[half:])
    panel.refresh()  # moments later: waits again
    assert _loss_points(panel) == drawn < 6
    qtbot.waitUntil(lambda: _loss_points(panel) == 6, timeout=5000)
    assert not panel._dirty


def test_the_end_of_a_run_is_drawn_at_once(qtbot, made, six_steps):
    model = TraceModel()
    panel, c = _panel(qtbot, made, model)
    c.run_state = "running"
    model.extend(six_steps[:-5])
    panel.refresh()
    model.extend(six_steps[-5:])
    c.run_state = "finished"
    panel.refresh()
    assert _loss_points(panel) == 6


def _loss_points(panel: TrainingPanel) -> int:
    curve = panel.loss.curves.get("loss")
    y = None if curve is None else _y(curve)
    return 0 if y is None else int(np.isfinite(y).sum())


def test_a_click_on_a_curve_travels_to_that_iterations_backward(qtbot, made, six_steps):
    model = TraceModel(six_steps)
    panel, c = _panel(qtbot, made, model)
    vb = panel.ratio.plot.getViewBox()
    lo, hi = vb.viewRange()[1]
    scene = vb.mapViewToScene(QPointF(3.0, (lo + hi) / 2))
    pos = panel.curves_view.mapFromScene(scene)
    qtbot.mouseClick(panel.curves_view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    it = model.training.iterations[2]
    assert c.tick == it.loss_tick and isinstance(model.events[c.tick], events.BackwardBegin)
    panel.refresh()
    assert panel.iteration == 3 and panel.loss.cursor.value() == 3
    assert "iteration 3</b>" in panel.header.text()


def test_histograms_are_the_cursors_iteration_layers(qtbot, made, six_steps):
    model = TraceModel(six_steps)
    panel, c = _panel(qtbot, made, model)
    panel.travel_to(2)
    panel.refresh()
    (layer,) = model.training.iterations[1].layers
    (curve,) = panel.act_hist.curves
    x, y = curve.getOriginalDataset()
    assert np.allclose(x, layer.activation.edges)
    width = x[1] - x[0]
    assert np.allclose(y * width * layer.activation.counts.sum(), layer.activation.counts)
    assert len(panel.grad_hist.curves) == 1
    assert "tanh 1 · line " in panel.layers_text.text() and "saturated" in panel.layers_text.text()


def test_nan_loss_shows_a_marker_and_a_warning(qtbot, made):
    model = TraceModel(_train(steps=4, nan_at=2))
    panel, c = _panel(qtbot, made, model)
    xs = panel.markers.items["nan_loss"].getData()[0]
    assert list(xs) == [3.0, 4.0]  # the NaN step made the parameters NaN: step 4's loss too
    assert "NaN/Inf loss" in panel.legend.text()
    panel.travel_to(3)
    panel.refresh()
    assert "the loss is NaN" in panel.header.text()


def test_running_mean_skips_unknown_values():
    y = np.array([1.0, np.nan, 3.0, 5.0])
    assert np.allclose(running_mean(y, 2), [1.0, 1.0, 3.0, 4.0])


def test_the_window_docks_the_training_panel(qtbot, made):
    from visgrad.app.main_window import MainWindow

    w = MainWindow()
    made.append(w)
    assert isinstance(w.panels["training"], TrainingPanel)
    titles = [a.text() for a in w.panels_menu.actions()]
    assert "Training" in titles
