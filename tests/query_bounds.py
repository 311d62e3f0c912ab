"""Pages that list rows read them in a fixed number of queries: the count for a few rows
is the bound for many."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

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


def homework_with_answers(couple, therapist, i: int, *, answered_by=()):
    """A homework assignment for ``couple``, answered (shared, done) by ``answered_by``."""
    from django.utils import timezone

    from sessions_app.models import HomeworkAssignment, HomeworkResponse

    now = timezone.now()
    hw = HomeworkAssignment.objects.create(
        couple=couple,
        therapist=therapist,
        title=f"Exercise {i}",
        audience=HomeworkAssignment.Audience.BOTH,
        due_at=now + timedelta(days=2, minutes=i),
    )
    for user in answered_by:
        HomeworkResponse.objects.create(
            assignment=hw,
            user=user,
            body=f"answer {i}",
            visibility=HomeworkResponse.Visibility.SHARED,
            done_at=now,
        )
    return hw
