"""Behaviour of the offline triage model as a customer-service operator would notice it."""

from __future__ import annotations

import dataclasses
import io
import json
import pathlib
import re
import subprocess
import sys
import unicodedata
from dataclasses import asdict

import pytest

from atende.triage import INTENTS, SENTIMENTS, Triage, classify
from atende.triage.cli import EVAL_SETS, classify_stream, evaluate_file
from atende.triage.data.agreement import read_annotations
from atende.triage.data.real_split import REAL_DEV_PATH, REAL_TEST_PATH, split
from atende.triage.evaluate import evaluate, format_report
from atende.triage.model import MODEL_PATH, TriageModel, get_model
from atende.triage.text import FEATURE_VERSION, features, tokens
from atende.triage.train import (
    CALIBRATION_PATH,
    HELDOUT_PATH,
    TRAIN_PATH,
    TrainConfig,
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
    assert max(t.scores, key=t.scores.__getitem__) == t.intent  # confidence is that score, calibrated
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
    for path in (TRAIN_PATH, HELDOUT_PATH, REAL_DEV_PATH, REAL_TEST_PATH):
        for row in read_jsonl(path):
            assert row["text"].strip()
            assert row["intent"] in INTENTS
            assert row["sentiment"] in SENTIMENTS


# ---------------------------------------------------------------- real evaluation sets

# Pinned in data/SOURCES.md as well. Changing real_test.jsonl is a reviewed decision, never a side effect.
REAL_TEST_SHA256 = "8697fa7203b508511b3386fce35f917bc7a14bbf3d3d1b4c6120c09d4c71d5e5"
_PERSONAL_DATA = re.compile(
    r"[\w.+-]+@[\w-]+\.\w+"  # e-mail
    r"|(?<![\w.])@\w+"  # @handle
    r"|\b\d{3}\.?\d{3}\.?\d{3}-?\d{2}\b"  # CPF
    r"|\(?\b\d{2}\)?\s?9?\d{4}-?\d{4}\b"  # phone
)


def test_real_test_set_is_frozen() -> None:
    assert file_sha256(REAL_TEST_PATH) == REAL_TEST_SHA256, (
        "real_test.jsonl changed: it is frozen (see data/SOURCES.md); revert, or update the checksum here "
        "and in SOURCES.md in a reviewed commit that says why"
    )
    assert REAL_TEST_SHA256 in (REAL_TEST_PATH.parent / "SOURCES.md").read_text(encoding="utf-8")


def test_every_real_message_has_three_readings_and_the_sets_carry_the_first() -> None:
    """The other readings are kept for the agreement report (data/agreement.py), never mixed in by hand."""
    annotations = read_annotations()
    rows = read_jsonl(REAL_DEV_PATH) + read_jsonl(REAL_TEST_PATH)
    assert all(set(given) == {r["id"] for r in rows} for given in annotations.values())
    for reading in annotations.values():
        assert all(g["intent"] in INTENTS and g["sentiment"] in SENTIMENTS for g in reading.values())
    first = annotations["first"]
    assert [r["id"] for r in rows if (r["intent"], r["sentiment"]) != tuple(first[r["id"]].values())] == []


def test_real_sets_are_real_sized_labelled_and_masked() -> None:
    dev, test = read_jsonl(REAL_DEV_PATH), read_jsonl(REAL_TEST_PATH)
    rows = dev + test
    assert len(rows) >= 1000
    assert len({r["id"] for r in rows}) == len(rows)
    sources = (REAL_TEST_PATH.parent / "SOURCES.md").read_text(encoding="utf-8")
    for row in rows:
        assert f"`{row['source']}`" in sources, row["source"]
        assert 0 < len(row["text"]) <= 400, row["id"]
        assert not _PERSONAL_DATA.search(row["text"]), row["text"]
    # Both halves keep every intent that has at least two messages.
    for intent in INTENTS:
        if sum(r["intent"] == intent for r in rows) >= 2:
            assert any(r["intent"] == intent for r in dev) and any(r["intent"] == intent for r in test)


def test_real_split_is_deterministic_and_stratified() -> None:
    rows = read_jsonl(REAL_DEV_PATH) + read_jsonl(REAL_TEST_PATH)
    dev, test = split(rows)
    assert split(reversed(rows)) == (dev, test)
    assert sorted(r["id"] for r in dev + test) == sorted(r["id"] for r in rows)
    for key in {(r["source"], r["intent"]) for r in rows}:
        in_dev = sum((r["source"], r["intent"]) == key for r in dev)
        in_test = sum((r["source"], r["intent"]) == key for r in test)
        assert in_dev - in_test in (0, 1), key


def test_real_files_are_split_by_source_and_intent() -> None:
    """The committed halves: every message once, each (source, intent) split evenly. A few label
    corrections made in place since the split may unbalance a group by one or two."""
    dev, test = read_jsonl(REAL_DEV_PATH), read_jsonl(REAL_TEST_PATH)
    assert not {r["id"] for r in dev} & {r["id"] for r in test}
    for key in {(r["source"], r["intent"]) for r in dev + test}:
        in_dev = sum((r["source"], r["intent"]) == key for r in dev)
        in_test = sum((r["source"], r["intent"]) == key for r in test)
        assert abs(in_dev - in_test) <= 2, key


def test_real_sets_are_disjoint_from_training() -> None:
    """No real message of four words or more was copied into the training data (stock phrases such as
    "muito obrigado" occur in both by nature)."""
    train_keys = {_surface(r["text"]) for r in read_jsonl(TRAIN_PATH)}
    for path in (REAL_DEV_PATH, REAL_TEST_PATH):
        keys = (_surface(r["text"]) for r in read_jsonl(path))
        assert [key for key in keys if len(key.split()) >= 4 and key in train_keys] == []


def test_training_never_reads_the_real_test_set(monkeypatch: pytest.MonkeyPatch) -> None:
    """What `atende triage train` opens, recorded up to the point where fitting would start."""
    import atende.triage.train as train_module

    for module in (train_module, sys.modules.get("atende.triage.data.compose_train")):
        if module is not None:
            source = pathlib.Path(module.__file__).read_text(encoding="utf-8")
            assert "real_test" not in source and "REAL_TEST" not in source, module.__name__

    opened: list[pathlib.Path] = []
    real_open, real_read_bytes = pathlib.Path.open, pathlib.Path.read_bytes

    def spy_open(self: pathlib.Path, *args, **kwargs):
        opened.append(self.resolve())
        return real_open(self, *args, **kwargs)

    def spy_read_bytes(self: pathlib.Path) -> bytes:
        opened.append(self.resolve())
        return real_read_bytes(self)

    class Stop(Exception):
        pass

    def stop(*_args, **_kwargs):
        raise Stop

    monkeypatch.setattr(pathlib.Path, "open", spy_open)
    monkeypatch.setattr(pathlib.Path, "read_bytes", spy_read_bytes)
    monkeypatch.setattr(train_module, "default_embed", stop)
    with pytest.raises(Stop):
        train_module.train()
    assert REAL_TEST_PATH.resolve() not in opened
    data_dir = TRAIN_PATH.resolve().parent
    # The written training set; the real dev set only calibrates (four numbers) and sets thresholds, and
    # the written held-out set sets the thresholds of intents too rare on the real dev set.
    assert {path for path in opened if path.is_relative_to(data_dir)} == {
        TRAIN_PATH.resolve(),
        CALIBRATION_PATH.resolve(),
        HELDOUT_PATH.resolve(),
    }


def test_evaluate_reports_baseline_sentiment_f1_and_reliability() -> None:
    def t(intent: str, sentiment: str, confidence: float) -> Triage:
        return Triage(intent=intent, sentiment=sentiment, confidence=confidence)

    rows = [
        {"intent": "other", "sentiment": "neutral"},
        {"intent": "other", "sentiment": "satisfied"},
        {"intent": "other", "sentiment": "neutral"},
        {"intent": "technical", "sentiment": "frustrated"},
    ]
    results = [
        t("technical", "neutral", 0.95),  # wrong and sure of it
        t("other", "satisfied", 0.55),
        t("other", "neutral", 0.92),
        t("technical", "neutral", 0.58),
    ]
    report = evaluate(results, rows, auto=[True, False, True, False])
    assert report.accuracy == 0.75
    assert (report.majority_intent, report.majority_accuracy) == ("other", 0.75)
    # sentiment: neutral P=2/3 R=1, satisfied P=R=1, frustrated P=R=0 -> (0.8 + 1 + 0) / 3
    assert report.sentiment_macro_f1 == pytest.approx(0.6)
    assert [(b.low, b.n, b.accuracy) for b in report.reliability] == [(0.5, 2, 1.0), (0.9, 2, 0.5)]
    assert report.ece == pytest.approx(2 / 4 * abs(0.565 - 1.0) + 2 / 4 * abs(0.935 - 0.5))
    assert report.routed_auto is not None
    assert (report.routed_auto.coverage, report.routed_auto.precision) == (0.5, 0.5)


def test_real_test_evaluation_is_reported() -> None:
    rows, results, report = evaluate_file(REAL_TEST_PATH)
    assert report.n == len(rows) == len(results) == sum(1 for _ in REAL_TEST_PATH.open(encoding="utf-8"))
    assert sum(b.n for b in report.reliability) == report.n
    assert report.routed_auto is not None and 0 <= report.routed_auto.coverage <= 1
    assert 0 < report.majority_accuracy < 1
    text = format_report(report, default_threshold=0.70)
    for needle in ("majority baseline", "sentiment macro-F1", "calibration (ECE)", "reliability", "routed"):
        assert needle in text


# The CI gate on real customer messages (the frozen test set), with the routing policy as shipped.
# Issue 13's targets are asserted as they are once a committed model reaches them; a target not reached
# yet keeps a floor just under what the committed model measures (README, "The automatic attendant"), so
# that a retrain cannot quietly lose ground. Never tuned on this set: see triage/EXPERIMENTS.md.
REAL_TEST_TARGETS = {
    "intent accuracy": 0.80,
    "sentiment macro-F1": 0.70,
    "routed auto precision": 0.95,
    "routed auto coverage": 0.60,
}
REAL_TEST_FLOORS = {
    "routed auto coverage": 0.50,  # not reached: 0.515 measured (0.551 before session 6: EXPERIMENTS.md E17)
    "intent macro-F1": 0.62,  # no target; guards the rare intents
}
REAL_TEST_MAX_ECE = 0.04


def test_real_test_set_gate() -> None:
    _, _, report = evaluate_file(REAL_TEST_PATH)
    assert report.routed_auto is not None
    measured = {
        "intent accuracy": report.accuracy,
        "intent macro-F1": report.macro_f1,
        "sentiment macro-F1": report.sentiment_macro_f1,
        "routed auto precision": report.routed_auto.precision,
        "routed auto coverage": report.routed_auto.coverage,
    }
    bars = {**REAL_TEST_TARGETS, **REAL_TEST_FLOORS}
    below = {name: round(measured[name], 3) for name, bar in bars.items() if measured[name] < bar}
    assert below == {}, f"below the real-test bars {bars}: {below}"
    assert report.accuracy > report.majority_accuracy + 0.25
    assert report.ece <= REAL_TEST_MAX_ECE


def test_routing_thresholds_hold_pooled_precision_without_silencing_an_intent() -> None:
    """A sure `other`, a `technical` that is 9 times in 10 right (never 95 % right alone, so the old
    per-intent rule left it at 1.0), a rare `financial`, and a low-confidence `other` block too poor to
    take: the pooled answers reach the target, technical is answered, and the rare intent keeps the
    default."""
    from atende.triage.evaluate import derive_thresholds

    def t(intent: str, confidence: float) -> Triage:
        return Triage(intent=intent, sentiment="neutral", confidence=confidence)

    labelled = (
        [(t("other", 0.95), "other")] * 40
        + [(t("other", 0.60), "commercial")] * 10
        + [(t("other", 0.60), "other")] * 5
        + [(t("technical", 0.90), "technical")] * 9
        + [(t("technical", 0.92), "commercial")]
        + [(t("financial", 0.97), "financial")] * 3
    )
    results = [r for r, _ in labelled]
    rows = [{"intent": gold} for _, gold in labelled]
    default, own = derive_thresholds(results, rows, ["technical", "financial", "other"], 0.95, 8)
    assert set(own) == {"technical", "other"}  # financial: too few predictions for a threshold of its own
    assert own["technical"] <= 0.90 and 0.60 < own["other"] <= 0.95
    answered = [
        r.intent == row["intent"]
        for r, row in zip(results, rows, strict=True)
        if r.confidence >= own.get(r.intent, default)
    ]
    assert len(answered) == 53 and sum(answered) / len(answered) >= 0.95


@pytest.mark.parametrize(
    "text",
    [
        "E a Vivo simplesmente não faz nada...",
        "amor, passa no mercado e compra leite",
        "kkkkkkk verdade",
        "vocês são uns incompetentes",
    ],
)
def test_out_of_scope_messages_are_other_and_get_no_task_flow(text: str) -> None:
    """Chatter, insults, messages to someone else or about another company: `other` (the bot answers
    with the help text, not a flow that does something), or else an abstention (a person reads it)."""
    from atende.domain.routing import RoutingContext, decide
    from atende.engines.local import default_flows
    from atende.triage.policy import default_policy

    t = classify(text)
    if t.intent == "other":
        assert default_flows().select(text, t.intent) == "ajuda"
    else:
        assert decide(t, RoutingContext(), default_policy()).route == "human", (text, t)


# ---------------------------------------------------------------- model provenance


def test_committed_model_matches_training_inputs() -> None:
    """Cheap staleness check: the committed model records what it was trained and calibrated from."""
    meta = get_model().meta
    assert meta["train_sha256"] == file_sha256(TRAIN_PATH), "train.jsonl changed: run `atende triage train`"
    assert meta["calibration_sha256"] == file_sha256(CALIBRATION_PATH), "real_dev.jsonl changed: retrain"
    assert meta["config"] == asdict(TrainConfig()), "TrainConfig changed: run `atende triage train`"
    assert get_model() is get_model()
    assert FEATURE_VERSION  # the loader already refused a mismatching feature version


def test_routing_thresholds_are_the_ones_training_derived() -> None:
    from atende.triage.policy import default_policy_dict

    policy = default_policy_dict()
    routing = get_model().meta["routing"]
    assert policy["default_threshold"] == routing["default_threshold"]
    assert policy["intent_thresholds"] == routing["intent_thresholds"]


def _fake_embed(texts: list[str]):
    """Deterministic stand-in vectors, so the fitting and export can be checked in a second."""
    import hashlib

    import numpy as np

    from atende.triage.embedding import DIM

    out = []
    for text in texts:
        seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "little")
        v = np.random.default_rng(seed).standard_normal(DIM)
        out.append(v / np.linalg.norm(v))
    return np.array(out, dtype=np.float32)


