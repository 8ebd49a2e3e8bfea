"""Optical flow for the I3D flow stream: TV-L1 (the paper's), Farneback, storage.

Example:

```python
from keras_i3d.preprocessing import preprocess_input
from keras_i3d.flow import tvl1_flow

flow_pixels = tvl1_flow(frames_uint8)  # (T, H, W, 2), channel 0 = x
clip = preprocess_input(flow_pixels[None], stream="flow")  # [-1, 1]
```
"""

from keras_i3d.flow.errors import FlowError
from keras_i3d.flow.farneback import farneback_flow
from keras_i3d.flow.methods import DEFAULT_FLOW_METHOD
from keras_i3d.flow.methods import FLOW_METHODS
from keras_i3d.flow.methods import check_flow_method
from keras_i3d.flow.methods import compute_flow
from keras_i3d.flow.storage import FLOW_FORMATS
from keras_i3d.flow.storage import count_flow_frames
from keras_i3d.flow.storage import dequantize_flow
from keras_i3d.flow.storage import flow_output_path
from keras_i3d.flow.storage import list_flow_images
from keras_i3d.flow.storage import quantize_flow
from keras_i3d.flow.storage import read_flow
from keras_i3d.flow.storage import read_flow_folder
from keras_i3d.flow.storage import read_flow_metadata
from keras_i3d.flow.storage import write_flow
from keras_i3d.flow.tvl1 import tvl1_flow

__all__ = [
    "DEFAULT_FLOW_METHOD",
    "FLOW_FORMATS",
    "FLOW_METHODS",
    "FlowError",
    "check_flow_method",
    "compute_flow",
    "count_flow_frames",
    "dequantize_flow",
    "farneback_flow",
    "flow_output_path",
    "list_flow_images",
    "quantize_flow",
    "read_flow",
    "read_flow_folder",
    "read_flow_metadata",
    "tvl1_flow",
    "write_flow",
]
