# The faithful Sequential of MobileNetV2 (modtrace fix): its children in call order, its own ops replayed between them; fixed(x) gives model(x).
import torch
from torch import nn
import torch.nn.functional as F


fixed = nn.Sequential(
    model.features,
    nn.AdaptiveAvgPool2d((1, 1)),
    nn.Flatten(1),
    model.classifier,
)
