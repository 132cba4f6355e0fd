# The values features.denseblock1.cat, features.denseblock2.denselayer3, features.transition2, flatten of DenseNet's forward (modtrace extract), replayed as it ran. features(x) gives {name: tensor}.
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
        values = dict.fromkeys(["features.denseblock1.cat", "features.denseblock2.denselayer3", "features.transition2", "flatten"])
        features_conv0 = model.features.conv0(x)
        features_norm0 = model.features.norm0(features_conv0)
        features_relu0 = model.features.relu0(features_norm0)
        features_pool0 = model.features.pool0(features_relu0)
        features_denseblock1_denselayer1 = model.features.denseblock1.denselayer1((features_pool0,))
        features_denseblock1_denselayer2 = model.features.denseblock1.denselayer2((features_pool0, features_denseblock1_denselayer1))
        features_denseblock1_denselayer3 = model.features.denseblock1.denselayer3((features_pool0, features_denseblock1_denselayer1, features_denseblock1_denselayer2))
        features_denseblock1_denselayer4 = model.features.denseblock1.denselayer4((features_pool0, features_denseblock1_denselayer1, features_denseblock1_denselayer2, features_denseblock1_denselayer3))
        features_denseblock1_denselayer5 = model.features.denseblock1.denselayer5((features_pool0, features_denseblock1_denselayer1, features_denseblock1_denselayer2, features_denseblock1_denselayer3, features_denseblock1_denselayer4))
        features_denseblock1_denselayer6 = model.features.denseblock1.denselayer6((features_pool0, features_denseblock1_denselayer1, features_denseblock1_denselayer2, features_denseblock1_denselayer3, features_denseblock1_denselayer4, features_denseblock1_denselayer5))
        features_denseblock1_cat = torch.cat([features_pool0, features_denseblock1_denselayer1, features_denseblock1_denselayer2, features_denseblock1_denselayer3, features_denseblock1_denselayer4, features_denseblock1_denselayer5, features_denseblock1_denselayer6], dim=1)
        values["features.denseblock1.cat"] = features_denseblock1_cat.clone()
        features_transition1 = model.features.transition1(features_denseblock1_cat)
        features_denseblock2_denselayer1 = model.features.denseblock2.denselayer1((features_transition1,))
        features_denseblock2_denselayer2 = model.features.denseblock2.denselayer2((features_transition1, features_denseblock2_denselayer1))
        features_denseblock2_denselayer3 = model.features.denseblock2.denselayer3((features_transition1, features_denseblock2_denselayer1, features_denseblock2_denselayer2))
        values["features.denseblock2.denselayer3"] = features_denseblock2_denselayer3.clone()
        features_denseblock2_denselayer4 = model.features.denseblock2.denselayer4((features_transition1, features_denseblock2_denselayer1, features_denseblock2_denselayer2, features_denseblock2_denselayer3))
        features_denseblock2_denselayer5 = model.features.denseblock2.denselayer5((features_transition1, features_denseblock2_denselayer1, features_denseblock2_denselayer2, features_denseblock2_denselayer3, features_denseblock2_denselayer4))
        features_denseblock2_denselayer6 = model.features.denseblock2.denselayer6((features_transition1, features_denseblock2_denselayer1, features_denseblock2_denselayer2, features_denseblock2_denselayer3, features_denseblock2_denselayer4, features_denseblock2_denselayer5))
        features_denseblock2_denselayer7 = model.features.denseblock2.denselayer7((features_transition1, features_denseblock2_denselayer1, features_denseblock2_denselayer2, features_denseblock2_denselayer3, features_denseblock2_denselayer4, features_denseblock2_denselayer5, features_denseblock2_denselayer6))
        features_denseblock2_denselayer8 = model.features.denseblock2.denselayer8((features_transition1, features_denseblock2_denselayer1, features_denseblock2_denselayer2, features_denseblock2_denselayer3, features_denseblock2_denselayer4, features_denseblock2_denselayer5, features_denseblock2_denselayer6, features_denseblock2_denselayer7))
        features_denseblock2_denselayer9 = model.features.denseblock2.denselayer9((features_transition1, features_denseblock2_denselayer1, features_denseblock2_denselayer2, features_denseblock2_denselayer3, features_denseblock2_denselayer4, features_denseblock2_denselayer5, features_denseblock2_denselayer6, features_denseblock2_denselayer7, features_denseblock2_denselayer8))
        features_denseblock2_denselayer10 = model.features.denseblock2.denselayer10((features_transition1, features_denseblock2_denselayer1, features_denseblock2_denselayer2, features_denseblock2_denselayer3, features_denseblock2_denselayer4, features_denseblock2_denselayer5, features_denseblock2_denselayer6, features_denseblock2_denselayer7, features_denseblock2_denselayer8, features_denseblock2_denselayer9))
        features_denseblock2_denselayer11 = model.features.denseblock2.denselayer11((features_transition1, features_denseblock2_denselayer1, features_denseblock2_denselayer2, features_denseblock2_denselayer3, features_denseblock2_denselayer4, features_denseblock2_denselayer5, features_denseblock2_denselayer6, features_denseblock2_denselayer7, features_denseblock2_denselayer8, features_denseblock2_denselayer9, features_denseblock2_denselayer10))
        features_denseblock2_denselayer12 = model.features.denseblock2.denselayer12((features_transition1, features_denseblock2_denselayer1, features_denseblock2_denselayer2, features_denseblock2_denselayer3, features_denseblock2_denselayer4, features_denseblock2_denselayer5, features_denseblock2_denselayer6, features_denseblock2_denselayer7, features_denseblock2_denselayer8, features_denseblock2_denselayer9, features_denseblock2_denselayer10, features_denseblock2_denselayer11))
        features_denseblock2_cat = torch.cat([features_transition1, features_denseblock2_denselayer1, features_denseblock2_denselayer2, features_denseblock2_denselayer3, features_denseblock2_denselayer4, features_denseblock2_denselayer5, features_denseblock2_denselayer6, features_denseblock2_denselayer7, features_denseblock2_denselayer8, features_denseblock2_denselayer9, features_denseblock2_denselayer10, features_denseblock2_denselayer11, features_denseblock2_denselayer12], dim=1)
        features_transition2 = model.features.transition2(features_denseblock2_cat)
        values["features.transition2"] = features_transition2.clone()
        features_denseblock3 = model.features.denseblock3(features_transition2)
        features_transition3 = model.features.transition3(features_denseblock3)
        features_denseblock4 = model.features.denseblock4(features_transition3)
        features_norm5 = model.features.norm5(features_denseblock4)
        relu = torch.relu(features_norm5)
        adaptive_avg_pool2d = F.adaptive_avg_pool2d(relu, (1, 1))
        flatten = torch.flatten(adaptive_avg_pool2d, 1, -1)
        values["flatten"] = flatten
        return values


features = Extracted(model)
