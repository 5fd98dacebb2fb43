"""The console as users start it: alone (`capwatch web`) and inside `capwatch run`
(CAPWATCH_WEB_PORT), on loopback, over the seeded database; both stop cleanly on SIGTERM."""

from __future__ import annotations

import signal
import subprocess
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.capwatch.service.helpers import (
    CAPWATCH,
    Service,
    cls_entry,
    service_env,
    wait_for,
    write_sources,
)
from tests.capwatch.service.test_faults import free_port
from tests.conftest import REPO
from tests.fakes.cls_site import ClsSite
from tests.fakes.serving import BackgroundServer
from tests.web.seed import Seeded

pytestmark = pytest.mark.integration


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except OSError:
        return 0, ""


def test_capwatch_web_serves_the_console_alone(seeded: Seeded, tmp_path: Path) -> None:
    port = free_port()
    sources = write_sources(tmp_path, cls_entry("http://127.0.0.1:9"))
    env = service_env(tmp_path, seeded.dsn, sources, CAPWATCH_WEB_TOKEN="t0ken")
    log = (tmp_path / "web.log").open("w")
    proc = subprocess.Popen(
        [*CAPWATCH, "web", "--port", str(port)], env=env, cwd=REPO, stdout=log, stderr=log
    )
    try:
        _, page = wait_for(
            lambda: (r := _get(f"http://127.0.0.1:{port}/"))[0] == 200 and r, 60, "the console"
        )
        assert "光伏玻璃龙头企业集体减产30%" in page and "Log in" in page  # token set: writable
        assert _get(f"http://127.0.0.1:{port}/sources")[0] == 200
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        log.close()
    assert "web console on http://127.0.0.1:" in (tmp_path / "web.log").read_text()


def test_capwatch_run_serves_the_console_on_the_web_port(
    seeded: Seeded, tmp_path: Path, cls_site: tuple[ClsSite, BackgroundServer]
) -> None:
    port = free_port()
    sources = write_sources(tmp_path, cls_entry(cls_site[1].url))
    env = service_env(tmp_path, seeded.dsn, sources, CAPWATCH_WEB_PORT=str(port))
    service = Service(env, tmp_path / "run.log")
    try:
        wait_for(lambda: f"web console on http://127.0.0.1:{port}/" in service.log, 60, "console")
        status, page = _get(f"http://127.0.0.1:{port}/search?q={quote('钢铁')}")
        assert status == 200 and "工信部：钢铁行业产能退出方案出台" in page
        assert "read-only" in page  # no CAPWATCH_WEB_TOKEN
        assert service.stop(signal.SIGTERM) == 0, service.log
    finally:
        service.kill()
    assert _get(f"http://127.0.0.1:{port}/")[0] == 0  # closed with the service
