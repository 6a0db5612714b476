"""nn: Parameter, Module registration and state, layers, losses, init, printing, training."""

import math
from collections import OrderedDict

import numpy as np
import pytest

import visgrad as torch
from visgrad import events, nn, optim
from visgrad.nn import functional as F


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc1 = nn.Linear(2, 3)
        self.act = nn.ReLU()
        self.fc2 = nn.Linear(3, 1)
        self.register_buffer("running", torch.zeros(2))

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


# -- Parameter ------------------------------------------------------------------------------------
def test_parameter_is_a_leaf_tensor_that_requires_grad():
    t = torch.tensor([1.0, 2.0])
    p = nn.Parameter(t)
    assert isinstance(p, nn.Parameter) and isinstance(p, torch.Tensor)
    assert p.is_leaf and p.requires_grad and p.grad_fn is None
    assert not nn.Parameter(t, requires_grad=False).requires_grad
    # It aliases the tensor's storage, as PyTorch's does.
    t.numpy()[0] = 7.0
    assert p.tolist() == [7.0, 2.0]


def test_parameter_repr_says_parameter_containing():
    p = nn.Parameter(torch.tensor([1.0, 2.0]))
    assert repr(p) == "Parameter containing:\ntensor([1., 2.], requires_grad=True)"
    assert repr(nn.Parameter(torch.tensor(3.0))) == (
        "Parameter containing:\ntensor(3., requires_grad=True)"
    )


def test_results_of_ops_on_parameters_are_plain_tensors():
    p = nn.Parameter(torch.tensor([1.0, 2.0]))
    assert type(p * 2) is torch.Tensor
    assert repr(p * 2) == "tensor([2., 4.], grad_fn=<MulBackward0>)"


def test_parameter_creation_is_announced():
    with events.Recorder() as rec:
        p = nn.Parameter(torch.tensor([1.0]))
    created = rec.of(events.TensorCreated)
    assert (created[-1].tensor, created[-1].op, created[-1].requires_grad) == (
        p._id,
        "parameter",
        True,
    )


# -- registration ---------------------------------------------------------------------------------
def test_named_parameters_use_dotted_names_in_registration_order():
    net = Net()
    assert [n for n, _ in net.named_parameters()] == [
        "fc1.weight",
        "fc1.bias",
        "fc2.weight",
        "fc2.bias",
    ]
    assert [tuple(p.shape) for p in net.parameters()] == [(3, 2), (3,), (1, 3), (1,)]
    assert [n for n, _ in net.named_modules()] == ["", "fc1", "act", "fc2"]
    assert [type(m).__name__ for m in net.children()] == ["Linear", "ReLU", "Linear"]
    assert [n for n, _ in net.named_buffers()] == ["running"]
    assert list(net.parameters(recurse=False)) == []


def test_a_shared_parameter_is_listed_once():
    seq = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 2))
    seq[1].weight = seq[0].weight
    assert [n for n, _ in seq.named_parameters()] == ["0.weight", "0.bias", "1.bias"]


def test_assigning_a_plain_tensor_to_a_parameter_slot_raises():
    lin = nn.Linear(2, 2)
    with pytest.raises(TypeError) as info:
        lin.weight = torch.zeros(2, 2)
    assert str(info.value) == (
        "cannot assign 'torch.FloatTensor' as parameter 'weight' "
        "(torch.nn.Parameter or None expected)"
    )
    lin.bias = None
    assert lin.bias is None
    assert [n for n, _ in lin.named_parameters()] == ["weight"]


def test_parameters_before_init_raise():
    class Bad(nn.Module):
        def __init__(self) -> None:
            self.w = nn.Parameter(torch.zeros(1))

    with pytest.raises(AttributeError, match=r"cannot assign parameters before Module.__init__"):
        Bad()


def test_missing_attribute_error_names_the_module():
    with pytest.raises(AttributeError, match="'Linear' object has no attribute 'nope'"):
        _ = nn.Linear(1, 1).nope


def test_modules_announce_the_programs_names_for_parameters():
    with events.Recorder() as rec:
        net = Net()
    names = {e.tensor: e.name for e in rec.of(events.TensorNamed)}  # later names win
    assert names[net.fc1.weight._id] == "fc1.weight"
    assert names[net.fc2.bias._id] == "fc2.bias"


# -- Linear and init ------------------------------------------------------------------------------
def test_linear_shapes_and_default_init_bounds():
    torch.manual_seed(0)
    lin = nn.Linear(100, 30)
    assert tuple(lin.weight.shape) == (30, 100) and tuple(lin.bias.shape) == (30,)
    bound = 1 / math.sqrt(100)
    for p in (lin.weight, lin.bias):
        a = p.detach().numpy()
        assert a.dtype == np.float32
        assert -bound <= a.min() and a.max() <= bound
    # Uniform, not clustered: the weights fill most of the interval.
    w = lin.weight.detach().numpy()
    assert w.max() > 0.9 * bound and w.min() < -0.9 * bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.005


