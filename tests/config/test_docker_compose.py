"""docker-compose.yml has every service the app needs, started the way `make run` starts it."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _command(service: dict) -> str:
    cmd = service["command"]
    return " ".join(cmd) if isinstance(cmd, list) else cmd


def _makefile_run() -> str:
    text = (ROOT / "Makefile").read_text()
    # The recipe of ``run: seed`` (``run:`` also has a line of target-specific variables).
    return re.search(r"^run: seed.*?(?=^\S)", text, re.S | re.M).group(0)


def test_every_needed_service_is_there_with_a_health_check():
    services = _compose()["services"]
    assert {"postgres", "redis", "proxy", "web", "worker", "beat", "turn", "mail"} <= set(services)
    for name, service in services.items():
        assert "healthcheck" in service, name


def test_commands_match_the_makefile():
    services = _compose()["services"]
    run = _makefile_run()
    for name, needle in {
        "web": "daphne",
        "worker": "celery -A config worker",
        "beat": "celery -A config beat",
    }.items():
        assert needle in _command(services[name]), name
        assert needle in run, f"make run does not start {needle}"
    assert "config.asgi:application" in _command(services["web"])
    assert "config.asgi:application" in run
    assert "migrate" in _command(services["web"])


def test_app_is_configured_only_through_the_environment():
    services = _compose()["services"]
    env = services["web"]["environment"]
    assert env["DATABASE_URL"].startswith("postgres://")
    assert env["REDIS_URL"].startswith("redis://")
    assert services["worker"]["environment"] == env == services["beat"]["environment"]
    readme = (ROOT / "README.md").read_text()
    for variable in env:
        assert f"`{variable}`" in readme, f"{variable} is not documented in the README"


def test_turn_uses_rest_secret_and_denies_private_peers():
    turn = " ".join(_compose()["services"]["turn"]["command"])
    assert "--use-auth-secret" in turn
    for private in ("10.0.0.0", "172.16.0.0", "192.168.0.0", "127.0.0.0"):
        assert f"--denied-peer-ip={private}" in turn


def test_web_runs_as_replicas_behind_a_proxy_that_passes_websocket_upgrades():
    services = _compose()["services"]
    web, proxy = services["web"], services["proxy"]
    assert "ports" not in web, "only the proxy is published"
    assert re.fullmatch(r"\$\{WEB_REPLICAS:-([2-9])\}", str(web["deploy"]["replicas"]))
    assert proxy["image"].startswith("nginx")
    assert proxy["ports"] == ["8000:80"]
    mount = next(v for v in proxy["volumes"] if v.endswith("/etc/nginx/conf.d/default.conf:ro"))
    conf = (ROOT / mount.split(":")[0]).read_text()
    assert re.search(r"proxy_pass\s+http://duet_web;", conf)
    assert re.search(r"server\s+web:8000", conf)
    assert "proxy_http_version 1.1;" in conf
    assert re.search(r"proxy_set_header\s+Upgrade\s+\$http_upgrade;", conf)
    assert re.search(r"proxy_set_header\s+Connection\s+\$connection_upgrade;", conf)
    assert re.search(r"proxy_read_timeout\s+(\d+h|\d{4,}s?);", conf)
    assert "--proxy-headers" in _command(web)
    readme = (ROOT / "README.md").read_text()
    assert "--scale web=" in readme and "`WEB_REPLICAS`" in readme
