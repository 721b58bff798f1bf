"""The catalog search (GET /api/v1/courses) on a small fixed catalog, on both backends.

Every test builds the same catalog through the HTTP API (two instructors, published courses,
drafts and an archived course) and compares the answers with lists computed here, in
Python, from the catalog's own data: a reference implementation of each filter and sort.
Tests parametrized with ``site`` run on PostgreSQL + Redis and on the embedded default
(SQLite, no Redis); a few run on PostgreSQL only (its full-text syntax).
"""

from __future__ import annotations

import dataclasses
import html
import itertools
import re
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import pytest
from aiohttp.test_utils import TestClient

from ocp.app import create_app
from ocp.appkeys import CATALOG_CACHE
from ocp.config import Settings
from ocp.courses.models import Course
from ocp.users.models import User
from tests.helpers import PASSWORD, Account, expect_problem

ClientFactory = Callable[..., Awaitable[TestClient]]
Query = dict[str, str]
_emails = itertools.count(1)

# The catalog -------------------------------------------------------------------------------

TEACHERS = {"A": "Zelda Quimby", "B": "Mortimer Fenwick"}


@dataclass(frozen=True)
class Spec:
    """One course as the tests create it (and as the reference implementation reads it)."""

    key: str
    title: str
    subtitle: str
    description: str
    category: str
    tags: tuple[str, ...]
    level: str
    language: str
    price: str
    duration: int
    teacher: str
    enrollment: int

    @property
    def cents(self) -> int:
        return int(Decimal(self.price) * 100)


PUBLISHED = [
    Spec("py_basics", "Python Programming Basics", "Start coding today",
         "<p>Variables, loops and functions.</p>", "programming", ("python", "beginners"),
         "beginner", "en", "0", 120, "A", 500),
    Spec("py_advanced", "Advanced Python Patterns", "Metaclasses and descriptors",
         "<p>Deep dive.</p>", "programming", ("python",),
         "advanced", "en", "49.50", 600, "A", 120),
    Spec("django", "Web Apps with Django", "Build a blog",
         "<p>Models, views and templates in python.</p>", "programming", ("django", "web"),
         "intermediate", "en", "19.99", 300, "B", 120),
    Spec("data", "Data Science Toolkit", "Numbers everywhere",
         "<p>Pandas and plots.</p>", "data", ("python", "data"),
         "intermediate", "es", "19.99", 240, "B", 80),
    Spec("logo", "Logo Design Fundamentals", "Shapes and color",
         "", "design", ("branding",),
         "beginner", "en", "9.99", 60, "A", 80),
    Spec("thinking", "design thinking", "Workshops for teams",
         "<p>Empathy maps.</p>", "design", ("ux",),
         "all", "fr", "0", 30, "B", 0),
    Spec("interior", "Interior Spaces", "Rooms that work",
         "<p>Every room needs good design.</p>", "home", ("decor",),
         "beginner", "pt-br", "29.00", 90, "A", 15),
    Spec("garden", "Garden Basics", "Soil, seeds and sun",
         "<p>Grow vegetables.</p>", "home", ("garden", "outdoors"),
         "beginner", "en", "10.00", 45, "B", 300),
    Spec("garden_lower", "garden basics", "A second look",
         "<p>Compost and mulch.</p>", "home", ("garden",),
         "intermediate", "en", "0", 0, "A", 15),
    Spec("skies", "Painting Skies", "Watercolor for everyone",
         "<p>Brushes and paper.</p>", "art", ("painting",),
         "all", "es", "120.00", 180, "B", 40),
    Spec("bread", "Sourdough Bread", "Slow fermentation",
         '<p>Flour, water & salt, and a volcano of bubbles. <a href="https://example.com/'
         'starter">Recipe</a></p>', "cooking", ("baking",),
         "intermediate", "fr", "15.00", 150, "A", 60),
    Spec("knife", "Knife Skills", "Cut like a chef",
         "<p>Safety first.</p>", "cooking", ("technique",),
         "advanced", "en", "9.98", 75, "B", 0),
    Spec("sheets", "Automating Spreadsheets", "Python scripts for the office",
         "<p>Macros without pain.</p>", "programming", ("automation",),
         "all", "en", "24.00", 100, "A", 200),
    Spec("color", "Color Theory", "Hue and value",
         "<p>Why <strong>design</strong> needs contrast.</p>", "design", ("color",),
         "advanced", "en", "59.00", 200, "B", 40),
]  # fmt: skip
# Never in the catalog: a draft with a lesson, a draft without one, and an archived course.
# They match many of the queries below and are the most popular and newest, so a leak shows.
HIDDEN = [
    Spec("draft", "Python Secrets", "Hidden python garden design",
         "<p>python</p>", "programming", ("python", "garden", "design"),
         "beginner", "en", "0", 60, "A", 9999),
    Spec("draft_bare", "Music Draft", "Quimby Fenwick cooking",
         "", "music", ("garden", "python"),
         "beginner", "en", "5.00", 60, "B", 9998),
    Spec("archived", "Python Archive", "Old design garden",
         "<p>python</p>", "history", ("python", "design", "garden"),
         "beginner", "en", "0", 60, "A", 9997),
]  # fmt: skip
# Publication order (newest last), deliberately unlike the creation order.
PUBLISH_ORDER = [
    "logo", "py_basics", "knife", "garden", "django", "color", "skies",
    "interior", "py_advanced", "sheets", "garden_lower", "data", "bread", "thinking",
]  # fmt: skip
assert sorted(PUBLISH_ORDER) == sorted(spec.key for spec in PUBLISHED)


