"""Demo data: a believable, deterministic catalog for an empty database (``ocp seed --demo``).

Everything is drawn from ``random.Random(seed)``, so one seed gives the same catalog on every
machine and in both dialects; only the dates follow the clock (published over the past year).
Rows go in with ``bulk_create`` in batches, inside one transaction: a failed run leaves
nothing behind.
"""

from __future__ import annotations

import functools
import html
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.transactions import in_transaction

from ocp.courses.cache import CatalogCache
from ocp.courses.models import ContentType, Course, CourseStatus, CourseTag, Lesson, Level
from ocp.courses.service import slugify
from ocp.courses.service import stored_values as prepare_course_values
from ocp.richtext import sanitize
from ocp.users import passwords
from ocp.users.models import Role, User

DEMO_PASSWORD = "ocp-demo-password"  # noqa: S105 (public on purpose: demo accounts)
DEMO_DOMAIN = "demo.ocp"
STUDENT_EMAIL = f"student@{DEMO_DOMAIN}"
BATCH = 1000
DRAFT_SHARE = 0.05
FREE_SHARE = 0.15
PRICES = (9.99, 14.99, 19.99, 24.99, 29.99, 39.99, 49.99, 59.99, 89.99, 119.99, 199.99)
LANGUAGES = (("en", 70), ("es", 9), ("pt-br", 6), ("fr", 5), ("de", 5), ("ja", 5))
LANGUAGE_NAMES = {
    "es": "Spanish", "pt-br": "Portuguese", "fr": "French", "de": "German", "ja": "Japanese",
}  # fmt: skip
LEVEL_WEIGHTS = (
    (Level.BEGINNER, 40),
    (Level.INTERMEDIATE, 30),
    (Level.ADVANCED, 15),
    (Level.ALL, 15),
)

Progress = Callable[[int, int], None]


class CatalogNotEmpty(Exception):
    """The database already holds courses: demo data goes only into an empty catalog."""


@dataclass(frozen=True)
class Category:
    slug: str
    weight: int
    # (subject, its own tags); a course is about one subject of its category
    subjects: tuple[tuple[str, tuple[str, ...]], ...]
    tags: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.slug.replace("-", " ").title()


