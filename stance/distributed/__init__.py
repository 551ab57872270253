"""Past one machine: classifying comment files, or a Ray Dataset, on a Ray cluster (``pip install "stance[ray]"``)."""

from stance.distributed.dataset import classify_dataset

__all__ = ["classify_dataset"]
