"""keras-i3d: I3D (Carreira & Zisserman, CVPR 2017) and its baselines in Keras 3.

Example:

```python
from keras_i3d import I3D, decode_predictions, preprocess_input

model = I3D(stream="rgb", weights="kinetics400")
probabilities = model.predict(preprocess_input(clip_uint8, stream="rgb"))
print(decode_predictions(probabilities, top=5))
```
"""

__version__ = "0.1.0"

from keras_i3d.labels import decode_predictions
from keras_i3d.labels import load_labels
from keras_i3d.models import ENDPOINTS
from keras_i3d.models import I3D
from keras_i3d.models import TwoStreamI3D
from keras_i3d.models import endpoint_model
from keras_i3d.preprocessing import preprocess_input

__all__ = [
    "ENDPOINTS",
    "I3D",
    "TwoStreamI3D",
    "decode_predictions",
    "endpoint_model",
    "load_labels",
    "preprocess_input",
]
