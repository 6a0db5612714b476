"""Training statistics per iteration against hand-computed values: loss, gradient norms, update
ratios, learning rates, saturation and dead units, and the markers."""

import math

import numpy as np
import pytest

import visgrad as torch
from visgrad import events
from visgrad.trace.model import TraceModel
from visgrad.trace.summary import summarize
from visgrad.trace.training_measures import histogram, norm_of, saturation, update_ratio


def _model(program, **kw) -> TraceModel:
    with events.Recorder() as rec:
        program()
    return TraceModel(rec.events, **kw)


def _sgd_by_hand(steps=2, zero=True):
    w = torch.tensor([3.0, 4.0], requires_grad=True)
    for _ in range(steps):
        loss = (w * w).sum()
        loss.backward()
        with torch.no_grad():
            w -= 0.1 * w.grad
        if zero:
            w.grad = None
    return w


def test_loss_grad_norm_and_update_ratio_match_hand_computed_values():
    m = _model(_sgd_by_hand)
    st = m.training
    (w,) = st.parameters()
    # Iteration 1: w = (3, 4), loss 25, grad 2w = (6, 8) of norm 10, step 0.1·grad of norm 1.
    # Iteration 2: w = (2.4, 3.2), loss 16, grad norm 8, step norm 0.8: the ratio stays 1/5.
    assert [it.loss for it in st.iterations] == [25.0, pytest.approx(16.0)]
    assert st.column(st.grad_norm[w]) == pytest.approx([10.0, 8.0])
    assert st.column(st.update_ratio[w]) == pytest.approx([0.2, 0.2], rel=1e-6)
    assert st.all_markers() == []


def test_initialisation_before_the_first_backward_is_not_an_update():
    def program():
        w = torch.zeros(3, requires_grad=True)
        with torch.no_grad():
            w.add_(1.0)  # init, iteration 1, before any backward
        (w * 2).sum().backward()

    st = _model(program).training
    (w,) = st.parameters()
    assert st.column(st.grad_norm[w]) == pytest.approx([2 * math.sqrt(3)])
    assert math.isnan(st.column(st.update_ratio[w])[0])


def test_learning_rate_of_each_group_follows_the_program_changing_it():
    def program():
        a = torch.nn.Parameter(torch.ones(2))
        b = torch.nn.Parameter(torch.ones(2))
        opt = torch.optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.01}], lr=0.1)
        for _ in range(3):
            opt.zero_grad()
            (a * b).sum().backward()
            opt.step()
            for g in opt.param_groups:
                g["lr"] *= 0.5

    st = _model(program).training
    (inst,) = st.optimizers  # instances count up per process: take the one there is
    assert sorted(st.lr) == [(inst, 0), (inst, 1)] and st.optimizers[inst] == "SGD"
    assert st.column(st.lr[(inst, 0)]) == pytest.approx([0.1, 0.05, 0.025])
    assert st.column(st.lr[(inst, 1)]) == pytest.approx([0.01, 0.005, 0.0025])


def test_saturation_and_dead_units_by_hand():
    t = np.tanh(np.array([[3.0, 0.1, -3.0], [3.0, 0.2, 0.1]]))
    # |tanh(3)| = 0.995 > 0.97: three of six saturated; only column 0 is saturated on both rows.
    assert saturation("tanh", t) == pytest.approx((0.5, 1 / 3))
    r = np.maximum(np.array([[-1.0, 2.0], [-3.0, 0.0]]), 0)
    assert saturation("relu", r) == pytest.approx((0.75, 0.5))
    s = 1 / (1 + np.exp(-np.array([-5.0, 5.0, 0.0])))
    frac, dead = saturation("sigmoid", s)
    assert frac == pytest.approx(2 / 3) and math.isnan(dead)  # 1-D: no units to speak of


