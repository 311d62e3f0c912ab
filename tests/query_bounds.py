"""Pages that list rows read them in a fixed number of queries: the count for a few rows
is the bound for many."""

from __future__ import annotations

from collections.abc import Callable

SMALL = 2
LARGE = 12


def assert_queries_do_not_grow(
    client,
    url: str,
    add_rows: Callable[[int, int], None],
    django_assert_max_num_queries,
    *,
    small: int = SMALL,
    large: int = LARGE,
) -> str:
    """Load ``url`` with ``small`` rows, then with ``large``: the second load may not run
    more queries than the first. ``add_rows(start, stop)`` adds rows ``start..stop-1``.
    Returns the page with many rows."""
    add_rows(0, small)
    assert client.get(url).status_code == 200  # warms per-process caches (content types)
    with django_assert_max_num_queries(200) as few:
        assert client.get(url).status_code == 200
    add_rows(small, large)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()
