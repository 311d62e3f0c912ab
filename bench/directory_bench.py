"""Directory search speed and query count at clinic-network scale.

Builds N therapist profiles (default 3000) with realistic facets in a scratch
database, then times one directory page for several filter combinations against a
baseline measured in the same run: a plain page of 12 profiles with no filters and
no facets (``SELECT ... LIMIT 12`` + ``COUNT``). Prints one JSON object per case and
ends with one summary JSON line.

    .venv/bin/python bench/directory_bench.py            # SQLite in a temp dir
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/NAME .venv/bin/python \\
        bench/directory_bench.py                # PostgreSQL (in NAME_directory, recreated)
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from django.utils import timezone

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DUET_VAR_DIR", tempfile.mkdtemp(prefix="duet-bench-"))

from bench.common import Run, parser, scratch_database

N = int(os.environ.get("BENCH_THERAPISTS", "3000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "30"))
CASES = {
    "unfiltered": "",
    "language": "language=ja",
    "language+lives_in": "language=en&language=ja&lives_in=US-CA",
    "everything": (
        "language=en&lives_in=GB&specialty=communication&format=video"
        "&fee_min=80&fee_max=200&accepting=true&sort=fee"
    ),
    "deep_page": "language=en&sort=-fee&page=20",
}


def _populate() -> None:
    from accounts.models import User
    from therapists import catalog
    from therapists.models import Clinic, ClinicMembership, ProfileFacet, TherapistProfile

    rng = random.Random(7)
    clinics = [
        Clinic.objects.create(name=f"Clinic {i}", slug=f"clinic-{i}", time_zone="UTC")
        for i in range(20)
    ]
    users = User.objects.bulk_create(
        User(
            email=f"t{i}@bench.example",
            full_name=f"Therapist {i:05d}",
            role="therapist",
            password="!",
        )
        for i in range(N)
    )
    ClinicMembership.objects.bulk_create(
        ClinicMembership(clinic=clinics[i % 20], user=u, role="therapist")
        for i, u in enumerate(users)
    )
    profiles = TherapistProfile.objects.bulk_create(
        TherapistProfile(
            user=u,
            clinic=clinics[i % 20],
            headline="Couples therapy",
            fee=rng.randrange(60, 320),
            currency="USD",
            accepting_new_couples=rng.random() < 0.8,
        )
        for i, u in enumerate(users)
    )
    langs = ["en", "es", "pl", "ja", "de", "fr", "hi", "pt"]
    places = ["US-CA", "US-NY", "US-TX", "GB", "PL", "CA-ON", "DE", "FR"]
    facets = []
    for p in profiles:
        picks = {
            "language": ["en", *rng.sample(langs[1:], rng.randrange(0, 3))],
            "jurisdiction": rng.sample(places, rng.randrange(1, 3)),
            "specialty": rng.sample(list(catalog.SPECIALTIES), 4),
            "approach": rng.sample(list(catalog.APPROACHES), 2),
            "format": [rng.choice(list(catalog.FORMATS))],
        }
        facets += [
            ProfileFacet(profile=p, kind=k, code=c) for k, codes in picks.items() for c in codes
        ]
    ProfileFacet.objects.bulk_create(facets, batch_size=5000)


def _time(fn) -> list[float]:
    fn()  # warm the caches the way a running server would have them
    samples = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def main() -> None:
    global N, REPEAT
    args = parser(__doc__).parse_args()
    if args.smoke:
        N, REPEAT = 200, 3
    run = Run(args)
    if os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = scratch_database(os.environ["DATABASE_URL"], "_directory")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.http import QueryDict
    from django.test.utils import CaptureQueriesContext

    from therapists.filters import parse_filters
    from therapists.models import TherapistProfile
    from therapists.selectors import directory_page

    call_command("migrate", verbosity=0)
    _populate()
    with connection.cursor() as cursor:
        # Fresh bulk loads have no planner statistics yet; a live database has them.
        cursor.execute("ANALYZE")

    def baseline() -> None:
        qs = TherapistProfile.objects.order_by("pk")
        qs.count()
        list(qs[:12])

    base = _time(baseline)
    base_p50 = statistics.median(base)
    results = []
    for name, query in CASES.items():
        filters = parse_filters(QueryDict(query))
        with CaptureQueriesContext(connection) as ctx:
            page = directory_page(filters, now=timezone.now())
        samples = _time(lambda f=filters: directory_page(f, now=timezone.now()))
        row = {
            "case": name,
            "query": query,
            "matches": page.count,
            "queries": len(ctx.captured_queries),
            "p50_ms": round(statistics.median(samples), 2),
            "p95_ms": round(sorted(samples)[int(len(samples) * 0.95) - 1], 2),
            "x_baseline": round(statistics.median(samples) / base_p50, 1),
        }
        results.append(row)
        print(json.dumps(row))
    summary = {
        "bench": "directory",
        "database": connection.vendor,
        "therapists": N,
        "repeat": REPEAT,
        "baseline_p50_ms": round(base_p50, 2),
        "worst_p50_ms": max(r["p50_ms"] for r in results),
        "max_queries": max(r["queries"] for r in results),
    }
    run.finish(summary)


if __name__ == "__main__":
    main()
