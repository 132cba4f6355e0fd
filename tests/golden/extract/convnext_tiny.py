# The values features.1.0.mul, features.1.0.add, features.5.3.block, classifier.1 of ConvNeXt's forward (modtrace extract), replayed as it ran. features(x) gives {name: tensor}.
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
        values = dict.fromkeys(["features.1.0.mul", "features.1.0.add", "features.5.3.block", "classifier.1"])
        features_0 = model.features[0](x)
        features_1_0_block = model.features[1][0].block(features_0)
        features_1_0_mul = (model.features[1][0].layer_scale * features_1_0_block)
        values["features.1.0.mul"] = features_1_0_mul.clone()
        features_1_0_stochastic_depth = model.features[1][0].stochastic_depth(features_1_0_mul)
        features_1_0_add = (features_1_0_stochastic_depth + features_0)
        values["features.1.0.add"] = features_1_0_add.clone()
        features_1_1 = model.features[1][1](features_1_0_add)
        features_1_2 = model.features[1][2](features_1_1)
        features_2 = model.features[2](features_1_2)
        features_3 = model.features[3](features_2)
        features_4 = model.features[4](features_3)
        features_5_0 = model.features[5][0](features_4)
        features_5_1 = model.features[5][1](features_5_0)
        features_5_2 = model.features[5][2](features_5_1)
        features_5_3_block = model.features[5][3].block(features_5_2)
        values["features.5.3.block"] = features_5_3_block.clone()
        features_5_3_mul = (model.features[5][3].layer_scale * features_5_3_block)
        features_5_3_stochastic_depth = model.features[5][3].stochastic_depth(features_5_3_mul)
        features_5_3_add = (features_5_3_stochastic_depth + features_5_2)
        features_5_4 = model.features[5][4](features_5_3_add)
        features_5_5 = model.features[5][5](features_5_4)
        features_5_6 = model.features[5][6](features_5_5)
        features_5_7 = model.features[5][7](features_5_6)
        features_5_8 = model.features[5][8](features_5_7)
        features_6 = model.features[6](features_5_8)
        features_7 = model.features[7](features_6)
        avgpool = model.avgpool(features_7)
        classifier_0 = model.classifier[0](avgpool)
        classifier_1 = model.classifier[1](classifier_0)
        values["classifier.1"] = classifier_1
        return values


features = Extracted(model)
