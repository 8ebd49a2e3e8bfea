"""The keras-hub preset that publish.py writes, loaded offline with the real
Kinetics-400 weights and compared with `keras_i3d.I3D` on a real clip."""

import os
import subprocess
import sys

import numpy as np
import pytest

keras_hub = pytest.importorskip("keras_hub", reason='the [hub] extra: pip install "keras-i3d[hub]"')

import keras_i3d  # noqa: E402
from keras_i3d import hub  # noqa: E402
from keras_i3d.data.video_clips import load_video_clips  # noqa: E402
from keras_i3d.weights import records  # noqa: E402
from weights_conversion import publish  # noqa: E402

RECORD = records.I3D_RGB_KINETICS400_TFHUB
# 48 frames: 6 time steps at Mixed_5c, where I3D's head and a global
# average pool weigh the steps differently.
CLIP_FRAMES = 48


@pytest.fixture(scope="module")
def preset(installed_kinetics400, tmp_path_factory):
    out = tmp_path_factory.mktemp("preset") / RECORD.name
    return publish.write_repository(RECORD, installed_kinetics400.path, out)


@pytest.fixture(scope="module")
def uint8_clip(arm_wrestling_mp4):
    frames = load_video_clips(arm_wrestling_mp4, stream="rgb", num_frames=CLIP_FRAMES).rgb
    assert frames.shape == (CLIP_FRAMES, 224, 224, 3)
    return frames[None]


def test_backbone_from_preset_has_the_exact_weights(preset, installed_kinetics400, uint8_clip):
    backbone = keras_hub.models.Backbone.from_preset(str(preset))
    features = keras_i3d.I3D(weights="kinetics400", include_top=False)
    clip = keras_i3d.preprocess_input(uint8_clip)

    assert type(backbone) is hub.I3DBackbone
    np.testing.assert_array_equal(
        backbone.predict(clip, verbose=0), features.predict(clip, verbose=0)
    )


def test_video_classifier_from_preset_predicts_like_keras_i3d(
    preset, installed_kinetics400, uint8_clip
):
    classifier = hub.VideoClassifier.from_preset(str(preset))
    model = keras_i3d.I3D(weights="kinetics400", classifier_activation=None)

    logits = classifier.predict(uint8_clip, verbose=0)  # uint8 in: the preprocessor scales
    expected = model.predict(keras_i3d.preprocess_input(uint8_clip), verbose=0)

    assert type(classifier) is hub.I3DVideoClassifier
    assert logits.shape == (1, RECORD.classes)
    np.testing.assert_array_equal(np.argsort(-logits[0])[:5], np.argsort(-expected[0])[:5])
    assert np.abs(logits - expected).max() < 1e-4 * np.abs(expected).max()
    top1 = keras_i3d.decode_predictions(logits, top=1)[0][0]
    assert "wrestling" in str(top1)


def test_preset_loads_in_a_new_offline_process(preset, tmp_path):
    script = (
        "import keras_hub\n"
        "import keras_i3d\n"
        f"backbone = keras_hub.models.Backbone.from_preset(r'{preset}')\n"
        f"task = keras_i3d.hub.VideoClassifier.from_preset(r'{preset}')\n"
        "print(type(backbone).__name__, type(task).__name__, task.num_classes)\n"
    )
    env = dict(
        os.environ, HF_HUB_OFFLINE="1", TF_CPP_MIN_LOG_LEVEL="3", KERAS_I3D_HOME=str(tmp_path)
    )  # nothing installed there: the preset folder alone
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr
    assert "I3DBackbone I3DVideoClassifier 400" in result.stdout
