"""The model: a transformer reading (target, comment) pairs, behind one classifier.

``classifier`` loads, saves and runs it; ``storage`` reads and writes model directories and their
``stance.json``; ``backends`` run batches in torch or ONNX Runtime (chosen once, at load);
``windows`` cuts long comments into model windows; ``compact`` stores a model as its difference
from the base; ``devices`` and ``precision`` choose where and how it runs; ``default/`` is the
bundled model.
"""