def test_layers_carry_histograms_of_activations_and_their_gradients():
    x = np.array([[3.0, 0.1, -3.0], [3.0, 0.2, 0.1]], dtype=np.float32)

    def program():
        w = torch.ones(3, requires_grad=True)
        h = torch.tanh(torch.tensor(x) * w)
        r = torch.relu(h - 0.5)
        (r * torch.tensor([1.0, 2.0, 3.0])).sum().backward()

    (it,) = _model(program).training.iterations
    tanh, relu = it.layers
    assert (tanh.op, tanh.index, relu.op, relu.index) == ("tanh", 1, "relu", 2)
    assert tanh.saturated == pytest.approx(0.5) and tanh.dead == pytest.approx(1 / 3)
    assert (tanh.activation.lo, tanh.activation.hi) == (-1.0, 1.0)
    assert tanh.activation.counts.sum() == 6
    # relu(tanh - 0.5): positive only where tanh > 0.5 (column 0, both rows).
    assert relu.saturated == pytest.approx(4 / 6) and relu.dead == pytest.approx(2 / 3)
    # d loss / d relu-output = the weights (1, 2, 3) on every row: norm sqrt(2 * 14).
    assert relu.grad_norm == pytest.approx(math.sqrt(28))
    assert relu.gradient.counts.sum() == 6
    assert tanh.gradient is not None and tanh.label.startswith("tanh 1 · line ")


def test_unrecorded_activations_after_backward_are_not_layers():
    def program():
        w = torch.ones(2, requires_grad=True)
        torch.tanh(w).sum().backward()
        with torch.no_grad():
            torch.tanh(w)  # an evaluation after the step: still iteration 1, not a layer

    (it,) = _model(program).training.iterations
    assert len(it.layers) == 1


def test_nan_loss_is_marked():
    def program():
        w = torch.ones(2, requires_grad=True)
        (w * float("nan")).sum().backward()

    st = _model(program).training
    assert math.isnan(st.iterations[0].loss)
    kinds = [m.kind for m in st.all_markers()]
    assert "nan_loss" in kinds and "exploding" in kinds  # the gradient is NaN too


def test_gradient_summed_across_iterations_without_zero_grad_is_marked_once_per_iteration():
    st = _model(lambda: _sgd_by_hand(steps=3, zero=False)).training
    marks = [(m.iteration, m.kind) for m in st.all_markers()]
    assert marks == [(2, "unzeroed"), (3, "unzeroed")]
    (w,) = st.parameters()
    # Without zero_grad the .grad keeps summing: 2·(3, 4) = (6, 8), then + 2·(2.4, 3.2).
    assert st.column(st.grad_norm[w])[:2] == pytest.approx([10.0, 18.0])


def _two_layer_events(near_grad: float, far_grad: float) -> list:
    """A hand-made trace: the loss reaches ``near`` first, then ``far`` (nearer the input)."""
    E = events
    one = np.ones((10, 10), dtype=np.float32)
    return [
        E.TensorCreated(seq=1, tensor=1, op="parameter", shape=(10, 10), value=one),
        E.TensorCreated(seq=2, tensor=2, op="parameter", shape=(10, 10), value=one),
        E.ForwardOp(seq=3, op="mul", node=7, outputs=(3,), values=(np.float32(2.0) * one,)),
        E.ForwardOp(seq=4, op="sum", node=8, outputs=(4,), values=(np.array(5.0, np.float32),)),
        E.BackwardBegin(seq=5, roots=(4,), root_nodes=(8,)),
        E.GradAccumulated(seq=6, tensor=2, node=9, grad=near_grad * one, created=True),
        E.GradAccumulated(seq=7, tensor=1, node=10, grad=far_grad * one, created=True),
        E.BackwardEnd(seq=8, roots=(4,)),
    ]


@pytest.mark.parametrize(
    "near, far, kind, culprit",
    [(1.0, 1e-4, "vanishing", 1), (1e-4, 1.0, "exploding", 1), (1.0, 1e-2, None, None)],
)
def test_gradients_spread_across_layers_are_marked_vanishing_or_exploding(near, far, kind, culprit):
    st = TraceModel(_two_layer_events(near, far)).training
    assert st.iterations[0].loss == 5.0
    marks = [(m.kind, m.tensor) for m in st.all_markers()]
    assert marks == ([(kind, culprit)] if kind else [])
    assert st.column(st.grad_norm[2]) == pytest.approx([10 * near])


