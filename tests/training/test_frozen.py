"""Training the top layers on the cached output of a frozen bottom (trainable_layers), and bf16 training."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from conftest import stance_cli, write_jsonl
from test_trainer import tiny_config
from transformers import TrainerCallback

from stance.errors import ConfigError, OutputError
from stance.model.classifier import StanceClassifier
from stance.training.config import DEFAULT_TRAINABLE_LAYERS, TrainingConfig
from stance.training.data import load_labelled
from stance.training.frozen import (
    FeatureStore,
    bottom_output,
    cache_features,
    check_split,
    layers_swapped,
)
from stance.training.trainer import train


class StopAtFirstCheckpoint(TrainerCallback):
    """Ends a run as a kill would, once its first checkpoint is written."""

    def on_save(self, args, state, control, **kwargs):
        raise KeyboardInterrupt


def weights(directory: Path) -> dict[str, torch.Tensor]:
    from safetensors.torch import load_file

    return load_file(str(directory / "model.safetensors"))


def test_frozen_bottom_stays_as_it_was_and_the_top_learns(tiny_base_model: Path, toy_labelled: Path, tmp_path: Path) -> None:
    from transformers import AutoModel, pipeline

    result = train(load_labelled(toy_labelled), tmp_path / "model", tiny_config(tiny_base_model, trainable_layers=1, epochs=16))
    assert result.metrics["macro_f1"] == 1.0
    trained = weights(tmp_path / "model")
    base = AutoModel.from_pretrained(tiny_base_model).state_dict()
    for name, before in base.items():
        after = trained[f"bert.{name}"]
        if name.startswith(("embeddings.", "encoder.layer.0.")):
            assert torch.equal(before, after), name
        elif name.startswith("encoder.layer.1.") and name.endswith("weight"):
            assert not torch.equal(before, after), name
    assert not list(tmp_path.glob("model.checkpoints"))  # the cached features went with the checkpoints
    classify = pipeline("text-classification", model=str(tmp_path / "model"))
    assert classify({"text": "the plan", "text_pair": "I love this plan"})["label"] == "support"
    assert "trainable_layers" in (tmp_path / "model" / "README.md").read_text(encoding="utf-8")
    comments = write_jsonl(tmp_path / "comments.jsonl", [{"text": "I love this plan, great idea", "target": "the plan"},
                                                          {"text": "I hate this plan, awful idea", "target": "the plan"}])
    done = stance_cli("classify", str(comments), "--model", str(tmp_path / "model"), "-f", "jsonl")  # int8, as users run it
    assert done.returncode == 0, done.stderr
    assert [json.loads(line)["label"] for line in done.stdout.splitlines()] == ["support", "oppose"]


def test_every_layer_and_the_embeddings_train_with_all(tiny_base_model: Path, toy_labelled: Path, tmp_path: Path) -> None:
    from transformers import AutoModel

    train(load_labelled(toy_labelled), tmp_path / "model", tiny_config(tiny_base_model, trainable_layers="all", epochs=1))
    trained = weights(tmp_path / "model")
    base = AutoModel.from_pretrained(tiny_base_model).state_dict()
    assert not torch.equal(base["embeddings.word_embeddings.weight"], trained["bert.embeddings.word_embeddings.weight"])
    assert not torch.equal(base["encoder.layer.0.attention.self.query.weight"], trained["bert.encoder.layer.0.attention.self.query.weight"])


def test_trainable_layers_beyond_the_model_freeze_the_embeddings_only(tiny_base_model: Path, toy_labelled: Path, tmp_path: Path) -> None:
    from transformers import AutoModel

    train(load_labelled(toy_labelled), tmp_path / "model", tiny_config(tiny_base_model, trainable_layers=12, epochs=1))
    trained = weights(tmp_path / "model")
    base = AutoModel.from_pretrained(tiny_base_model).state_dict()
    assert torch.equal(base["embeddings.word_embeddings.weight"], trained["bert.embeddings.word_embeddings.weight"])
    assert not torch.equal(base["encoder.layer.0.attention.self.query.weight"], trained["bert.encoder.layer.0.attention.self.query.weight"])


def test_a_killed_frozen_run_resumes_to_the_same_weights_and_reuses_its_features(
    tiny_base_model: Path, toy_labelled: Path, tmp_path: Path
) -> None:
    import stance.training.frozen

    examples = load_labelled(toy_labelled)
    config = tiny_config(tiny_base_model, trainable_layers=1, epochs=3, learning_rate=1e-3)
    train(examples, tmp_path / "straight", config)

    with pytest.raises(KeyboardInterrupt):
        train(examples, tmp_path / "resumed", config, callbacks=[StopAtFirstCheckpoint()])
    assert len(list((tmp_path / "resumed.checkpoints").glob("features-*.npy"))) == 1
    runs = []
    original = stance.training.frozen.bottom_output
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(stance.training.frozen, "bottom_output", lambda *a, **k: runs.append(1) or original(*a, **k))
        train(examples, tmp_path / "resumed", config, resume=True)
    assert len(runs) == 1  # the split check alone: the features were read back, not computed again
    straight, resumed = weights(tmp_path / "straight"), weights(tmp_path / "resumed")
    assert straight.keys() == resumed.keys()
    for name in straight:
        assert torch.allclose(straight[name], resumed[name], atol=1e-6), name


def test_cached_features_are_the_bottoms_output_for_each_window(tiny_classifier_dir: Path, tmp_path: Path) -> None:
    classifier = StanceClassifier.from_pretrained(tiny_classifier_dir)
    windows, _, _ = classifier.encode_windows(["short", "a somewhat longer comment about the plan"], ["the plan"] * 2)
    store = cache_features(classifier.model, 1, windows, classifier.windows.pad, tmp_path, batch_size=1, bf16=False, device="cpu")
    assert len(store) == 2
    hidden, mask = store.batch([1, 0])
    assert mask.sum(dim=1).tolist() == [len(windows[1]["input_ids"]), len(windows[0]["input_ids"])]
    with torch.inference_mode():
        expected = bottom_output(classifier.model.eval(), 1, {k: torch.as_tensor(v) for k, v in classifier.windows.pad([windows[0]]).items()})
    short = len(windows[0]["input_ids"])
    assert torch.allclose(hidden[1, :short], expected[0], atol=1e-2)
    assert hidden[1, short:].abs().sum() == 0  # padding
    again = cache_features(classifier.model, 1, windows, classifier.windows.pad, tmp_path, batch_size=2, bf16=False, device="cpu")
    assert again.path == store.path and isinstance(again, FeatureStore)
    other = cache_features(classifier.model, 0, windows, classifier.windows.pad, tmp_path, batch_size=2, bf16=False, device="cpu")
    assert [path.name for path in tmp_path.glob("features-*")] == [other.path.name]  # another run's file is gone


def test_features_that_cannot_be_written_are_an_output_error(tiny_classifier_dir: Path, tmp_path: Path) -> None:
    classifier = StanceClassifier.from_pretrained(tiny_classifier_dir)
    windows, _, _ = classifier.encode_windows(["short"], ["the plan"])
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    with pytest.raises(OutputError, match="cannot keep the frozen layers' output there"):
        cache_features(classifier.model, 1, windows, classifier.windows.pad, blocked / "sub", batch_size=1, bf16=False, device="cpu")


def test_a_model_whose_encoder_does_more_than_run_its_layers_cannot_be_split(tiny_classifier_dir: Path) -> None:
    classifier = StanceClassifier.from_pretrained(tiny_classifier_dir)
    windows, _, _ = classifier.encode_windows(["a comment"], ["the plan"])
    inputs = {k: torch.as_tensor(v) for k, v in classifier.windows.pad(windows).items()}
    check_split(classifier.model, 1, inputs)  # BERT runs its layers in turn: fine
    encoder = classifier.model.bert.encoder
    handle = encoder.register_forward_hook(lambda module, args, output: type(output)(last_hidden_state=output.last_hidden_state + 1))
    try:
        with pytest.raises(ConfigError, match="its layers cannot be run apart"):
            check_split(classifier.model, 1, inputs)
    finally:
        handle.remove()


def test_the_model_is_whole_again_after_an_error_inside_a_swap(tiny_classifier_dir: Path) -> None:
    model = StanceClassifier.from_pretrained(tiny_classifier_dir).model
    layers, embeddings = model.bert.encoder.layer, model.bert.embeddings
    with pytest.raises(RuntimeError), layers_swapped(model, slice(1, None), embeddings=torch.nn.Identity()):
        assert len(model.bert.encoder.layer) == 1
        raise RuntimeError
    assert model.bert.encoder.layer is layers and model.bert.embeddings is embeddings


def test_bf16_training_on_a_cpu_learns_and_saves_fp32_weights(tiny_base_model: Path, toy_labelled: Path, tmp_path: Path) -> None:
    result = train(load_labelled(toy_labelled), tmp_path / "model", tiny_config(tiny_base_model, precision="bf16", trainable_layers=1, epochs=16))
    assert result.metrics["macro_f1"] == 1.0
    assert {tensor.dtype for tensor in weights(tmp_path / "model").values()} == {torch.float32}


def test_trainable_layers_are_checked_and_default_by_method() -> None:
    assert TrainingConfig().resolved_trainable_layers() == DEFAULT_TRAINABLE_LAYERS
    assert TrainingConfig(method="lora").resolved_trainable_layers() == "all"
    assert TrainingConfig(trainable_layers=0).resolved_trainable_layers() == 0
    assert TrainingConfig().to_dict()["trainable_layers"] == DEFAULT_TRAINABLE_LAYERS
    for bad in (-1, 2.5, "some", True):
        with pytest.raises(ConfigError, match="trainable_layers"):
            TrainingConfig(trainable_layers=bad)
    with pytest.raises(ConfigError, match="LoRA trains adapters on every layer"):
        TrainingConfig(method="lora", trainable_layers=2)


def test_a_resumed_contrastive_run_caches_the_tuned_encoder_and_ends_as_a_straight_one(
    tiny_base_model: Path, toy_labelled: Path, tmp_path: Path
) -> None:
    """The contrastive step changes the bottom; a resumed run skips it, so it must take the bottom from
    the checkpoint before running the frozen layers, or the top would train on another model's features."""
    examples = load_labelled(toy_labelled)
    config = tiny_config(tiny_base_model, method="contrastive", trainable_layers=1, epochs=2, learning_rate=1e-3, contrastive_rounds=1)
    train(examples, tmp_path / "straight", config)

    with pytest.raises(KeyboardInterrupt):
        train(examples, tmp_path / "resumed", config, callbacks=[StopAtFirstCheckpoint()])
    cached = list((tmp_path / "resumed.checkpoints").glob("features-*.npy"))
    train(examples, tmp_path / "resumed", config, resume=True)
    straight, resumed = weights(tmp_path / "straight"), weights(tmp_path / "resumed")
    for name in straight:
        assert torch.allclose(straight[name], resumed[name], atol=1e-5), name
    assert len(cached) == 1  # and the resumed run found it: the fingerprint saw the tuned bottom again


