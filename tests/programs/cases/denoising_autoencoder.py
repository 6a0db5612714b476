"""A denoising convolutional autoencoder, as in the autoencoder tutorials: Gaussian noise added
to synthetic images and clamped, an encoder of Conv2d + BatchNorm2d + ReLU + MaxPool2d, a
decoder of ConvTranspose2d and nn.Upsample ending in a sigmoid, BCELoss against the clean
images, and a look at the reconstructions in eval mode."""

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(5)
n, size = 96, 16
yy, xx = torch.meshgrid(torch.arange(size), torch.arange(size), indexing="ij")
radius = torch.randint(2, 6, (n, 1, 1)).float()
cy = torch.randint(5, 11, (n, 1, 1)).float()
cx = torch.randint(5, 11, (n, 1, 1)).float()
clean = (((yy - cy) ** 2 + (xx - cx) ** 2) <= radius**2).float().unsqueeze(1)
print(clean.shape, clean.dtype, f"{clean.mean():.4f}")
loader = DataLoader(TensorDataset(clean), batch_size=16, shuffle=True)
noise_factor = 0.4


def add_noise(img):
    noisy = img + noise_factor * torch.randn_like(img)
    return torch.clamp(noisy, 0.0, 1.0)


class DenoisingAutoencoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Conv2d(1, 8, 3, stride=1, padding=1),
            nn.BatchNorm2d(8),
            nn.ReLU(True),
            nn.MaxPool2d(2, 2),
            nn.Conv2d(8, 16, 3, stride=2, padding=1),
            nn.BatchNorm2d(16),
            nn.ReLU(True),
        )
        self.decoder = nn.Sequential(
            nn.ConvTranspose2d(16, 8, 3, stride=2, padding=1, output_padding=1),
            nn.BatchNorm2d(8),
            nn.ReLU(True),
            nn.Upsample(scale_factor=2, mode="nearest"),
            nn.Conv2d(8, 1, 3, padding=1),
        )

    def forward(self, x):
        x = self.encoder(x)
        x = self.decoder(x)
        return torch.sigmoid(x)


model = DenoisingAutoencoder()
print(model)
x = torch.rand(2, 1, size, size)
print(model.encoder(x).shape, model(x).shape)
criterion = nn.BCELoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-5)

for epoch in range(4):
    model.train()
    total = 0.0
    for (img,) in loader:
        noisy = add_noise(img)
        output = model(noisy)
        loss = criterion(output, img)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * img.size(0)
    print(f"epoch [{epoch + 1}/4], loss:{total / len(loader.dataset):.4f}")

bn = model.encoder[1]
print(bn, bn.num_batches_tracked, f"{bn.running_mean.abs().sum():.3f} {bn.running_var.mean():.3f}")
model.eval()
with torch.no_grad():
    img = clean[:4]
    noisy = add_noise(img)
    recon = model(noisy)
    print(
        f"{F.binary_cross_entropy(recon, img):.4f} {F.mse_loss(recon, img):.4f} {F.mse_loss(noisy, img):.4f}"
    )
    print((recon > 0.5).float().mean(dim=(1, 2, 3)))
    up = nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False)
    print(up(noisy[:1, :, :2, :2]).squeeze())
    print(F.interpolate(noisy[:1, :, 4:6, 4:6], size=(3, 3), mode="nearest").squeeze())
    ct = nn.ConvTranspose2d(1, 1, 2, stride=2, bias=False)
    nn.init.ones_(ct.weight)
    print(ct(torch.tensor([[[[1.0, 2.0], [3.0, 4.0]]]])))
