"""Scoring models as a reviewer would: ``evaluate`` (scores beside baselines; the scores themselves
are :mod:`stance.core.metrics`), ``uncertainty`` (bootstrap intervals, paired tests), ``calibration``, ``baselines``,
``cross_validation`` and ``report``."""
