"""Two-stream I3D from a raw RGB video: both streams' inputs, flow on the fly.

`load_video_clips` turns a video into the inputs of both streams (also used
by feature extraction); `predict_two_stream_video` classifies a video with
`TwoStreamI3D` from its RGB frames alone, computing TV-L1 flow itself.

The evaluation chain of the checkpoints: frames resampled to 25 fps, short
side resized to 256, TV-L1 flow computed on those frames (grayscale), then
the same central 224 x 224 crop of both streams. The result is not scaled:
`keras_i3d.preprocess_input` maps RGB and flow to `[-1, 1]`.
"""

import numpy as np

from keras_i3d.conventions import CROP_SIZE
from keras_i3d.conventions import MIN_FRAMES_FOR_LOGITS
from keras_i3d.conventions import RESIZE_SHORT_SIDE
from keras_i3d.conventions import TARGET_FPS
from keras_i3d.flow.methods import DEFAULT_FLOW_METHOD
from keras_i3d.data.video_clips import load_video_clips
from keras_i3d.preprocessing import preprocess_input


def predict_two_stream_video(
    path,
    model=None,
    weights="kinetics400",
    fps=TARGET_FPS,
    start_time=0.0,
    num_frames=None,
    flow_method=DEFAULT_FLOW_METHOD,
    short_side=RESIZE_SHORT_SIDE,
    crop_size=CROP_SIZE,
):
    """Classifies a video with `TwoStreamI3D` from its RGB frames alone.

    The video is decoded at 25 fps, resized to a short side of 256, TV-L1
    flow is computed on those frames, both streams are centre-cropped to
    224 and scaled to `[-1, 1]`, and the whole clip (every frame, as in
    DeepMind's `evaluate_sample.py`) goes through the network at once.
    TV-L1 takes 1 to 2.5 s per frame at 340 x 256 on one CPU core: give
    `num_frames` (e.g. 79, DeepMind's sample length, or 64) to bound it.

    Args:
        path: a video file, GIF or image folder.
        model: a `keras_i3d.TwoStreamI3D` to reuse; built from `weights`
            when None.
        weights: the weights of a model built here (`"kinetics400"`, or
            None for random weights).
        fps: the frame rate to resample the video to.
        start_time: seconds into the video where the clip starts.
        num_frames: the most frames to use (None: the whole video). At
            least `keras_i3d.conventions.MIN_FRAMES_FOR_LOGITS` are needed.
        flow_method: `"tvl1"` (default, what the flow checkpoint was
            trained on) or `"farneback"` (a fast approximation).
        short_side: the short side frames are resized to before the flow
            and the crop (the checkpoints' 256 unless you know why).
        crop_size: the side of the central crop (224 for the checkpoints;
            at least `MIN_PIXELS_FOR_LOGITS`).

    Returns:
        A dict of numpy arrays, each of shape `(1, classes)`:
        `"predictions"` (softmax of the summed logits), `"rgb_logits"` and
        `"flow_logits"`; pass `"predictions"` to
        `keras_i3d.decode_predictions`. `"num_frames"` (an int) is the
        clip's length.

    Raises:
        keras_i3d.video.VideoReadError: the video cannot be decoded.
        keras_i3d.flow.FlowError: the video has a single frame.
        ValueError: the clip is too short for the Logits head.

    Example:

    >>> from keras_i3d import decode_predictions
    >>> outputs = predict_two_stream_video("v.mp4", num_frames=79)  # doctest: +SKIP
    >>> decode_predictions(outputs["predictions"], top=1)  # doctest: +SKIP
    [[(227, 'playing cricket', 0.99...)]]
    """
    clips = load_video_clips(
        path,
        streams=("rgb", "flow"),
        fps=fps,
        start_time=start_time,
        num_frames=num_frames,
        flow_method=flow_method,
        short_side=short_side,
        crop_size=crop_size,
    )
    if clips.num_frames < MIN_FRAMES_FOR_LOGITS:
        raise ValueError(
            f"{clips.path}: {clips.num_frames} frame(s) at {clips.fps:g} fps; "
            f"two-stream I3D needs at least {MIN_FRAMES_FOR_LOGITS}."
        )
    if model is None:
        from keras_i3d.models.two_stream import TwoStreamI3D

        model = TwoStreamI3D(weights=weights, height=crop_size, width=crop_size)
    rgb = preprocess_input(clips.rgb[None], stream="rgb")
    flow = preprocess_input(clips.flow[None], stream="flow")
    outputs = model.predict_on_batch([rgb, flow])
    outputs = {name: np.asarray(value) for name, value in outputs.items()}
    outputs["num_frames"] = clips.num_frames
    return outputs