def test_norms_of_summaries_and_ratios_by_hand():
    a = np.array([3.0, 4.0])
    assert norm_of(a) == 5.0 and norm_of(summarize(a)) == 5.0
    assert math.isnan(norm_of(summarize(np.array([1.0, np.nan]))))
    assert norm_of(summarize(np.array([1.0, np.inf]))) == math.inf
    assert update_ratio(a, a + np.array([0.3, 0.4])) == pytest.approx(0.1)
    assert math.isnan(update_ratio(summarize(a), a))
    h = histogram(np.array([0.0, 1.0, np.nan, 1.0]))
    assert (h.lo, h.hi, int(h.counts.sum()), h.nonfinite) == (0.0, 1.0, 3, 1)
    assert h.counts[0] == 1 and h.counts[-1] == 2


def test_statistics_survive_a_memory_budget_that_drops_every_array():
    def program():
        torch.manual_seed(0)
        net = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
        opt = torch.optim.Adam(net.parameters(), lr=0.01)
        x = torch.randn(16, 4)
        for _ in range(4):
            opt.zero_grad()
            loss = net(x).pow(2).mean()
            loss.backward()
            opt.step()

    with events.Recorder() as rec:
        program()
    full = TraceModel(rec.events).training
    tight = TraceModel(rec.events, memory_budget_bytes=1)
    assert tight.dropped_payloads > 0
    st = tight.training
    assert [i.loss for i in st.iterations] == [i.loss for i in full.iterations]
    for tid in full.parameters():
        for col in ("grad_norm", "update_ratio"):
            got = st.column(getattr(st, col)[tid])
            want = full.column(getattr(full, col)[tid])
            assert np.isfinite(want).all() and np.array_equal(got, want)
    assert [len(i.layers) for i in st.iterations] == [1, 1, 1, 1]
    assert np.array_equal(
        st.iterations[2].layers[0].activation.counts, full.iterations[2].layers[0].activation.counts
    )


def test_optimizer_step_event_survives_the_codec_and_trace_files(tmp_path):
    from visgrad.trace import codec
    from visgrad.trace.files import load_trace, save_trace

    ev = events.OptimizerStep(
        seq=3, optimizer="Adam", instance=2, lrs=(0.001, math.nan), params=((1, 2), (5,))
    )
    back = codec.decode_body(codec.encode_frame(ev)[4:])
    save_trace(tmp_path / "t.vgtrace", [ev])
    (loaded,) = load_trace(tmp_path / "t.vgtrace")
    for got in (back, loaded):
        assert type(got) is events.OptimizerStep and got.params == ((1, 2), (5,))
        assert got.lrs[0] == 0.001 and math.isnan(got.lrs[1]) and got.instance == 2


def test_histogram_counts_match_numpys():
    rng = np.random.default_rng(0)
    for lo, hi in ((None, None), (-1.0, 1.0)):
        a = np.tanh(rng.normal(size=500) * 2)
        h = histogram(a, lo, hi)
        want, _ = np.histogram(a, bins=len(h.counts), range=(h.lo, h.hi))
        assert np.array_equal(h.counts, want)


def _naive_markers(st) -> list:
    """``all_markers`` by walking every iteration (what the kept index must agree with)."""
    out = [m for it in st.iterations[: st._settled] for m in it.markers]
    if st._settled < len(st.iterations):
        out.extend(st.markers(len(st.iterations)))
    return out


def test_kept_loss_column_trained_count_and_markers_agree_with_the_iterations_as_events_arrive():
    def program():
        w = torch.tensor([3.0, 4.0], requires_grad=True)
        for step in range(6):
            scale = float("nan") if step == 2 else 1.0
            if step == 4:  # an iteration that never calls backward()
                with torch.no_grad():
                    w -= 0.01
                continue
            (w * w * scale).sum().backward()
            with torch.no_grad():
                w -= 0.1 * torch.nan_to_num(w.grad)
            if step % 2:  # every other step forgets zero_grad
                w.grad = None

    with events.Recorder() as rec:
        program()
    m = TraceModel()
    checked = 0
    for ev in rec.events:
        m.append(ev)
        st = m.training
        want = np.array([it.loss for it in st.iterations], dtype=np.float64)
        np.testing.assert_array_equal(st.column(st.losses), want)
        assert st.trained == sum(1 for it in st.iterations if it.backward)
        assert st.all_markers() == _naive_markers(st)
        checked += 1
    kinds = {mk.kind for mk in m.training.all_markers()}
    assert {"nan_loss", "unzeroed"} <= kinds
    assert m.training.trained == 5 and len(m.training.iterations) >= 5
    assert checked == len(rec.events)
