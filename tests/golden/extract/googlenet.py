# The values maxpool2, inception3a, inception4b.cat, flatten of GoogLeNet's forward (modtrace extract), replayed as it ran. features(x) gives {name: tensor}.
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
        values = dict.fromkeys(["maxpool2", "inception3a", "inception4b.cat", "flatten"])
        conv1 = model.conv1(x)
        maxpool1 = model.maxpool1(conv1)
        conv2 = model.conv2(maxpool1)
        conv3 = model.conv3(conv2)
        maxpool2 = model.maxpool2(conv3)
        values["maxpool2"] = maxpool2.clone()
        inception3a = model.inception3a(maxpool2)
        values["inception3a"] = inception3a.clone()
        inception3b = model.inception3b(inception3a)
        maxpool3 = model.maxpool3(inception3b)
        inception4a = model.inception4a(maxpool3)
        inception4b_branch1 = model.inception4b.branch1(inception4a)
        inception4b_branch2 = model.inception4b.branch2(inception4a)
        inception4b_branch3 = model.inception4b.branch3(inception4a)
        inception4b_branch4 = model.inception4b.branch4(inception4a)
        inception4b_cat = torch.cat([inception4b_branch1, inception4b_branch2, inception4b_branch3, inception4b_branch4], dim=1)
        values["inception4b.cat"] = inception4b_cat.clone()
        inception4c = model.inception4c(inception4b_cat)
        inception4d = model.inception4d(inception4c)
        inception4e = model.inception4e(inception4d)
        maxpool4 = model.maxpool4(inception4e)
        inception5a = model.inception5a(maxpool4)
        inception5b = model.inception5b(inception5a)
        avgpool = model.avgpool(inception5b)
        flatten = torch.flatten(avgpool, 1, -1)
        values["flatten"] = flatten
        return values


features = Extracted(model)
