"""`capwatch alerts list --failed`, `retry` and `preview` on a real database (subprocess CLI)."""

import os
import subprocess
import sys

import psycopg
import pytest

pytestmark = pytest.mark.integration


def cli(database_url, *args):
    env = {**os.environ, "CAPWATCH_DATABASE_URL": database_url}
    done = subprocess.run(
        [sys.executable, "-m", "capwatch", "alerts", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


async def test_failed_deliveries_are_listed_with_their_reason_and_can_be_retried(database_url):
    from psycopg_pool import AsyncConnectionPool

    from tests.alerts.helpers import seed_alerts

    async with AsyncConnectionPool(database_url, open=False) as pool, pool.connection() as conn:
        await seed_alerts(conn, [5, 6])
        await conn.execute(
            "UPDATE outbox SET status = 'failed', last_error = 'forbidden: bot"
            " was blocked by the user' WHERE chat_id = 6"
        )
    listing = cli(database_url, "list", "--failed")
    assert "chat 6" in listing and "bot was blocked" in listing and "chat 5 " not in listing
    assert "2 " not in cli(database_url, "retry").split("failed")[0]
    with psycopg.connect(database_url) as conn:
        assert (
            conn.execute("SELECT count(*) FROM outbox WHERE status = 'pending'").fetchone()[0] == 2
        )
    assert "ev-000 headline" in cli(database_url, "preview", "ev-000")
