"""What the device computes, on the host, to the bit: the same float32 normalisation, the int8
backbone through the AOT engine compiled for this computer (bit-exact with TFLM), and the float32
head summed in the device's order. Used to check a device (REPLAY) and to predict a new head."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from converter import tflm
from converter.aot.codegen import generate
from converter.aot.host import HostModel
from converter.emit import folded_input
from converter.head_blob import Head
from trainer.bundle import read_card
from trainer.windows import Normalizer


class DeviceModel:
    def __init__(self, bundle: Path):
        bundle = Path(bundle)
        flatbuffer = (bundle / "model_int8.tflite").read_bytes()
        self.card = read_card(bundle)
        normalizer = Normalizer.from_json(self.card["normalization"])
        self.quant = tflm.io_quantization(flatbuffer)
        self.mul, self.add = folded_input(normalizer, self.quant)
        self.window, self.hop = int(self.card["window"]), int(self.card["hop"])
        self.channels = list(self.card["channels"])
        self.backbone = HostModel(generate(flatbuffer))
        self.head = Head.from_bytes((bundle / "head.bin").read_bytes())
        self.model_hash = json.loads((bundle / "conversion.json").read_text())["model_hash"]

    def quantize(self, samples: np.ndarray) -> np.ndarray:
        x = np.asarray(samples, dtype=np.float32)
        v = x * self.mul + self.add                      # float32, no fused multiply-add
        q = np.floor(v + np.float32(0.5))
        q = np.where(v >= 127, 127, np.where(v <= -128, -128, q))
        q = np.where(np.isnan(v), self.quant["input_zero_point"], q)
        return q.astype(np.int8)

    def window_ends(self, n: int) -> np.ndarray:
        """Index of the last sample of each window the device estimates (first full window, then every hop)."""
        return np.arange(self.window - 1, n, self.hop)

    def embeddings(self, samples: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        q = self.quantize(samples)
        ends = self.window_ends(len(q))
        windows = np.stack([q[e - self.window + 1:e + 1] for e in ends]) if len(ends) else \
            np.zeros((0, self.window, len(self.channels)), np.int8)
        return ends, self.backbone.run(windows[:, :, None, :])

    def apply_head(self, embeddings: np.ndarray, head: Head | None = None) -> np.ndarray:
        head = head or self.head
        scale = np.float32(self.quant["output_scale"])
        x = (embeddings.astype(np.int32) - self.quant["output_zero_point"]).astype(np.float32) * scale
        angles = np.tile(head.bias.astype(np.float32), (len(x), 1))
        for e in range(x.shape[1]):  # the device's summation order, one float32 rounding per step
            angles = angles + x[:, e:e + 1] * head.kernel[e].astype(np.float32)
        return angles

    def run(self, samples: np.ndarray, head: Head | None = None):
        """(window end indices, angles float32 (m, K), embeddings int8 (m, E))."""
        ends, emb = self.embeddings(samples)
        return ends, self.apply_head(emb, head), emb
