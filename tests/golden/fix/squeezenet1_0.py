# The faithful Sequential of SqueezeNet (modtrace fix): its children in call order, its own ops replayed between them; fixed(x) gives model(x).
import torch
from torch import nn
import torch.nn.functional as F


fixed = nn.Sequential(
    model.features,
    model.classifier,
    nn.Flatten(1),
)
