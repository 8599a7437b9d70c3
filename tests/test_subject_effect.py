"""The seed paper's central effect must be reproducible on the synthetic data: a model trained on
other people estimates a new person's angles worse than one trained on that person's own data."""
from trainer.synth.generate import default_trials, synthesize_subject
from trainer.synth.realism import subject_effect


def test_other_people_model_is_worse_than_own_model():
    people = [synthesize_subject(7, i, default_trials(1.0)) for i in range(6)]
    effect = subject_effect(people)
    assert effect["others_mean"] > 2.0 * effect["own_mean"], effect
    # Not an average hiding exceptions: it holds for nearly every person.
    assert sum(o > s for o, s in zip(effect["others_rmse_deg"], effect["own_rmse_deg"])) >= 5
