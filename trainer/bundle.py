"""The model bundle: one folder holding everything a later stage needs from training.

    model.keras   the float Keras model (backbone + head)
    card.json     what the model expects and produces: IMU segments and channel order, sample
                  rate, window, hop, normalisation, outputs and units, approach, data provenance,
                  metrics, model hash
    head.npz      the head's float32 kernel ((embedding + physics inputs) x outputs) and bias:
                  what a device can receive over serial without reflashing
    calibration.json  the label-free sensor-to-segment calibration of the person the bundle is for
                  (when it is for one): what `kinedge predict` and the device use with it
"""
from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import numpy as np

from .data.atomic import atomic_dir
from .data.errors import DataError
from .frontend import FEATURES_PER_IMU
from .models.head import EMBEDDING_NAME, HEAD_NAME
from .tf_setup import keras
from .windows import Normalizer

# 3: the front-end's inclination became VQF's filter (firmware/frontend/inclination.c); a model
# trained on version 2's features (Fusion AHRS) would read slightly different inputs.
CARD_VERSION = 3
CARD_FIELDS = ("card_version", "model", "approach", "segments", "channels", "features", "physics", "sample_rate",
               "window", "hop", "normalization", "outputs", "embedding_size", "model_hash")
CALIBRATION_FILE = "calibration.json"


def weights_hash(model) -> str:
    """SHA-256 over every weight array in layer order: the same weights, the same hash."""
    digest = hashlib.sha256()
    for w in model.get_weights():
        digest.update(np.ascontiguousarray(w, dtype=np.float32).tobytes())
    return digest.hexdigest()


def make_card(config, trained, sample_rate: float, provenance: dict, metrics: dict | None) -> dict:
    model = trained.model
    return {
        "card_version": CARD_VERSION,
        "model": config.model,
        "approach": trained.approach,
        "subject": trained.subject,
        "segments": config.segments,
        "channels": config.channels,
        # What the front-end (firmware/frontend) makes of the channels, and what the network reads.
        "features": config.features,
        "physics": config.physics,
        "frontend": {"features_per_imu": FEATURES_PER_IMU, "inclination": "VQF 6-axis, 3 s accelerometer time constant"},
        "sample_rate": float(sample_rate),
        "window": config.window,
        "hop": config.hop,
        "normalization": trained.normalizer.to_json(),
        "outputs": [{"name": name, "unit": "deg"} for name in config.targets],
        "embedding_size": int(model.get_layer(EMBEDDING_NAME).output_shape[-1]),
        "training": {"train_subjects": trained.train_subjects, "val_subjects": trained.val_subjects,
                     "config": config.to_json(), "epochs_run": len(trained.history.get("loss", [])),
                     "target_std": [float(v) for v in model.target_std],
                     # The scale of each head input in training: what personalisation's pulls mean.
                     "head_input_rms": [float(v) for v in model.head_input_rms],
                     "portions": {s: [float(lo), float(hi)] for s, (lo, hi) in trained.train_portions.items()}},
        "provenance": provenance,
        "metrics": metrics,
        "parameters": int(model.count_params()),
        "model_hash": weights_hash(model),
        "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }


def write_bundle(folder: Path, model, card: dict, calibration=None) -> Path:
    with atomic_dir(Path(folder), overwrite=True) as tmp:
        model.save(tmp / "model.keras")
        kernel, bias = model.get_layer(HEAD_NAME).get_weights()
        np.savez(tmp / "head.npz", kernel=kernel.astype(np.float32), bias=bias.astype(np.float32))
        (tmp / "card.json").write_text(json.dumps(card, indent=1))
        if calibration is not None:
            (tmp / CALIBRATION_FILE).write_text(json.dumps(calibration.to_json(), indent=1, default=float))
    return Path(folder)


def read_calibration(folder: Path):
    """The bundle's person calibration, or None when it is for nobody in particular."""
    from .calibration import Calibration

    path = Path(folder) / CALIBRATION_FILE
    if not path.exists():
        return None
    try:
        return Calibration.from_json(json.loads(path.read_text()))
    except (json.JSONDecodeError, KeyError, ValueError) as exc:
        raise DataError(path, f"not a calibration ({exc})") from None


def read_card(folder: Path) -> dict:
    path = Path(folder) / "card.json"
    if not path.exists():
        raise DataError(folder, "not a model bundle: no card.json")
    try:
        card = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise DataError(path, f"not valid JSON ({exc})") from None
    for name in CARD_FIELDS:
        if name not in card:
            raise DataError(path, "missing field", column=name)
    if card["card_version"] != CARD_VERSION:
        raise DataError(path, f"card version {card['card_version']} is not {CARD_VERSION}: the bundle was made by "
                              f"another kinedge; train it again", column="card_version")
    if len(card["normalization"]["mean"]) != len(card["features"]):
        raise DataError(path, f"normalization has {len(card['normalization']['mean'])} channels, "
                              f"card lists {len(card['features'])} features", column="normalization")
    return card


def load_bundle(folder: Path):
    """(model, card, normalizer) of a bundle, checking that the model is the one the card describes."""
    card = read_card(folder)
    model_path = Path(folder) / "model.keras"
    if not model_path.exists():
        raise DataError(folder, "model bundle has no model.keras")
    model = keras.models.load_model(model_path, compile=False)
    if weights_hash(model) != card["model_hash"]:
        raise DataError(model_path, "weights do not match the card's model_hash (bundle edited or mixed up)")
    return model, card, Normalizer.from_json(card["normalization"])
