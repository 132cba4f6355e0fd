# The forward of ResNet up to 'layer3' (modtrace fix --upto layer3); head(x) gives layer3's output in model(x).
import torch
from torch import nn
import torch.nn.functional as F


head = nn.Sequential(
    model.conv1,
    model.bn1,
    model.relu,
    model.maxpool,
    model.layer1,
    model.layer2,
    model.layer3,
)
