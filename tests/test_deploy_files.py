"""docker-compose.yml and the Dockerfile: checked as files, since no Docker engine runs here."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_compose_waits_for_a_healthy_database_and_refuses_missing_secrets():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"db", "collector", "bot"}
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])
    assert services["collector"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert services["bot"]["depends_on"]["collector"]["condition"] == "service_healthy"
    assert services["collector"]["environment"]["MAA_DATABASE_URL"].startswith(
        "postgresql+asyncpg://"
    )
    text = (ROOT / "docker-compose.yml").read_text()
    for secret in ("MAA_DB_PASSWORD", "MAA_SERVICE_TOKEN", "MAA_TELEGRAM_TOKEN"):
        # ${VAR:?message}: compose stops with that message when the secret is not set.
        assert re.search(r"\$\{" + secret + r":\?", text), secret
    assert services["bot"]["command"] == ["maa", "bot"]


def test_image_runs_as_a_non_root_user():
    lines = (ROOT / "Dockerfile").read_text().splitlines()
    users = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")
