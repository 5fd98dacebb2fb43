"""Where B-cubed is lost: true events split over several predicted events, and predicted
events mixing several true ones, with each record's date, sectors and actions (for
`capwatch eval --cv K --show-groups`)."""

from __future__ import annotations

from collections import Counter, defaultdict

from detection.learned.crossval import CVReport, ScoredRecord

MISSED = "(missed)"


def _predicted(s: ScoredRecord) -> str:
    p = s.prediction
    return p.event if p.relevant and p.event else MISSED


def _line(s: ScoredRecord) -> str:
    r, p = s.record, s.prediction
    return (
        f"    {r.id}  published {r.published or '-'}  true {r.event}  predicted {_predicted(s)}"
        f"  sectors {','.join(p.sectors) or '-'}  actions {','.join(p.actions) or '-'}"
        f"  | {r.title[:40]}"
    )


def grouping_report(report: CVReport) -> str:
    """Split true events (recall loss) and mixed predicted events (precision loss), worst
    first; the loss is the B-cubed shortfall summed over the group's records."""
    pos = [s for s in report.scored if s.record.relevant and s.record.event]
    by_true: dict[str, list[ScoredRecord]] = defaultdict(list)
    by_pred: dict[str, list[ScoredRecord]] = defaultdict(list)
    for s in pos:
        by_true[s.record.event or ""].append(s)
        if _predicted(s) != MISSED:
            by_pred[_predicted(s)].append(s)
    split: list[tuple[float, str]] = []
    for event, members in by_true.items():
        counts = Counter(_predicted(s) for s in members)
        lost = sum(
            1.0 - (counts[_predicted(s)] if _predicted(s) != MISSED else 1) / len(members)
            for s in members
        )
        if lost > 0:
            split.append((lost, event))
    mixed: list[tuple[float, str]] = []
    for event, members in by_pred.items():
        truth = Counter(s.record.event or "" for s in members)
        lost = sum(1.0 - truth[s.record.event or ""] / len(members) for s in members)
        if lost > 0:
            mixed.append((lost, event))
    out = ["True events split (recall loss):"]
    for lost, event in sorted(split, key=lambda x: (-x[0], x[1])):
        out.append(f"  {event}  loss {lost:.2f}")
        out.extend(_line(s) for s in by_true[event])
    out.append("Predicted events mixing true events (precision loss):")
    for lost, event in sorted(mixed, key=lambda x: (-x[0], x[1])):
        out.append(f"  {event}  loss {lost:.2f}")
        out.extend(_line(s) for s in by_pred[event])
    return "\n".join(out)
