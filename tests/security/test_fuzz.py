"""Fuzz every form and every API operation with input no person means to type.

Forms are found the way a person finds them: every page (filled with one couple's ids)
is opened as each signed-in persona and every ``<form>`` on it is collected with its
fields. Hypothesis then submits each form with each field either left as the page had it
or replaced by something hostile: NUL bytes, lone surrogates, huge and negative numbers,
far dates. Every API operation in the OpenAPI document gets the same treatment in its
path, query and JSON body. No answer may be a 5xx.

Runtime is bounded: a fixed number of examples per form and operation, derandomized.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from urllib.parse import quote, urljoin, urlsplit

import pytest
from django.test import Client
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from tests.security.planting import plant
from tests.security.test_authorization_sweep import http_urls

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing")]

EXAMPLES = 6
# Pages whose forms end the session or the account; their refusals have their own tests.
SKIP_ACTIONS = ("/logout/", "/account/delete/")
HOSTILE = st.one_of(
    st.sampled_from(
        [
            "\x00",
            "a\x00b",
            "\ud800",
            "x\udfffy",
            "",
            "-1",
            "0",
            "-9223372036854775809",
            "99999999999999999999999999",
            "1e309",
            "NaN",
            "-0.5",
            "0001-01-01",
            "9999-12-31",
            "10000-01-01",
            "9999-12-31T23:59:59Z",
            "0001-01-01T00:00",
            "2026-02-30",
            "25:61",
            "../../etc/passwd",
            "x" * 5000,
        ]
    ),
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.text(alphabet=st.characters(codec=None, categories=["Cc", "Cs", "Lo", "So"]), max_size=8),
)


class _Forms(HTMLParser):
    """Every form on a page: (method, action, {field name: value the page filled in})."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, str, dict[str, str]]] = []
        self._select: str | None = None

    def handle_starttag(self, tag, attrs) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append((a.get("method", "get").lower(), a.get("action", ""), {}))
            return
        if not self.forms:
            return
        fields = self.forms[-1][2]
        name = a.get("name")
        if tag in ("input", "textarea") and name and name != "csrfmiddlewaretoken":
            if a.get("type") in ("file", "submit", "button", "image"):
                return
            fields.setdefault(name, a.get("value", "on" if a.get("type") == "checkbox" else ""))
        elif tag == "select" and name:
            self._select = name
            fields.setdefault(name, "")
        elif tag == "option" and self._select and not self.forms[-1][2][self._select]:
            self.forms[-1][2][self._select] = a.get("value", "")

    def handle_endtag(self, tag) -> None:
        if tag == "select":
            self._select = None


def _encode(fields: dict[str, str]) -> str:
    # Lone surrogates go over the wire as their raw UTF-8-ish bytes, as a hostile client
    # would send them (Django's test client would refuse to encode them).
    return "&".join(
        f"{quote(k)}={quote(v.encode('utf-8', 'surrogatepass'))}" for k, v in fields.items()
    )


def _values(defaults: dict[str, str]):
    return st.fixed_dictionaries({k: st.one_of(st.just(v), HOSTILE) for k, v in defaults.items()})


def _fuzz(run, strategy) -> None:
    @given(strategy)
    @hsettings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def check(values):
        run(values)

    check()


@pytest.fixture
def world(
    db, couple, partner_a, partner_b, therapist, clinic, clinic_admin, other_couple, other_therapist
):
    planted = plant(
        couple=couple, partner_a=partner_a, partner_b=partner_b, therapist=therapist, clinic=clinic
    )
    return planted, {"partner_a": partner_a, "therapist": therapist, "clinic_admin": clinic_admin}


