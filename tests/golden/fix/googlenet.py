# The faithful Sequential of GoogLeNet (modtrace fix): its children in call order, its own ops replayed between them; fixed(x) gives model(x).
import torch
from torch import nn
import torch.nn.functional as F


fixed = nn.Sequential(
    model.conv1,
    model.maxpool1,
    model.conv2,
    model.conv3,
    model.maxpool2,
    model.inception3a,
    model.inception3b,
    model.maxpool3,
    model.inception4a,
    model.inception4b,
    model.inception4c,
    model.inception4d,
    model.inception4e,
    model.maxpool4,
    model.inception5a,
    model.inception5b,
    model.avgpool,
    nn.Flatten(1),
    model.dropout,
    model.fc,
)
