"""The model: a transformer reading (target, comment) pairs, behind one classifier.

``classifier`` loads, saves and runs it; ``storage`` reads and writes model directories and their
``stance.json``; ``backends`` run batches in torch or ONNX Runtime (chosen once, at load);
``windows`` cuts long comments into model windows; ``compact`` stores a model as its difference
from the base; ``devices`` and ``precision`` choose where and how it runs; ``default/`` is the
bundled model.
"""

# How comments are cut into windows where a model directory does not say (in stance.json): the
# settings the bundled model was trained with, which TrainingConfig also starts from. Kept here, in a
# module that imports nothing, so the CLI reads them without loading numpy.
DEFAULT_MAX_LENGTH = 128
DEFAULT_MAX_TARGET_TOKENS = 32
DEFAULT_STRIDE = 32
