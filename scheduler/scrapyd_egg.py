"""Package the crawlers as a Scrapy egg and upload it to Scrapyd nodes (addversion.json).

Built with zipfile rather than `setup.py bdist_egg` (what scrapyd-deploy runs): no setuptools
at deploy time and nothing written into the source tree. The egg carries the code a crawl
imports (crawlers, db, capwatch settings) and its data (sources.toml, sources.d, migrations);
the dependencies (Scrapy, psycopg, pydantic-settings, ...) must be installed on the node,
most simply by installing capwatch itself there (deploy/SCRAPYD.md).
"""

from __future__ import annotations

import importlib
import time
import zipfile
from pathlib import Path

import httpx

PACKAGES = ("crawlers", "db", "capwatch")
DATA_SUFFIXES = (".py", ".toml", ".sql", ".json", ".txt")
SETTINGS_MODULE = "crawlers.settings"


def default_version() -> str:
    """Scrapyd runs the newest version by sort order: a timestamp sorts right."""
    return time.strftime("%Y%m%d%H%M%S", time.gmtime())


def build_egg(out_dir: Path, version: str | None = None, project: str = "capwatch") -> Path:
    """Writes `<project>-<version>-py3.egg` into `out_dir`; returns its path."""
    version = version or default_version()
    out_dir.mkdir(parents=True, exist_ok=True)
    egg = out_dir / f"{project}-{version}-py3.egg"
    with zipfile.ZipFile(egg, "w", zipfile.ZIP_DEFLATED) as archive:
        for package in PACKAGES:
            init = importlib.import_module(package).__file__
            if init is None:  # a namespace package: nothing of ours
                raise RuntimeError(f"{package} has no __init__.py to package")
            root = Path(init).parent
            for path in sorted(root.rglob("*")):
                if (
                    path.is_file()
                    and path.suffix in DATA_SUFFIXES
                    and "__pycache__" not in (path.parts)
                ):
                    archive.write(path, f"{package}/{path.relative_to(root).as_posix()}")
        archive.writestr(
            "EGG-INFO/PKG-INFO",
            f"Metadata-Version: 2.1\nName: {project}\nVersion: {version}\n",
        )
        archive.writestr("EGG-INFO/entry_points.txt", f"[scrapy]\nsettings = {SETTINGS_MODULE}\n")
        archive.writestr("EGG-INFO/top_level.txt", "\n".join(PACKAGES) + "\n")
    return egg


def upload_egg(node: str, project: str, version: str, egg: Path) -> list[str]:
    """addversion.json on one node; returns the spiders the node found in the egg."""
    with egg.open("rb") as handle:
        response = httpx.post(
            f"{node.rstrip('/')}/addversion.json",
            data={"project": project, "version": version},
            files={"egg": (egg.name, handle, "application/octet-stream")},
            timeout=120,
        )
    data = response.json()
    if data.get("status") != "ok":
        raise RuntimeError(f"addversion.json refused: {data.get('message', data)}")
    return list(data.get("spiders", []) if isinstance(data.get("spiders"), list) else [])


def deploy(nodes: list[str], project: str, out_dir: Path, version: str | None = None) -> str:
    """Builds one egg and uploads it to every node; returns the version deployed."""
    version = version or default_version()
    egg = build_egg(out_dir, version, project)
    for node in nodes:
        upload_egg(node, project, version, egg)
    return version
