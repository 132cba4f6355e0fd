# The faithful Sequential of VisionTransformer (modtrace fix): its children in call order, its own ops replayed between them; fixed(x) gives model(x).
import torch
from torch import nn
import torch.nn.functional as F


class Replay(nn.Module):
    """An op of the model's own forward, replayed (printed by modtrace fix)."""

    def __init__(self, fn, text):
        super().__init__()
        self.fn, self.text = fn, text

    def forward(self, x):
        return self.fn(x)

    def extra_repr(self):
        return self.text


fixed = nn.Sequential(
    model.conv_proj,
    Replay(lambda x: x.reshape(1, 768, 196), "reshape(shape=[1, 768, 196])"),
    Replay(lambda x: x.permute(0, 2, 1), "permute(dims=[0, 2, 1])"),
    Replay(lambda x: torch.cat([model.class_token.expand(1, -1, -1), x], dim=1), "expand(size=[1, -1, -1]), cat(dim=1)"),
    model.encoder,
    Replay(lambda x: x.select(1, 0), "select(dim=1, index=0)"),
    model.heads,
)
