"""Behaviour of the offline triage model as a customer-service operator would notice it."""

from __future__ import annotations

import dataclasses
import io
import json
import re
import subprocess
import sys
import unicodedata
from dataclasses import asdict

import pytest

from atende.triage import INTENTS, SENTIMENTS, Triage, classify
from atende.triage.cli import classify_stream
from atende.triage.evaluate import evaluate
from atende.triage.model import MODEL_PATH, TriageModel, get_model
from atende.triage.text import FEATURE_VERSION, features, tokens
from atende.triage.train import (
    HELDOUT_PATH,
    TRAIN_PATH,
    TrainConfig,
    build_examples,
    dump_model,
    export,
    file_sha256,
    fit_heads,
    read_jsonl,
    train,
)


def test_brief_examples() -> None:
    t = classify("Que raiva! Internet péssima!")
    assert (t.intent, t.sentiment) == ("technical", "frustrated")
    assert t.confidence >= 0.8

    t = classify("Preciso da segunda via do boleto")
    assert t.intent == "financial"
    assert t.confidence >= 0.8

    t = classify("a net caiu de novo, que raiva")
    assert (t.intent, t.sentiment) == ("technical", "frustrated")


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        # ISP vocabulary and slang
        ("net caiu", "technical"),
        ("sem sinal", "technical"),
        ("a lentidão tá insuportável", "technical"),
        ("2ª via", "financial"),
        ("me manda o pix pfv", "financial"),
        ("preciso do desbloqueio", "financial"),
        ("quero trocar de plano", "commercial"),
        ("quero falar com atendente", "human_request"),
        ("cancelar", "cancellation"),
        # typos, missing accents, repeated letters
        ("minha intenet nao ta funcionado", "technical"),
        ("segunda via do bolet por favor", "financial"),
        ("qro cancela o contrato", "cancellation"),
        ("falar com atendenti", "human_request"),
        ("oiiii bom diaaa", "greeting"),
        # all caps and emojis
        ("SEM INTERNET DESDE ONTEM", "technical"),
        ("QUERO FALAR COM UMA PESSOA", "human_request"),
        ("internet caiu 😡😡", "technical"),
        ("obrigado 🙏", "greeting"),
    ],
)
def test_portuguese_variants(text: str, intent: str) -> None:
    assert classify(text).intent == intent


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("my internet is not working since yesterday", "technical"),
        ("I need a copy of my invoice", "financial"),
        ("I want to cancel my contract", "cancellation"),
        ("can I talk to a real person?", "human_request"),
        ("no tengo internet desde ayer", "technical"),
        ("necesito la factura del mes", "financial"),
        ("quiero dar de baja mi servicio", "cancellation"),
        ("quiero hablar con un asesor", "human_request"),
    ],
)
def test_english_and_spanish_route(text: str, intent: str) -> None:
    assert classify(text).intent == intent


@pytest.mark.parametrize(
    ("text", "sentiment"),
    [
        ("QUE ABSURDO, TERCEIRO DIA SEM INTERNET", "frustrated"),
        ("preciso da internet urgente, tenho reunião agora", "urgent"),
        ("resolveu, muito obrigado!", "satisfied"),
        ("qual o valor do plano de 500 mega?", "neutral"),
    ],
)
def test_sentiment(text: str, sentiment: str) -> None:
    assert classify(text).sentiment == sentiment


def test_result_shape() -> None:
    t = classify("internet lenta")
    assert isinstance(t, Triage)
    assert t.intent in INTENTS and t.sentiment in SENTIMENTS
    assert set(t.scores) == set(INTENTS)
    assert abs(sum(t.scores.values()) - 1.0) < 1e-9
    assert t.confidence == pytest.approx(max(t.scores.values()))
    with pytest.raises(dataclasses.FrozenInstanceError):
        t.intent = "other"  # type: ignore[misc]


@pytest.mark.parametrize("text", ["", "   ", "🙂", "?" * 5000, "a" * 10000, "\x00\u200b"])
def test_odd_input_does_not_crash(text: str) -> None:
    t = classify(text)
    assert 0.0 <= t.confidence <= 1.0


def test_normalisation_folds_common_variants() -> None:
    assert tokens("2ª via") == tokens("2a via") == tokens("segunda via")
    assert tokens("vc q sabe") == ["voce", "que", "sabe"]
    assert tokens("NET CAIUUUU") == ["internet", "caiu"]
    assert tokens("wi-fi não pega") == ["wifi", "nao", "pega"]
    assert "_emo_raiva_" in tokens("😡")


# ---------------------------------------------------------------- held-out goals


@pytest.fixture(scope="module")
def heldout_report():
    rows = read_jsonl(HELDOUT_PATH)
    model = get_model()
    return evaluate([model.classify(r["text"]) for r in rows], rows)


def test_heldout_accuracy(heldout_report) -> None:
    assert heldout_report.n >= 300
    assert heldout_report.accuracy >= 0.90
    assert heldout_report.macro_f1 >= 0.85


def test_heldout_precision_at_coverage(heldout_report) -> None:
    from atende.triage.policy import default_policy

    row = heldout_report.at(default_policy().default_threshold)
    assert row.coverage >= 0.70
    assert row.precision >= 0.95


def test_heldout_sentiment(heldout_report) -> None:
    assert heldout_report.sentiment_accuracy >= 0.85


