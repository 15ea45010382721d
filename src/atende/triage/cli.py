"""`atende triage`: classify stdin, evaluate on the labelled sets, retrain.

echo "preciso da segunda via do boleto" | atende triage
atende triage --jsonl < messages.jsonl
atende triage eval                    # written held-out set, real dev set, real test set
atende triage eval --set real-test    # one of them, in full
atende triage train
atende triage table [--check]         # the console's precision/coverage table per intent and threshold
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from functools import cache
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from atende.triage.data.real_split import REAL_DEV_PATH, REAL_TEST_PATH
from atende.triage.train import HELDOUT_PATH

if TYPE_CHECKING:
    from atende.domain.routing import RoutingContext
    from atende.triage.evaluate import EvalReport

# The labelled sets `atende triage eval` knows: sentences written for the project, and real customer
# messages (see data/SOURCES.md). real-test is frozen and only ever evaluated on.
EVAL_SETS: dict[str, Path] = {"heldout": HELDOUT_PATH, "real-dev": REAL_DEV_PATH, "real-test": REAL_TEST_PATH}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "triage",
        help="classify messages (intent, sentiment, confidence) read from stdin",
        description="Classify messages from stdin, one per line (or JSON lines with --jsonl), and print one "
        "JSON object per message. Subcommands: classify (the default), eval, train.",
    )
    _add_classify_args(parser)
    parser.set_defaults(func=run_classify)
    sub = parser.add_subparsers(dest="triage_command", metavar="{classify,eval,train,table}")

    p_classify = sub.add_parser("classify", help="classify stdin (the default action)")
    # SUPPRESS: otherwise the subcommand's defaults would undo `atende triage --jsonl classify`.
    _add_classify_args(p_classify, default=argparse.SUPPRESS)
    p_classify.set_defaults(func=run_classify)

    p_eval = sub.add_parser(
        "eval", help="metrics of the committed model on the written held-out set and the real sets"
    )
    p_eval.add_argument(
        "--set",
        dest="eval_set",
        choices=[*EVAL_SETS, "all"],
        default="all",
        help="which labelled set to report on (default: all, with a side-by-side summary first)",
    )
    p_eval.add_argument(
        "--data", type=Path, default=None, help="any JSONL with text/intent/sentiment (overrides --set)"
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

    p_table = sub.add_parser(
        "table", help="write the per-intent precision/coverage table the console shows beside its sliders"
    )
    p_table.add_argument(
        "--check", action="store_true", help="do not write; exit 1 if the committed table is stale"
    )
    p_table.set_defaults(func=run_table)


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
    from atende.domain.routing import decide
    from atende.triage import classify
    from atende.triage.policy import default_policy

    policy = default_policy()
    ctx = _first_message_context()
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


def _first_message_context() -> RoutingContext:
    """Routing as for a customer's first message to the bot: no person in the chat, no history."""
    from atende.domain.routing import RoutingContext

    return RoutingContext(conversation_status="bot", recent_sentiments=())


@cache
def evaluate_file(path: Path) -> tuple[list[dict[str, Any]], list[Any], EvalReport]:
    """Classify and route every row of a labelled JSONL file with the committed model and policy
    (once per process: the committed model and policy do not change under it)."""
    from atende.domain.routing import Route, decide
    from atende.triage.evaluate import evaluate
    from atende.triage.model import get_model
    from atende.triage.policy import default_policy
    from atende.triage.train import read_jsonl

    rows = read_jsonl(path)
    model, policy, ctx = get_model(), default_policy(), _first_message_context()
    results = [model.classify(r["text"]) for r in rows]
    auto = [decide(t, ctx, policy).route == Route.AUTO for t in results]
    return rows, results, evaluate(results, rows, auto=auto)


def run_classify(args: argparse.Namespace) -> int:
    errors = classify_stream(sys.stdin, sys.stdout, jsonl=args.jsonl, text_field=args.field)
    return 1 if errors else 0


def run_eval(args: argparse.Namespace) -> int:
    from atende.triage.evaluate import format_report, format_summary
    from atende.triage.policy import default_policy

    threshold = default_policy().default_threshold
    if args.data:
        paths = {args.data.name: args.data}
    elif args.eval_set == "all":
        paths = dict(EVAL_SETS)
    else:
        paths = {args.eval_set: EVAL_SETS[args.eval_set]}
    evaluated = {name: evaluate_file(path) for name, path in paths.items()}
    if len(evaluated) > 1:
        print(format_summary({name: report for name, (_, _, report) in evaluated.items()}, threshold))
    for name, (rows, results, report) in evaluated.items():
        print(f"\n=== {name}: {paths[name]}" if len(evaluated) > 1 else f"data                {paths[name]}")
        print(format_report(report, default_threshold=threshold))
        if args.errors:
            print("\nmisclassified (expected -> predicted, confidence)")
            for t, r in zip(results, rows, strict=True):
                if t.intent != r["intent"]:
                    print(f"  {r['intent']:>13} -> {t.intent:<13} {t.confidence:.2f}  {r['text']}")
    return 0


def run_train(args: argparse.Namespace) -> int:
    from atende.triage.model import MODEL_PATH
    from atende.triage.policy import write_thresholds
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
    if args.out is None:
        write_thresholds(doc["meta"]["routing"])
    temperature = doc["temperature"]
    print(
        f"wrote {out} ({size / 1024:.0f} KiB, {len(doc['weights'])} features) in "
        f"{time.perf_counter() - started:.1f}s; temperatures intent {temperature['intent']:.3f}, "
        f"sentiment {temperature['sentiment']:.3f}; routing thresholds from the real dev set "
        f"{doc['meta']['routing']}"
    )
    return 0


# The sets the console's table is computed on: never real-test, which is kept for the final word.
TABLE_SETS = ("heldout", "real-dev")


def run_table(args: argparse.Namespace) -> int:
    from atende.triage.threshold_table import TABLE_PATH, compute, render

    fresh = render(compute({name: EVAL_SETS[name] for name in TABLE_SETS}))
    if args.check:
        current = TABLE_PATH.read_text(encoding="utf-8") if TABLE_PATH.exists() else ""
        if current == fresh:
            print("committed threshold table is up to date")
            return 0
        print("committed threshold table differs from a fresh computation; run `atende triage table`")
        return 1
    TABLE_PATH.write_text(fresh, encoding="utf-8")
    print(f"wrote {TABLE_PATH}")
    return 0
