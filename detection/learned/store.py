"""The model file: gzip-compressed JSON, written byte-for-byte reproducibly, loaded once.

Format: {"format": 1, "meta": {...}, "combination": {...}, "terms": [...], "idf": [...],
"heads": {name: {"coef": [...], "intercept": x}}, "action_stack": {action: {"coef": [...],
"intercept": x, "cut": x}}} (an older file without "action_stack" still loads). Floats are
rounded to 6 significant digits and the gzip header carries no time or name, so the same data
gives the same bytes. The
training provenance (corpora with their sha256, seed, library versions) is in "meta" and in
the readable sidecar `<model>.meta.json` beside it.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import logging
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

from detection.learned.corpus import CorpusFile
from detection.learned.linear import Combination, Head, TextModel
from detection.learned.stack import StackerCut

log = logging.getLogger(__name__)

FORMAT = 1
DEFAULT_PATH = Path(__file__).resolve().parent / "model.json.gz"


@dataclass(frozen=True)
class TrainingMeta:
    """Where a model came from."""

    corpora: tuple[CorpusFile, ...]
    records: int
    positives: int
    seed: int
    params: dict[str, float]
    library: str


def _round(x: float) -> float:
    return float(f"{x:.6g}")


def model_bytes(model: TextModel, meta: TrainingMeta) -> bytes:
    doc = {
        "format": FORMAT,
        "meta": _meta_dict(meta),
        "combination": asdict(model.combination),
        "terms": list(model.terms),
        "idf": [_round(x) for x in model.idf],
        "heads": {
            name: {"coef": [_round(c) for c in h.coef], "intercept": _round(h.intercept)}
            for name, h in sorted(model.heads.items())
        },
        "action_stack": {
            name: {
                "coef": [_round(c) for c in s.coef],
                "intercept": _round(s.intercept),
                "cut": _round(s.cut),
            }
            for name, s in sorted(model.stack.items())
        },
    }
    if model.sector_cut is not None:
        c = model.sector_cut
        doc["sector_stack"] = {
            "coef": [_round(x) for x in c.coef],
            "intercept": _round(c.intercept),
            "cut": _round(c.cut),
        }
    raw = json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as gz:
        gz.write(raw.encode("utf-8"))
    return buf.getvalue()


def _meta_dict(meta: TrainingMeta) -> dict[str, object]:
    return {
        "corpora": [asdict(c) for c in meta.corpora],
        "records": meta.records,
        "positives": meta.positives,
        "seed": meta.seed,
        "params": dict(sorted(meta.params.items())),
        "library": meta.library,
    }


def write_model(path: Path, model: TextModel, meta: TrainingMeta) -> str:
    """Write the model and its sidecar; returns the model file's sha256."""
    data = model_bytes(model, meta)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    digest = hashlib.sha256(data).hexdigest()
    sidecar = {"model_sha256": digest, "model_bytes": len(data), **_meta_dict(meta)}
    meta_path(path).write_text(
        json.dumps(sidecar, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    return digest


def meta_path(path: Path) -> Path:
    return path.with_name(path.name.removesuffix(".json.gz") + ".meta.json")


def load_model(path: Path) -> TextModel:
    """Read a model file; ValueError when it is not one this code can score with."""
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        doc = json.load(fh)
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ValueError(f"{path}: not a capwatch model file of format {FORMAT}")
    terms = tuple(str(t) for t in doc["terms"])
    idf = tuple(float(x) for x in doc["idf"])
    heads = {
        str(name): Head(tuple(float(c) for c in h["coef"]), float(h["intercept"]))
        for name, h in doc["heads"].items()
    }
    if len(idf) != len(terms) or any(len(h.coef) != len(terms) for h in heads.values()):
        raise ValueError(f"{path}: terms, idf and coefficients differ in length")
    comb = Combination(**{k: float(v) for k, v in doc.get("combination", {}).items()})
    stack = {
        str(name): StackerCut(
            tuple(float(c) for c in s["coef"]), float(s["intercept"]), float(s["cut"])
        )
        for name, s in doc.get("action_stack", {}).items()
    }
    raw = doc.get("sector_stack")
    sector_cut = (
        StackerCut(tuple(float(c) for c in raw["coef"]), float(raw["intercept"]), float(raw["cut"]))
        if raw
        else None
    )
    return TextModel(terms, idf, heads, comb, stack, sector_cut)


@lru_cache(maxsize=1)
def default_model() -> TextModel | None:
    """The committed model, loaded once per process; None (rules only, said once in the
    log) when the file is missing or unreadable."""
    try:
        model = load_model(DEFAULT_PATH)
    except FileNotFoundError:
        log.warning("no learned model at %s: detection uses the rules only", DEFAULT_PATH)
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning(
            "learned model %s unreadable (%s): detection uses the rules only", DEFAULT_PATH, exc
        )
        return None
    log.info("learned model loaded: %d terms, heads %s", len(model.terms), sorted(model.heads))
    return model
