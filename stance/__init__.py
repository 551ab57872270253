"""stance: label each reader comment under an article as support, oppose, mixed or neutral.

The public API is small and imported lazily, so ``import stance`` (and ``stance --help``) stays fast:

>>> from stance import predict                                   # doctest: +SKIP
>>> predict("Great move!", target="UK-Japan cyber pact").label   # doctest: +SKIP
'support'
"""

from __future__ import annotations

import importlib
import os
from typing import Any

# Never reach the network at run time: models come from disk or the local Hugging Face cache.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")

__version__ = "0.1.0"

_EXPORTS = {
    "predict": "stance.classifier",
    "StanceClassifier": "stance.classifier",
    "Prediction": "stance.prediction",
    "Comment": "stance.thread",
    "Thread": "stance.thread",
    "read_thread": "stance.extract",
    "LabelledComment": "stance.data",
    "load_labelled": "stance.data",
    "TrainingConfig": "stance.training",
    "train": "stance.training",
    "StanceEstimator": "stance.estimator",
    "evaluate": "stance.evaluation",
    "StanceError": "stance.errors",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'stance' has no attribute {name!r}")
