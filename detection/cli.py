"""Plain functions behind `capwatch detect --jsonl` and `capwatch eval` (typer wires them)."""

from __future__ import annotations

import json
from typing import TextIO

from detection.evaluate import Metrics, evaluate_corpus
from detection.pipeline import run_jsonl

_ROWS = (
    ("Relevance precision", "relevance_precision"),
    ("Relevance recall", "relevance_recall"),
    ("Relevance F1", "relevance_f1"),
    ("Sector micro-F1", "sector_f1"),
    ("Action micro-F1", "action_f1"),
    ("B-cubed precision", "bcubed_precision"),
    ("B-cubed recall", "bcubed_recall"),
    ("B-cubed F1", "bcubed_f1"),
    ("Alerts per true event", "alerts_per_event"),
    ("True events", "true_events"),
    ("Events missed", "events_missed"),
    ("Records (scored)", "n_scored"),
)


def detect_command(stdin: TextIO, stdout: TextIO) -> int:
    """JSON lines in, one JSON result line out per input line; 1 if any line failed."""
    failed = False
    for out in run_jsonl(stdin):
        failed = failed or "error" in out
        stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
    stdout.flush()
    return 1 if failed else 0


def format_metrics(m: Metrics) -> str:
    d = m.to_dict()
    width = max(len(label) for label, _ in _ROWS)
    lines = [f"{label:<{width}}  {d[key]:>8}" for label, key in _ROWS]
    return "\n".join(lines)


def eval_command(corpus_path: str, as_json: bool, out: TextIO) -> int:
    """Score the pipeline on a labelled corpus; 2 when the file cannot be read."""
    try:
        metrics = evaluate_corpus(corpus_path)
    except (OSError, ValueError) as exc:
        out.write(f"error: {exc}\n")
        return 2
    if as_json:
        out.write(json.dumps(metrics.to_dict(), indent=2) + "\n")
    else:
        out.write(format_metrics(metrics) + "\n")
    return 0
