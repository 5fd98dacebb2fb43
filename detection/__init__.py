"""Pure detection: normalise, classify, group into events, evaluate. No I/O, no database."""

from detection.classify import classify
from detection.evaluate import Metrics, evaluate, evaluate_corpus
from detection.events import Assignment, EventIndex
from detection.model import Detection, Evidence
from detection.normalize import normalize
from detection.pipeline import run_jsonl

__all__ = [
    "Assignment",
    "Detection",
    "EventIndex",
    "Evidence",
    "Metrics",
    "classify",
    "evaluate",
    "evaluate_corpus",
    "normalize",
    "run_jsonl",
]