def _text_words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower()))


def _plain(description: str) -> str:
    """The visible text of an HTML description (tags dropped, entities decoded)."""
    return html.unescape(re.sub(r"<[^>]*>", " ", description))


# Backends ----------------------------------------------------------------------------------


@dataclass
class Site:
    """One running server: an anonymous client and a way to get more (own cookie jars)."""

    kind: str
    client: TestClient
    make_client: Callable[[], Awaitable[TestClient]]

    async def instructor(self, full_name: str) -> Account:
        email = f"teacher{next(_emails)}@example.com"
        registered = await self.client.post(
            "/api/v1/auth/register",
            json={"email": email, "password": PASSWORD, "full_name": full_name},
        )
        assert registered.status == 201, await registered.text()
        await User.filter(id=(await registered.json())["id"]).update(role="instructor")
        own = await self.make_client()
        login = await own.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
        assert login.status == 200, await login.text()
        body = await login.json()
        return Account(client=own, user=body["user"], password=PASSWORD, csrf=body["csrf_token"])

    async def get(self, query: Query | str) -> Any:
        """The raw response of the catalog list for ``query`` (a dict or a query string)."""
        text = query if isinstance(query, str) else urlencode(query)
        return await self.client.get(f"/api/v1/courses?{text}")

    async def page(self, query: Query | str) -> dict[str, Any]:
        response = await self.get(query)
        assert response.status == 200, f"{query}: {await response.text()}"
        return dict(await response.json())

    async def ids(self, query: Query) -> list[int]:
        """Every id the catalog answers for ``query`` (one page of 100), checking the total."""
        body = await self.page({**query, "per_page": "100"})
        ids = [item["id"] for item in body["items"]]
        assert body["total"] == len(ids), (query, body["total"], ids)
        return ids

    async def bump(self) -> None:
        """After writing to the database directly (no request bumps the cache then)."""
        app = self.client.app
        assert app is not None
        await app[CATALOG_CACHE].bump()


@pytest.fixture
async def embedded_client(aiohttp_client: ClientFactory, embedded_settings: Settings) -> TestClient:
    return await aiohttp_client(create_app(embedded_settings))


@pytest.fixture(params=["postgres", pytest.param("embedded", marks=pytest.mark.embedded)])
def site(request: pytest.FixtureRequest, aiohttp_client: ClientFactory) -> Site:
    """The same catalog API on PostgreSQL + Redis and on the embedded default."""
    if request.param == "postgres":
        client: TestClient = request.getfixturevalue("client")
    else:
        client = request.getfixturevalue("embedded_client")

    async def make() -> TestClient:
        return await aiohttp_client(client.server)

    return Site(request.param, client, make)


@pytest.fixture
def pg_site(client: TestClient, make_client: Callable[[], Awaitable[TestClient]]) -> Site:
    return Site("postgres", client, make_client)


# The catalog builder and the reference implementation --------------------------------------


