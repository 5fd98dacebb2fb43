"""Other projects' public test corpora for the parsing benchmarks, kept in a cache folder
outside the repository (their files are never committed here).

A corpus is prepared once per cache folder: from a local git mirror when one is given
(`--mirrors DIR` or CAPWATCH_BENCH_MIRRORS, holding `owner+name/repo` git directories as the
session tools leave them), else by a shallow `git clone` from GitHub.

    cache: --cache DIR, CAPWATCH_BENCH_CACHE, or ~/.cache/capwatch-bench
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

REPOS = {
    "feedparser": "kurtmckee/feedparser",
    "dateparser": "scrapinghub/dateparser",
    "htmldate": "adbar/htmldate",
    "zh-extraction": "immortal-autumn/Chinese-Web-Content-Extraction-Dataset",
    "gne": "GeneralNewsExtractor/GeneralNewsExtractor",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--cache", type=Path, default=None, help="corpus cache folder")
    parser.add_argument("--mirrors", type=Path, default=None, help="folder of git mirrors")


def cache_folder(cache: Path | None) -> Path:
    default = Path.home() / ".cache" / "capwatch-bench"
    return cache or Path(os.environ.get("CAPWATCH_BENCH_CACHE", default))


def corpus(name: str, cache: Path | None = None, mirrors: Path | None = None) -> Path:
    """The folder holding corpus `name`'s files, prepared on first use."""
    repo = REPOS[name]
    target = cache_folder(cache) / name
    if (target / ".prepared").exists():
        return target
    from_env = os.environ.get("CAPWATCH_BENCH_MIRRORS")
    mirror_root = mirrors or (Path(from_env) if from_env else None)
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    mirror = mirror_root / repo.replace("/", "+") / "repo" if mirror_root else None
    if mirror is not None and mirror.exists():
        with tempfile.TemporaryDirectory() as tmp:
            archive = Path(tmp) / "corpus.tar"
            with archive.open("wb") as out:
                subprocess.run(["git", "--git-dir", str(mirror), "archive", "HEAD"], stdout=out,
                               check=True)  # fmt: skip
            with tarfile.open(archive) as tar:
                tar.extractall(target, filter="data")
    else:
        url = f"https://github.com/{repo}.git"
        subprocess.run(["git", "clone", "--depth", "1", url, str(target)], check=True)
    (target / ".prepared").write_text(repo + "\n", "utf-8")
    return target
