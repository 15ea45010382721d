"""`atende triage`: classify stdin, evaluate on the held-out set, retrain.

echo "preciso da segunda via do boleto" | atende triage
atende triage --jsonl < messages.jsonl
atende triage eval
atende triage train
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import IO, Any


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "triage",
        help="classify messages (intent, sentiment, confidence) read from stdin",
        description="Classify messages from stdin, one per line (or JSON lines with --jsonl), and print one "
        "JSON object per message. Subcommands: classify (the default), eval, train.",
    )
    _add_classify_args(parser)
    parser.set_defaults(func=run_classify)
    sub = parser.add_subparsers(dest="triage_command", metavar="{classify,eval,train}")

    p_classify = sub.add_parser("classify", help="classify stdin (the default action)")
    # SUPPRESS: otherwise the subcommand's defaults would undo `atende triage --jsonl classify`.
    _add_classify_args(p_classify, default=argparse.SUPPRESS)
    p_classify.set_defaults(func=run_classify)

    p_eval = sub.add_parser("eval", help="metrics of the committed model on the held-out set")
    p_eval.add_argument(
        "--data", type=Path, default=None, help="JSONL with text/intent/sentiment (default: held-out)"
    )
    p_eval.add_argument("--errors", action="store_true", help="also list the misclassified messages")
    p_eval.set_defaults(func=run_eval)

    p_train = sub.add_parser(
        "train", help="retrain the model from the training data (deterministic; needs scikit-learn)"
    )
    p_train.add_argument(
        "--out", type=Path, default=None, help="where to write the model (default: committed file)"
    )
    p_train.add_argument(
        "--check", action="store_true", help="do not write; exit 1 if the committed model is stale"
    )
    p_train.set_defaults(func=run_train)


def _add_classify_args(parser: argparse.ArgumentParser, default: Any = None) -> None:
    parser.add_argument(
        "--jsonl",
        action="store_true",
        default=False if default is None else default,
        help="read JSON lines and classify their text field",
    )
    parser.add_argument(
        "--field",
        default="text" if default is None else default,
        help="JSON field holding the message (with --jsonl)",
    )


def classify_stream(stdin: IO[str], stdout: IO[str], jsonl: bool = False, text_field: str = "text") -> int:
    """Classify each input line; returns the number of lines that could not be read."""
    from atende.domain.routing import RoutingContext, decide
    from atende.triage import classify
    from atende.triage.policy import default_policy

    policy = default_policy()
    ctx = RoutingContext(conversation_status="bot", recent_sentiments=())
    errors = 0
    for lineno, raw in enumerate(stdin, 1):
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue
        extra: dict[str, Any] = {}
        if jsonl:
            try:
                obj = json.loads(line)
                text = obj[text_field]
                if not isinstance(text, str):
                    raise TypeError(f"{text_field!r} is not a string")
            except (ValueError, KeyError, TypeError) as exc:
                print(f"line {lineno}: skipped ({exc.__class__.__name__}: {exc})", file=sys.stderr)
                errors += 1
                continue
            if "id" in obj:
                extra["id"] = obj["id"]
        else:
            text = line
        t = classify(text)
        decision = decide(t, ctx, policy)
        out = {
            **extra,
            "intent": t.intent,
            "sentiment": t.sentiment,
            "confidence": round(t.confidence, 3),
            "decision": decision.route,
        }
        stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        stdout.flush()
    return errors


def run_classify(args: argparse.Namespace) -> int:
    errors = classify_stream(sys.stdin, sys.stdout, jsonl=args.jsonl, text_field=args.field)
    return 1 if errors else 0


def run_eval(args: argparse.Namespace) -> int:
    from atende.triage.evaluate import evaluate, format_report
    from atende.triage.model import get_model
    from atende.triage.policy import default_policy
    from atende.triage.train import HELDOUT_PATH, read_jsonl

    path = args.data or HELDOUT_PATH
    rows = read_jsonl(path)
    model = get_model()
    results = [model.classify(r["text"]) for r in rows]
    report = evaluate(results, rows)
    print(f"data                {path}")
    print(format_report(report, default_threshold=default_policy().default_threshold))
    if args.errors:
        print("\nmisclassified (expected -> predicted, confidence)")
        for t, r in zip(results, rows, strict=True):
            if t.intent != r["intent"]:
                print(f"  {r['intent']:>13} -> {t.intent:<13} {t.confidence:.2f}  {r['text']}")
    return 0


def run_train(args: argparse.Namespace) -> int:
    from atende.triage.model import MODEL_PATH
    from atende.triage.train import dump_model, save_model, train

    started = time.perf_counter()
    doc = train(log=lambda msg: print(msg, file=sys.stderr))
    if args.check:
        current = MODEL_PATH.read_bytes() if MODEL_PATH.exists() else b""
        fresh = dump_model(doc)
        if current == fresh:
            print("committed model is up to date")
            return 0
        print("committed model differs from a fresh training run; run `atende triage train`")
        return 1
    out = args.out or MODEL_PATH
    size = save_model(doc, out)
    temperature = doc["temperature"]
    print(
        f"wrote {out} ({size / 1024:.0f} KiB, {len(doc['weights'])} features) in "
        f"{time.perf_counter() - started:.1f}s; temperatures intent {temperature['intent']:.3f}, "
        f"sentiment {temperature['sentiment']:.3f}"
    )
    return 0
