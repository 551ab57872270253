"""stance: label each reader comment under an article as support, oppose, mixed or neutral.

The public API is small and imported lazily, so ``import stance`` (and ``stance --help``) stays fast:

>>> from stance import predict                                   # doctest: +SKIP
>>> predict("Great move!", target="UK-Japan cyber pact").label   # doctest: +SKIP
'support'
"""

from __future__ import annotations

import importlib
from typing import Any

# Importing stance changes nothing outside it: models are loaded with local_files_only (see
# stance.model.storage), so the network is never reached without switching the process offline.

__version__ = "0.1.0"

_EXPORTS = {
    "predict": "stance.model.classifier",
    "StanceClassifier": "stance.model.classifier",
    "Prediction": "stance.model.prediction",
    "Comment": "stance.core.thread",
    "Thread": "stance.core.thread",
    "read_thread": "stance.extract",
    "LabelledComment": "stance.core.labelled",
    "load_labelled": "stance.training.data",
    "TrainingConfig": "stance.training.config",
    "train": "stance.training.trainer",
    "StanceEstimator": "stance.training.estimator",
    "evaluate": "stance.evaluation.evaluate",
    "StanceError": "stance.errors",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'stance' has no attribute {name!r}")
