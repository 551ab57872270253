"""Fine-tuning on labelled comments: ``config`` (every default, validated), ``data`` (loading labelled
files), ``trainer`` (the resumable Trainer run), ``estimator`` (scikit-learn) and ``model_card``."""
