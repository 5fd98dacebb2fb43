"""Plain functions behind `capwatch train` and `capwatch eval --cv` (typer wires them)."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict
from pathlib import Path
from typing import TextIO

from detection.evaluate import Metrics
from detection.learned.corpus import LabelledRecord, read_corpora
from detection.learned.crossval import CVReport, cross_validate, in_sample
from detection.learned.linear import Combination
from detection.learned.store import DEFAULT_PATH, TrainingMeta, write_model
from detection.learned.train import TrainParams, fit

log = logging.getLogger(__name__)

SHARED_EVAL = Path(__file__).resolve().parents[2] / ".." / "shared" / "eval"
SHARED_CORPORA = ("dev.jsonl", "dev2.jsonl", "train.jsonl")

_ROWS = (
    ("Relevance precision", "relevance_precision"),
    ("Relevance recall", "relevance_recall"),
    ("Relevance F1", "relevance_f1"),
    ("Sector micro-F1", "sector_f1"),
    ("Action micro-F1", "action_f1"),
    ("B-cubed F1", "bcubed_f1"),
    ("Alerts per true event", "alerts_per_event"),
    ("Events missed", "events_missed"),
    ("True events", "true_events"),
    ("Records (scored)", "n_scored"),
)


def default_corpora() -> list[Path]:
    """The shared labelled files beside the repository (../shared/eval), those present."""
    return [p for p in (SHARED_EVAL / n for n in SHARED_CORPORA) if p.exists()]


def _load(paths: list[Path], out: TextIO) -> list[LabelledRecord] | None:
    if not paths:
        out.write(f"error: no corpus given and none found in {SHARED_EVAL.resolve()}\n")
        return None
    missing = [p for p in paths if not p.exists()]
    if missing:
        out.write(f"error: not found: {', '.join(map(str, missing))}\n")
        return None
    return read_corpora(paths)[0]


def train_command(
    corpora: list[Path], feedback: list[Path], output: Path | None, out: TextIO
) -> int:
    """Rebuild the model from labelled corpora (+ exported analyst feedback); 2 on bad input."""
    paths = [*(corpora or default_corpora()), *feedback]
    if _load(paths, out) is None:
        return 2
    records, files = read_corpora(paths)
    params = TrainParams()
    try:
        model = fit(records, params)
    except ValueError as exc:
        out.write(f"error: {exc}\n")
        return 2
    import sklearn

    labelled = [r for r in records if r.relevant is not None]
    meta = TrainingMeta(
        corpora=tuple(files),
        records=len(labelled),
        positives=sum(bool(r.relevant) for r in labelled),
        seed=params.seed,
        params=params.as_dict(),
        library=f"scikit-learn {sklearn.__version__}",
    )
    path = output or DEFAULT_PATH
    digest = write_model(path, model, meta)
    out.write(
        f"trained on {meta.records} records ({meta.positives} relevant) from "
        f"{len(files)} file(s); {len(model.terms)} terms, heads: {', '.join(sorted(model.heads))}\n"
    )
    for f in files:
        out.write(f"  {f.name}: {f.records} records, sha256 {f.sha256}\n")
    out.write(f"model: {path} ({path.stat().st_size} bytes, sha256 {digest})\n")
    return 0


def _table(columns: list[tuple[str, Metrics, dict[str, float]]]) -> str:
    width = max(len(label) for label, _ in _ROWS)
    head = " " * width + "".join(f"  {name:>16}" for name, _, _ in columns)
    lines = [head]
    for label, key in _ROWS:
        cells = "".join(f"  {m.to_dict()[key]:>16}" for _, m, _ in columns)
        lines.append(f"{label:<{width}}{cells}")
    for lang in sorted({lang for _, _, r in columns for lang in r}):
        cells = "".join(f"  {r.get(lang, '-'):>16}" for _, _, r in columns)
        lines.append(f"{'Recall ' + lang:<{width}}{cells}")
    return "\n".join(lines)


def _errors(report: CVReport) -> str:
    lines = ["errors (fold, label, detector score = model / rules, lang, id, title):"]
    for s in report.errors():
        p = s.prediction
        kind = "FALSE ALERT" if p.relevant else "MISSED     "
        model = f"{p.model_score:.2f}" if p.model_score is not None else "-"
        rules = f"{p.rule_score:.2f}" if p.rule_score is not None else "-"
        lines.append(
            f"  {s.fold} {kind} {p.score:.2f} = {model} / {rules}  {s.record.lang or '?'} "
            f"{s.record.id}  {s.record.title[:60]}"
        )
    return "\n".join(lines)


def cv_command(
    corpora: list[Path],
    folds: int,
    show_errors: bool,
    as_json: bool,
    out: TextIO,
    show_groups: bool = False,
    choose_combination: bool = False,
) -> int:
    """Grouped K-fold figures beside the in-sample ones and the rules alone; with
    `choose_combination` also the CV figure when each fold chooses its own combination."""
    records = _load(corpora or default_corpora(), out)
    if records is None:
        return 2
    try:
        cv = cross_validate(records, folds)
        chosen = (
            cross_validate(records, folds, choose_combination=True) if choose_combination else None
        )
    except ValueError as exc:
        out.write(f"error: {exc}\n")
        return 2
    insample = in_sample(records, fit(records))
    rules = in_sample(records, None)
    columns = [(f"cv {folds}-fold", cv.metrics, cv.recall_by_lang)]
    if chosen is not None:
        columns.append(("cv, chosen/fold", chosen.metrics, chosen.recall_by_lang))
    columns += [
        ("in-sample", insample.metrics, insample.recall_by_lang),
        ("rules only", rules.metrics, rules.recall_by_lang),
    ]
    if as_json:
        doc: dict[str, object] = {
            name: {**asdict(m), "recall_by_lang": r} for name, m, r in columns
        }
        if chosen is not None:
            doc["combinations_chosen"] = [asdict(c) for c in chosen.combinations]
        if show_errors:
            doc["errors"] = [
                {
                    "id": s.record.id,
                    "fold": s.fold,
                    "label": s.record.relevant,
                    **asdict(s.prediction),
                }
                for s in cv.errors()
            ]
        out.write(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
        return 0
    out.write(
        f"{len(records)} records; grouped {folds}-fold cross-validation (events kept whole)\n"
    )
    out.write(_table(columns) + "\n")
    if chosen is not None:
        picks = ", ".join(f"{c.model_weight:g}/{c.threshold:g}" for c in chosen.combinations)
        fixed = Combination()
        out.write(
            f"combination chosen per fold (model weight/threshold, by relevance F1 on an inner "
            f"grouped CV of the fold's training part): {picks}; a check only, the committed "
            f"model ships the fixed {fixed.model_weight:g}/{fixed.threshold:g}\n"
        )
    if show_errors:
        out.write(_errors(cv) + "\n")
    if show_groups:
        from detection.learned.grouping import grouping_report

        out.write(grouping_report(cv) + "\n")
    return 0
