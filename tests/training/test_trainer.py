"""Fine-tuning on toy data with the tiny model: learning, model directories, resuming, refusing to overwrite."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import write_jsonl

from stance.errors import OutputError
from stance.model.classifier import StanceClassifier
from stance.training.config import TrainingConfig
from stance.training.data import load_labelled
from stance.training.trainer import last_complete_checkpoint, train


def tiny_config(base: Path, **overrides) -> TrainingConfig:
    settings = dict(base_model=str(base), epochs=8, batch_size=8, max_length=32, learning_rate=3e-3, precision="fp32")
    return TrainingConfig(**(settings | overrides))


def test_full_fine_tune_learns_and_writes_a_pipeline_directory(tiny_base_model: Path, toy_labelled: Path, tmp_path: Path) -> None:
    from transformers import pipeline

    out = tmp_path / "model"
    result = train(load_labelled(toy_labelled), out, tiny_config(tiny_base_model))
    assert result.labels == ["support", "oppose"]
    assert result.metrics["macro_f1"] == 1.0
    assert (out / "model.safetensors").exists() and not list(out.glob("*.bin"))
    assert not out.with_name("model.checkpoints").exists()
    card = (out / "README.md").read_text()
    assert "support" in card and "macro_f1" in card and "training comments" in card
    stored = json.loads((out / "stance.json").read_text())
    assert stored["labels"] == ["support", "oppose"]
    assert {"set": "validation", "measure": "macro_f1", "value": 100.0} in stored["figures"]  # what the card's table shows
    pipe = pipeline("text-classification", model=str(out))
    assert pipe({"text": "the plan", "text_pair": "I love this plan, great idea"})["label"] == "support"
    assert pipe({"text": "the plan", "text_pair": "I hate this plan, awful idea"})["label"] == "oppose"


def test_compact_lora_directory_holds_only_the_adapter_and_reloads_to_same_scores(
    tiny_base_model: Path, toy_labelled: Path, tmp_path: Path
) -> None:
    out = tmp_path / "adapter"
    train(load_labelled(toy_labelled), out, tiny_config(tiny_base_model, method="lora"), compact=True)
    assert (out / "adapter_model.safetensors").exists() and not (out / "model.safetensors").exists()
    adapter = StanceClassifier.from_pretrained(out)
    assert adapter.predict("I love this plan, great idea", "the plan").label == "support"
    adapter.save_pretrained(tmp_path / "plain")
    plain = StanceClassifier.from_pretrained(tmp_path / "plain")
    texts = ["I hate this plan", "I love it"]
    assert plain.predict_proba(texts, "the plan") == pytest.approx(adapter.predict_proba(texts, "the plan"), abs=1e-5)


def test_compact_full_fine_tune_stores_a_delta_that_rebuilds_the_model(
    tiny_base_model: Path, toy_labelled: Path, tmp_path: Path
) -> None:
    full = tmp_path / "full"
    train(load_labelled(toy_labelled), full, tiny_config(tiny_base_model))
    tuned = StanceClassifier.from_pretrained(full)
    tuned.save_pretrained(tmp_path / "delta", storage="delta", delta_rank=16)  # 16 >= half of 32: kept exact
    assert (tmp_path / "delta" / "delta.safetensors").exists() and not (tmp_path / "delta" / "model.safetensors").exists()
    assert json.loads((tmp_path / "delta" / "stance.json").read_text())["format"] == "delta"
    rebuilt = StanceClassifier.from_pretrained(tmp_path / "delta")
    texts = ["I love this plan", "awful idea", "something else entirely"]
    assert rebuilt.predict_proba(texts, "the plan") == pytest.approx(tuned.predict_proba(texts, "the plan"), abs=2e-3)


def test_low_rank_delta_is_exact_for_a_low_rank_change() -> None:
    import torch

    from stance.model.compact import apply_delta, compute_delta

    base = {"w": torch.randn(40, 30), "b": torch.zeros(30), "same": torch.ones(3)}
    change = torch.randn(40, 2) @ torch.randn(2, 30)  # rank 2
    tuned = {"w": base["w"] + change, "b": torch.full((30,), 0.5), "same": torch.ones(3), "head": torch.randn(4, 30)}
    delta = compute_delta(tuned, base, rank=4)
    assert "same.delta_full" not in delta and delta["w.delta_left"].shape == (40, 4)

    class Holder(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            for name, value in base.items():
                self.register_buffer(name, value.clone())
            self.register_buffer("head", torch.zeros(4, 30))

    rebuilt = apply_delta(Holder(), delta).state_dict()
    for name, value in tuned.items():
        assert torch.allclose(rebuilt[name], value, atol=2e-2), name


def test_existing_output_needs_force_and_leftover_checkpoints_need_resume(
    tiny_base_model: Path, toy_labelled: Path, tmp_path: Path
) -> None:
    examples = load_labelled(toy_labelled)
    out = tmp_path / "model"
    out.mkdir()
    with pytest.raises(OutputError, match="already exists; overwrite it only if you mean to"):
        train(examples, out, tiny_config(tiny_base_model))
    out.rmdir()
    (tmp_path / "model.checkpoints" / "checkpoint-6").mkdir(parents=True)
    with pytest.raises(OutputError, match="interrupted run are here; resume it, or start over"):
        train(examples, out, tiny_config(tiny_base_model))
    (tmp_path / "model.checkpoints" / "checkpoint-6").rmdir()  # cut short before its first checkpoint: nothing to keep
    train(examples, out, tiny_config(tiny_base_model, epochs=1))


def test_resumed_run_ends_with_the_metrics_of_an_uninterrupted_one(
    tiny_base_model: Path, toy_labelled: Path, tmp_path: Path
) -> None:
    """Stop after epoch 1 (as a kill would), resume, and compare with a straight run."""
    from transformers import TrainerCallback

    examples = load_labelled(toy_labelled)
    config = tiny_config(tiny_base_model, epochs=3, learning_rate=1e-3)
    straight = train(examples, tmp_path / "straight", config)

    class StopAfterFirstEpoch(TrainerCallback):
        def on_save(self, args, state, control, **kwargs):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train(examples, tmp_path / "resumed", config, callbacks=[StopAfterFirstEpoch()])
    assert list((tmp_path / "resumed.checkpoints").glob("checkpoint-*"))
    resumed = train(examples, tmp_path / "resumed", config, resume=True)
    assert resumed.metrics == pytest.approx(straight.metrics)
    probe = ["I love this plan", "awful"]
    a = StanceClassifier.from_pretrained(tmp_path / "straight").predict_proba(probe, "the plan")
    b = StanceClassifier.from_pretrained(tmp_path / "resumed").predict_proba(probe, "the plan")
    assert a == pytest.approx(b, abs=1e-4)


def test_many_short_epochs_are_scored_and_saved_at_most_max_evaluations_times(
    tiny_base_model: Path, toy_labelled: Path, tmp_path: Path
) -> None:
    from transformers import TrainerCallback

    class Count(TrainerCallback):
        evaluations = saves = 0

        def on_evaluate(self, args, state, control, **kwargs):
            Count.evaluations += 1

        def on_save(self, args, state, control, **kwargs):
            Count.saves += 1

    examples = load_labelled(toy_labelled)
    train(examples, tmp_path / "model", tiny_config(tiny_base_model, epochs=12, max_evaluations=3), callbacks=[Count()])
    assert Count.evaluations == Count.saves == 3
    Count.evaluations = Count.saves = 0
    train(examples, tmp_path / "per-epoch", tiny_config(tiny_base_model, epochs=2, max_evaluations=3), callbacks=[Count()])
    assert Count.evaluations == Count.saves == 2


def test_training_on_replies_with_their_parents_makes_a_model_that_reads_them(tiny_base_model: Path, tmp_path: Path) -> None:
    rows = [{"text": f"No, you are wrong {i}", "label": "oppose" if i % 2 else "support", "target": "the plan",
             "parent_text": "The plan is good." if i % 2 else "The plan is bad."} for i in range(24)]
    examples = load_labelled(write_jsonl(tmp_path / "replies.jsonl", rows))
    roomy = tiny_config(tiny_base_model, epochs=1, max_length=64, max_target_tokens=8)  # half a window: target and parent
    train(examples, tmp_path / "model", roomy)
    assert StanceClassifier.from_pretrained(tmp_path / "model").reply_context
    assert "read with the comment it answers" in (tmp_path / "model" / "README.md").read_text(encoding="utf-8")
    train([replace(e, parent="") for e in examples], tmp_path / "plain", roomy)
    assert not StanceClassifier.from_pretrained(tmp_path / "plain").reply_context
    train(examples, tmp_path / "cramped", tiny_config(tiny_base_model, epochs=1))  # 32 tokens: half goes to the target
    assert not StanceClassifier.from_pretrained(tmp_path / "cramped").reply_context


def test_resume_takes_the_newest_whole_checkpoint_and_drops_cut_short_ones(tmp_path: Path) -> None:
    for name, state in [("checkpoint-6", "{}"), ("checkpoint-12", "{}"), ("checkpoint-18", None), ("checkpoint-24", '{"trunc'),
                        ("checkpoint-best", "{}")]:
        (tmp_path / name).mkdir()
        if state is not None:
            (tmp_path / name / "trainer_state.json").write_text(state)
    assert last_complete_checkpoint(tmp_path) == tmp_path / "checkpoint-12"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["checkpoint-12", "checkpoint-6", "checkpoint-best"]
    assert last_complete_checkpoint(tmp_path / "none-yet") is None


def two_task_rows(n: int = 24) -> list[dict]:
    """Stance from love/hate, sentiment from its own words (so the heads must differ): a third of the
    rows carry both labels, a third stance only, a third sentiment only."""
    rows = []
    for i in range(n):
        stance = "support" if i % 2 == 0 else "oppose"
        feeling = "positive" if i % 4 < 2 else "negative"
        text = f"{'I love' if stance == 'support' else 'I hate'} this plan, {'happy' if feeling == 'positive' else 'furious'} {i}"
        row = {"text": text, "target": "the plan", "stance": stance, "sentiment": "pos" if feeling == "positive" else "neg"}
        if i % 3 == 1:
            del row["sentiment"]
        elif i % 3 == 2:
            row["stance"] = ""
        rows.append(row)
    return rows


def test_both_heads_learn_from_rows_that_carry_either_label(tiny_base_model: Path, tmp_path: Path) -> None:
    from conftest import write_jsonl

    data = write_jsonl(tmp_path / "mixed.jsonl", two_task_rows() * 4)
    examples = load_labelled(data, label_column="stance", sentiment_column="sentiment")
    # With the random embeddings frozen, the tiny model needs more passes to tell the feelings apart.
    result = train(examples, tmp_path / "model", tiny_config(tiny_base_model, epochs=16), validation=examples)
    assert result.tasks == {"stance": ["support", "oppose"], "sentiment": ["positive", "negative"]}
    assert result.metrics["macro_f1"] == 1.0 and result.metrics["sentiment_macro_f1"] == 1.0
    assert "sentiment label counts (training)" in (tmp_path / "model" / "README.md").read_text()
    model = StanceClassifier.from_pretrained(tmp_path / "model")
    love_furious = model.predict("I love this plan, furious 99", "the plan")
    assert (love_furious.label, love_furious.sentiment) == ("support", "negative")


def test_a_file_with_sentiment_labels_only_trains_a_sentiment_model(tiny_base_model: Path, tmp_path: Path) -> None:
    from conftest import write_jsonl

    rows = [{"text": f"{word} day {i}", "sentiment": label} for i in range(12) for word, label in (("happy", "positive"), ("awful", "negative"))]
    examples = load_labelled(write_jsonl(tmp_path / "s.jsonl", rows), sentiment_column="sentiment")
    train(examples, tmp_path / "model", tiny_config(tiny_base_model))
    model = StanceClassifier.from_pretrained(tmp_path / "model")
    assert model.tasks == {"sentiment": ["positive", "negative"]}
    assert json.loads((tmp_path / "model" / "stance.json").read_text())["task"] == "sentiment"
    prediction = model.predict("happy day 99")
    assert prediction.label is None and prediction.sentiment == "positive"


def test_the_loss_skips_a_task_a_comment_has_no_label_for() -> None:
    import torch

    from stance.training.multitask import NO_LABEL, masked_loss

    torch.manual_seed(0)
    outputs = {"stance": torch.randn(4, 3), "sentiment": torch.randn(4, 2)}
    labels = torch.tensor([[0, NO_LABEL], [1, NO_LABEL], [2, 1], [NO_LABEL, 0]])
    loss = masked_loss(["stance", "sentiment"], {"stance": None, "sentiment": None})(outputs, labels)
    cross_entropy = torch.nn.functional.cross_entropy
    expected = cross_entropy(outputs["stance"][:3], labels[:3, 0]) + cross_entropy(outputs["sentiment"][2:], labels[2:, 1])
    assert loss.item() == pytest.approx(expected.item())
    unlabelled = torch.full((4, 2), NO_LABEL)
    assert masked_loss(["stance", "sentiment"], {"stance": None, "sentiment": None})(outputs, unlabelled).item() == 0.0


def test_training_can_continue_from_a_trained_model_and_add_a_head(tiny_base_model: Path, toy_labelled: Path, tmp_path: Path) -> None:
    from conftest import write_jsonl

    from stance.errors import ConfigError, DataError

    stance_only = tmp_path / "stance"
    train(load_labelled(toy_labelled), stance_only, tiny_config(tiny_base_model))
    before = StanceClassifier.from_pretrained(stance_only)
    data = write_jsonl(tmp_path / "mixed.jsonl", two_task_rows() * 4)
    examples = load_labelled(data, label_column="stance", sentiment_column="sentiment")
    config = tiny_config(tiny_base_model, init_from=str(stance_only), epochs=1, learning_rate=1e-9)  # barely moves
    train(examples, tmp_path / "both", config, validation=examples)
    after = StanceClassifier.from_pretrained(tmp_path / "both")
    assert after.tasks == {"stance": ["support", "oppose"], "sentiment": ["positive", "negative"]}
    texts = ["I love this plan", "I hate this plan"]
    assert after.predict_proba(texts, "the plan") == pytest.approx(before.predict_proba(texts, "the plan"), abs=1e-3)
    other_labels = [row | {"stance": "mixed"} if i == 0 else row for i, row in enumerate(two_task_rows())]
    with pytest.raises(DataError, match=r"training data: labels \['mixed'\] are not among the model's labels \['support', 'oppose'\] \(first at .*other.jsonl:1\)"):
        train(load_labelled(write_jsonl(tmp_path / "other.jsonl", other_labels), label_column="stance", sentiment_column="sentiment"),
              tmp_path / "never", config)
    with pytest.raises(ConfigError, match="not a trained stance model"):
        train(examples, tmp_path / "never", tiny_config(tiny_base_model, init_from=str(tiny_base_model)))


def test_a_batch_with_fewer_labels_than_the_model_keeps_every_label_and_head(tiny_base_model: Path, tmp_path: Path) -> None:
    """The labelling loop: a round of stance labels without a mixed or neutral comment (and no sentiment)
    continues a four-label model with a sentiment head; one label alone is enough to continue."""
    from conftest import write_jsonl

    four = tmp_path / "four"
    rows = [{"text": f"{word} plan {i}", "label": label, "target": "the plan", "sentiment": feeling}
            for i in range(6) for word, label, feeling in (("love", "support", "positive"), ("hate", "oppose", "negative"),
                                                           ("meh", "neutral", "neutral"), ("but", "mixed", "mixed"))]
    train(load_labelled(write_jsonl(tmp_path / "all.jsonl", rows), sentiment_column="sentiment"), four, tiny_config(tiny_base_model, epochs=1))
    before = StanceClassifier.from_pretrained(four)
    config = tiny_config(tiny_base_model, init_from=str(four), epochs=1)
    support_only = [row for row in rows if row["label"] == "support"]
    result = train(load_labelled(write_jsonl(tmp_path / "batch.jsonl", support_only)), tmp_path / "next", config)
    after = StanceClassifier.from_pretrained(tmp_path / "next")
    assert result.tasks == after.tasks == before.tasks == {
        "stance": ["support", "oppose", "mixed", "neutral"], "sentiment": ["positive", "negative", "neutral", "mixed"]
    }
    texts = ["love plan 99", "hate plan 99"]
    assert after.predict_proba(texts, "the plan", task="sentiment") == pytest.approx(
        before.predict_proba(texts, "the plan", task="sentiment"), abs=0.05)  # its head untrained, only the shared top moved


def test_validation_without_labels_for_a_trained_task_is_a_data_error(tiny_base_model: Path, tmp_path: Path) -> None:
    from conftest import write_jsonl

    from stance.errors import DataError

    data = write_jsonl(tmp_path / "mixed.jsonl", two_task_rows() * 2)
    examples = load_labelled(data, label_column="stance", sentiment_column="sentiment")
    stance_only = [row for row in examples if row.label is not None and row.sentiment is None]
    with pytest.raises(DataError, match="validation data: no comments with a sentiment label, and the model learns sentiment"):
        train(examples, tmp_path / "model", tiny_config(tiny_base_model), validation=stance_only)


def test_labels_outside_a_comments_label_space_get_no_gradient_from_it(tiny_classifier_dir: Path) -> None:
    """A P-Stance-like comment (support/oppose only) must not teach the model that neutral, mixed or
    a sentiment label is wrong; a comment without a label space still does."""
    import torch
    from transformers import DataCollatorWithPadding

    from stance.core.labelled import LabelledComment
    from stance.training.loop import window_rows
    from stance.training.multitask import MultiTaskModel, masked_loss

    classifier = StanceClassifier.from_pretrained(tiny_classifier_dir)
    limited = {"stance": ("support", "oppose"), "sentiment": ("positive", "negative", "neutral")}
    examples = [
        LabelledComment("I love this plan", "support", "the plan", sentiment="positive", label_space=limited),
        LabelledComment("I hate this plan", "oppose", "the plan", sentiment="negative", label_space=limited),
    ]

    def gradients(rows: list[LabelledComment]) -> tuple[torch.Tensor, torch.Tensor]:
        features = window_rows(classifier, rows, training=True)
        batch = DataCollatorWithPadding(classifier.tokenizer)([{k: v for k, v in row.items() if k != "length"} for row in features])
        model = MultiTaskModel(classifier.model, classifier.backend.heads, list(classifier.tasks))
        model.zero_grad()
        labels = batch.pop("labels")
        masked_loss(list(classifier.tasks), dict.fromkeys(classifier.tasks))(model(**batch), labels).backward()
        return classifier.model.classifier.weight.grad.norm(dim=1), classifier.backend.heads["sentiment"].module.weight.grad.norm(dim=1)

    stance_grad, sentiment_grad = gradients(examples)
    assert classifier.labels == ["support", "oppose", "mixed", "neutral"]
    assert stance_grad[2] == 0 and stance_grad[3] == 0 and stance_grad[0] > 0 and stance_grad[1] > 0
    assert sentiment_grad[3] == 0 and sentiment_grad[2] > 0  # mixed sentiment is outside, neutral inside
    everything, _ = gradients([LabelledComment(e.text, e.label, e.target, sentiment=e.sentiment) for e in examples])
    assert everything[2] > 0 and everything[3] > 0
    assert all("label_space" not in row for row in window_rows(classifier, examples, training=False))


def test_a_trained_compact_model_is_a_base_model_for_other_labels(tiny_base_model: Path, toy_labelled: Path, tmp_path: Path) -> None:
    """`stance train --base-model models/default`: a compact stance model lends its encoder to data
    with other labels (its stance head is replaced, its sentiment head kept where the data has
    sentiment), and the result is stored against the bare base it came from."""
    import torch
    from conftest import write_jsonl

    start_dir = tmp_path / "start"
    data = write_jsonl(tmp_path / "both.jsonl", two_task_rows() * 4)
    examples = load_labelled(data, label_column="stance", sentiment_column="sentiment")
    train(examples, start_dir, tiny_config(tiny_base_model), validation=examples, compact=True)
    start = StanceClassifier.from_pretrained(start_dir)
    three_way = [{"text": f"{w} this plan {i}", "target": "the plan", "label": label}
                 for i in range(8) for w, label in (("I love", "support"), ("I hate", "oppose"), ("What is", "neutral"))]
    config = tiny_config(str(start_dir), epochs=1, learning_rate=1e-12)  # barely moves: the encoder is the start's
    out = tmp_path / "mine"
    train(load_labelled(write_jsonl(tmp_path / "three.jsonl", three_way)), out, config, compact=True)
    mine = StanceClassifier.from_pretrained(out)
    assert mine.tasks == {"stance": ["support", "oppose", "neutral"]}
    assert json.loads((out / "stance.json").read_text())["base_model"] == str(tiny_base_model)
    assert (out / "delta.safetensors").exists()
    encoder = {name: value for name, value in mine.model.state_dict().items() if "classifier" not in name}
    started = start.model.state_dict()
    assert all(torch.allclose(value, started[name], atol=1e-4) for name, value in encoder.items())
    sentiment_too = train(examples, tmp_path / "again", config, validation=examples)
    again = StanceClassifier.from_pretrained(tmp_path / "again")
    assert sentiment_too.tasks == start.tasks
    texts = ["I love this plan, furious 1", "I hate this plan, happy 2"]
    assert again.predict_proba(texts, "the plan", task="sentiment") == pytest.approx(
        start.predict_proba(texts, "the plan", task="sentiment"), abs=1e-3)