def _subjects(*items: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """``"Django: django python web-development"`` -> ``("Django", ("django", ...))``."""
    pairs = (item.split(":") for item in items)
    return tuple((name, tuple(tags.split())) for name, tags in pairs)


CATEGORIES = (
    Category("programming", 18, _subjects(
        "Python: python", "JavaScript: javascript web-development", "TypeScript: typescript",
        "Rust: rust systems-programming", "Go: golang backend", "Java: java", "Kotlin: kotlin",
        "SQL: sql databases", "React: react javascript frontend", "Django: django python",
        "Git: git", "Docker: docker devops", "Algorithms: algorithms computer-science",
    ), ("coding", "software-engineering", "web-development", "backend", "testing")),
    Category("data-science", 14, _subjects(
        "Machine Learning: machine-learning ai", "Pandas: pandas python",
        "Statistics: statistics", "Deep Learning: deep-learning neural-networks ai",
        "Data Visualization: data-visualization", "SQL for Analysts: sql analytics",
        "Excel: excel spreadsheets", "Power BI: power-bi dashboards",
        "Natural Language Processing: nlp ai",
    ), ("data-analysis", "analytics", "python", "big-data")),
    Category("design", 10, _subjects(
        "Figma: figma ui-design", "UX Research: ux user-research", "Typography: typography",
        "Logo Design: logo-design branding", "Illustrator: illustrator vector-art",
        "Color Theory: color-theory", "Web Design: web-design ui-design",
        "Motion Design: motion-graphics after-effects",
    ), ("graphic-design", "creativity", "portfolio", "visual-design")),
    Category("business", 10, _subjects(
        "Project Management: project-management agile", "Scrum: scrum agile",
        "Financial Modeling: finance excel", "Entrepreneurship: startups",
        "Negotiation: negotiation", "Accounting: accounting finance",
        "Product Management: product-management", "Business Strategy: strategy",
    ), ("management", "leadership", "career", "small-business")),
    Category("marketing", 9, _subjects(
        "SEO: seo", "Google Ads: google-ads ppc", "Social Media Marketing: social-media",
        "Email Marketing: email-marketing", "Content Marketing: content-marketing",
        "Copywriting: copywriting", "Brand Strategy: branding",
        "Marketing Analytics: analytics",
    ), ("digital-marketing", "growth", "advertising", "e-commerce")),
    Category("photography", 8, _subjects(
        "Portrait Photography: portrait", "Lightroom: lightroom photo-editing",
        "Photoshop: photoshop photo-editing", "Landscape Photography: landscape",
        "Street Photography: street-photography", "Smartphone Photography: mobile-photography",
        "Studio Lighting: lighting studio", "Food Photography: food-photography",
    ), ("camera", "composition", "editing", "dslr")),
    Category("music", 8, _subjects(
        "Guitar: guitar", "Piano: piano", "Music Theory: music-theory",
        "Music Production: music-production ableton", "Singing: singing vocals",
        "Drums: drums", "Songwriting: songwriting", "Mixing and Mastering: mixing audio",
    ), ("instruments", "musicianship", "practice", "audio")),
    Category("languages", 9, _subjects(
        "Spanish: spanish", "French: french", "German: german", "Japanese: japanese",
        "Italian: italian", "Mandarin Chinese: mandarin chinese", "English Grammar: english",
        "Portuguese: portuguese", "Business English: english business-english",
    ), ("vocabulary", "conversation", "grammar", "pronunciation")),
    Category("health", 7, _subjects(
        "Yoga: yoga", "Nutrition: nutrition", "Strength Training: strength-training fitness",
        "Running: running fitness", "Meditation: meditation mindfulness", "Pilates: pilates",
        "Sleep Science: sleep", "First Aid: first-aid",
    ), ("wellness", "fitness", "healthy-habits", "self-care")),
    Category("personal-development", 7, _subjects(
        "Productivity: productivity", "Public Speaking: public-speaking communication",
        "Time Management: time-management productivity", "Leadership: leadership",
        "Critical Thinking: critical-thinking", "Habit Building: habits",
        "Emotional Intelligence: emotional-intelligence", "Personal Finance: personal-finance",
    ), ("self-improvement", "career", "mindset", "communication")),
)  # fmt: skip

FIRST_NAMES = """
Maya Daniel Sofia Liam Aiko Jonas Amara Lucas Chloe Ravi Elena Marcus Ingrid Tomas Leila
Kwame Hannah Diego Yuki Nadia Oliver Priya Mateo Freya Samuel Zara Emil Grace Andre Mei
Noah Aisha Felix Clara Omar Julia Hugo Nina Victor Lena
""".split()  # noqa: SIM905 (a table is easier to read)
LAST_NAMES = """
Patel Okafor Marin O'Brien Tanaka Weber Nwosu Ferreira Dubois Shankar Rossi Bennett Larsen
Novak Haddad Mensah Fischer Alvarez Sato Karimi Hughes Iyer Castillo Nilsson Adeyemi Khan
Lindqvist Morgan Costa Chen Walker Rahman Schmidt Moreau Farouk Kowalski Laurent Park Reyes
Becker
""".split()  # noqa: SIM905
# (title template, the level it implies or None for a drawn one)
TITLES: tuple[tuple[str, Level | None], ...] = (
    ("{s} for Beginners", Level.BEGINNER), ("The Complete {s} Bootcamp", Level.ALL),
    ("Mastering {s}", Level.ADVANCED), ("Practical {s}: Hands-On Projects", Level.INTERMEDIATE),
    ("{s} Fundamentals", Level.BEGINNER), ("Advanced {s}", Level.ADVANCED),
    ("{s} in 30 Days", Level.BEGINNER), ("The {s} Masterclass", None),
    ("{s} from Zero to Pro", Level.ALL), ("{s}: The Essentials", None),
    ("Intermediate {s}", Level.INTERMEDIATE), ("{s} Step by Step", None),
    ("Real-World {s}", Level.INTERMEDIATE), ("{s} Crash Course", None),
    ("Modern {s}", None), ("{s} Deep Dive", Level.ADVANCED),
)  # fmt: skip
SUBTITLES = (
    "Learn {s} with short lessons, exercises and real projects",
    "Build confidence in {s} one practical step at a time",
    "Everything you need to start with {s}, and to keep going",
    "A structured path through {s}, from the basics to best practice",
    "Hands-on {s} for busy people: learn by doing",
    "Go beyond the basics of {s} with an experienced teacher",
)
INTROS = (
    "This course takes you through {s} the way {teacher} teaches it in workshops: a short "
    "explanation, then practice, then feedback.",
    "{s} is one of the most useful skills in {category}. You will build a solid foundation "
    "and apply it to realistic projects.",
    "Whether you need {s} for work or for fun, this course gives you a clear plan and plenty "
    "of practice.",
    "{teacher} has spent years teaching {s}. This course distils that experience into "
    "focused lessons you can follow at your own pace.",
)
OUTCOMES = (
    "Understand the core ideas behind {s}", "Set up a productive {s} workflow",
    "Avoid the most common {s} mistakes", "Complete a portfolio project with {s}",
    "Practise {s} with guided exercises", "Know where to go next after this course",
    "Review other people's {s} work with a critical eye", "Build habits that make {s} stick",
)  # fmt: skip
AUDIENCES = {
    Level.BEGINNER: "Complete beginners: no experience with {s} is needed.",
    Level.INTERMEDIATE: "Learners who know the basics of {s} and want to go further.",
    Level.ADVANCED: "Experienced practitioners who want to master {s}.",
    Level.ALL: "Anyone curious about {s}, whatever their level.",
}
LESSON_TITLES = (
    "Setting up for {s}", "Core concepts of {s}", "Your first {s} exercise",
    "Common mistakes and how to avoid them", "A closer look at the fundamentals",
    "Practice session: putting it together", "Going further with {s}",
    "Case study: {s} in the real world", "Tips from experienced practitioners",
    "Project: planning", "Project: building", "Project: reviewing and improving",
    "Troubleshooting {s}", "Quiz and review", "Working efficiently with {s}",
    "Building a routine", "Best practices for {s}", "Questions learners often ask",
)  # fmt: skip
FIRST_LESSON = "Welcome: what this course covers"
LAST_LESSON = "Wrap-up and next steps"


@dataclass(frozen=True)
class SeedResult:
    instructors: int
    students: int
    courses: int
    published: int
    lessons: int
    tags: int
    password: str


@dataclass(frozen=True)
class _Teacher:
    id: int
    full_name: str
    categories: tuple[Category, ...]


def _weighted(rng: random.Random, pairs: Sequence[tuple[Any, int]]) -> Any:
    return rng.choices([value for value, _ in pairs], weights=[w for _, w in pairs])[0]


@functools.cache
def _lesson_body(subject: str, title: str, kind: ContentType) -> str:
    """Sanitized HTML for a lesson; cached, as it depends only on its arguments."""
    s, t = html.escape(subject), html.escape(title)
    if kind == ContentType.VIDEO:
        raw = (
            f"<p>Notes for the video <em>{t}</em>.</p>"
            f"<ul><li>Watch it once without pausing.</li>"
            f"<li>Then repeat each step in your own {s} setup.</li></ul>"
        )
    else:
        raw = (
            f"<h3>{t}</h3><p>This lesson works through one part of {s} in detail, with an "
            f"example you can follow line by line.</p><p><strong>Exercise:</strong> try it on "
            f"your own material and note what surprised you.</p>"
        )
    return sanitize(raw)


def _lessons(rng: random.Random, subject: str, course_title: str) -> list[dict[str, Any]]:
    """3-15 lessons (about 10 on average), the first a preview."""
    count = round(rng.triangular(3, 15, 12))
    middle = [t.format(s=subject) for t in rng.sample(LESSON_TITLES, count - 2)]
    lessons = []
    for position, title in enumerate([FIRST_LESSON, *middle, LAST_LESSON], start=1):
        kind = ContentType.VIDEO if rng.random() < 0.75 else ContentType.TEXT
        lessons.append(
            {
                "title": title,
                "description": f"Part {position} of {count} in {course_title}.",
                "content_type": kind,
                "body": _lesson_body(subject, title, kind),
                "video_url": (
                    f"https://videos.example.com/demo/{slugify(course_title)}/{position}.mp4"
                    if kind == ContentType.VIDEO
                    else None
                ),
                "position": position,
                "duration_minutes": rng.randint(4, 25) if kind == ContentType.VIDEO else 10,
                "is_preview": position == 1,
            }
        )
    return lessons


def _description(
    rng: random.Random, subject: str, teacher: _Teacher, cat: Category, level: Level
) -> str:
    values = {"s": subject, "teacher": teacher.full_name, "category": cat.name.lower()}
    intro = rng.choice(INTROS).format(**values)
    outcomes = [o.format(**values) for o in rng.sample(OUTCOMES, rng.randint(3, 5))]
    items = "".join(f"<li>{html.escape(o)}</li>" for o in outcomes)
    return (
        f"<p>{html.escape(intro)}</p><h3>What you will learn</h3><ul>{items}</ul>"
        f"<h3>Who this course is for</h3><p>{html.escape(AUDIENCES[level].format(**values))}</p>"
    )


def _course(
    rng: random.Random, teachers_by_category: dict[str, list[_Teacher]], now: datetime
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """One course's field values (without slug) and its lessons' values."""
    cat: Category = _weighted(rng, [(c, c.weight) for c in CATEGORIES])
    subject, subject_tags = rng.choice(cat.subjects)
    template, implied = rng.choice(TITLES)
    level: Level = implied or _weighted(rng, LEVEL_WEIGHTS)
    teacher = rng.choice(teachers_by_category[cat.slug])
    title = template.format(s=subject)
    language: str = _weighted(rng, LANGUAGES)
    subtitle = rng.choice(SUBTITLES).format(s=subject)
    if language != "en":
        subtitle += f" (taught in {LANGUAGE_NAMES[language]})"
    extra = rng.sample(cat.tags, rng.randint(1, 3))
    tags = list(dict.fromkeys([*subject_tags, cat.slug, *extra]))
    lessons = _lessons(rng, subject, title)
    published = rng.random() >= DRAFT_SHARE
    age = timedelta(seconds=rng.randint(3600, 365 * 24 * 3600))
    created_at = now - age - timedelta(days=rng.randint(1, 30))
    course = {
        "title": title,
        "subtitle": subtitle,
        "category": cat.slug,
        "tags": tags,
        "level": level,
        "language": language,
        "price_cents": 0 if rng.random() < FREE_SHARE else round(rng.choice(PRICES) * 100),
        "currency": "USD",
        "duration_minutes": sum(lesson["duration_minutes"] for lesson in lessons),
        "status": CourseStatus.PUBLISHED if published else CourseStatus.DRAFT,
        "instructor_id": teacher.id,
        "lesson_count": len(lessons),
        "created_at": created_at,
        "published_at": now - age if published else None,
    }
    # What the service stores for a description it is given (sanitized HTML, and so on).
    course |= prepare_course_values(
        {"description": _description(rng, subject, teacher, cat, level)}
    )
    return course, lessons


def _people(rng: random.Random, count: int) -> list[tuple[str, str, tuple[Category, ...]]]:
    """(email, full name, specialties) of ``count`` instructors; every category gets some."""
    names = [f"{first} {last}" for first in FIRST_NAMES for last in LAST_NAMES]
    chosen = rng.sample(names, count)
    people: list[tuple[str, str, tuple[Category, ...]]] = []
    for index, name in enumerate(chosen):
        own = CATEGORIES[index % len(CATEGORIES)]
        other = rng.choice([c for c in CATEGORIES if c is not own])
        people.append((f"instructor{index + 1}@{DEMO_DOMAIN}", name, (own, other)))
    return people


async def _accounts(rng: random.Random, instructors: int, conn: Any) -> list[_Teacher]:
    """The demo instructors and student, made once (existing demo accounts are kept as they
    are); the one password hash is computed once for all of them."""
    people = _people(rng, instructors)
    wanted = {email: (name, cats) for email, name, cats in people}
    emails = [*wanted, STUDENT_EMAIL]
    existing = set(
        await User.filter(email__in=emails).using_db(conn).values_list("email", flat=True)
    )
    password_hash = await passwords.hash_password(DEMO_PASSWORD)
    new = [
        User(
            email=email,
            password_hash=password_hash,
            full_name=name,
            role=Role.INSTRUCTOR,
            bio=f"{name.split()[0]} teaches {cats[0].name} and {cats[1].name} on OCP.",
        )
        for email, (name, cats) in wanted.items()
        if email not in existing
    ]
    if STUDENT_EMAIL not in existing:
        new.append(User(email=STUDENT_EMAIL, password_hash=password_hash, full_name="Sam Rivera"))
    await User.bulk_create(new, batch_size=BATCH, using_db=conn)
    rows = (
        await User.filter(email__in=list(wanted)).using_db(conn).values("id", "email", "full_name")
    )
    order = {email: index for index, email in enumerate(wanted)}
    rows.sort(key=lambda row: order[row["email"]])  # the drawing order, whatever the ids
    return [_Teacher(row["id"], row["full_name"], wanted[row["email"]][1]) for row in rows]


def _chunks(total: int, size: int) -> Iterator[int]:
    for start in range(0, total, size):
        yield min(size, total - start)


async def seed_demo(
    *,
    courses: int = 300,
    seed: int = 1,
    cache: CatalogCache,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> SeedResult:
    """Fill an empty catalog with demo instructors, a student, courses, tags and lessons."""
    rng = random.Random(seed)  # noqa: S311 (demo data: reproducible, not secret)
    now = now or datetime.now(UTC)
    instructors = max(20, min(500, courses // 100))
    used_slugs: dict[str, int] = {}
    published = lessons_made = tags_made = 0
    async with in_transaction() as conn:
        if found := await Course.all().using_db(conn).count():
            raise CatalogNotEmpty(f"the database already holds {found} course(s)")
        teachers = await _accounts(rng, instructors, conn)
        by_category: dict[str, list[_Teacher]] = {c.slug: [] for c in CATEGORIES}
        for teacher in teachers:
            for cat in teacher.categories:
                by_category[cat.slug].append(teacher)
        done = 0
        for size in _chunks(courses, BATCH):
            batch = [_course(rng, by_category, now) for _ in range(size)]
            rows = []
            for values, _ in batch:
                base = slugify(values["title"])
                used_slugs[base] = used_slugs.get(base, 0) + 1
                slug = base if used_slugs[base] == 1 else f"{base}-{used_slugs[base]}"
                rows.append(Course(**values, slug=slug))
            await Course.bulk_create(rows, batch_size=BATCH, using_db=conn)
            ids = dict(
                await Course.filter(slug__in=[row.slug for row in rows])
                .using_db(conn)
                .values_list("slug", "id")
            )
            tag_rows, lesson_rows = [], []
            for row, (values, lessons) in zip(rows, batch, strict=True):
                course_id = ids[row.slug]
                tag_rows += [CourseTag(course_id=course_id, tag=tag) for tag in values["tags"]]
                lesson_rows += [Lesson(course_id=course_id, **lesson) for lesson in lessons]
                published += values["status"] == CourseStatus.PUBLISHED
            await CourseTag.bulk_create(tag_rows, batch_size=BATCH, using_db=conn)
            await Lesson.bulk_create(lesson_rows, batch_size=BATCH, using_db=conn)
            tags_made += len(tag_rows)
            lessons_made += len(lesson_rows)
            done += size
            if progress is not None:
                progress(done, courses)
    # Statistics (and PostgreSQL's visibility map) now, not when autovacuum comes round: else
    # the planner takes the new tables for empty and index-only scans visit every row.
    db = Course._meta.db
    await db.execute_script(
        "VACUUM ANALYZE" if db.capabilities.dialect == "postgres" else "ANALYZE"
    )
    await cache.bump()
    return SeedResult(
        instructors=len(teachers),
        students=1,
        courses=courses,
        published=published,
        lessons=lessons_made,
        tags=tags_made,
        password=DEMO_PASSWORD,
    )
