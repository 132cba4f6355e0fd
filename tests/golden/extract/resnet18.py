# The values layer3.1, layer2.0.add, layer1.1.relu_1, flatten of ResNet's forward (modtrace extract), replayed as it ran. features(x) gives {name: tensor}.
import torch
from torch import nn
import torch.nn.functional as F


class Extracted(nn.Module):
    """Named values of `model`'s forward, computed by replaying the forward modtrace recorded (printed by modtrace extract)."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, x):
        model = self.model
        values = dict.fromkeys(["layer3.1", "layer2.0.add", "layer1.1.relu_1", "flatten"])
        conv1 = model.conv1(x)
        bn1 = model.bn1(conv1)
        relu = model.relu(bn1)
        maxpool = model.maxpool(relu)
        layer1_0 = model.layer1[0](maxpool)
        layer1_1_conv1 = model.layer1[1].conv1(layer1_0)
        layer1_1_bn1 = model.layer1[1].bn1(layer1_1_conv1)
        layer1_1_relu = model.layer1[1].relu(layer1_1_bn1)
        layer1_1_conv2 = model.layer1[1].conv2(layer1_1_relu)
        layer1_1_bn2 = model.layer1[1].bn2(layer1_1_conv2)
        layer1_1_add = (layer1_1_bn2 + layer1_0)
        layer1_1_relu_1 = model.layer1[1].relu(layer1_1_add)
        values["layer1.1.relu_1"] = layer1_1_relu_1.clone()
        layer2_0_conv1 = model.layer2[0].conv1(layer1_1_relu_1)
        layer2_0_bn1 = model.layer2[0].bn1(layer2_0_conv1)
        layer2_0_relu = model.layer2[0].relu(layer2_0_bn1)
        layer2_0_conv2 = model.layer2[0].conv2(layer2_0_relu)
        layer2_0_bn2 = model.layer2[0].bn2(layer2_0_conv2)
        layer2_0_downsample = model.layer2[0].downsample(layer1_1_relu_1)
        layer2_0_add = (layer2_0_bn2 + layer2_0_downsample)
        values["layer2.0.add"] = layer2_0_add.clone()
        layer2_0_relu_1 = model.layer2[0].relu(layer2_0_add)
        layer2_1 = model.layer2[1](layer2_0_relu_1)
        layer3_0 = model.layer3[0](layer2_1)
        layer3_1 = model.layer3[1](layer3_0)
        values["layer3.1"] = layer3_1.clone()
        layer4 = model.layer4(layer3_1)
        avgpool = model.avgpool(layer4)
        flatten = torch.flatten(avgpool, 1, -1)
        values["flatten"] = flatten
        return values


features = Extracted(model)
