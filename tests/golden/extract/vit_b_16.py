# The values cat, encoder.layers.encoder_layer_5.add, encoder, select of VisionTransformer's forward (modtrace extract), replayed as it ran. features(x) gives {name: tensor}.
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
        values = dict.fromkeys(["cat", "encoder.layers.encoder_layer_5.add", "encoder", "select"])
        conv_proj = model.conv_proj(x)
        reshape = conv_proj.reshape(1, 768, 196)
        permute = reshape.permute(0, 2, 1)
        expand = model.class_token.expand(1, -1, -1)
        cat = torch.cat([expand, permute], dim=1)
        values["cat"] = cat.clone()
        encoder_add = (cat + model.encoder.pos_embedding)
        encoder_dropout = model.encoder.dropout(encoder_add)
        encoder_layers_encoder_layer_0 = model.encoder.layers.encoder_layer_0(encoder_dropout)
        encoder_layers_encoder_layer_1 = model.encoder.layers.encoder_layer_1(encoder_layers_encoder_layer_0)
        encoder_layers_encoder_layer_2 = model.encoder.layers.encoder_layer_2(encoder_layers_encoder_layer_1)
        encoder_layers_encoder_layer_3 = model.encoder.layers.encoder_layer_3(encoder_layers_encoder_layer_2)
        encoder_layers_encoder_layer_4 = model.encoder.layers.encoder_layer_4(encoder_layers_encoder_layer_3)
        encoder_layers_encoder_layer_5_ln_1 = model.encoder.layers.encoder_layer_5.ln_1(encoder_layers_encoder_layer_4)
        encoder_layers_encoder_layer_5_self_attention = model.encoder.layers.encoder_layer_5.self_attention(encoder_layers_encoder_layer_5_ln_1, encoder_layers_encoder_layer_5_ln_1, encoder_layers_encoder_layer_5_ln_1, need_weights=False)
        encoder_layers_encoder_layer_5_dropout = model.encoder.layers.encoder_layer_5.dropout(encoder_layers_encoder_layer_5_self_attention[0])
        encoder_layers_encoder_layer_5_add = (encoder_layers_encoder_layer_5_dropout + encoder_layers_encoder_layer_4)
        values["encoder.layers.encoder_layer_5.add"] = encoder_layers_encoder_layer_5_add.clone()
        encoder_layers_encoder_layer_5_ln_2 = model.encoder.layers.encoder_layer_5.ln_2(encoder_layers_encoder_layer_5_add)
        encoder_layers_encoder_layer_5_mlp = model.encoder.layers.encoder_layer_5.mlp(encoder_layers_encoder_layer_5_ln_2)
        encoder_layers_encoder_layer_5_add_1 = (encoder_layers_encoder_layer_5_add + encoder_layers_encoder_layer_5_mlp)
        encoder_layers_encoder_layer_6 = model.encoder.layers.encoder_layer_6(encoder_layers_encoder_layer_5_add_1)
        encoder_layers_encoder_layer_7 = model.encoder.layers.encoder_layer_7(encoder_layers_encoder_layer_6)
        encoder_layers_encoder_layer_8 = model.encoder.layers.encoder_layer_8(encoder_layers_encoder_layer_7)
        encoder_layers_encoder_layer_9 = model.encoder.layers.encoder_layer_9(encoder_layers_encoder_layer_8)
        encoder_layers_encoder_layer_10 = model.encoder.layers.encoder_layer_10(encoder_layers_encoder_layer_9)
        encoder_layers_encoder_layer_11 = model.encoder.layers.encoder_layer_11(encoder_layers_encoder_layer_10)
        encoder_ln = model.encoder.ln(encoder_layers_encoder_layer_11)
        values["encoder"] = encoder_ln.clone()
        select = encoder_ln.select(1, 0)
        values["select"] = select
        return values


features = Extracted(model)
