"""A database pool with no free connection is overload, not a bug: answer 503 with
Retry-After so clients and proxies back off, instead of a 500 that looks like a crash."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from core.api_errors import API_PREFIX, error_response

RETRY_AFTER_SECONDS = 5
DETAIL = "Duet is very busy right now. Please try again in a few seconds."

BUSY_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Duet is busy</title>
<style>body{font:16px/1.5 system-ui,sans-serif;color:#1f2a2e;max-width:32rem;margin:15vh auto;
padding:0 1.25rem}h1{font-size:1.5rem}p{color:#59676b}</style></head>
<body><main><h1>Duet is very busy right now</h1>
<p>Nothing you entered is lost. Please try again in a few seconds.</p>
<p><a href="">Try again</a></p></main></body></html>
"""


def is_pool_timeout(exc: BaseException | None) -> bool:
    """True when ``exc`` (Django wraps driver errors) was caused by the psycopg pool
    timing out; walks the cause chain without importing psycopg on SQLite."""
    seen = 0
    while exc is not None and seen < 10:
        if type(exc).__name__ == "PoolTimeout" and type(exc).__module__.startswith("psycopg_pool"):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def busy_response(request: HttpRequest) -> HttpResponse:
    """Built without the database (the pool is what ran out), so no template that reads
    the user or their notifications."""
    if request.path.startswith(API_PREFIX):
        response: HttpResponse = error_response(DETAIL, "busy", 503)
    else:
        response = HttpResponse(BUSY_PAGE, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
