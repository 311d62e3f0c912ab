"""Deployment hardening: check --deploy, CSP with nonces, cookies, no-store, URLs."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing")]


def _production_env(tmp_path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DUET_"))}
    env.update(
        SECURE_HTTPS="1",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="duet.example.org",
        CSRF_TRUSTED_ORIGINS="https://duet.example.org",
        SITE_URL="https://duet.example.org",
        DUET_VAR_DIR=str(tmp_path),
        DUET_ENCRYPTION_KEYS="k1:" + "A" * 43,
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    return env


def test_production_settings_pass_check_deploy_with_zero_findings(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues (0 silenced)" in result.stdout


def test_production_cookies_and_hsts(tmp_path):
    probe = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE, "
        "s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS >= 31536000, s.SECURE_SSL_REDIRECT)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env=_production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.stdout.split() == ["True", "True", "Lax", "True", "True", "True"], out.stderr


def test_production_csp_connects_only_to_the_sites_own_websocket_host(tmp_path):
    probe = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(' '.join(s.CONTENT_SECURITY_POLICY['DIRECTIVES']['connect-src']))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env=_production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.stdout.split() == ["'self'", "wss://duet.example.org"], out.stderr


def test_pages_send_a_nonce_based_csp(client, partner_a):
    client.force_login(partner_a)
    response = client.get("/dashboard/")
    csp = response["Content-Security-Policy"]
    assert re.search(r"script-src 'self' 'nonce-[A-Za-z0-9+/=_-]+'", csp)
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert "object-src 'none'" in csp and "frame-ancestors 'none'" in csp


def test_no_template_has_an_inline_script_without_a_nonce():
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        for tag in re.findall(r"<script\b[^>]*>", path.read_text()):
            if "src=" not in tag and "nonce=" not in tag:
                offenders.append(f"{path.relative_to(ROOT)}: {tag}")
        if re.search(r"\son[a-z]+\s*=\s*\"", path.read_text()):
            offenders.append(f"{path.relative_to(ROOT)}: inline event handler")
    assert offenders == []


def test_signed_in_pages_are_never_cached(client, partner_a):
    client.force_login(partner_a)
    for path in ("/dashboard/", "/sessions/messages/", "/account/data/", "/api/health"):
        assert "no-store" in client.get(path)["Cache-Control"], path


def test_session_cookie_is_httponly_and_samesite(client, partner_a):
    response = client.post(
        "/login/", {"username": partner_a.email, "password": "correct-horse-battery-staple"}
    )
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"


IDENTIFIER_PARAMS = {
    "pk", "id", "token", "uidb64", "note_id", "thread_id", "room_id", "booking_id",
    "couple_id", "clinic_id", "user_id", "object_id", "content_type_id", "app_label",
    "path", "url", "slug",
    "kind",  # an intake document kind ("telehealth_consent"): a fixed code, never text
}  # fmt: skip


def _params(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _params(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            for name in re.findall(r"<(?:[^>:]+:)?([^>]+)>", prefix + str(p.pattern)):
                yield prefix + str(p.pattern), name


def test_urls_carry_only_identifiers_never_health_data():
    """Health data travels in POST bodies; URLs (logged by proxies) carry opaque ids."""
    bad = [
        (route, name)
        for route, name in _params(get_resolver().url_patterns)
        if name not in IDENTIFIER_PARAMS and not name.endswith("_id")
    ]
    assert bad == []


def test_django_admin_login_goes_through_two_step_sign_in(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/login/?next=")


def test_api_docs_load_only_local_scripts(client):
    page = client.get("/api/docs").content.decode()
    tags = re.findall(r"<script\b[^>]*>", page)
    executable = [t for t in tags if "application/json" not in t]
    assert executable and all('src="/static/' in t for t in executable)
