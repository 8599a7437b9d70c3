"""The head's basis: with femur + calcn the IMUs observe knee - ankle (femur pitch - calcn pitch, the
shank's pitch cancels), so the head keeps that difference at its classical estimate while
training and while a person's head is fitted, and the network infers only the shank."""
import numpy as np

from trainer.approaches import ExperimentConfig, physics_columns
from trainer.models import make_model
from trainer.models.head import EMBEDDING_NAME, HEAD_NAME, start_from_physics
from trainer.personalize import HeadPull, fit_head
from trainer.physics import head_basis, paired_physics
from trainer.tf_setup import seed_everything
from trainer.windows import Normalizer


def femur_calcn():
    config = ExperimentConfig(placements=("femur", "calcn"), side="r")
    targets = config.targets
    return config, targets.index("knee_angle_r"), targets.index("ankle_angle_r")


def test_the_pair_exists_only_when_the_shank_carries_no_imu():
    assert paired_physics(["femur_r", "calcn_r"], "r") == [
        ("knee_angle_r", "ankle_angle_r", {"femur_r_pitch": 1.0, "calcn_r_pitch": -1.0})]
    assert paired_physics(["femur_l", "tibia_l", "calcn_l"], "l") == []
    assert paired_physics(["femur_r"], "r") == []
    config, knee, ankle = femur_calcn()
    basis = head_basis(config.segments, "r", config.targets)
    y = np.random.default_rng(0).normal(size=(7, 5))
    z = y @ basis.mix
    np.testing.assert_allclose(z[:, ankle], (y[:, knee] - y[:, ankle]) / 2)
    np.testing.assert_allclose(z[:, knee], (y[:, knee] + y[:, ankle]) / 2)
    np.testing.assert_allclose(z @ np.linalg.inv(basis.mix), y)
    assert basis.observed == [True, False, False, False, True]  # hip flexion from the thigh, and the pair


def test_training_keeps_knee_minus_ankle_on_the_thigh_and_foot_pitch_alone():
    config, knee, ankle = femur_calcn()
    n_features = len(config.features)
    rng = np.random.default_rng(1)
    seed_everything(1)
    normalizer = Normalizer(np.zeros(n_features, np.float32), np.full(n_features, 2.0, np.float32))
    fixed = physics_columns(config, normalizer)
    model = make_model("edge", 64, n_features, 5, np.zeros(5), np.ones(5), config.physics_indices, fixed)
    x = rng.normal(size=(64, 64, 1, n_features)).astype(np.float32)
    y = rng.normal(size=(64, 5)).astype(np.float32) * 10
    start_from_physics(model, x[:, -1, 0, config.physics_indices], y)
    model.compile(optimizer="adam", loss="mse")
    model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    kernel = model.get_layer(HEAD_NAME).get_weights()[0]
    n_embedding = int(model.get_layer(EMBEDDING_NAME).output_shape[-1])
    difference = kernel[:, knee] - kernel[:, ankle]
    # No embedding weight on the difference: a network cannot move knee against ankle.
    assert np.abs(difference[:n_embedding]).max() < 1e-6
    physics = dict(zip(config.physics, difference[n_embedding:]))
    assert physics["femur_r_roll"] == 0 and physics["calcn_r_roll"] == 0
    # Its gains may be tuned from the start (+-1 per degree, i.e. +-std per normalised unit).
    assert 1.0 < physics["femur_r_pitch"] < 3.0 and -3.0 < physics["calcn_r_pitch"] < -1.0
    # The sum of knee and ankle (the shank) is the network's.
    assert np.abs(kernel[:n_embedding, knee] + kernel[:n_embedding, ankle]).max() > 1e-3


