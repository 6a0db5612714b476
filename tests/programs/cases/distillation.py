"""Knowledge distillation, as in the PyTorch tutorial: a wider teacher is trained, then put in
eval mode and queried under no_grad while a small student learns from its temperature-softened
outputs (KL divergence of log_softmax against softmax, scaled by T**2) mixed with cross-entropy
on the labels; a cosine-similarity variant on hidden features is trained too."""

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
device = "cuda" if torch.cuda.is_available() else "cpu"
n_classes = 5
centers = torch.randn(n_classes, 20)
y_all = torch.randint(0, n_classes, (400,))
x_all = centers[y_all] + 0.9 * torch.randn(400, 20)
train_loader = DataLoader(TensorDataset(x_all[:320], y_all[:320]), batch_size=32, shuffle=True)
test_loader = DataLoader(TensorDataset(x_all[320:], y_all[320:]), batch_size=40, shuffle=False)


class DeepNN(nn.Module):
    def __init__(self, num_classes=5):
        super().__init__()
        self.features = nn.Sequential(
            nn.Linear(20, 64), nn.ReLU(), nn.Dropout(0.1), nn.Linear(64, 32), nn.ReLU()
        )
        self.classifier = nn.Linear(32, num_classes)

    def forward(self, x):
        return self.classifier(self.features(x))


class LightNN(nn.Module):
    def __init__(self, num_classes=5):
        super().__init__()
        self.features = nn.Sequential(nn.Linear(20, 8), nn.ReLU())
        self.classifier = nn.Linear(8, num_classes)

    def forward(self, x):
        return self.classifier(self.features(x))


def train(model, train_loader, epochs, learning_rate, device):
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.Adam(model.parameters(), lr=learning_rate)
    model.train()
    for epoch in range(epochs):
        running_loss = 0.0
        for inputs, labels in train_loader:
            inputs, labels = inputs.to(device), labels.to(device)
            optimizer.zero_grad()
            outputs = model(inputs)
            loss = criterion(outputs, labels)
            loss.backward()
            optimizer.step()
            running_loss += loss.item()
        print(f"Epoch {epoch + 1}/{epochs}, Loss: {running_loss / len(train_loader):.4f}")


def test(model, test_loader, device):
    model.to(device)
    model.eval()
    correct = 0
    total = 0
    with torch.no_grad():
        for inputs, labels in test_loader:
            inputs, labels = inputs.to(device), labels.to(device)
            outputs = model(inputs)
            _, predicted = torch.max(outputs.data, 1)
            total += labels.size(0)
            correct += (predicted == labels).sum().item()
    accuracy = 100 * correct / total
    print(f"Test Accuracy: {accuracy:.2f}%")
    return accuracy


torch.manual_seed(42)
nn_deep = DeepNN(num_classes=n_classes).to(device)
train(nn_deep, train_loader, epochs=4, learning_rate=0.001, device=device)
test_accuracy_deep = test(nn_deep, test_loader, device)

torch.manual_seed(42)
nn_light = LightNN(num_classes=n_classes).to(device)
torch.manual_seed(42)
new_nn_light = LightNN(num_classes=n_classes).to(device)
print(f"Norm of 1st layer of nn_light: {torch.norm(nn_light.features[0].weight).item():.6f}")
print(
    f"Norm of 1st layer of new_nn_light: {torch.norm(new_nn_light.features[0].weight).item():.6f}"
)
total_params_deep = f"{sum(p.numel() for p in nn_deep.parameters()):,}"
print(f"DeepNN parameters: {total_params_deep}")
total_params_light = f"{sum(p.numel() for p in nn_light.parameters()):,}"
print(f"LightNN parameters: {total_params_light}")

train(nn_light, train_loader, epochs=4, learning_rate=0.001, device=device)
test_accuracy_light_ce = test(nn_light, test_loader, device)


