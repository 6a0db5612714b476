"""A CNN on MNIST-shaped data (random 1×28×28 images, 10 classes), three SGD steps.

Two convolution stages, each Conv2d → BatchNorm2d → ReLU → MaxPool2d (``features``), then a
flatten and two linear layers (``classifier``), as the PyTorch MNIST example has them. Run it
with ``visgrad docs/examples/mnist_cnn.py``: the graph opens on the two stages, each a card with
its shapes and parameter count; double-click ``features`` to open it, then a layer.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
images = torch.randn(16, 1, 28, 28)
labels = torch.randint(0, 10, (16,))


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 8, kernel_size=3, padding=1),
            nn.BatchNorm2d(8),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(8, 16, kernel_size=3, padding=1),
            nn.BatchNorm2d(16),
            nn.ReLU(),
            nn.MaxPool2d(2),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(16 * 7 * 7, 64),
            nn.ReLU(),
            nn.Linear(64, 10),
        )

    def forward(self, x):
        return self.classifier(self.features(x))


model = Net()
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
for step in range(3):
    loss = F.cross_entropy(model(images), labels)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    print(f"step {step}: loss {loss.item():.4f}")