def _surface(text: str) -> str:
    """Lowercase letters and digits only: equal keys mean a copied line, not a reworded one."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return re.sub(r"[^a-z0-9]+", " ", decomposed.encode("ascii", "ignore").decode()).strip() or text


def test_heldout_is_disjoint_from_training() -> None:
    train_keys = {_surface(r["text"]) for r in read_jsonl(TRAIN_PATH)}
    overlap = [r["text"] for r in read_jsonl(HELDOUT_PATH) if _surface(r["text"]) in train_keys]
    assert overlap == []


def test_data_files_are_well_formed() -> None:
    for path in (TRAIN_PATH, HELDOUT_PATH):
        for row in read_jsonl(path):
            assert row["text"].strip()
            assert row["intent"] in INTENTS
            assert row["sentiment"] in SENTIMENTS


# ---------------------------------------------------------------- model provenance


def test_committed_model_matches_training_inputs() -> None:
    """Cheap staleness check: the committed model records what it was trained from.

    The byte-for-byte check is `atende triage train --check`.
    """
    meta = get_model().meta
    assert meta["train_sha256"] == file_sha256(TRAIN_PATH), "train.jsonl changed: run `atende triage train`"
    assert meta["config"] == asdict(TrainConfig()), "TrainConfig changed: run `atende triage train`"
    assert get_model() is get_model()
    assert FEATURE_VERSION  # the loader already refused a mismatching feature version


@pytest.fixture(scope="module")
def retrained():
    """A fresh training run on the shipped data (a few seconds): the fitted heads and their export."""
    config = TrainConfig()
    heads = fit_heads(build_examples(read_jsonl(TRAIN_PATH), config), config)
    return heads, TriageModel(export(heads, config, meta={}))


def test_retraining_reproduces_the_committed_model(retrained) -> None:
    _heads, fresh = retrained
    shipped = get_model()
    for row in read_jsonl(HELDOUT_PATH):
        old, new = shipped.classify(row["text"]), fresh.classify(row["text"])
        assert (new.intent, new.sentiment) == (old.intent, old.sentiment), row["text"]
        assert new.confidence == pytest.approx(old.confidence, abs=1e-3), row["text"]


def test_exported_model_scores_like_scikit_learn(retrained) -> None:
    """The pure-Python run time gives the calibrated probabilities the trainer fitted."""
    heads, fresh = retrained
    texts = [*(row["text"] for row in read_jsonl(HELDOUT_PATH)[::4]), "", "🙂", "xyzzy"]
    docs = [sorted(features(text)) for text in texts]
    p_intent = heads.intent.predict_proba(docs)
    p_sentiment = heads.sentiment.predict_proba(docs)
    for text, p_int, p_sent in zip(texts, p_intent, p_sentiment, strict=True):
        t = fresh.classify(text)
        assert [t.scores[i] for i in INTENTS] == pytest.approx(p_int.tolist(), abs=1e-3), text
        assert t.sentiment == SENTIMENTS[p_sent.argmax()], text
        assert t.sentiment_confidence == pytest.approx(p_sent.max(), abs=1e-3), text


def test_training_is_deterministic() -> None:
    rows = read_jsonl(TRAIN_PATH)[::5]
    config = TrainConfig(folds=3)
    first = dump_model(train(config, rows=rows))
    second = dump_model(train(config, rows=rows))
    assert first == second


def test_run_time_needs_neither_numpy_nor_scikit_learn() -> None:
    code = (
        "import sys; import atende.triage as t; t.classify('a net caiu'); "
        "print(sorted({'numpy', 'scipy', 'sklearn'} & set(sys.modules)))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert proc.stdout.strip() == "[]"


def test_model_from_another_format_is_refused() -> None:
    doc = json.loads(MODEL_PATH.read_bytes())
    with pytest.raises(ValueError, match="format"):
        TriageModel({**doc, "format": 1})


# ---------------------------------------------------------------- CLI


def test_cli_stream_lines() -> None:
    out = io.StringIO()
    errors = classify_stream(
        io.StringIO("preciso da segunda via do boleto\n\nquero falar com atendente\n"), out
    )
    assert errors == 0
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(lines) == 2
    assert set(lines[0]) == {"intent", "sentiment", "confidence", "decision"}
    assert lines[0]["intent"] == "financial" and lines[0]["decision"] == "auto"
    assert lines[1]["intent"] == "human_request" and lines[1]["decision"] == "human"
    assert lines[0]["confidence"] == round(lines[0]["confidence"], 3)


def test_cli_stream_jsonl() -> None:
    src = '{"id": 7, "text": "a net caiu"}\nnot json\n{"text": "cancelar"}\n'
    out = io.StringIO()
    errors = classify_stream(io.StringIO(src), out, jsonl=True)
    assert errors == 1
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert lines[0]["id"] == 7 and lines[0]["intent"] == "technical"
    assert lines[1]["intent"] == "cancellation" and lines[1]["decision"] == "human"


def test_cli_subprocess_default_action() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "atende.cli", "triage"],
        input="preciso da segunda via do boleto\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    out = json.loads(proc.stdout)
    assert out["intent"] == "financial"
    assert out["decision"] in ("auto", "human")


def test_cli_eval(capsys: pytest.CaptureFixture[str]) -> None:
    from atende.cli import main

    assert main(["triage", "eval"]) == 0
    out = capsys.readouterr().out
    assert "intent accuracy" in out and "macro-F1" in out and "sentiment accuracy" in out
    for th in ("0.50", "0.70", "0.95"):
        assert f"\n{th:>9} " in out
