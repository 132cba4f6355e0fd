# The values features.3, features.4.cat, classifier.1, flatten of SqueezeNet's forward (modtrace extract), replayed as it ran. features(x) gives {name: tensor}.
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
        values = dict.fromkeys(["features.3", "features.4.cat", "classifier.1", "flatten"])
        features_0 = model.features[0](x)
        features_1 = model.features[1](features_0)
        features_2 = model.features[2](features_1)
        features_3 = model.features[3](features_2)
        values["features.3"] = features_3.clone()
        features_4_squeeze = model.features[4].squeeze(features_3)
        features_4_squeeze_activation = model.features[4].squeeze_activation(features_4_squeeze)
        features_4_expand1x1 = model.features[4].expand1x1(features_4_squeeze_activation)
        features_4_expand1x1_activation = model.features[4].expand1x1_activation(features_4_expand1x1)
        features_4_expand3x3 = model.features[4].expand3x3(features_4_squeeze_activation)
        features_4_expand3x3_activation = model.features[4].expand3x3_activation(features_4_expand3x3)
        features_4_cat = torch.cat([features_4_expand1x1_activation, features_4_expand3x3_activation], dim=1)
        values["features.4.cat"] = features_4_cat.clone()
        features_5 = model.features[5](features_4_cat)
        features_6 = model.features[6](features_5)
        features_7 = model.features[7](features_6)
        features_8 = model.features[8](features_7)
        features_9 = model.features[9](features_8)
        features_10 = model.features[10](features_9)
        features_11 = model.features[11](features_10)
        features_12 = model.features[12](features_11)
        classifier_0 = model.classifier[0](features_12)
        classifier_1 = model.classifier[1](classifier_0)
        values["classifier.1"] = classifier_1.clone()
        classifier_2 = model.classifier[2](classifier_1)
        classifier_3 = model.classifier[3](classifier_2)
        flatten = torch.flatten(classifier_3, 1, -1)
        values["flatten"] = flatten
        return values


features = Extracted(model)
