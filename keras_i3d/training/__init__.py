"""Training and evaluation of I3D: the paper's recipe, scaled and resumable.

* `recipe`: `TrainingConfig` (the paper's defaults), `build_classifier`,
  `compile_model`, `fit` (Keras `model.fit`, one device or
  `MirroredStrategy`).
* `custom_loop`: `CustomLoopTrainer`, a step under `strategy.run` for
  `MultiWorkerMirroredStrategy` and mid-epoch resume.
* `precision`, `schedules`, `losses`, `batch_norm`, `checkpoint`,
  `callbacks`, `distribute`: the pieces.
* `evaluation`: whole-video, multi-view evaluation and per-class results;
  `plots`: PNG curves and confusion matrices.
"""

from keras_i3d.training.batch_norm import freeze_batch_norm
from keras_i3d.training.batch_norm import set_batch_norm_momentum
from keras_i3d.training.callbacks import BestWeightsCheckpoint
from keras_i3d.training.callbacks import ResumableCheckpoint
from keras_i3d.training.callbacks import TrainingCurves
from keras_i3d.training.checkpoint import CheckpointMismatchError
from keras_i3d.training.checkpoint import latest_state
from keras_i3d.training.checkpoint import restore_training_state
from keras_i3d.training.checkpoint import save_training_state
from keras_i3d.training.custom_loop import CustomLoopTrainer
from keras_i3d.training.distribute import is_chief
from keras_i3d.training.distribute import make_strategy
from keras_i3d.training.evaluation import classification_metrics
from keras_i3d.training.evaluation import evaluate_videos
from keras_i3d.training.evaluation import load_test_clips
from keras_i3d.training.evaluation import predict_video
from keras_i3d.training.evaluation import video_views
from keras_i3d.training.losses import SparseCategoricalCrossentropy
from keras_i3d.training.plots import plot_training_curves
from keras_i3d.training.precision import precision_for_device
from keras_i3d.training.precision import set_precision
from keras_i3d.training.recipe import TrainingConfig
from keras_i3d.training.recipe import build_classifier
from keras_i3d.training.recipe import compile_model
from keras_i3d.training.recipe import fit
from keras_i3d.training.recipe import make_callbacks
from keras_i3d.training.recipe import make_optimizer
from keras_i3d.training.schedules import cosine_schedule
from keras_i3d.training.schedules import paper_step_schedule
from keras_i3d.training.schedules import step_drop_on_plateau

__all__ = [
    "BestWeightsCheckpoint",
    "CheckpointMismatchError",
    "CustomLoopTrainer",
    "ResumableCheckpoint",
    "SparseCategoricalCrossentropy",
    "TrainingConfig",
    "TrainingCurves",
    "build_classifier",
    "classification_metrics",
    "compile_model",
    "cosine_schedule",
    "evaluate_videos",
    "fit",
    "freeze_batch_norm",
    "set_batch_norm_momentum",
    "is_chief",
    "latest_state",
    "load_test_clips",
    "make_callbacks",
    "make_optimizer",
    "make_strategy",
    "paper_step_schedule",
    "plot_training_curves",
    "precision_for_device",
    "predict_video",
    "restore_training_state",
    "save_training_state",
    "set_precision",
    "step_drop_on_plateau",
    "video_views",
]