@pytest.fixture(scope="module")
def small_training():
    rows = read_jsonl(TRAIN_PATH)[::6]
    calibration = read_jsonl(CALIBRATION_PATH)[::3]
    config = TrainConfig()
    return rows, calibration, config


def test_exported_model_scores_like_scikit_learn(small_training) -> None:
    """The run time rebuilds exactly the regression the trainer fitted (before calibration)."""
    import numpy as np

    from atende.triage.train import _design

    rows, _, config = small_training
    vectors = _fake_embed([r["text"] for r in rows])
    heads = fit_heads(rows, vectors, config)
    model = TriageModel(export(heads, config, meta={}))
    texts = [r["text"] for r in rows[::10]] + ["", "xyzzy"]
    docs = [sorted(features(t)) for t in texts]
    emb = _fake_embed(texts)
    p_int = heads.intent.predict_proba(_design(heads.vectorizer, docs, emb, config.sparse_intent))
    p_sent = heads.sentiment.predict_proba(_design(heads.vectorizer, docs, emb, config.sparse_sentiment))
    for text, v, pi, ps in zip(texts, emb, p_int, p_sent, strict=True):
        t = model.classify(text, v)
        assert [t.scores[i] for i in INTENTS] == pytest.approx(pi.tolist(), abs=1e-3), text
        assert t.sentiment == SENTIMENTS[int(np.argmax(ps))], text