def test_linear_forward_computes_x_wt_plus_b():
    lin = nn.Linear(4, 8)
    x = torch.randn(3, 4)
    y = lin(x)
    assert tuple(y.shape) == (3, 8)
    assert type(y.grad_fn).__name__ == "AddmmBackward0"
    expected = x.numpy() @ lin.weight.detach().numpy().T + lin.bias.detach().numpy()
    np.testing.assert_allclose(y.detach().numpy(), expected, rtol=1e-6)
    assert tuple(nn.Linear(4, 8, bias=False)(x).shape) == (3, 8)


def test_init_functions_fill_in_place_and_publish_updates():
    w = nn.Parameter(torch.empty(20, 50))
    with events.Recorder() as rec:
        nn.init.kaiming_uniform_(w, a=math.sqrt(5))
    assert np.abs(w.detach().numpy()).max() <= 1 / math.sqrt(50)
    assert [(e.tensor, e.op, e.version) for e in rec.of(events.InplaceUpdate)] == [
        (w._id, "uniform_", 1)
    ]
    nn.init.xavier_uniform_(w)
    assert np.abs(w.detach().numpy()).max() <= math.sqrt(6 / 70)
    nn.init.constant_(w, 0.5)
    assert (w.detach().numpy() == 0.5).all()
    nn.init.zeros_(w)
    assert not w.detach().numpy().any()
    nn.init.ones_(w)
    assert (w.detach().numpy() == 1).all()
    nn.init.normal_(w, mean=3.0, std=0.01)
    assert abs(w.detach().numpy().mean() - 3.0) < 0.01
    assert w.requires_grad and w.grad_fn is None


def test_calculate_gain_and_fan_errors():
    assert nn.init.calculate_gain("relu") == math.sqrt(2)
    assert nn.init.calculate_gain("tanh") == 5 / 3
    assert nn.init.calculate_gain("leaky_relu", math.sqrt(5)) == math.sqrt(1 / 3)
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        nn.init.xavier_uniform_(torch.zeros(3))


# -- printing -------------------------------------------------------------------------------------
def test_sequential_repr_matches_pytorch():
    seq = nn.Sequential(nn.Linear(4, 8), nn.ReLU())
    assert repr(seq) == (
        "Sequential(\n  (0): Linear(in_features=4, out_features=8, bias=True)\n  (1): ReLU()\n)"
    )


def test_nested_and_leaf_reprs_match_pytorch():
    assert repr(Net()) == (
        "Net(\n  (fc1): Linear(in_features=2, out_features=3, bias=True)\n  (act): ReLU()\n"
        "  (fc2): Linear(in_features=3, out_features=1, bias=True)\n)"
    )
    outer = nn.Sequential(nn.Sequential(nn.Tanh()), nn.Flatten())
    assert repr(outer) == (
        "Sequential(\n  (0): Sequential(\n    (0): Tanh()\n  )\n"
        "  (1): Flatten(start_dim=1, end_dim=-1)\n)"
    )
    reprs = [
        nn.Sigmoid(),
        nn.Identity(),
        nn.Dropout(),
        nn.Softmax(dim=1),
        nn.LogSoftmax(dim=1),
        nn.ReLU(inplace=True),
        nn.Linear(2, 3, bias=False),
        nn.MSELoss(),
        nn.CrossEntropyLoss(),
    ]
    assert [repr(m) for m in reprs] == [
        "Sigmoid()",
        "Identity()",
        "Dropout(p=0.5, inplace=False)",
        "Softmax(dim=1)",
        "LogSoftmax(dim=1)",
        "ReLU(inplace=True)",
        "Linear(in_features=2, out_features=3, bias=False)",
        "MSELoss()",
        "CrossEntropyLoss()",
    ]


def test_sequential_indexing_and_ordered_dict_names():
    seq = nn.Sequential(OrderedDict([("lin", nn.Linear(2, 2)), ("act", nn.Tanh())]))
    assert isinstance(seq[-1], nn.Tanh) and len(seq) == 2
    assert [n for n, _ in seq.named_parameters()] == ["lin.weight", "lin.bias"]
    assert repr(seq[1:]) == "Sequential(\n  (act): Tanh()\n)"
    with pytest.raises(IndexError, match="index 2 is out of range"):
        seq[2]


