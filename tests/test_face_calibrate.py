"""The calibration bench's threshold rule, on made-up distances (the real run is bench/face_calibrate.py)."""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import face_calibrate  # noqa: E402


def test_rates_count_at_or_below_the_threshold_as_accepted():
    genuine, impostor = np.array([0.30, 0.40, 0.50]), np.array([0.40, 0.70, 0.80, 0.90])
    far, frr = face_calibrate.rates(genuine, impostor, 0.40)
    assert far == 0.25 and frr == 1 / 3


def test_largest_threshold_under_the_far_target_and_below_0_6():
    genuine = np.linspace(0.2, 0.6, 50)
    impostor = np.concatenate([np.full(2000, 0.9), [0.455]])     # one impostor at 0.455: FAR 0.05 %
    assert face_calibrate.choose_threshold(genuine, impostor) == 0.59   # 1/2001 <= 0.1 %, and < 0.6
    impostor = np.concatenate([np.full(500, 0.9), [0.455]])      # 1/501 = 0.2 % above 0.455
    assert face_calibrate.choose_threshold(genuine, impostor) == 0.45


def test_the_east_asian_subset_must_meet_the_target_on_its_own():
    genuine = np.linspace(0.2, 0.6, 50)
    east_asian = np.array([0.47, 0.8, 0.8, 0.8])                 # few pairs: one accept = 25 %
    impostor = np.concatenate([np.full(14000, 0.9), east_asian])
    assert face_calibrate.choose_threshold(genuine, impostor) == 0.59          # pooled: 1/14004
    assert face_calibrate.choose_threshold(genuine, impostor, east_asian) == 0.46


def test_attempt_level_takes_the_best_photo_of_each_person():
    ref = face_calibrate.Sample("a", "lfw", "a0")
    ref.chip = np.zeros(128)
    same = face_calibrate.Sample("a", "lfw", "a1")
    same.probe = np.full(128, 0.05)                                  # distance 0.566
    same2 = face_calibrate.Sample("a", "lfw", "a2")
    same2.probe = np.full(128, 0.03)                                 # distance 0.339
    other = face_calibrate.Sample("b", "lfw", "b0")
    other.probe = np.full(128, 0.04)                                 # distance 0.453
    genuine, impostor, east_asian = face_calibrate.attempt_pairs([ref, same, same2, other])
    assert np.allclose(genuine, [0.03 * np.sqrt(128)]) and np.allclose(impostor, [0.04 * np.sqrt(128)])
    assert len(east_asian) == 0


def test_further_impostor_sets_must_meet_the_target_too():
    """Same-sex pairs and attempts: the kiosk's rule is stricter than the pair rule."""
    genuine = np.linspace(0.2, 0.6, 50)
    impostor = np.full(100000, 0.9)
    attempts = np.array([0.52] + [0.9] * 99)                           # 1 % of attempts accepted above 0.52
    assert face_calibrate.choose_threshold(genuine, impostor) == 0.59
    assert face_calibrate.choose_threshold(genuine, impostor, also=(attempts,)) == 0.51


def test_pairs_from_a_distance_matrix_split_by_group():
    samples = [face_calibrate.Sample(i, g, f"{i}{n}", east_asian=g != "lfw")
               for i, g, n in (("a", "lfw", 0), ("a", "lfw", 1), ("b", "x", 0), ("c", "x", 0))]
    for sample in samples:
        sample.chip = sample.probe = np.ones(2)
    matrix = np.array([[np.inf, 0.1, 0.5, 0.6], [0.2, np.inf, 0.7, 0.8],
                       [0.3, 0.4, np.inf, 0.9], [0.35, 0.45, 0.95, np.inf]])
    genuine, impostor, east_asian = face_calibrate.make_pairs(samples, matrix)
    assert sorted(genuine) == [0.1, 0.2]
    assert sorted(east_asian) == [0.9, 0.95]
    assert len(impostor) == 10
