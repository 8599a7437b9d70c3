"""What the device computes, on the host, to the bit: the same front-end (firmware/frontend compiled
for this computer) with the person calibration, the same float32 normalisation, the int8 backbone
through the AOT engine compiled for this computer (bit-exact with TFLM), and the float32 head summed
in the device's order. Used to check a device (REPLAY), to predict a new head and to fit one."""
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
from trainer.calibration import Calibration
from trainer.frontend import run_frontend
from trainer.windows import Normalizer, device_ends


class DeviceModel:
    def __init__(self, bundle: Path):
        bundle = Path(bundle)
        flatbuffer = (bundle / "model_int8.tflite").read_bytes()
        self.card = read_card(bundle)
        self.normalizer = Normalizer.from_json(self.card["normalization"])
        self.quant = tflm.io_quantization(flatbuffer)
        self.mul, self.add = folded_input(self.normalizer, self.quant)
        self.window, self.hop = int(self.card["window"]), int(self.card["hop"])
        self.segments = list(self.card["segments"])
        self.channels = list(self.card["channels"])
        self.features = list(self.card["features"])
        self.physics_index = [self.features.index(name) for name in self.card["physics"]]
        self.rate = float(self.card["sample_rate"])
        self.backbone = HostModel(generate(flatbuffer))
        self.head = Head.from_bytes((bundle / "head.bin").read_bytes())
        self.model_hash = json.loads((bundle / "conversion.json").read_text())["model_hash"]

    def frontend(self, samples: np.ndarray, calibration: Calibration | None) -> np.ndarray:
        """Raw samples (n, channels) → the front-end's features, as the device makes them with
        `calibration` (None: the nominal mounting a device starts with)."""
        calibration = (calibration or Calibration.identity(self.segments)).select(self.segments)
        return run_frontend(np.asarray(samples, np.float32), calibration.as_array(), self.rate)

    def quantize(self, features: np.ndarray) -> np.ndarray:
        x = np.asarray(features, dtype=np.float32)
        v = x * self.mul + self.add                      # float32, no fused multiply-add
        q = np.floor(v + np.float32(0.5))
        q = np.where(v >= 127, 127, np.where(v <= -128, -128, q))
        q = np.where(np.isnan(v), self.quant["input_zero_point"], q)
        return q.astype(np.int8)

    def physics(self, features: np.ndarray) -> np.ndarray:
        """The head's physics inputs of each sample: (x - mean) / std in float32 (normalize.c)."""
        i = self.physics_index
        return ((features[:, i] - self.normalizer.mean[i]) / self.normalizer.std[i]).astype(np.float32)

    def window_ends(self, n: int) -> np.ndarray:
        """Index of the last sample of each window the device estimates (first full window, then every hop)."""
        return device_ends(n, self.window, self.hop)

    def embeddings(self, samples: np.ndarray, calibration: Calibration | None = None):
        """(window ends, int8 embeddings (m, E), physics inputs (m, P)) of raw samples."""
        features = self.frontend(samples, calibration)
        q = self.quantize(features)
        ends = self.window_ends(len(q))
        windows = np.stack([q[e - self.window + 1:e + 1] for e in ends]) if len(ends) else \
            np.zeros((0, self.window, len(self.features)), np.int8)
        return ends, self.backbone.run(windows[:, :, None, :]), self.physics(features)[ends]

    def dequantized(self, embeddings: np.ndarray) -> np.ndarray:
        scale = np.float32(self.quant["output_scale"])
        return (embeddings.astype(np.int32) - self.quant["output_zero_point"]).astype(np.float32) * scale

    def apply_head(self, embeddings: np.ndarray, physics: np.ndarray, head: Head | None = None) -> np.ndarray:
        head = head or self.head
        x = self.dequantized(embeddings)
        angles = np.tile(head.bias.astype(np.float32), (len(x), 1))
        kernel = head.kernel.astype(np.float32)
        # The device's summation order, one float32 rounding per step: embedding, then physics.
        for e in range(x.shape[1]):
            angles = angles + x[:, e:e + 1] * kernel[e]
        for p in range(physics.shape[1]):
            angles = angles + physics[:, p:p + 1] * kernel[x.shape[1] + p]
        return angles

    def run(self, samples: np.ndarray, head: Head | None = None, calibration: Calibration | None = None):
        """(window end indices, angles float32 (m, K), embeddings int8 (m, E))."""
        ends, emb, physics = self.embeddings(samples, calibration)
        return ends, self.apply_head(emb, physics, head), emb
