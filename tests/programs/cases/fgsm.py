"""The FGSM adversarial example tutorial, on synthetic digits: a LeNet-style classifier trained
briefly, then for each epsilon the test set is attacked one image at a time with the sign of the
input gradient (data.grad), clamped back to the image range, re-normalised and classified again."""

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(42)
epsilons = [0, 0.05, 0.1, 0.2, 0.3]
use_cuda = True
device = torch.device("cuda" if use_cuda and torch.cuda.is_available() else "cpu")
print("CUDA Available: ", torch.cuda.is_available())


def make_digits(n):
    labels = torch.randint(0, 4, (n,))
    images = torch.rand(n, 1, 28, 28) * 0.3
    for i, y in enumerate(labels.tolist()):
        r, c = divmod(y, 2)
        images[i, 0, 4 + 12 * r : 12 + 12 * r, 4 + 12 * c : 12 + 12 * c] += 0.7
    return images.clamp(0, 1), labels


MEAN, STD = 0.1307, 0.3081
train_x, train_y = make_digits(256)
test_x, test_y = make_digits(40)
train_loader = DataLoader(
    TensorDataset((train_x - MEAN) / STD, train_y), batch_size=64, shuffle=True
)
test_loader = DataLoader(TensorDataset((test_x - MEAN) / STD, test_y), batch_size=1, shuffle=True)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(10, 20, kernel_size=5)
        self.conv2_drop = nn.Dropout2d()
        self.fc1 = nn.Linear(320, 50)
        self.fc2 = nn.Linear(50, 4)

    def forward(self, x):
        x = F.relu(F.max_pool2d(self.conv1(x), 2))
        x = F.relu(F.max_pool2d(self.conv2_drop(self.conv2(x)), 2))
        x = x.view(-1, 320)
        x = F.relu(self.fc1(x))
        x = F.dropout(x, training=self.training)
        x = self.fc2(x)
        return F.log_softmax(x, dim=1)


model = Net().to(device)
optimizer = optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(3):
    model.train()
    for data, target in train_loader:
        optimizer.zero_grad()
        loss = F.nll_loss(model(data), target)
        loss.backward()
        optimizer.step()
    print(f"epoch {epoch} loss {loss.item():.4f}")
model.eval()


def fgsm_attack(image, epsilon, data_grad):
    sign_data_grad = data_grad.sign()
    perturbed_image = image + epsilon * sign_data_grad
    perturbed_image = torch.clamp(perturbed_image, 0, 1)
    return perturbed_image


def denorm(batch, mean=(MEAN,), std=(STD,)):
    if isinstance(mean, tuple):
        mean = torch.tensor(mean).to(device)
    if isinstance(std, tuple):
        std = torch.tensor(std).to(device)
    return batch * std.view(1, -1, 1, 1) + mean.view(1, -1, 1, 1)


def normalize(batch, mean=MEAN, std=STD):
    return (batch - mean) / std


def test(model, device, test_loader, epsilon):
    correct = 0
    adv_examples = []
    for data, target in test_loader:
        data, target = data.to(device), target.to(device)
        data.requires_grad = True
        output = model(data)
        init_pred = output.max(1, keepdim=True)[1]
        if init_pred.item() != target.item():
            continue
        loss = F.nll_loss(output, target)
        model.zero_grad()
        loss.backward()
        data_grad = data.grad.data
        data_denorm = denorm(data)
        perturbed_data = fgsm_attack(data_denorm, epsilon, data_grad)
        perturbed_data_normalized = normalize(perturbed_data)
        output = model(perturbed_data_normalized)
        final_pred = output.max(1, keepdim=True)[1]
        if final_pred.item() == target.item():
            correct += 1
            if epsilon == 0 and len(adv_examples) < 5:
                adv_ex = perturbed_data.squeeze().detach().cpu().numpy()
                adv_examples.append((init_pred.item(), final_pred.item(), adv_ex))
        else:
            if len(adv_examples) < 5:
                adv_ex = perturbed_data.squeeze().detach().cpu().numpy()
                adv_examples.append((init_pred.item(), final_pred.item(), adv_ex))
    final_acc = correct / float(len(test_loader))
    print(f"Epsilon: {epsilon}\tTest Accuracy = {correct} / {len(test_loader)} = {final_acc}")
    return final_acc, adv_examples


accuracies = []
examples = []
for eps in epsilons:
    acc, ex = test(model, device, test_loader, eps)
    accuracies.append(acc)
    examples.append(ex)

print(accuracies)
for i, eps in enumerate(epsilons):
    for orig, adv, ex in examples[i][:2]:
        print(f"eps {eps}: {orig} -> {adv}", ex.shape, ex.dtype, f"{np.abs(ex).mean():.4f}")

x = torch.zeros(1, 3, requires_grad=True)
y = (x * torch.tensor([[2.0, -3.0, 0.0]])).sum()
y.backward()
print(x.grad.sign(), x.grad.data.sign().dtype)
