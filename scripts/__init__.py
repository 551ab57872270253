"""The benchmarks, and the tools that built the bundled model and its data: research code, not part of
``stance`` (nothing in the package imports it). Run each from the repository root as a module, e.g.
``python -m scripts.bench_default``; ``--help`` says what it measures. Every benchmark prints its figure
beside a baseline measured in the same run; docs/benchmarks.md holds the results.

- ``shared_data``: the one module of shared helpers (loading data/, ../shared/benchmarks and data/real).
- ``systems``, ``sentence_embeddings``: the research systems the benchmarks compare the model with.
- ``bench_*``: one question each (accuracy on a set, speed, extraction, training).
- ``train_default``, ``fit_sentiment_head``, ``blend_models``, ``build_corpus``, ``real_comments``: building
  the bundled model, its corpus and our labels of real comments; ``fuzz_extract``, ``int8_variants``: research.
"""