@dataclass
class Catalog:
    site: Site
    teachers: dict[str, Account]
    names: dict[str, str]
    ids: dict[str, int]
    specs: dict[str, Spec]
    published: list[str] = field(default_factory=list)

    @property
    def visible(self) -> list[Spec]:
        return [self.specs[key] for key in self.published]

    @property
    def hidden_ids(self) -> set[int]:
        return {self.ids[spec.key] for spec in HIDDEN}

    def words(self, spec: Spec) -> set[str]:
        """Words of every searched field: title, subtitle, description, category, tags, name."""
        fields = [
            spec.title,
            spec.subtitle,
            _plain(spec.description),
            spec.category,
            " ".join(spec.tags),
            self.names[spec.teacher],
        ]
        return _text_words(" ".join(fields))

    def matches(self, spec: Spec, query: Query) -> bool:
        """The reference filter: does ``spec`` answer ``query``?"""
        checks: dict[str, Callable[[str], bool]] = {
            "category": lambda v: spec.category == v,
            "tag": lambda v: v in spec.tags,
            "instructor": lambda v: self.teachers[spec.teacher].id == int(v),
            "level": lambda v: spec.level == v,
            "language": lambda v: spec.language == v,
            "price_min": lambda v: spec.cents >= int(Decimal(v) * 100),
            "price_max": lambda v: spec.cents <= int(Decimal(v) * 100),
            "is_free": lambda v: (spec.cents == 0) == (v == "true"),
            "duration_min": lambda v: spec.duration >= int(v),
            "duration_max": lambda v: spec.duration <= int(v),
            "q": lambda v: _text_words(v) <= self.words(spec),
        }
        ignored = {"sort", "page", "per_page"}
        return all(checks[name](value) for name, value in query.items() if name not in ignored)

    def order(self, specs: Iterable[Spec], sort: str = "newest") -> list[int]:
        """The reference order; ties broken by id (ascending for price/title, else descending)."""
        seq = {key: n for n, key in enumerate(PUBLISH_ORDER)}
        keys: dict[str, Callable[[Spec], tuple[Any, ...]]] = {
            "newest": lambda s: (-seq[s.key], -self.ids[s.key]),
            "price": lambda s: (s.cents, self.ids[s.key]),
            "-price": lambda s: (-s.cents, -self.ids[s.key]),
            "title": lambda s: (s.title.lower(), self.ids[s.key]),
            "popular": lambda s: (-s.enrollment, -self.ids[s.key]),
        }
        return [self.ids[s.key] for s in sorted(specs, key=keys[sort])]

    def expect(self, query: Query) -> list[int]:
        """What the catalog should answer for ``query`` (without relevance), in order."""
        hits = [spec for spec in self.visible if self.matches(spec, query)]
        return self.order(hits, query.get("sort", "newest"))


async def _create(teacher: Account, spec: Spec, *, lesson: bool = True) -> int:
    h = teacher.csrf_headers()
    created = await teacher.client.post(
        "/api/v1/courses",
        json={
            "title": spec.title,
            "subtitle": spec.subtitle,
            "description": spec.description,
            "category": spec.category,
            "tags": list(spec.tags),
            "level": spec.level,
            "language": spec.language,
            "price": spec.price,
            "duration_minutes": spec.duration,
        },
        headers=h,
    )
    assert created.status == 201, await created.text()
    course_id = int((await created.json())["id"])
    if lesson:
        added = await teacher.client.post(
            f"/api/v1/courses/{course_id}/lessons", json={"title": "Intro"}, headers=h
        )
        assert added.status == 201, await added.text()
    return course_id


async def _set_status(teacher: Account, course_id: int, status: str) -> None:
    response = await teacher.client.patch(
        f"/api/v1/courses/{course_id}", json={"status": status}, headers=teacher.csrf_headers()
    )
    assert response.status == 200, await response.text()


async def build_catalog(site: Site) -> Catalog:
    """Two instructors, 14 published courses, two drafts and an archived course."""
    teachers = {key: await site.instructor(name) for key, name in TEACHERS.items()}
    catalog = Catalog(
        site=site,
        teachers=teachers,
        names=dict(TEACHERS),
        ids={},
        specs={spec.key: spec for spec in [*PUBLISHED, *HIDDEN]},
    )
    for spec in [*PUBLISHED, *HIDDEN]:
        lesson = spec.key != "draft_bare"
        catalog.ids[spec.key] = await _create(teachers[spec.teacher], spec, lesson=lesson)
    for key in PUBLISH_ORDER:
        await _set_status(teachers[catalog.specs[key].teacher], catalog.ids[key], "published")
        catalog.published.append(key)
    archived = catalog.specs["archived"]
    await _set_status(teachers[archived.teacher], catalog.ids["archived"], "published")
    gone = await teachers[archived.teacher].client.delete(
        f"/api/v1/courses/{catalog.ids['archived']}",
        headers=teachers[archived.teacher].csrf_headers(),
    )
    assert gone.status == 204, await gone.text()
    for spec in catalog.specs.values():
        await Course.filter(id=catalog.ids[spec.key]).update(enrollment_count=spec.enrollment)
    await site.bump()
    return catalog