def _collect_forms(planted, personas) -> list[tuple[str, str, str, dict[str, str]]]:
    found: dict[tuple, tuple] = {}
    urls = [u for u in http_urls(planted) if not u.startswith(("/admin/", "/api/"))]
    for name, user in personas.items():
        client = Client(raise_request_exception=False)
        client.force_login(user)
        for url in urls:
            response = client.get(url)
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue
            parser = _Forms()
            parser.feed(response.content.decode(errors="replace"))
            for method, action, fields in parser.forms:
                target = urlsplit(urljoin(url, action or url)).path
                if target.startswith(SKIP_ACTIONS) or not fields:
                    continue
                key = (name, method, target, tuple(sorted(fields)))
                found.setdefault(key, (name, method, target, fields))
    return list(found.values())


def test_no_form_answers_hostile_input_with_a_5xx(world, capsys):
    planted, personas = world
    forms = _collect_forms(planted, personas)
    assert len(forms) >= 20, "the crawl found too few forms to mean anything"
    errors: list[str] = []
    requests = [0]
    for persona, method, action, defaults in forms:
        client = Client(raise_request_exception=False)
        client.force_login(personas[persona])

        def run(values, client=client, method=method, action=action, persona=persona):
            requests[0] += 1
            body = _encode(values)
            if method == "post":
                response = client.generic(
                    "POST", action, body, content_type="application/x-www-form-urlencoded"
                )
            else:
                response = client.get(f"{action}?{body}")
            if response.status_code >= 500:
                errors.append(f"{persona} {method.upper()} {action} {values!r}"[:300])

        _fuzz(run, _values(defaults))
    with capsys.disabled():
        print(f"\nform fuzz: {len(forms)} forms, {requests[0]} requests, 5xx: {len(errors)}")
    assert errors == []


PATH_PARAM = re.compile(r"{([^}]+)}")


def _api_operations(client) -> list[tuple[str, str, list[str], dict]]:
    spec = client.get("/api/openapi.json").json()
    ops = []
    for path, item in spec["paths"].items():
        for method, op in item.items():
            query = [p["name"] for p in op.get("parameters", []) if p["in"] == "query"]
            body = {}
            content = op.get("requestBody", {}).get("content", {})
            schema = content.get("application/json", {}).get("schema", {})
            if "$ref" in schema:
                name = schema["$ref"].rsplit("/", 1)[-1]
                schema = spec["components"]["schemas"][name]
            body = schema.get("properties", {})
            ops.append((method.upper(), path, query, body))
    return ops


def test_no_api_operation_answers_hostile_input_with_a_5xx(world, capsys):
    planted, personas = world
    ids = sorted(planted.ids()["str"])
    errors: list[str] = []
    requests = [0]
    anonymous = Client()
    operations = _api_operations(anonymous)
    assert len(operations) >= 5
    for persona, user in personas.items():
        client = Client(raise_request_exception=False)
        client.force_login(user)
        for method, path, query, body in operations:
            params = PATH_PARAM.findall(path)
            strategy = st.fixed_dictionaries(
                {
                    "path": st.fixed_dictionaries(
                        {p: st.one_of(st.sampled_from(ids), HOSTILE) for p in params}
                    ),
                    "query": st.fixed_dictionaries(dict.fromkeys(query, HOSTILE)),
                    "body": st.fixed_dictionaries(
                        {k: st.one_of(HOSTILE, st.integers(-(2**70), 2**70)) for k in body}
                    ),
                }
            )

            def run(values, client=client, method=method, path=path, persona=persona):
                requests[0] += 1
                url = path
                for name, value in values["path"].items():
                    raw = quote(value.encode("utf-8", "surrogatepass"), safe="")
                    url = url.replace("{" + name + "}", raw)
                if values["query"]:
                    url += "?" + _encode(values["query"])
                response = client.generic(
                    method, url, json.dumps(values["body"]), content_type="application/json"
                )
                if response.status_code >= 500:
                    errors.append(f"{persona} {method} {url} {values['body']!r}"[:300])

            _fuzz(run, strategy)
    with capsys.disabled():
        print(
            f"\nAPI fuzz: {len(operations)} operations, {requests[0]} requests, 5xx: {len(errors)}"
        )
    assert errors == []
