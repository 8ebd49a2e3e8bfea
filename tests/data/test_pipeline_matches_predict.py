"""The tf.data pipeline and `keras-i3d predict` agree on the real samples."""

import numpy as np
import pytest

from keras_i3d import I3D
from keras_i3d.data import SkippedVideos
from keras_i3d.data import VideoSample
from keras_i3d.data import video_dataset
from keras_i3d.tasks import classify_video


@pytest.fixture(scope="module")
def logits_model(installed_kinetics400):
    return I3D(weights="kinetics400", classifier_activation=None)


def test_pipeline_top1_equals_predict_top1(logits_model, shared_data, arm_wrestling_mp4, tmp_path):
    paths = [arm_wrestling_mp4, shared_data("tiny-ucf101/abseiling_k400.mp4")]
    corrupt = tmp_path / "corrupt.mp4"
    corrupt.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(500))
    samples = [VideoSample(path=str(p), label=i) for i, p in enumerate(paths)]
    samples.insert(1, VideoSample(path=str(corrupt), label=9))
    skipped = SkippedVideos()
    dataset = video_dataset(
        samples, sampling="whole", batch_size=None, deterministic=True, skipped=skipped
    )
    pipeline_top1 = []
    for clip, label in dataset:
        logits = logits_model.predict(clip[None], verbose=0)[0]
        pipeline_top1.append((int(label), int(np.argmax(logits))))
    assert [label for label, _ in pipeline_top1] == [0, 1]
    assert skipped.paths == [str(corrupt)]
    for (label, top1), path in zip(pipeline_top1, paths):
        predicted = classify_video(path, model=logits_model, top=1)
        assert predicted.top[0].index == top1
    assert [top1 for _, top1 in pipeline_top1] == [6, 0]  # arm wrestling, abseiling