def _link_rels(response: Any) -> dict[str, str]:
    header = response.headers.get("Link", "")
    return {rel: url for url, rel in re.findall(r'<([^>]*)>;\s*rel="([^"]+)"', header)}


# Filters -----------------------------------------------------------------------------------


async def test_each_filter_alone(site: Site) -> None:
    catalog = await build_catalog(site)
    a, b = catalog.teachers["A"].id, catalog.teachers["B"].id
    queries: list[Query] = [
        {},
        {"category": "design"},
        {"category": "programming"},
        {"tag": "python"},
        {"tag": "garden"},
        {"instructor": str(a)},
        {"instructor": str(b)},
        {"level": "beginner"},
        {"level": "advanced"},
        {"level": "all"},
        {"language": "en"},
        {"language": "pt-br"},
        {"price_min": "9.99"},
        {"price_min": "10"},
        {"price_max": "9.99"},
        {"price_max": "19.99"},
        {"is_free": "true"},
        {"is_free": "false"},
        {"duration_min": "90"},
        {"duration_max": "90"},
        {"duration_max": "0"},
    ]
    everything = catalog.expect({})
    assert len(everything) == len(PUBLISHED)
    for query in queries:
        expected = catalog.expect(query)
        if query:  # each filter must narrow the catalog without emptying it
            assert 0 < len(expected) < len(everything), query
        assert await site.ids(query) == expected, query

    # Boundaries are inclusive, and prices compare exactly (9.98 < 9.99 < 10.00).
    ids = catalog.ids
    assert ids["logo"] in await site.ids({"price_min": "9.99"})
    assert ids["knife"] not in await site.ids({"price_min": "9.99"})
    assert ids["logo"] in await site.ids({"price_max": "9.99"})
    assert ids["garden"] not in await site.ids({"price_max": "9.99"})
    assert ids["interior"] in await site.ids({"duration_min": "90", "duration_max": "90"})
    assert await site.ids({"is_free": "true"}) == catalog.order(
        [s for s in catalog.visible if s.price == "0"]
    )
    assert await site.ids({"instructor": "999999"}) == []
    assert await site.ids({"category": "nothing-here"}) == []


async def test_filter_combinations(site: Site) -> None:
    catalog = await build_catalog(site)
    a, b = catalog.teachers["A"].id, catalog.teachers["B"].id
    queries: list[Query] = [
        {"category": "programming", "level": "advanced", "price_max": "50"},
        {"category": "home", "level": "beginner", "price_max": "29"},
        {"tag": "garden", "is_free": "true"},
        {"tag": "garden", "is_free": "false"},
        {"tag": "python", "instructor": str(b)},
        {"instructor": str(a), "sort": "price"},
        {"instructor": str(b), "sort": "-price"},
        {"language": "en", "duration_min": "60", "duration_max": "300", "is_free": "false"},
        {"price_min": "9.99", "price_max": "24", "sort": "title"},
        {"category": "design", "is_free": "false", "sort": "popular"},
        {"q": "python", "is_free": "false", "sort": "price"},
        {"q": "design", "instructor": str(b), "sort": "newest"},
    ]
    for query in queries:
        expected = catalog.expect(query)
        assert expected, query
        assert await site.ids(query) == expected, query
    assert await site.ids({"category": "cooking", "is_free": "true"}) == []


# Sorting -----------------------------------------------------------------------------------


async def test_every_sort_with_ties_broken_by_id(site: Site) -> None:
    catalog = await build_catalog(site)
    visible = catalog.visible
    # The data has ties for every sort that can have them.
    assert max(Counter(s.cents for s in visible).values()) > 1
    assert max(Counter(s.title.lower() for s in visible).values()) > 1
    assert max(Counter(s.enrollment for s in visible).values()) > 1
    for sort in ("newest", "price", "-price", "title", "popular"):
        expected = catalog.expect({"sort": sort})
        assert await site.ids({"sort": sort}) == expected, sort
    # Without q the default is newest: the reverse of the publication order.
    newest = [catalog.ids[key] for key in reversed(PUBLISH_ORDER)]
    assert await site.ids({}) == newest
    assert newest != sorted(newest, reverse=True)  # not simply id order
    # Title is case-insensitive: "design thinking" sits between "Data ..." and "Garden ...".
    titles = [
        item["title"] for item in (await site.page({"sort": "title", "per_page": "100"}))["items"]
    ]
    assert titles == sorted(titles, key=str.lower) and titles != sorted(titles)
    lower, upper = catalog.ids["garden_lower"], catalog.ids["garden"]
    by_title = await site.ids({"sort": "title"})
    assert by_title.index(min(lower, upper)) + 1 == by_title.index(max(lower, upper))


