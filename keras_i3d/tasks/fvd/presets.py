"""FVD protocol presets: the reference and the variants papers report.

A preset fixes the embedding (`resize`, `features`), the distance (`ddof`,
`sqrtm`) and, for video files, the clip protocol (how many videos, how many
frames, every how many frames, where real clips start). Only `reference`
reproduces the published reference numbers exactly; `docs/fvd.md` lists
what each preset can and cannot match, and why.
"""

import dataclasses

from keras_i3d.tasks.fvd.distance import check_sqrtm_method
from keras_i3d.tasks.fvd.embed import check_features
from keras_i3d.tasks.fvd.options import check_option
from keras_i3d.tasks.fvd.resize import check_resize_method
from keras_i3d.tasks.fvd.statistics import DDOF_VALUES

CLIP_OFFSETS = ("start", "random")


@dataclasses.dataclass(frozen=True)
class FVDPreset:
    """One FVD protocol.

    Attributes:
        name: the preset's name (`--preset`).
        resize: one of `keras_i3d.tasks.fvd.resize.RESIZE_METHODS`.
        features: `"logits"` or `"pool"`.
        ddof: covariance normaliser `N - ddof`.
        sqrtm: `"tfgan_svd"` or `"scipy"`.
        num_videos: videos per set the protocol uses (None: all given).
        clip_length: frames per clip taken from a video file.
        frame_step: take every `frame_step`-th frame of a video file.
        real_offset: where real clips start in a video file: `"start"` or
            `"random"` (seeded); generated clips always start at frame 0.
        discard_short_videos: skip video files shorter than
            `clip_length * frame_step` frames, StyleGAN-V's rule (a clip
            spans `frame_step - 1` frames fewer), instead of refusing the
            ones too short for a clip.
        exact: whether the preset reproduces its source's numbers with
            these weights (see `note`).
        note: the source of the protocol, and what differs.
    """

    name: str
    resize: str = "tf1_bilinear"
    features: str = "logits"
    ddof: int = 1
    sqrtm: str = "tfgan_svd"
    num_videos: int | None = None
    clip_length: int = 16
    frame_step: int = 1
    real_offset: str = "start"
    discard_short_videos: bool = False
    exact: bool = True
    note: str = ""

    def __post_init__(self):
        check_resize_method(self.resize)
        check_features(self.features)
        check_sqrtm_method(self.sqrtm)
        check_option("real_offset", self.real_offset, CLIP_OFFSETS)
        check_option("ddof", self.ddof, DDOF_VALUES)

    def distance_options(self):
        return {"ddof": self.ddof, "sqrtm": self.sqrtm}


_STYLEGAN_V_NOTE = (
    "StyleGAN-V (universome/stylegan-v, src/metrics): N-normalised "
    "covariance, scipy sqrtm, real clips at a random offset, videos shorter "
    "than clip_length * frame_step discarded, x / 255 * 2 - 1 inside its "
    "TorchScript I3D (bitwise our scaling). The I3D resizes the uint8 "
    "(B, C, T, H, W) clip itself (resize=True); its code is not published, "
    "and on a 5-D tensor PyTorch interpolates only trilinearly (or nearest, "
    "area): trilinear to (T, 224, 224) with align_corners=False is "
    "half-pixel bilinear per frame, which we use. Its generated videos are "
    "first truncated to uint8; its I3D port is ~1e-3 off TF-Hub."
)


def _stylegan_v(name, protocol, clip_length, frame_step=1):
    """A StyleGAN-V protocol: 2048 videos, N-normalised covariance, scipy
    sqrtm, real clips at a random offset, short videos skipped."""
    return FVDPreset(
        name=name,
        resize="bilinear",
        ddof=0,
        sqrtm="scipy",
        num_videos=2048,
        clip_length=clip_length,
        frame_step=frame_step,
        real_offset="random",
        discard_short_videos=True,
        exact=False,
        note=f"{protocol}. {_STYLEGAN_V_NOTE}",
    )


PRESETS = {
    preset.name: preset
    for preset in (
        FVDPreset(
            name="reference",
            note=(
                "google-research frechet_video_distance + tfgan: TF1 legacy "
                "bilinear resize to 224, x / 127.5 - 1, time-averaged logits,"
                " N-1 covariance, tfgan SVD square root, float32 result."
            ),
        ),
        _stylegan_v("stylegan_v", "fvd2048_16f", clip_length=16),
        _stylegan_v("stylegan_v_128f", "fvd2048_128f", clip_length=128),
        _stylegan_v(
            "stylegan_v_128f_subsample8f",
            "fvd2048_128f_subsample8f",
            clip_length=16,
            frame_step=8,
        ),
        FVDPreset(
            name="videogpt",
            resize="short_side_center_crop",
            num_videos=256,
            exact=False,
            note=(
                "VideoGPT / TATS: short side to 224 (half-pixel bilinear), "
                "centre crop, N-1, SVD square root. Their PyTorch I3D uses "
                "batch-norm epsilon 1e-5 instead of the TF graph's 1e-3, so "
                "their numbers cannot be matched exactly with these weights."
            ),
        ),
        FVDPreset(
            name="cd_fvd",
            resize="short_side_center_crop_antialias",
            ddof=0,
            sqrtm="scipy",
            num_videos=2048,
            exact=False,
            note=(
                "content-debiased FVD (cd-fvd 0.1.0, I3D mode): antialiased "
                "short-side resize and centre crop, N-normalised covariance, "
                "scipy sqrtm. It also truncates to uint8 and resizes again "
                "half-pixel, and its I3D uses batch-norm epsilon 1e-5: not "
                "exactly matchable."
            ),
        ),
        FVDPreset(
            name="magvit",
            resize="tf1_bilinear_via_64",
            num_videos=10000,
            note=(
                "MAGVIT (google-research/magvit compute_fvd.py): frames not "
                "64x64 are first resized to 64x64 with the TF1 kernel, then "
                "to 224; otherwise the reference. MAGVIT averages 4 repeats "
                "of 10000 samples; run repeats yourself."
            ),
        ),
    )
}
DEFAULT_PRESET = "reference"


def get_preset(name):
    """Returns the `FVDPreset` called `name`, or raises ValueError."""
    if isinstance(name, FVDPreset):
        return name
    if name not in PRESETS:
        raise ValueError(
            f"Unknown FVD preset. Expected one of {tuple(PRESETS)}. Received: preset={name!r}"
        )
    return PRESETS[name]
