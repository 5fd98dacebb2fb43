"""`capwatch alerts preview`: any event (also one stored without an alert), by id prefix, and
an alert that keeps the month an action takes effect apart from its figures (issue 13)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from alerts.payload import AlertPayload
from alerts.render import render_alert_html, to_plain
from alerts.sample import SAMPLE_PAYLOAD
from capwatch.cli import app

GLASS = "pv_glass-production_cut-2026-08-abc123"


@pytest.fixture
def cli(database_url, tmp_path):
    from tests.db.search.seed import seed

    archive = seed(database_url)  # events written straight into the tables: no outbox rows
    runner = CliRunner()
    env = {"CAPWATCH_DATABASE_URL": archive.dsn, "CAPWATCH_DATA_DIR": str(tmp_path)}

    def invoke(*args: str):
        return runner.invoke(app, list(args), env=env)

    return invoke


@pytest.mark.integration
def test_preview_of_an_event_stored_without_an_alert_by_prefix(cli):
    done = cli("alerts", "preview", "pv_glass-production")
    assert done.exit_code == 0, done.output
    assert "光伏玻璃龙头企业集体减产30%" in done.stdout  # the earliest report opens it
    assert f"Event {GLASS}" in done.stdout
    assert "no alert was sent for this event" in done.stderr
    other = cli("alerts", "preview", "l")  # the one event whose id starts with "l"
    assert other.exit_code == 0 and "Event lithium-price_discipline" in other.stdout
    missing = cli("alerts", "preview", "nosuch")
    assert missing.exit_code == 2 and "no event" in missing.output


def test_the_effective_month_is_not_a_figure():
    payload = AlertPayload.from_json({**SAMPLE_PAYLOAD, "figures": ["30%", "2026-08"]})
    text = to_plain(render_alert_html(payload, []))
    assert "Figures: 30%\n" in text and "Takes effect: 2026-08" in text
    only_month = AlertPayload.from_json({**SAMPLE_PAYLOAD, "figures": ["2026-09"]})
    text = to_plain(render_alert_html(only_month, []))
    assert "Figures" not in text and "Takes effect: 2026-09" in text