async def test_newest_tie_on_published_at_breaks_by_id_desc(site: Site) -> None:
    catalog = await build_catalog(site)
    low_id, high_id = catalog.ids["django"], catalog.ids["garden"]
    # "django" has the lower id but was published later, so alone it comes first ...
    assert low_id < high_id
    before = await site.ids({})
    assert before.index(low_id) < before.index(high_id)
    # ... and with equal publication times the higher id wins.
    same = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
    await Course.filter(id__in=[low_id, high_id]).update(published_at=same)
    await site.bump()
    ids = await site.ids({})
    assert ids[:2] == [high_id, low_id]
    assert ids[2:] == [i for i in before if i not in (low_id, high_id)]


# Search ------------------------------------------------------------------------------------


async def test_search_finds_words_in_every_searched_field(site: Site) -> None:
    catalog = await build_catalog(site)

    def where(word: str) -> set[str]:
        """Which fields of the published courses hold ``word``."""
        found = set()
        for spec in catalog.visible:
            for name, text in (
                ("title", spec.title),
                ("subtitle", spec.subtitle),
                ("description", _plain(spec.description)),
                ("category", spec.category),
                ("tags", " ".join(spec.tags)),
                ("instructor", catalog.names[spec.teacher]),
            ):
                if word in _text_words(text):
                    found.add(name)
        return found

    # Each field is the only home of at least one of these words.
    only_in = {
        "watercolor": "subtitle",
        "volcano": "description",
        "cooking": "category",
        "branding": "tags",
        "quimby": "instructor",
        "fenwick": "instructor",
        "toolkit": "title",
    }
    for word, field_name in only_in.items():
        assert where(word) == {field_name}, word
    words = [*only_in, "python", "design", "garden", "data", "basics"]
    for word in words:
        expected = catalog.expect({"q": word})
        assert expected, word
        assert await site.ids({"q": word, "sort": "newest"}) == expected, word
        # The default order (relevance) lists the same courses.
        assert sorted(await site.ids({"q": word})) == sorted(expected), word
    # Case and surrounding spaces do not matter.
    assert await site.ids({"q": "  PyThOn ", "sort": "newest"}) == catalog.expect({"q": "python"})


async def test_search_without_matches_is_an_empty_page(site: Site) -> None:
    """No row carries the total then: the catalog counts separately, and must still answer."""
    catalog = await build_catalog(site)
    for query in ({"q": "nonexistentword"}, {"q": "python", "category": "cooking"}):
        body = await site.page(query)
        assert body["items"] == [] and body["total"] == 0, query
    # A page past the end of a search: the same path, with a non-zero total.
    total = len(catalog.expect({"q": "python"}))
    past = await site.page({"q": "python", "per_page": "2", "page": "10"})
    assert past["items"] == [] and past["total"] == total


async def test_search_words_are_anded(site: Site) -> None:
    catalog = await build_catalog(site)
    for q in ("python quimby", "design fenwick", "basics garden", "python data", "garden sun"):
        expected = catalog.expect({"q": q})
        either = set().union(*(catalog.expect({"q": word}) for word in q.split()))
        assert expected and set(expected) < either, q  # some course has one word only
        assert await site.ids({"q": q, "sort": "newest"}) == expected, q
    assert await site.ids({"q": "python garden"}) == []
    assert await site.ids({"q": "volcano quimby"}) == [catalog.ids["bread"]]
    assert await site.ids({"q": "volcano fenwick"}) == []


