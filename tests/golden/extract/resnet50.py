# The values layer3.1, layer4.2.add, avgpool, flatten of ResNet's forward (modtrace extract), replayed as it ran. features(x) gives {name: tensor}.
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
        values = dict.fromkeys(["layer3.1", "layer4.2.add", "avgpool", "flatten"])
        conv1 = model.conv1(x)
        bn1 = model.bn1(conv1)
        relu = model.relu(bn1)
        maxpool = model.maxpool(relu)
        layer1 = model.layer1(maxpool)
        layer2 = model.layer2(layer1)
        layer3_0 = model.layer3[0](layer2)
        layer3_1 = model.layer3[1](layer3_0)
        values["layer3.1"] = layer3_1.clone()
        layer3_2 = model.layer3[2](layer3_1)
        layer3_3 = model.layer3[3](layer3_2)
        layer3_4 = model.layer3[4](layer3_3)
        layer3_5 = model.layer3[5](layer3_4)
        layer4_0 = model.layer4[0](layer3_5)
        layer4_1 = model.layer4[1](layer4_0)
        layer4_2_conv1 = model.layer4[2].conv1(layer4_1)
        layer4_2_bn1 = model.layer4[2].bn1(layer4_2_conv1)
        layer4_2_relu = model.layer4[2].relu(layer4_2_bn1)
        layer4_2_conv2 = model.layer4[2].conv2(layer4_2_relu)
        layer4_2_bn2 = model.layer4[2].bn2(layer4_2_conv2)
        layer4_2_relu_1 = model.layer4[2].relu(layer4_2_bn2)
        layer4_2_conv3 = model.layer4[2].conv3(layer4_2_relu_1)
        layer4_2_bn3 = model.layer4[2].bn3(layer4_2_conv3)
        layer4_2_add = (layer4_2_bn3 + layer4_1)
        values["layer4.2.add"] = layer4_2_add.clone()
        layer4_2_relu_2 = model.layer4[2].relu(layer4_2_add)
        avgpool = model.avgpool(layer4_2_relu_2)
        values["avgpool"] = avgpool.clone()
        flatten = torch.flatten(avgpool, 1, -1)
        values["flatten"] = flatten
        return values


features = Extracted(model)
