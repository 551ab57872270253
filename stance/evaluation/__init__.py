"""Scoring models as a reviewer would: ``evaluate`` (scores beside baselines), ``metrics``,
``uncertainty`` (bootstrap intervals, paired tests), ``calibration``, ``baselines``,
``cross_validation`` and ``report``."""