def test_resuming_with_other_layers_frozen_is_refused_in_one_line(tiny_base_model: Path, toy_labelled: Path, tmp_path: Path) -> None:
    examples = load_labelled(toy_labelled)
    with pytest.raises(KeyboardInterrupt):
        train(examples, tmp_path / "model", tiny_config(tiny_base_model, trainable_layers=1, epochs=2), callbacks=[StopAtFirstCheckpoint()])
    with pytest.raises(OutputError, match="the interrupted run was made from trainable_layers 1, not trainable_layers 'all'; resume with the same"):
        train(examples, tmp_path / "model", tiny_config(tiny_base_model, trainable_layers="all", epochs=2), resume=True)


def _tiny(kind: str) -> torch.nn.Module:
    """A tiny random sequence classifier of another architecture (2 layers, 32 wide)."""
    import transformers

    size = {"vocab_size": 99, "hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 2, "intermediate_size": 37,
            "max_position_embeddings": 64, "num_labels": 2}
    configs = {
        "roberta": lambda: transformers.RobertaConfig(**size),
        "distilbert": lambda: transformers.DistilBertConfig(vocab_size=99, dim=32, n_layers=2, n_heads=2, hidden_dim=37,
                                                            max_position_embeddings=64, num_labels=2),
        "deberta-v2": lambda: transformers.DebertaV2Config(**size, relative_attention=True, position_buckets=8, pos_att_type=["p2c", "c2p"]),
        "mpnet": lambda: transformers.MPNetConfig(**size),
        "electra": lambda: transformers.ElectraConfig(**size, embedding_size=16),
    }
    torch.manual_seed(0)
    return transformers.AutoModelForSequenceClassification.from_config(configs[kind]()).eval()


