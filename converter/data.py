"""The windows a conversion needs, rebuilt from the data set the bundle's card names, through the
same calibration and front-end that trained the model (trainer.approaches.People).

Calibration (representative data, QAT fine-tuning) uses the training subjects' windows only, as
they were trained on (augmented copies included); accuracy checks use the bundle subject's test
part — the same windows training scored.
"""
from __future__ import annotations

import numpy as np

from trainer.approaches import ExperimentConfig, People, scoring_windows, windows
from trainer.data.errors import DataError
from trainer.data.store import Dataset
from trainer.windows import Examples, Normalizer


def _people(card: dict) -> tuple[People, ExperimentConfig]:
    folder = card.get("provenance", {}).get("dataset")
    if not folder:
        raise DataError("card.json", "no provenance.dataset: cannot find the training data", column="provenance")
    try:
        dataset, config = Dataset(folder), ExperimentConfig.from_json(card["training"]["config"])
    except DataError as exc:
        raise DataError("card.json", f"the training data set named by the card is not readable ({exc})",
                        column="provenance") from None
    return People({s: dataset.load(subjects={s}) for s in dataset.subjects}, config), config


def calibration_windows(card: dict, normalizer: Normalizer, limit: int, seed: int = 0) -> Examples:
    """Windows from exactly the data the model was trained on (the card's `training.portions`):
    never the bundle subject's test part."""
    people, config = _people(card)
    portions = card["training"].get("portions")
    if not portions:
        raise DataError("card.json", "no training.portions: cannot tell which data trained the model",
                        column="training")
    parts = []
    for s, (lo, hi) in sorted(portions.items()):
        # The whole-trial portions of multi-user training include the augmented copies.
        recordings = people.training_set([s]) if (lo, hi) == (0.0, 1.0) else people.featurized(s)
        parts.append(windows(config, recordings, lo, hi, config.train_hop))
    examples = Examples.concat(parts)
    pick = np.random.default_rng(seed).permutation(len(examples))[:limit]
    pick.sort()
    return Examples(normalizer.apply(examples.x[pick]), examples.y[pick], examples.subject[pick], examples.trial[pick])


def held_out_windows(card: dict, normalizer: Normalizer, every: int = 1) -> Examples:
    people, config = _people(card)
    test = scoring_windows(config, people.featurized(card["subject"]))
    keep = slice(None, None, every)
    return Examples(normalizer.apply(test.x[keep]), test.y[keep], test.subject[keep], test.trial[keep])
