"""Cross-fitted routing figures on the real dev set: the "cv" column of src/atende/triage/EXPERIMENTS.md.

The routing thresholds and the calibration are read off the real dev set, so the dev set's own `auto`
precision flatters them. Here the dev set is cut into folds; for each, the model is calibrated and its
thresholds derived on the other folds, and the fold is routed with them. The cut is made `--repeats`
times with different seeds, since one cut of 653 messages moves precision by a point either way. The
pooled coverage / precision is the honest dev estimate that chose `TrainConfig.target_precision`.
Never reads the real test set.

    python bench/triage_crossfit.py [--target 0.96 0.965 0.97] [--folds 5] [--repeats 5]

Takes a few minutes: it embeds the training and dev sets once.
"""

from __future__ import annotations

import argparse
from dataclasses import replace

from atende.domain.routing import Route, RoutingContext, RoutingPolicy, decide
from atende.triage.model import TriageModel
from atende.triage.policy import default_policy_dict
from atende.triage.train import (
    CALIBRATION_PATH,
    HELDOUT_PATH,
    TRAIN_PATH,
    TrainConfig,
    calibrate,
    default_embed,
    export,
    fit_heads,
    read_jsonl,
    routing_thresholds,
)


def main() -> None:
    import numpy as np

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", type=float, nargs="+", default=[TrainConfig().target_precision])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=5, help="cuts into folds, each with its own seed")
    args = parser.parse_args()

    rows, dev = read_jsonl(TRAIN_PATH), read_jsonl(CALIBRATION_PATH)
    vectors, dev_vectors = default_embed([r["text"] for r in rows]), default_embed([r["text"] for r in dev])
    written_rows = read_jsonl(HELDOUT_PATH)
    written = (written_rows, default_embed([r["text"] for r in written_rows]))
    ctx = RoutingContext(conversation_status="bot", recent_sentiments=())
    cuts = [
        np.array_split(np.random.default_rng(seed).permutation(len(dev)), args.folds)
        for seed in range(args.repeats)
    ]
    for target in args.target:
        config = replace(TrainConfig(), target_precision=target)
        uncalibrated = export(fit_heads(rows, vectors, config), config, meta={})
        answered = right = 0
        for fold in (fold for folds in cuts for fold in folds):
            held_out = set(fold.tolist())
            rest = [i for i in range(len(dev)) if i not in held_out]
            part, part_vectors = [dev[i] for i in rest], dev_vectors[rest]
            doc = calibrate(uncalibrated, part, part_vectors)
            policy = RoutingPolicy.from_dict(
                {**default_policy_dict(), **routing_thresholds(doc, part, part_vectors, config, written)}
            )
            model = TriageModel(doc)
            for i in fold:
                t = model.classify(dev[i]["text"], dev_vectors[i])
                if decide(t, ctx, policy).route == Route.AUTO:
                    answered += 1
                    right += t.intent == dev[i]["intent"]
        print(
            f"target {target:.3f}: cross-fitted auto coverage {answered / (args.repeats * len(dev)):.3f}, "
            f"precision {right / max(answered, 1):.3f} "
            f"({args.repeats} cuts into {args.folds} folds of {len(dev)} dev messages)"
        )


if __name__ == "__main__":
    main()
