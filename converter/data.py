"""The windows a conversion needs, rebuilt from the data set the bundle's card names.

Calibration (representative data, QAT fine-tuning) uses the training subjects' windows only;
accuracy checks use the bundle subject's test part — the same windows training scored.
"""
from __future__ import annotations

import numpy as np

from trainer.approaches import ExperimentConfig, scoring_windows, windows
from trainer.data.errors import DataError
from trainer.data.store import Dataset
from trainer.windows import Examples, Normalizer


def _dataset(card: dict) -> tuple[Dataset, ExperimentConfig]:
    folder = card.get("provenance", {}).get("dataset")
    if not folder:
        raise DataError("card.json", "no provenance.dataset: cannot find the training data", column="provenance")
    try:
        return Dataset(folder), ExperimentConfig.from_json(card["training"]["config"])
    except DataError as exc:
        raise DataError("card.json", f"the training data set named by the card is not readable ({exc})",
                        column="provenance") from None


def calibration_windows(card: dict, normalizer: Normalizer, limit: int, seed: int = 0) -> Examples:
    """Windows from exactly the data the model was trained on (the card's `training.portions`):
    never the bundle subject's test part."""
    dataset, config = _dataset(card)
    portions = card["training"].get("portions")
    if not portions:
        raise DataError("card.json", "no training.portions: cannot tell which data trained the model",
                        column="training")
    examples = Examples.concat([windows(config, dataset.load(subjects={s}), lo, hi, config.train_hop)
                                for s, (lo, hi) in sorted(portions.items())])
    pick = np.random.default_rng(seed).permutation(len(examples))[:limit]
    pick.sort()
    return Examples(normalizer.apply(examples.x[pick]), examples.y[pick], examples.subject[pick], examples.trial[pick])


def held_out_windows(card: dict, normalizer: Normalizer, every: int = 1) -> Examples:
    dataset, config = _dataset(card)
    test = scoring_windows(config, dataset.load(subjects={card["subject"]}))
    keep = slice(None, None, every)
    return Examples(normalizer.apply(test.x[keep]), test.y[keep], test.subject[keep], test.trial[keep])
