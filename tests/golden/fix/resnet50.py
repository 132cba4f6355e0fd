# The faithful Sequential of ResNet (modtrace fix): its children in call order, its own ops replayed between them; fixed(x) gives model(x).
import torch
from torch import nn
import torch.nn.functional as F


fixed = nn.Sequential(
    model.conv1,
    model.bn1,
    model.relu,
    model.maxpool,
    model.layer1,
    model.layer2,
    model.layer3,
    model.layer4,
    model.avgpool,
    nn.Flatten(1),
    model.fc,
)
