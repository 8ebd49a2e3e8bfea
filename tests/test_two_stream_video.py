import numpy as np
import pytest

from keras_i3d import TwoStreamI3D
from keras_i3d.conventions import MIN_PIXELS_FOR_LOGITS
from keras_i3d.two_stream_video import predict_two_stream_video
from tests.video.corpus import moving_frames
from tests.video.corpus import write_video

SIZE = MIN_PIXELS_FOR_LOGITS  # the smallest crop the Logits head accepts


@pytest.fixture(scope="module")
def model():
    return TwoStreamI3D(weights=None, height=SIZE, width=SIZE)


def test_predicts_from_the_rgb_video_alone(tmp_path, model):
    video = write_video(tmp_path / "clip.mp4", moving_frames(12, 64, 80))
    outputs = predict_two_stream_video(
        video, model=model, num_frames=9, flow_method="farneback",
        short_side=SIZE, crop_size=SIZE,
    )
    assert set(outputs) == {"predictions", "rgb_logits", "flow_logits",
                            "num_frames"}
    assert outputs.pop("num_frames") == 9
    for value in outputs.values():
        assert value.shape == (1, 400)
    joint = outputs["rgb_logits"] + outputs["flow_logits"]
    expected = np.exp(joint - joint.max()) / np.exp(joint - joint.max()).sum()
    np.testing.assert_allclose(outputs["predictions"], expected, atol=1e-5)


def test_too_short_a_clip_is_refused_before_the_network(tmp_path, model):
    video = write_video(tmp_path / "short.mp4", moving_frames(5, 64, 80))
    with pytest.raises(ValueError, match="short.mp4: 5 frame.*at least 9"):
        predict_two_stream_video(
            video, model=model, flow_method="farneback",
            short_side=SIZE, crop_size=SIZE,
        )