# -- state, modes, gradients ----------------------------------------------------------------------
def test_state_dict_round_trip_copies_values():
    a, b = Net(), Net()
    sd = a.state_dict()
    assert list(sd) == ["running", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
    assert not sd["fc1.weight"].requires_grad
    with events.Recorder() as rec:
        result = b.load_state_dict(sd)
    assert repr(result) == "<All keys matched successfully>"
    assert {e.op for e in rec.of(events.InplaceUpdate)} == {"copy_"}
    for (_, pa), (_, pb) in zip(a.named_parameters(), b.named_parameters(), strict=True):
        np.testing.assert_array_equal(pa.detach().numpy(), pb.detach().numpy())
        assert pa.detach().numpy() is not pb.detach().numpy()
    x = torch.randn(5, 2)
    np.testing.assert_array_equal(a(x).detach().numpy(), b(x).detach().numpy())


def test_load_state_dict_reports_missing_unexpected_and_size_mismatch():
    lin = nn.Linear(2, 3)
    with pytest.raises(RuntimeError) as info:
        lin.load_state_dict({"weight": torch.zeros(3, 2), "foo": torch.zeros(1)})
    assert str(info.value) == (
        'Error(s) in loading state_dict for Linear:\n\tMissing key(s) in state_dict: "bias". '
        '\n\tUnexpected key(s) in state_dict: "foo". '
    )
    with pytest.raises(RuntimeError) as info:
        lin.load_state_dict({"weight": torch.zeros(3, 3), "bias": torch.zeros(3)})
    assert str(info.value) == (
        "Error(s) in loading state_dict for Linear:\n\tsize mismatch for weight: copying a param "
        "with shape torch.Size([3, 3]) from checkpoint, the shape in current model is "
        "torch.Size([3, 2])."
    )
    res = lin.load_state_dict({"weight": torch.zeros(3, 2), "foo": torch.zeros(1)}, strict=False)
    assert (res.missing_keys, res.unexpected_keys) == (["bias"], ["foo"])
    assert not lin.weight.detach().numpy().any()


def test_zero_grad_sets_none_or_zeros():
    net = Net()
    net(torch.randn(4, 2)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    grads = [p.grad for p in net.parameters()]
    net.zero_grad(set_to_none=False)
    assert [p.grad for p in net.parameters()] == grads  # same objects, now zero
    assert all(not p.grad.numpy().any() for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_train_eval_propagate_and_dropout_obeys_them():
    net = nn.Sequential(nn.Linear(3, 3), nn.Dropout(0.5))
    assert net.training and net[1].training
    assert net.eval() is net
    assert not net.training and not net[1].training
    x = torch.ones(4, 3)
    np.testing.assert_array_equal(net[1](x).numpy(), x.numpy())
    net.train()
    assert net[1].training


def test_apply_visits_children_before_the_parent():
    seq = nn.Sequential(nn.Linear(1, 1), nn.ReLU())
    seen = []
    assert seq.apply(lambda m: seen.append(type(m).__name__)) is seq
    assert seen == ["Linear", "ReLU", "Sequential"]


def test_requires_grad_false_freezes_all_parameters():
    net = Net().requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())


def test_double_converts_parameters_keeping_their_identity():
    lin = nn.Linear(2, 2)
    w = lin.weight
    lin.double()
    assert lin.weight is w and w.dtype == torch.float64


# -- losses ---------------------------------------------------------------------------------------
X = [[1.0, 2.0, 0.5], [0.1, -1.0, 3.0]]


def test_loss_modules_give_pytorchs_values():
    x = torch.tensor(X)
    y = torch.tensor([2, 0])
    assert nn.CrossEntropyLoss()(x, y).item() == pytest.approx(2.46757173538208, rel=1e-6)
    assert nn.NLLLoss()(F.log_softmax(x, 1), y).item() == pytest.approx(2.46757173538208, rel=1e-6)
    assert nn.MSELoss()(x, torch.zeros(2, 3)).item() == pytest.approx(2.5433333, rel=1e-6)
    assert nn.MSELoss(reduction="sum")(x, torch.zeros(2, 3)).item() == pytest.approx(15.26)
    ones = torch.ones(2, 3)
    assert nn.BCEWithLogitsLoss()(x, ones).item() == pytest.approx(0.48675212, rel=1e-6)
    assert nn.BCELoss()(torch.sigmoid(x), ones).item() == pytest.approx(0.48675203, rel=1e-5)


def test_legacy_reduction_flags_warn_and_map():
    with pytest.warns(UserWarning, match="please use reduction='sum' instead"):
        assert nn.MSELoss(size_average=False).reduction == "sum"


# -- training -------------------------------------------------------------------------------------
def test_tiny_mlp_learns_xor_like_regression():
    torch.manual_seed(1)
    x = torch.tensor([[a, b] for a in (-1.0, 1.0) for b in (-1.0, 1.0)] * 4)
    y = (x[:, 0] * x[:, 1]).reshape(16, 1)  # XOR in ±1 form: not linearly separable
    model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 1))
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    loss_fn = nn.MSELoss()
    first = loss_fn(model(x), y).item()
    for _ in range(150):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
    assert loss.item() < first / 100


def test_adam_trains_a_classifier_with_cross_entropy():
    torch.manual_seed(2)
    x = torch.randn(64, 2)
    y = (x[:, 0] + x[:, 1] > 0).long()
    model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 2))
    opt = optim.Adam(model.parameters(), lr=0.05)
    loss_fn = nn.CrossEntropyLoss()
    first = loss_fn(model(x), y).item()
    for _ in range(100):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
    assert loss.item() < first / 5
