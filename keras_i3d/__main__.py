"""`python -m keras_i3d` runs the `keras-i3d` command line."""

import sys

from keras_i3d.cli.main import main

sys.exit(main())