@pytest.mark.parametrize("kind", ["roberta", "distilbert", "deberta-v2", "mpnet"])
def test_other_architectures_split_and_freeze_every_weight_the_cache_depends_on(kind: str) -> None:
    from stance.model.heads import encoder_of
    from stance.training.frozen import frozen_parameters, layer_list

    model = _tiny(kind)
    inputs = {"input_ids": torch.tensor([[5, 6, 7, 8, 2], [5, 9, 2, 1, 1]]), "attention_mask": torch.tensor([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]])}
    check_split(model, 1, inputs)
    owner, name = layer_list(model)
    top = {id(p) for p in getattr(owner, name)[1].parameters()}
    frozen = {id(p) for p in frozen_parameters(model, 1).values()}
    pooler = getattr(encoder_of(model), "pooler", None)
    untouched = {id(p) for p in encoder_of(model).parameters()} - top - ({id(p) for p in pooler.parameters()} if pooler is not None else set())
    assert frozen == untouched and not frozen & top  # shared weights (DeBERTa's, MPNet's relative ones) are frozen too
    if kind in ("deberta-v2", "mpnet"):
        shared = [key for key in frozen_parameters(model, 1) if "rel" in key or "relative" in key]
        assert shared


def test_an_encoder_that_projects_its_embeddings_is_refused_in_one_line() -> None:
    model = _tiny("electra")  # its embeddings are narrower than its layers: a projection between, outside the layer list
    inputs = {"input_ids": torch.tensor([[5, 6, 7, 2]]), "attention_mask": torch.tensor([[1, 1, 1, 1]])}
    with pytest.raises(ConfigError, match="its layers cannot be run apart"):
        check_split(model, 1, inputs)