async def test_relevance_ranks_title_above_tags_subtitle_and_description(site: Site) -> None:
    catalog = await build_catalog(site)
    ids = catalog.ids
    # python: in the title (and tags) of two courses, tags only of one, the subtitle only of
    # one, the description only of one.
    ranked = await site.ids({"q": "python"})
    assert ranked == await site.ids({"q": "python", "sort": "relevance"})
    assert sorted(ranked) == sorted(catalog.expect({"q": "python"}))
    position = {key: ranked.index(ids[key]) for key in ("py_basics", "py_advanced", "data")}
    position |= {key: ranked.index(ids[key]) for key in ("sheets", "django")}
    assert max(position["py_basics"], position["py_advanced"]) < position["data"]
    assert position["data"] < position["sheets"] < position["django"]
    # design: in the titles of two courses, the description only of "interior".
    ranked = await site.ids({"q": "design"})
    assert sorted(ranked) == sorted(catalog.expect({"q": "design"}))
    assert ranked.index(ids["logo"]) < ranked.index(ids["interior"])
    assert ranked.index(ids["thinking"]) < ranked.index(ids["interior"])


async def test_markup_in_descriptions_is_not_searchable(site: Site) -> None:
    """Descriptions are sanitized HTML: tag names, attributes and entities are not words."""
    catalog = await build_catalog(site)
    # The stored descriptions do hold these strings, inside markup only.
    course = await site.client.get(f"/api/v1/courses/{catalog.ids['bread']}")
    description = (await course.json())["description"]
    assert "nofollow" in description and "&amp;" in description and "href" in description
    for q in ("nofollow", "href", "amp", "strong"):
        assert await site.ids({"q": q}) == [], q


async def test_renamed_instructor_is_found_by_the_new_name_only(site: Site) -> None:
    catalog = await build_catalog(site)
    teacher = catalog.teachers["A"]
    theirs = catalog.expect({"q": "quimby"})
    assert theirs and await site.ids({"q": "quimby", "sort": "newest"}) == theirs  # cached
    renamed = await teacher.client.patch(
        "/api/v1/users/me", json={"full_name": "Zelda Marchetti"}, headers=teacher.csrf_headers()
    )
    assert renamed.status == 200, await renamed.text()
    catalog.names["A"] = "Zelda Marchetti"
    assert await site.ids({"q": "marchetti", "sort": "newest"}) == theirs
    assert await site.ids({"q": "zelda marchetti", "sort": "newest"}) == theirs
    listed = (await site.page({"instructor": str(teacher.id)}))["items"]
    assert {item["instructor"]["full_name"] for item in listed} == {"Zelda Marchetti"}
    assert await site.ids({"q": "quimby"}) == []


async def test_postgres_prefix_matches_the_last_word_only(pg_site: Site) -> None:
    catalog = await build_catalog(pg_site)

    def starting(prefix: str, *, also: str = "") -> list[int]:
        hits = [
            s
            for s in catalog.visible
            if any(w.startswith(prefix) for w in catalog.words(s))
            and _text_words(also) <= catalog.words(s)
        ]
        return catalog.order(hits)

    for prefix in ("pyth", "gard", "quim", "desig", "waterc"):
        expected = starting(prefix)
        assert expected, prefix
        assert await pg_site.ids({"q": prefix, "sort": "newest"}) == expected, prefix
    assert await pg_site.ids({"q": "quimby pyth", "sort": "newest"}) == starting(
        "pyth", also="quimby"
    )
    # Only the last word is a prefix.
    assert await pg_site.ids({"q": "pyth quimby"}) == []


async def test_postgres_websearch_syntax(pg_site: Site) -> None:
    catalog = await build_catalog(pg_site)
    ids = catalog.ids
    python = catalog.expect({"q": "python"})
    # Exclusion.
    without_django = [i for i in python if i != ids["django"]]
    assert ids["django"] in python
    assert await pg_site.ids({"q": "python -django", "sort": "newest"}) == without_django
    assert await pg_site.ids({"q": "python -quimby", "sort": "newest"}) == catalog.expect(
        {"q": "python", "instructor": str(catalog.teachers["B"].id)}
    )
    # Quoted phrases: the words next to each other, in that order.
    assert await pg_site.ids({"q": '"design thinking"'}) == [ids["thinking"]]
    assert await pg_site.ids({"q": '"empathy maps"'}) == [ids["thinking"]]
    assert await pg_site.ids({"q": '"maps empathy"'}) == []
    assert sorted(await pg_site.ids({"q": "maps empathy"})) == [ids["thinking"]]
    assert sorted(await pg_site.ids({"q": "thinking design"})) == [ids["thinking"]]
    assert await pg_site.ids({"q": '"basics garden"'}) == []
    assert await pg_site.ids({"q": '"garden basics"', "sort": "newest"}) == catalog.expect(
        {"q": "garden basics"}
    )
    assert await pg_site.ids({"q": '"python programming" basics'}) == [ids["py_basics"]]
    # "or" between words.
    either = catalog.order(
        s for s in catalog.visible if {"volcano", "watercolor"} & catalog.words(s)
    )
    assert len(either) == 2
    assert await pg_site.ids({"q": "volcano or watercolor", "sort": "newest"}) == either


