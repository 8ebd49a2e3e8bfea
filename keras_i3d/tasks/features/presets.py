"""The feature conventions of published work, by name.

Each preset is a set of `FeatureSettings` fields; docs/features.md says what
each one matches exactly and what it cannot.

* `activitynet`: 16 frames at 25 fps, stride 16 (ActionFormer's I3D option);
* `thumos14`: 16-frame windows, stride 4, native fps; RGB and flow
  concatenated to 2048-d (needs flow weights);
* `video_features`: v-iashin/video_features' RGB pipeline: native fps, PIL
  bilinear short side 256, centre 224 crop, 64-frame stacks every 64, the
  incomplete last one dropped, AvgPool (2,7,7) then the mean over time;
* `piergiaj`: piergiaj/pytorch-i3d's per-time-step `Mixed_5c` features,
  AvgPool (2,7,7) stride 1, one vector per time step, native fps.
"""

PRESETS = {
    "activitynet": dict(window=16, stride=16, fps=25.0),
    "thumos14": dict(
        window=16,
        stride=4,
        fps=None,
        streams=("rgb", "flow"),
        concat_streams=True,
    ),
    "video_features": dict(
        window=64,
        stride=64,
        fps=None,
        short_side=256,
        crop_size=224,
        resize="pil_bilinear",
        loop_short=False,
        pooling="avgpool_2x7x7",
        endpoint="Mixed_5c",
    ),
    "piergiaj": dict(
        window=64,
        stride=64,
        fps=None,
        pooling="avgpool_2x7x7_steps",
        endpoint="Mixed_5c",
    ),
}
# Presets whose convention includes the flow stream: no flow weights are
# published here, so they need the user's (`--flow-weights`).
TWO_STREAM_PRESETS = tuple(
    name for name, fields in PRESETS.items() if "flow" in fields.get("streams", ())
)


def preset_fields(name):
    """The `FeatureSettings` fields of preset `name`.

    Raises:
        ValueError: `name` is not a preset.
    """
    if name not in PRESETS:
        raise ValueError(f"Unknown preset. Expected one of {tuple(PRESETS)}. Received: {name!r}")
    return dict(PRESETS[name])