def train_knowledge_distillation(
    teacher,
    student,
    train_loader,
    epochs,
    learning_rate,
    T,
    soft_target_loss_weight,
    ce_loss_weight,
    device,
):
    ce_loss = nn.CrossEntropyLoss()
    optimizer = optim.Adam(student.parameters(), lr=learning_rate)
    teacher.eval()
    student.train()
    for epoch in range(epochs):
        running_loss = 0.0
        for inputs, labels in train_loader:
            inputs, labels = inputs.to(device), labels.to(device)
            optimizer.zero_grad()
            with torch.no_grad():
                teacher_logits = teacher(inputs)
            student_logits = student(inputs)
            soft_targets = nn.functional.softmax(teacher_logits / T, dim=-1)
            soft_prob = nn.functional.log_softmax(student_logits / T, dim=-1)
            soft_targets_loss = (
                torch.sum(soft_targets * (soft_targets.log() - soft_prob))
                / soft_prob.size()[0]
                * (T**2)
            )
            label_loss = ce_loss(student_logits, labels)
            loss = soft_target_loss_weight * soft_targets_loss + ce_loss_weight * label_loss
            loss.backward()
            optimizer.step()
            running_loss += loss.item()
        print(f"Epoch {epoch + 1}/{epochs}, Loss: {running_loss / len(train_loader):.4f}")


train_knowledge_distillation(
    teacher=nn_deep,
    student=new_nn_light,
    train_loader=train_loader,
    epochs=4,
    learning_rate=0.001,
    T=2,
    soft_target_loss_weight=0.25,
    ce_loss_weight=0.75,
    device=device,
)
test_accuracy_light_ce_and_kd = test(new_nn_light, test_loader, device)
print(f"Teacher accuracy: {test_accuracy_deep:.2f}%")
print(f"Student accuracy without teacher: {test_accuracy_light_ce:.2f}%")
print(f"Student accuracy with CE + KD: {test_accuracy_light_ce_and_kd:.2f}%")

kl = nn.KLDivLoss(reduction="batchmean")
print(kl, kl.reduction, kl.log_target)
x, _ = next(iter(test_loader))
with torch.no_grad():
    t_logits, s_logits = nn_deep(x), new_nn_light(x)
T = 4.0
kd = kl(F.log_softmax(s_logits / T, dim=1), F.softmax(t_logits / T, dim=1)) * T * T
print(f"{kd.item():.4f}")
kd_log = F.kl_div(
    F.log_softmax(s_logits / T, dim=1),
    F.log_softmax(t_logits / T, dim=1),
    reduction="batchmean",
    log_target=True,
)
print(f"{kd_log.item() * T * T:.4f}", torch.isclose(kd_log * T * T, kd).item())
print(F.kl_div(F.log_softmax(s_logits[:2], 1), F.softmax(t_logits[:2], 1), reduction="none").sum(1))


class ModifiedDeepNNCosine(DeepNN):
    def forward(self, x):
        flattened = self.features(x)
        return self.classifier(flattened), F.avg_pool1d(flattened.unsqueeze(1), 4).squeeze(1)


class ModifiedLightNNCosine(LightNN):
    def forward(self, x):
        flattened = self.features(x)
        return self.classifier(flattened), flattened


torch.manual_seed(42)
teacher_cos = ModifiedDeepNNCosine(num_classes=n_classes)
teacher_cos.load_state_dict(nn_deep.state_dict())
student_cos = ModifiedLightNNCosine(num_classes=n_classes)
with torch.no_grad():
    out, hidden = teacher_cos(x[:2])
    print(out.shape, hidden.shape, torch.allclose(out, nn_deep(x[:2])))
cosine_loss = nn.CosineEmbeddingLoss()
optimizer = optim.Adam(student_cos.parameters(), lr=0.001)
teacher_cos.eval()
for inputs, labels in list(train_loader)[:5]:
    optimizer.zero_grad()
    with torch.no_grad():
        _, teacher_hidden = teacher_cos(inputs)
    student_logits, student_hidden = student_cos(inputs)
    hidden_rep_loss = cosine_loss(student_hidden, teacher_hidden, target=torch.ones(inputs.size(0)))
    label_loss = F.cross_entropy(student_logits, labels)
    loss = 0.25 * hidden_rep_loss + 0.75 * label_loss
    loss.backward()
    optimizer.step()
    print(f"hidden {hidden_rep_loss.item():.4f} label {label_loss.item():.4f}")
print(teacher_cos.training, student_cos.training, next(teacher_cos.parameters()).requires_grad)
