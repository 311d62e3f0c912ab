"""The directory: filters, sorting, paging and a bounded number of queries."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.http import QueryDict
from django.utils import timezone

from tests.therapists.conftest import add_therapist
from therapists.filters import InvalidFilter, parse_filters
from therapists.selectors import directory_page

pytestmark = pytest.mark.django_db


def names(query: str) -> list[str]:
    page = directory_page(parse_filters(QueryDict(query)), now=timezone.now())
    return [p.user.full_name for p in page.results]


def test_unfiltered_lists_only_active_therapists_by_name(directory):
    assert names("") == ["Amara Okafor", "Elena Hale", "Priya Raman", "Tomasz Nowak"]


def test_therapists_without_an_open_session_type_are_not_listed(directory):
    """Every card leads to times a couple can pick (the bookable rule)."""
    from therapists.selectors import is_bookable

    assert "Noor Newcomer" not in names("")
    assert not is_bookable(directory["not_open"].user)
    assert is_bookable(directory["hale"].user)


def test_language_filter_needs_every_language(directory):
    assert names("language=ja") == ["Elena Hale"]
    assert names("language=en&language=pl") == ["Tomasz Nowak"]
    assert names("language=en,ja") == ["Elena Hale"]
    assert names("language=PL") == ["Tomasz Nowak"]  # codes are case-insensitive
    assert names("language=ja&language=pl") == []


def test_jurisdiction_matches_region_or_whole_country(directory):
    assert names("lives_in=US-CA") == ["Elena Hale", "Priya Raman"]  # Raman holds "US"
    assert names("lives_in=GB") == ["Amara Okafor", "Tomasz Nowak"]
    assert names("lives_in=pl") == ["Tomasz Nowak"]
    assert names("lives_in=US-TX") == ["Priya Raman"]


def test_partners_living_apart_need_both_places_covered(directory):
    assert names("lives_in=PL&lives_in=GB") == ["Tomasz Nowak"]
    assert names("lives_in=US-CA&lives_in=JP") == []


def test_clinic_that_serves_outside_licence_is_listed_anywhere(directory, other_clinic):
    other_clinic.serves_outside_license = True
    other_clinic.save()
    assert names("lives_in=JP") == ["Amara Okafor", "Tomasz Nowak"]


def test_format_hybrid_counts_as_video_and_in_person(directory):
    assert names("format=video") == ["Elena Hale", "Priya Raman", "Tomasz Nowak"]
    assert names("format=in_person") == ["Amara Okafor", "Tomasz Nowak"]
    assert names("format=hybrid") == ["Tomasz Nowak"]


def test_specialty_fee_currency_and_accepting(directory):
    assert names("specialty=communication") == ["Priya Raman", "Tomasz Nowak"]
    assert names("specialty=communication&accepting=true") == ["Tomasz Nowak"]
    assert names("accepting=false") == ["Priya Raman"]
    assert names("fee_min=100&fee_max=200") == ["Elena Hale", "Priya Raman"]
    assert names("fee_max=100&currency=GBP") == ["Amara Okafor"]
    assert names("currency=pln") == ["Tomasz Nowak"]
    assert names("q=okafor") == ["Amara Okafor"]


def test_sort_by_fee_puts_unpriced_last(directory, clinic):
    add_therapist(clinic, "free@example.com", "Aaron Unpriced")
    assert names("sort=fee") == [
        "Amara Okafor",
        "Priya Raman",
        "Elena Hale",
        "Tomasz Nowak",
        "Aaron Unpriced",
    ]
    assert names("sort=-fee")[0] == "Tomasz Nowak"
    assert names("sort=-fee")[-1] == "Aaron Unpriced"


@pytest.mark.parametrize(
    ("query", "field", "fragment"),
    [
        ("language=xx", "language", "Unknown language “xx”"),
        ("specialty=astrology", "specialty", "Unknown specialty"),
        ("lives_in=Narnia", "lives_in", "Unknown lives in"),
        ("format=phone", "format", "Unknown format"),
        ("fee_min=-5", "fee_min", "cannot be negative"),
        ("fee_max=-1", "fee_max", "cannot be negative"),
        ("fee_min=abc", "fee_min", "must be a number"),
        ("fee_min=NaN", "fee_min", "must be a number"),
        ("fee_min=300&fee_max=100", "fee_min", "above the highest"),
        ("currency=XYZ", "currency", "Unknown currency"),
        ("accepting=maybe", "accepting", "true or false"),
        ("sort=random", "sort", "Unknown sort"),
        ("page=0", "page", "page must be"),
        ("page=two", "page", "page must be"),
        ("langauge=en", "langauge", "Unknown filter “langauge”"),
        ("format=video&format=hybrid", "format", "one value"),
    ],
)
def test_bad_filters_are_refused_with_a_message_naming_the_field(query, field, fragment):
    with pytest.raises(InvalidFilter) as info:
        parse_filters(QueryDict(query))
    assert info.value.field == field
    assert info.value.status == 422
    assert fragment in info.value.detail


def test_paging(directory, clinic):
    for i in range(30):
        add_therapist(clinic, f"t{i:02d}@example.com", f"Therapist {i:02d}", language=["de"])
    first = directory_page(parse_filters(QueryDict("language=de")), now=timezone.now())
    assert first.count == 30 and first.num_pages == 3 and len(first.results) == 12
    last = directory_page(parse_filters(QueryDict("language=de&page=3")), now=timezone.now())
    assert [p.user.full_name for p in last.results][-1] == "Therapist 29"
    assert len(last.results) == 6 and not last.has_next
    beyond = directory_page(parse_filters(QueryDict("language=de&page=9")), now=timezone.now())
    assert beyond.results == [] and beyond.count == 30


def _fill(clinic, n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        add_therapist(
            clinic,
            f"q{i}@example.com",
            f"Quinn {i:03d}",
            fee=str(100 + i),
            language=["en", "fr"],
            jurisdiction=["GB"],
            specialty=["communication", "premarital"],
            approach=["eft"],
            format=["video"],
        )


QUERY = "/api/therapists/?language=en&lives_in=GB&format=video&fee_min=0&sort=fee"
PAGE_QUERY = "/therapists/?language=en&lives_in=GB&format=video&fee_min=0&sort=fee"


def test_query_count_does_not_grow_with_results(
    client, partner_a, clinic, django_assert_max_num_queries
):
    client.force_login(partner_a)
    _fill(clinic, 3)
    with django_assert_max_num_queries(6):
        small = client.get(QUERY).json()
    with django_assert_max_num_queries(6):
        assert client.get(PAGE_QUERY).status_code == 200
    _fill(clinic, 40, start=3)
    with django_assert_max_num_queries(6):
        big = client.get(QUERY).json()
    with django_assert_max_num_queries(6):
        page = client.get(PAGE_QUERY)
    assert small["count"] == 3 and big["count"] == 43 and len(big["results"]) == 12
    assert page.content.decode().count('data-testid="therapist-card"') == 12


def test_anonymous_directory_api_is_bounded_too(client, clinic, django_assert_max_num_queries):
    _fill(clinic, 25)
    with django_assert_max_num_queries(3):
        body = client.get("/api/therapists/?page=2").json()
    assert body["page"] == 2 and len(body["results"]) == 12


def test_api_shape_and_names(client, directory):
    body = client.get("/api/therapists/?language=ja").json()
    assert body["count"] == 1
    hale = body["results"][0]
    assert hale["name"] == "Elena Hale"
    assert {"code": "ja", "name": "Japanese"} in hale["languages"]
    assert hale["licensed_in"] == [{"code": "US-CA", "name": "California, United States"}]
    assert Decimal(hale["fee"]) == Decimal("180") and hale["currency"] == "USD"
    assert hale["time_zone"] == "America/Los_Angeles"
    assert hale["profile_url"] == f"/therapists/{directory['hale'].pk}/"


@pytest.mark.parametrize(
    "query", ["language=xx", "fee_min=-10", "fee_min=5&fee_max=1", "bogus=1", "sort=random"]
)
def test_api_answers_422_with_detail_code_and_field(client, directory, query):
    response = client.get(f"/api/therapists/?{query}")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_filter" and body["detail"] and body["field"]


def test_page_shows_the_filter_error_and_no_results(client, directory):
    response = client.get("/therapists/?fee_min=-20")
    assert response.status_code == 422
    page = response.content.decode()
    assert "A fee cannot be negative." in page
    assert 'data-testid="therapist-card"' not in page


def test_page_keeps_filters_in_pager_links(client, clinic):
    for i in range(14):
        add_therapist(clinic, f"p{i}@example.com", f"Pat {i:02d}", language=["pl"])
    page = client.get("/therapists/?language=pl").content.decode()
    assert "14 therapists match" in page
    assert "?language=pl&amp;page=2" in page


def test_facets_endpoint_lists_names(client):
    body = client.get("/api/therapists/facets").json()
    assert {"code": "pl", "name": "Polish"} in body["languages"]
    assert {"code": "US-CA", "name": "California, United States"} in body["jurisdictions"]
    assert {"code": "GB", "name": "United Kingdom"} in body["jurisdictions"]
    assert [s["code"] for s in body["sorts"]] == ["name", "soonest", "fee", "-fee"]


def test_profile_page_has_book_button_and_names(client, directory):
    hale = directory["hale"]
    page = client.get(f"/therapists/{hale.pk}/").content.decode()
    assert 'data-testid="book-session"' in page and "Book a session" in page
    assert "Japanese" in page and "California, United States" in page
    assert "180 USD per session" in page


def test_deactivated_therapist_profile_is_gone(client, directory):
    from therapists.models import TherapistProfile

    gone = TherapistProfile.objects.get(user__email="gone@example.com")
    assert client.get(f"/therapists/{gone.pk}/").status_code == 404
    assert client.get(f"/api/therapists/{gone.pk}").status_code == 404
    assert client.get(f"/api/therapists/{directory['hale'].pk}").json()["name"] == "Elena Hale"