def test_a_persons_head_fit_keeps_the_observed_difference_and_finds_its_offset():
    config, knee, ankle = femur_calcn()
    basis = head_basis(config.segments, "r", config.targets)
    rng = np.random.default_rng(2)
    n, n_embedding = 400, 8
    embedding = rng.normal(size=(n, n_embedding))
    physics = rng.normal(size=(n, 4))  # femur pitch, femur roll, calcn pitch, calcn roll
    shank = embedding @ rng.normal(size=n_embedding)
    y = np.zeros((n, 5))
    y[:, 0] = physics[:, 0] + 3.0
    y[:, knee] = physics[:, 0] - shank + 4.0    # knee = femur - shank (+ this person's offset)
    y[:, ankle] = physics[:, 2] - shank - 1.0  # ankle = calcn - shank
    kernel0 = np.zeros((n_embedding + 4, 5), np.float32)
    kernel0[n_embedding, [0, knee]] = 1.0
    kernel0[n_embedding + 2, ankle] = 1.0
    kernel0[:n_embedding, knee] = kernel0[:n_embedding, ankle] = -np.linalg.lstsq(embedding, shank, rcond=None)[0]
    inputs = np.column_stack([embedding, physics])
    kernel, bias = fit_head(inputs, y, kernel0, np.zeros(5, np.float32), n_embedding, HeadPull(),
                            observed=basis.observed, mix=basis.mix)
    predicted = inputs @ kernel + bias
    # The person's knee - ankle offset (5 deg) is found from the labelled data...
    np.testing.assert_allclose((predicted[:, knee] - predicted[:, ankle]) - (y[:, knee] - y[:, ankle]), 0, atol=0.05)
    # ... and the network's read-out of the shank stays nearly where it was (held firmly: a few
    # labelled seconds cannot support a new one).
    np.testing.assert_allclose(kernel[:n_embedding, knee], kernel0[:n_embedding, knee], atol=0.02)
    # The difference's embedding weights are pulled toward the start (zero) like every observed
    # column's: a small leak at most.
    np.testing.assert_allclose(kernel[:n_embedding, knee], kernel[:n_embedding, ankle], atol=1e-3)


def test_a_multi_user_head_reads_observed_joints_as_physics_alone():
    """hold_at_physics: whatever training made of them, the observed columns become the classical
    estimate (gain 1, no embedding, the standing pose at zero inclination); the others keep theirs."""
    from trainer.models.head import hold_at_physics
    from trainer.physics import joint_physics

    config = ExperimentConfig(placements=("pelvis", "femur", "tibia", "calcn"), side="r")
    n_features = len(config.features)
    rng = np.random.default_rng(2)
    seed_everything(2)
    normalizer = Normalizer(rng.normal(size=n_features).astype(np.float32) * 3,
                            rng.uniform(1, 5, n_features).astype(np.float32))
    fixed = physics_columns(config, normalizer)
    model = make_model("edge", 64, n_features, 5, np.full(5, 7.0), np.ones(5), config.physics_indices, fixed)
    raw = rng.normal(size=(8, 64, n_features)).astype(np.float32) * 10
    x = normalizer.apply(raw)[:, :, None, :]
    start_from_physics(model, x[:, -1, 0, config.physics_indices], rng.normal(size=(8, 5)) * 10 + 6)
    head = model.get_layer(HEAD_NAME)
    kernel, bias = head.get_weights()
    head.set_weights([kernel * 0.9, bias + 5.0])  # what training on a few people does to them
    rotation_before = model.predict(x, verbose=0)[:, config.targets.index("hip_rotation_r")]
    zero = normalizer.apply(np.zeros((1, n_features), np.float32))[0, config.physics_indices]
    hold_at_physics(model, zero, 0.0)
    out = model.predict(x, verbose=0)
    newest = dict(zip(config.features, raw[:, -1].T))
    for joint, weights in joint_physics(config.segments, "r").items():
        expected = sum(w * newest[f] for f, w in weights.items())
        np.testing.assert_allclose(out[:, config.targets.index(joint)], expected, atol=1e-3)
    np.testing.assert_allclose(out[:, config.targets.index("hip_rotation_r")], rotation_before, atol=1e-4)