def test_training_is_deterministic(small_training) -> None:
    rows, calibration, config = small_training
    first = dump_model(train(config, rows=rows, calibration_rows=calibration, embed=_fake_embed))
    second = dump_model(train(config, rows=rows, calibration_rows=calibration, embed=_fake_embed))
    assert first == second


def test_run_time_never_imports_scikit_learn() -> None:
    code = (
        "import sys; import atende.triage as t; t.classify('a net caiu'); "
        "print(sorted({'scipy', 'sklearn'} & set(sys.modules)))"
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
    assert lines[0]["intent"] == "financial"
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
    summary = out.split("\n===")[0]
    assert summary.split()[:3] == list(EVAL_SETS)
    assert "majority baseline" in summary and "routed auto precision" in summary
    for name, path in EVAL_SETS.items():
        assert f"=== {name}: {path}" in out
    assert "intent accuracy" in out and "macro-F1" in out and "sentiment accuracy" in out
    for th in ("0.50", "0.70", "0.95"):
        assert f"\n{th:>9} " in out


def test_cli_eval_one_set(capsys: pytest.CaptureFixture[str]) -> None:
    from atende.cli import main

    assert main(["triage", "eval", "--set", "real-dev"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"data                {REAL_DEV_PATH}\n")
    assert f"messages            {len(read_jsonl(REAL_DEV_PATH))}\n" in out
    assert str(HELDOUT_PATH) not in out and str(REAL_TEST_PATH) not in out