# Pagination --------------------------------------------------------------------------------


async def test_pagination_walks_every_page_by_the_link_header(site: Site) -> None:
    catalog = await build_catalog(site)
    for query in (
        {"price_max": "60", "sort": "price"},
        {"is_free": "false", "sort": "title"},
        {"q": "python", "sort": "popular"},
        {},
    ):
        expected = catalog.expect(query)
        pages = -(-len(expected) // 3)
        assert len(expected) > 3, query
        seen: list[int] = []
        url: str | None = f"/api/v1/courses?{urlencode({**query, 'per_page': '3'})}"
        number = 0
        while url is not None:
            number += 1
            response = await site.client.get(url)
            assert response.status == 200, await response.text()
            body = await response.json()
            assert body["page"] == number and body["per_page"] == 3, (query, body)
            assert body["total"] == len(expected), (query, number)
            items = [item["id"] for item in body["items"]]
            assert items == expected[(number - 1) * 3 : number * 3], (query, number)
            seen += items
            rels = _link_rels(response)
            assert "first" in rels and "last" in rels, rels
            assert ("prev" in rels) == (number > 1), (query, number, rels)
            if number < pages:
                assert "next" in rels, (query, number, rels)
            else:
                assert "next" not in rels, (query, number, rels)
            url = rels.get("next")
            assert number <= pages, query
        assert number == pages, query
        assert seen == expected and len(set(seen)) == len(seen), query


async def test_pages_past_the_end_and_the_per_page_cap(site: Site) -> None:
    catalog = await build_catalog(site)
    query = {"is_free": "false"}
    total = len(catalog.expect(query))
    last = -(-total // 3)
    for page in (last + 1, 1000):
        response = await site.get({**query, "per_page": "3", "page": str(page)})
        assert response.status == 200, await response.text()
        body = await response.json()
        assert body["items"] == [] and body["total"] == total and body["page"] == page
        assert "next" not in _link_rels(response)
    capped = await site.page({"per_page": "500"})
    assert capped["per_page"] == 100
    assert [item["id"] for item in capped["items"]] == catalog.expect({})
    assert capped["total"] == len(PUBLISHED)
    default = await site.page({})
    assert default["per_page"] == 20 and default["page"] == 1


async def test_input_the_document_allows_is_taken(site: Site) -> None:
    """Each parameter valid on its own (the OpenAPI document cannot say more) is answered:
    `relevance` without `q` sorts as `newest`, and a range whose minimum exceeds its maximum
    matches nothing (both were 422s the document did not announce)."""
    catalog = await build_catalog(site)
    assert await site.ids({"sort": "relevance"}) == catalog.expect({"sort": "newest"})
    assert await site.ids({"sort": "relevance", "category": "programming"}) == catalog.expect(
        {"sort": "newest", "category": "programming"}
    )
    for inverted in (
        {"price_min": "5", "price_max": "1"},
        {"duration_min": "50", "duration_max": "10"},
    ):
        body = await site.page(inverted)
        assert body["items"] == [] and body["total"] == 0, inverted


# Bad input ---------------------------------------------------------------------------------


async def test_bad_query_values_are_422_problems(site: Site) -> None:
    bad = {
        "sort=cheapest": "sort",
        "level=expert": "level",
        "price_min=-1": "price_min",
        "price_min=abc": "price_min",
        "price_max=9.999": "price_max",
        "duration_min=-1": "duration_min",
        "is_free=yes": "is_free",
        "instructor=abc": "instructor",
        "category=Bad%20Cat": "category",
        "language=English": "language",
        "q=" + "a" * 201: "q",
        "q=%20%20": "q",
        "colour=red": "colour",
        "tag=python&tag=design": "tag",
        "page=0": "page",
        "per_page=0": "per_page",
    }
    for query, name in bad.items():
        body = await expect_problem(await site.get(query), 422)
        assert name in body.get("errors", {}), (query, body)
    # The limits themselves are fine.
    for query in ("q=" + "a" * 200, "price_min=0&price_max=0", "price_min=100000", "page=1"):
        assert (await site.get(query)).status == 200, query


# What the catalog never shows, and changes that must show at once --------------------------


async def test_drafts_and_archived_courses_never_appear(site: Site) -> None:
    catalog = await build_catalog(site)
    a = str(catalog.teachers["A"].id)
    queries: list[Query] = [
        {},
        {"sort": "popular"},
        {"sort": "price"},
        {"sort": "title"},
        {"q": "python", "sort": "newest"},
        {"tag": "python"},
        {"tag": "garden"},
        {"category": "history"},
        {"category": "music"},
        {"instructor": a},
        {"is_free": "true"},
        {"price_max": "5"},
        {"q": "secrets"},  # words of the hidden courses only
        {"q": "archive"},
    ]
    for query in queries:
        ids = await site.ids(query)
        assert not set(ids) & catalog.hidden_ids, query
        assert ids == catalog.expect(query), query
    for key in ("draft", "draft_bare", "archived"):
        await expect_problem(await site.client.get(f"/api/v1/courses/{catalog.ids[key]}"), 404)


async def test_archived_course_disappears_at_once(site: Site) -> None:
    catalog = await build_catalog(site)
    course_id = catalog.ids["py_basics"]
    queries: list[Query] = [
        {},
        {"q": "python", "sort": "newest"},
        {"tag": "python"},
        {"category": "programming"},
    ]
    for query in queries:  # answered, and cached
        assert course_id in await site.ids(query), query
    before = await (await site.client.get("/api/v1/categories")).json()
    assert {"category": "programming", "count": 4} in before
    teacher = catalog.teachers["A"]
    gone = await teacher.client.delete(
        f"/api/v1/courses/{course_id}", headers=teacher.csrf_headers()
    )
    assert gone.status == 204, await gone.text()
    catalog.published.remove("py_basics")
    for query in queries:
        ids = await site.ids(query)
        assert course_id not in ids and ids == catalog.expect(query), query
    after = await (await site.client.get("/api/v1/categories")).json()
    assert {"category": "programming", "count": 3} in after
    await expect_problem(await site.client.get(f"/api/v1/courses/{course_id}"), 404)


async def test_title_change_is_never_served_stale(site: Site) -> None:
    catalog = await build_catalog(site)
    course_id = catalog.ids["garden"]
    queries: list[Query] = [{}, {"sort": "title"}, {"q": "basics", "sort": "title"}]
    for query in queries:  # answered, and cached
        assert await site.ids(query) == catalog.expect(query), query
    first = await site.page({})
    assert "Garden Basics" in [item["title"] for item in first["items"]]
    teacher = catalog.teachers["B"]
    changed = await teacher.client.patch(
        f"/api/v1/courses/{course_id}",
        json={"title": "Orchard Basics"},
        headers=teacher.csrf_headers(),
    )
    assert changed.status == 200, await changed.text()
    catalog.specs["garden"] = dataclasses.replace(catalog.specs["garden"], title="Orchard Basics")
    again = await site.page({})
    titles = {item["id"]: item["title"] for item in again["items"]}
    assert titles[course_id] == "Orchard Basics"
    for query in queries:
        assert await site.ids(query) == catalog.expect(query), query
    assert await site.ids({"q": "orchard"}) == [course_id]
    # A second change shows too (the cache drops the answers of every older version).
    assert course_id not in await site.ids({"is_free": "true"})
    repriced = await teacher.client.patch(
        f"/api/v1/courses/{course_id}", json={"price": "0"}, headers=teacher.csrf_headers()
    )
    assert repriced.status == 200, await repriced.text()
    catalog.specs["garden"] = dataclasses.replace(catalog.specs["garden"], price="0")
    assert course_id in await site.ids({"is_free": "true"})
    assert await site.ids({"is_free": "true"}) == catalog.expect({"is_free": "true"})


async def test_categories_count_published_courses_only(site: Site) -> None:
    catalog = await build_catalog(site)
    counts = Counter(spec.category for spec in catalog.visible)
    expected = [
        {"category": name, "count": count}
        for name, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]
    response = await site.client.get("/api/v1/categories")
    assert response.status == 200, await response.text()
    assert await response.json() == expected
    assert {"music", "history"}.isdisjoint(entry["category"] for entry in expected)
    # Ties on count are ordered by name; the data has some.
    assert max(Counter(counts.values()).values()) > 1
