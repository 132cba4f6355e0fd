# The values features.10, avgpool, flatten, classifier.3 of VGG's forward (modtrace extract), replayed as it ran. features(x) gives {name: tensor}.
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
        values = dict.fromkeys(["features.10", "avgpool", "flatten", "classifier.3"])
        features_0 = model.features[0](x)
        features_1 = model.features[1](features_0)
        features_2 = model.features[2](features_1)
        features_3 = model.features[3](features_2)
        features_4 = model.features[4](features_3)
        features_5 = model.features[5](features_4)
        features_6 = model.features[6](features_5)
        features_7 = model.features[7](features_6)
        features_8 = model.features[8](features_7)
        features_9 = model.features[9](features_8)
        features_10 = model.features[10](features_9)
        values["features.10"] = features_10.clone()
        features_11 = model.features[11](features_10)
        features_12 = model.features[12](features_11)
        features_13 = model.features[13](features_12)
        features_14 = model.features[14](features_13)
        features_15 = model.features[15](features_14)
        features_16 = model.features[16](features_15)
        features_17 = model.features[17](features_16)
        features_18 = model.features[18](features_17)
        features_19 = model.features[19](features_18)
        features_20 = model.features[20](features_19)
        avgpool = model.avgpool(features_20)
        values["avgpool"] = avgpool.clone()
        flatten = torch.flatten(avgpool, 1, -1)
        values["flatten"] = flatten.clone()
        classifier_0 = model.classifier[0](flatten)
        classifier_1 = model.classifier[1](classifier_0)
        classifier_2 = model.classifier[2](classifier_1)
        classifier_3 = model.classifier[3](classifier_2)
        values["classifier.3"] = classifier_3
        return values


features = Extracted(model)
