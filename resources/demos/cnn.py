"""A small convolutional network tells bright-top from bright-bottom 8×8 images, two SGD steps.

Two convolution / ReLU / max-pool stages (``features``), then a flatten and two linear layers
(``classifier``), trained with cross-entropy. The graph opens with each stage collapsed to one node
showing its input and output shapes and parameter count; open them one by one.
"""

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError:
    import visgrad as torch
    import visgrad.nn as nn
    import visgrad.nn.functional as F

torch.manual_seed(0)

# Class 1 images are brighter in their top half, class 0 in their bottom half.
labels = torch.tensor([0, 1, 1, 0])
images = torch.randn(4, 1, 8, 8) * 0.3
for i in range(4):
    rows = slice(0, 4) if labels[i].item() == 1 else slice(4, 8)
    images[i, 0, rows] += 1.0


class SmallCNN(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 4, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(4, 8, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(8 * 2 * 2, 16),
            nn.ReLU(),
            nn.Linear(16, 2),
        )

    def forward(self, x):
        return self.classifier(self.features(x))


model = SmallCNN()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
for step in range(2):
    loss = F.cross_entropy(model(images), labels)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    print(f"step {step}: loss {loss.item():.4f}")
