"""The forum's reading side over HTTP on PostgreSQL + Redis: a course's thread list (sorts,
filters, full-text search, pages), the caller's unread counts and subscriptions, and a
thread's posts.

Each test keeps every user under the posting limit (10 threads and posts a minute)."""

from __future__ import annotations

from typing import Any

from tests.forum.helpers import Forum, enroll, make_forum, reply, start_thread
from tests.helpers import Account, Users, expect_problem
from tests.learning.test_flow import make_course


def threads_url(course_id: int, query: str = "") -> str:
    return f"/api/v1/courses/{course_id}/threads{'?' + query if query else ''}"


async def listed(account: Account, course_id: int, query: str = "") -> dict[str, Any]:
    answer = await account.client.get(threads_url(course_id, query))
    assert answer.status == 200, f"GET threads?{query}: {answer.status} {await answer.text()}"
    return dict(await answer.json())


async def titles(account: Account, course_id: int, query: str = "") -> list[str]:
    """The titles of the listed threads, in the order listed (first page)."""
    return [item["title"] for item in (await listed(account, course_id, query))["items"]]


async def seen(account: Account, thread_id: int) -> dict[str, Any]:
    answer = await account.client.get(f"/api/v1/threads/{thread_id}")
    assert answer.status == 200, await answer.text()
    return dict(await answer.json())


async def patch_thread(account: Account, thread_id: int, **changes: Any) -> dict[str, Any]:
    answer = await account.client.patch(
        f"/api/v1/threads/{thread_id}", json=changes, headers=account.csrf_headers()
    )
    assert answer.status == 200, f"PATCH thread {changes}: {await answer.text()}"
    return dict(await answer.json())


async def patch_post(account: Account, post_id: int, body: str) -> dict[str, Any]:
    answer = await account.client.patch(
        f"/api/v1/posts/{post_id}", json={"body": body}, headers=account.csrf_headers()
    )
    assert answer.status == 200, await answer.text()
    return dict(await answer.json())


async def delete_post(account: Account, post_id: int) -> None:
    answer = await account.client.delete(f"/api/v1/posts/{post_id}", headers=account.csrf_headers())
    assert answer.status == 204, await answer.text()


async def delete_thread(account: Account, thread_id: int) -> None:
    answer = await account.client.delete(
        f"/api/v1/threads/{thread_id}", headers=account.csrf_headers()
    )
    assert answer.status == 204, await answer.text()


async def mark_read(account: Account, thread_id: int) -> dict[str, Any]:
    answer = await account.client.post(
        f"/api/v1/threads/{thread_id}/read", headers=account.csrf_headers()
    )
    assert answer.status == 200, await answer.text()
    return dict(await answer.json())


async def unread(account: Account, thread_id: int, course_id: int) -> int:
    """The caller's unread count of the thread, which GET and the list must agree on."""
    one = (await seen(account, thread_id))["unread_count"]
    items = (await listed(account, course_id, "per_page=100"))["items"]
    in_list = {item["id"]: item["unread_count"] for item in items}[thread_id]
    assert one == in_list, f"GET says {one} unread, the list says {in_list}"
    return int(one)


async def subscribed(account: Account, thread_id: int, course_id: int) -> bool:
    """Whether the caller follows the thread, which GET and the list must agree on."""
    one = (await seen(account, thread_id))["subscribed"]
    items = (await listed(account, course_id, "per_page=100"))["items"]
    in_list = {item["id"]: item["subscribed"] for item in items}[thread_id]
    assert one is in_list, f"GET says subscribed={one}, the list says {in_list}"
    return bool(one)


async def threads(forum: Forum, *names: str, by: Account | None = None) -> dict[str, int]:
    """Threads titled ``names``, started one after the other (by alice unless ``by``)."""
    made = {}
    for name in names:
        made[name] = (await start_thread(by or forum.alice, forum.course_id, title=name))["id"]
    return made


# --- sorts -----------------------------------------------------------------------------------


async def test_activity_puts_pinned_first_then_the_latest_post_and_edits_move_nothing(
    users: Users,
) -> None:
    forum = await make_forum(users)
    t = await threads(forum, "A", "B", "C")
    cid = forum.course_id
    assert await titles(forum.bob, cid) == ["C", "B", "A"], "no posts yet: the newest first"
    assert await titles(forum.bob, cid, "sort=activity") == ["C", "B", "A"]

    in_a = await reply(forum.bob, t["A"])
    assert await titles(forum.bob, cid) == ["A", "C", "B"], "a reply moves its thread up"
    await reply(forum.teacher, t["B"])
    assert await titles(forum.bob, cid) == ["B", "A", "C"], "a reply moves its thread up"

    c_before = (await seen(forum.bob, t["C"]))["last_activity_at"]
    await patch_thread(forum.alice, t["C"], title="C", body="<p>Edited</p>")
    await patch_post(forum.bob, in_a["id"], "<p>Edited reply</p>")
    assert await titles(forum.bob, cid) == ["B", "A", "C"], "an edit must not move a thread"
    assert (await seen(forum.bob, t["C"]))["last_activity_at"] == c_before

    pinned = await patch_thread(forum.teacher, t["C"], pinned=True)
    assert pinned["pinned"] is True
    assert await titles(forum.bob, cid) == ["C", "B", "A"], "pinned first, then by activity"
    await reply(forum.alice, t["A"])
    assert await titles(forum.bob, cid) == ["C", "A", "B"], "a reply never passes a pinned one"
    await patch_thread(forum.teacher, t["B"], pinned=True)
    assert await titles(forum.bob, cid) == ["B", "C", "A"], "pinned ones by activity among them"


async def test_newest_sorts_by_creation_and_replies_by_live_reply_count(users: Users) -> None:
    forum = await make_forum(users)
    t = await threads(forum, "A", "B", "C")
    cid = forum.course_id
    first_in_a = await reply(forum.bob, t["A"])
    await reply(forum.teacher, t["A"])
    await reply(forum.bob, t["B"])
    await patch_thread(forum.teacher, t["A"], pinned=True)

    assert await titles(forum.bob, cid, "sort=newest") == ["C", "B", "A"], (
        "newest: by creation only, whatever the replies or pins"
    )
    assert await titles(forum.bob, cid, "sort=replies") == ["A", "B", "C"], "2, 1, 0 replies"

    await delete_post(forum.bob, first_in_a["id"])
    await reply(forum.alice, t["B"])
    counts = {i["title"]: i["reply_count"] for i in (await listed(forum.bob, cid))["items"]}
    assert counts == {"A": 1, "B": 2, "C": 0}, "reply_count counts the posts not deleted"
    assert await titles(forum.bob, cid, "sort=replies") == ["B", "A", "C"], (
        "a deleted post no longer counts toward the replies sort"
    )
    for bad in ("sort=oldest", "sort=", "sort=Activity"):
        await expect_problem(await forum.bob.client.get(threads_url(cid, bad)), 422)


# --- filters ---------------------------------------------------------------------------------


async def test_pinned_true_lists_the_pinned_and_false_the_others(users: Users) -> None:
    forum = await make_forum(users)
    t = await threads(forum, "A", "B", "C")
    cid = forum.course_id
    await patch_thread(forum.teacher, t["B"], pinned=True)
    assert await titles(forum.bob, cid, "pinned=true") == ["B"]
    assert await titles(forum.bob, cid, "pinned=false") == ["C", "A"]
    assert (await listed(forum.bob, cid, "pinned=false"))["total"] == 2
    for bad in ("pinned=yes", "pinned=1", "pinned=True", "pinned="):
        await expect_problem(await forum.bob.client.get(threads_url(cid, bad)), 422)


async def test_mine_is_what_i_started_or_posted_in_not_what_i_only_read(users: Users) -> None:
    forum = await make_forum(users)
    cid = forum.course_id
    mine = await threads(forum, "Started by alice")
    bobs = await threads(forum, "Answered by alice", "Read by alice", "Alice deleted", by=forum.bob)
    await reply(forum.alice, bobs["Answered by alice"])
    _ = await seen(forum.alice, bobs["Read by alice"])
    _ = await mark_read(forum.alice, bobs["Read by alice"])
    gone = await reply(forum.alice, bobs["Alice deleted"])
    await delete_post(forum.alice, gone["id"])

    page = await listed(forum.alice, cid, "mine=true")
    assert [i["title"] for i in page["items"]] == ["Answered by alice", "Started by alice"], (
        "mine: started or posted in (a live post); not read only, not a deleted post"
    )
    assert page["total"] == 2
    assert sorted(await titles(forum.bob, cid, "mine=true")) == [
        "Alice deleted",
        "Answered by alice",
        "Read by alice",
    ], "bob started these three; alice's thread is not his"
    assert await titles(forum.teacher, cid, "mine=true") == [], "the teacher wrote nothing"
    assert len(await titles(forum.alice, cid, "mine=false")) == 4 == len(mine) + len(bobs)
    await expect_problem(await forum.alice.client.get(threads_url(cid, "mine=1")), 422)


async def test_unanswered_means_no_live_post_by_anyone_but_the_author(users: Users) -> None:
    forum = await make_forum(users)
    cid = forum.course_id
    t = await threads(forum, "Self follow-up", "Answered", "Answer deleted", "Nothing")
    own = await reply(forum.alice, t["Self follow-up"])
    await reply(forum.bob, t["Answered"])
    answer = await reply(forum.teacher, t["Answer deleted"])
    await delete_post(forum.teacher, answer["id"])
    own_answer = await reply(forum.bob, t["Nothing"])
    await delete_post(forum.bob, own_answer["id"])

    assert await titles(forum.bob, cid, "unanswered=true") == [
        "Nothing",
        "Answer deleted",
        "Self follow-up",
    ], "the author's follow-up keeps it unanswered; a deleted answer makes it so again"
    # A moderator deleting the author's own follow-up must not count as removing an answer.
    await delete_post(forum.teacher, own["id"])
    assert "Self follow-up" in await titles(forum.bob, cid, "unanswered=true")
    await reply(forum.teacher, t["Nothing"])
    assert "Nothing" not in await titles(forum.bob, cid, "unanswered=true")
    assert len(await titles(forum.bob, cid, "unanswered=false")) == 4


async def test_q_finds_words_of_titles_bodies_and_live_posts_but_not_markup(
    users: Users,
) -> None:
    forum = await make_forum(users)
    cid = forum.course_id
    start = start_thread
    await start(forum.alice, cid, "Watering cacti", "<p>How often?</p>")
    await start(forum.alice, cid, "Soil", "<p>Which <strong>compost</strong> mix?</p>")
    pests = await start(forum.alice, cid, "Pests", "<p>Aphids everywhere</p>")
    light = await start(forum.alice, cid, "Light", '<p>See <a href="https://x.test/secret">it</a>')
    await reply(forum.bob, pests["id"], "<p>Try <em>ladybirds</em></p>")
    gone = await reply(forum.bob, light["id"], "<p>Zucchini love sunshine</p>")
    await delete_post(forum.bob, gone["id"])

    expected = {
        "cacti": ["Watering cacti"],  # a word of the title
        "watered": ["Watering cacti"],  # stemmed as the catalog does
        "compost": ["Soil"],  # a word of the body, inside a tag
        "ladybirds": ["Pests"],  # a word only in a reply
        "aphi": ["Pests"],  # the last word is a prefix
        "pests aphids": ["Pests"],  # several words of the thread itself
        "try ladybirds": ["Pests"],  # several words of one post
        "aphids ladybirds": [],  # split between the thread and a post: no match
        "how cac": ["Watering cacti"],
        "zucchini": [],  # only in a deleted post
        "strong": [],  # a tag's name is not text
        "em": [],
        "secret": [],  # nor an attribute
        "href": [],
        "roses": [],
    }
    found = {q: await titles(forum.bob, cid, f"q={q.replace(' ', '+')}") for q in expected}
    assert found == expected


async def test_odd_search_text_answers_a_list_not_an_error(users: Users) -> None:
    forum = await make_forum(users)
    await start_thread(forum.alice, forum.course_id, "C++ pointers", "<p>What is a_b?</p>")
    for q in ("the", "_", "%", "'", '"', '"unclosed', "a:*", "!", "(", "or", "-", "x & y | !z"):
        answer = await forum.bob.client.get(threads_url(forum.course_id), params={"q": q})
        assert answer.status == 200, f"q={q!r}: {answer.status} {await answer.text()}"
    everything = await listed(forum.bob, forum.course_id, "q=")
    assert everything["total"] == 1, "an empty q filters nothing"
    await expect_problem(
        await forum.bob.client.get(threads_url(forum.course_id), params={"q": "x" * 201}), 422
    )


async def test_filters_combine(users: Users) -> None:
    forum = await make_forum(users)
    cid = forum.course_id
    a = await start_thread(forum.alice, cid, "Cacti in winter", "<p>Cold?</p>")
    b = await start_thread(forum.alice, cid, "Cacti in summer", "<p>Hot?</p>")
    await start_thread(forum.bob, cid, "Cacti indoors", "<p>Dark?</p>")
    await start_thread(forum.bob, cid, "Roses", "<p>Thorns?</p>")
    await reply(forum.bob, a["id"])
    await patch_thread(forum.teacher, b["id"], pinned=True)

    assert await titles(forum.alice, cid, "q=cacti&mine=true") == [
        "Cacti in summer",
        "Cacti in winter",
    ]
    assert await titles(forum.alice, cid, "q=cacti&mine=true&pinned=false") == ["Cacti in winter"]
    assert await titles(forum.alice, cid, "q=cacti&unanswered=true&sort=newest") == [
        "Cacti indoors",
        "Cacti in summer",
    ]
    assert await titles(forum.bob, cid, "mine=true&unanswered=true") == ["Roses", "Cacti indoors"]
    assert await titles(forum.bob, cid, "pinned=true&unanswered=true") == ["Cacti in summer"]
    assert await titles(forum.bob, cid, "pinned=true&q=roses") == []
    assert (await listed(forum.bob, cid, "q=cacti&unanswered=true"))["total"] == 2


# --- pages, other courses, deleted threads ---------------------------------------------------


async def test_pages_of_threads_with_total_and_link(users: Users) -> None:
    forum = await make_forum(users)
    cid = forum.course_id
    await threads(forum, "T1", "T2", "T3", "T4", "T5")
    first = await forum.bob.client.get(threads_url(cid, "per_page=2&sort=newest"))
    assert first.status == 200
    body = await first.json()
    assert [i["title"] for i in body["items"]] == ["T5", "T4"]
    assert (body["page"], body["per_page"], body["total"]) == (1, 2, 5), body
    link = first.headers["Link"]
    assert 'rel="next"' in link and 'rel="prev"' not in link, link
    assert "page=3" in link.split('rel="last"')[0].rsplit("<", 1)[1], f"last is page 3: {link}"
    assert "sort=newest" in link, f"the Link keeps the query: {link}"

    third = await forum.bob.client.get(threads_url(cid, "per_page=2&page=3&sort=newest"))
    body = await third.json()
    assert [i["title"] for i in body["items"]] == ["T1"] and body["total"] == 5
    assert 'rel="prev"' in third.headers["Link"] and 'rel="next"' not in third.headers["Link"]
    beyond = await listed(forum.bob, cid, "per_page=2&page=9")
    assert beyond["items"] == [] and beyond["total"] == 5
    assert (await listed(forum.bob, cid))["per_page"] == 20, "20 a page by default"
    assert (await listed(forum.bob, cid, "per_page=1000"))["per_page"] == 100, "capped at 100"
    for bad in ("page=0", "per_page=0", "page=x"):
        await expect_problem(await forum.bob.client.get(threads_url(cid, bad)), 422)


async def test_threads_of_another_course_and_deleted_threads_never_appear(users: Users) -> None:
    forum = await make_forum(users)
    cid = forum.course_id
    other_id, _ = await make_course(forum.teacher, lessons=1)
    await enroll(forum.alice, other_id)
    await start_thread(forum.alice, other_id, "Cacti elsewhere", "<p>cacti</p>")
    keep = await start_thread(forum.alice, cid, "Cacti kept", "<p>cacti</p>")
    own = await start_thread(forum.alice, cid, "Cacti withdrawn", "<p>cacti</p>")
    moderated = await start_thread(forum.alice, cid, "Cacti removed", "<p>cacti</p>")
    await reply(forum.bob, moderated["id"], "<p>cacti too</p>")
    await delete_thread(forum.alice, own["id"])
    await delete_thread(forum.teacher, moderated["id"])

    for query in ("", "q=cacti", "mine=true", "unanswered=true", "pinned=false", "sort=replies"):
        page = await listed(forum.alice, cid, query)
        assert [i["title"] for i in page["items"]] == ["Cacti kept"], f"?{query}: {page}"
        assert page["total"] == 1, f"?{query}: the total counts only live threads of the course"
    assert await titles(forum.alice, other_id) == ["Cacti elsewhere"]
    assert await titles(forum.teacher, other_id, "q=kept") == []
    await expect_problem(await forum.bob.client.get(f"/api/v1/threads/{own['id']}"), 404)
    await expect_problem(await forum.bob.client.get(f"/api/v1/threads/{moderated['id']}"), 404)
    await expect_problem(
        await forum.bob.client.get(f"/api/v1/threads/{moderated['id']}/posts"), 404
    )
    assert (await seen(forum.bob, keep["id"]))["title"] == "Cacti kept"


# --- the caller's unread counts and subscriptions --------------------------------------------


async def test_unread_counts_others_live_posts_after_my_last_read_per_caller(
    users: Users,
) -> None:
    forum = await make_forum(users)
    cid = forum.course_id
    tid = (await start_thread(forum.alice, cid))["id"]
    assert await unread(forum.alice, tid, cid) == 0, "the thread's own body is not a post"
    await reply(forum.bob, tid)
    by_bob = await reply(forum.bob, tid)
    await reply(forum.teacher, tid)
    await reply(forum.alice, tid)
    assert await unread(forum.alice, tid, cid) == 3, "others' posts, never alice's own"
    assert await unread(forum.bob, tid, cid) == 2, "bob never read: the teacher's and alice's"
    await delete_post(forum.bob, by_bob["id"])
    assert await unread(forum.alice, tid, cid) == 2, "a deleted post no longer counts"

    marked = await mark_read(forum.alice, tid)
    assert marked["unread_count"] == 0 and marked["id"] == tid, marked
    assert await unread(forum.alice, tid, cid) == 0
    assert await unread(forum.bob, tid, cid) == 2, "alice's read is hers only"

    await reply(forum.alice, tid)
    assert await unread(forum.alice, tid, cid) == 0, "her own new post does not count"
    late = await reply(forum.bob, tid)
    await reply(forum.teacher, tid)
    assert await unread(forum.alice, tid, cid) == 2, "posts by others after her read count"
    await delete_post(forum.teacher, late["id"])
    assert await unread(forum.alice, tid, cid) == 1, "deleted after her read: not counted"
    assert await unread(forum.bob, tid, cid) == 4, "bob never read: the teacher's 2, alice's 2"
    again = await mark_read(forum.alice, tid)
    assert again["unread_count"] == 0
    assert (await mark_read(forum.bob, tid))["unread_count"] == 0
    assert await unread(forum.teacher, tid, cid) == 3, "never read: bob's live 1, alice's 2"


async def test_subscribed_follows_posting_until_turned_off_and_put_turns_it_on(
    users: Users,
) -> None:
    forum = await make_forum(users)
    cid = forum.course_id
    made = await start_thread(forum.alice, cid)
    tid = made["id"]
    assert made["subscribed"] is True, "the author follows the thread she starts"
    assert await subscribed(forum.alice, tid, cid) is True
    assert await subscribed(forum.bob, tid, cid) is False, "reading alone does not follow"
    await reply(forum.bob, tid)
    assert await subscribed(forum.bob, tid, cid) is True, "posting follows the thread"
    assert await subscribed(forum.teacher, tid, cid) is False

    url = f"/api/v1/threads/{tid}/subscription"
    for _ in range(2):
        off = await forum.alice.client.delete(url, headers=forum.alice.csrf_headers())
        assert off.status == 204, await off.text()
        assert await subscribed(forum.alice, tid, cid) is False
    await reply(forum.alice, tid)
    assert await subscribed(forum.alice, tid, cid) is False, "posting again keeps it off"
    assert await subscribed(forum.bob, tid, cid) is True, "alice's choice is hers only"

    off = await forum.teacher.client.delete(url, headers=forum.teacher.csrf_headers())
    assert off.status == 204
    await reply(forum.teacher, tid)
    assert await subscribed(forum.teacher, tid, cid) is False, "turned off before posting"

    for _ in range(2):
        on = await forum.alice.client.put(url, headers=forum.alice.csrf_headers())
        assert on.status == 200, await on.text()
        assert await on.json() == {"thread_id": tid, "subscribed": True}
        assert await subscribed(forum.alice, tid, cid) is True


# --- posts -----------------------------------------------------------------------------------


POST_FIELDS = {
    "id",
    "thread_id",
    "author",
    "body",
    "parent_id",
    "created_at",
    "edited_at",
    "deleted",
}


async def test_posts_come_oldest_first_in_pages_deleted_ones_in_place(users: Users) -> None:
    forum = await make_forum(users)
    tid = (await start_thread(forum.alice, forum.course_id))["id"]
    first = await reply(forum.bob, tid, "<p>One</p>")
    second = await reply(forum.teacher, tid, "<p>Two</p>", parent_id=first["id"])
    third = await reply(forum.alice, tid, "<p>Three</p>")
    fourth = await reply(forum.bob, tid, "<p>Four</p>")
    await delete_post(forum.teacher, second["id"])

    answer = await forum.alice.client.get(f"/api/v1/threads/{tid}/posts?per_page=3")
    assert answer.status == 200
    page = await answer.json()
    items = page["items"]
    assert [p["id"] for p in items] == [first["id"], second["id"], third["id"]], "oldest first"
    assert all(set(p) == POST_FIELDS for p in items), items
    assert page["total"] == 4, "a deleted post stays counted in the posts list"
    gone = items[1]
    assert gone["deleted"] is True and gone["body"] is None, gone
    assert gone["author"]["id"] == forum.teacher.id and gone["parent_id"] == first["id"], gone
    assert [p["body"] for p in (items[0], items[2])] == ["<p>One</p>", "<p>Three</p>"]
    assert not items[0]["deleted"] and items[0]["author"]["id"] == forum.bob.id
    assert 'rel="next"' in answer.headers["Link"], answer.headers["Link"]

    rest = await (
        await forum.alice.client.get(f"/api/v1/threads/{tid}/posts?per_page=3&page=2")
    ).json()
    assert [p["id"] for p in rest["items"]] == [fourth["id"]] and rest["total"] == 4
    assert (await seen(forum.alice, tid))["reply_count"] == 3, "the thread counts live posts"


async def test_edited_at_follows_edits_not_pins_or_locks(users: Users) -> None:
    forum = await make_forum(users)
    made = await start_thread(forum.alice, forum.course_id)
    tid = made["id"]
    assert made["edited_at"] is None
    for change in ({"pinned": True}, {"locked": True}, {"locked": False}, {"pinned": False}):
        moderated = await patch_thread(forum.teacher, tid, **change)
        assert moderated["edited_at"] is None, f"{change} is no edit: {moderated}"
    assert (await seen(forum.bob, tid))["edited_at"] is None

    edited = await patch_thread(forum.alice, tid, body="<p>Help, please</p>")
    assert edited["edited_at"] is not None and edited["body"] == "<p>Help, please</p>"
    assert edited["edited_at"] >= made["created_at"]
    assert (await seen(forum.bob, tid))["edited_at"] == edited["edited_at"]
    same = await patch_thread(forum.teacher, tid, pinned=True)
    assert same["edited_at"] == edited["edited_at"], "a pin after an edit keeps its time"

    post = await reply(forum.bob, tid)
    assert post["edited_at"] is None
    changed = await patch_post(forum.bob, post["id"], "<p>Rarely, in winter.</p>")
    assert changed["edited_at"] is not None and changed["created_at"] == post["created_at"]
    listed_posts = await (await forum.bob.client.get(f"/api/v1/threads/{tid}/posts")).json()
    assert listed_posts["items"][0]["edited_at"] == changed["edited_at"]
    assert listed_posts["items"][0]["body"] == "<p>Rarely, in winter.</p>"


async def test_last_activity_at_moves_with_each_new_post(users: Users) -> None:
    forum = await make_forum(users)
    cid = forum.course_id
    made = await start_thread(forum.alice, cid)
    tid = made["id"]
    moments = []
    for account in (forum.bob, forum.teacher, forum.alice):
        post = await reply(account, tid)
        now = await seen(forum.bob, tid)
        assert now["last_activity_at"] == post["created_at"], (
            f"last_activity_at is the newest post's time: {now} / {post}"
        )
        item = (await listed(forum.bob, cid))["items"][0]
        assert item["last_activity_at"] == post["created_at"], "the list says the same"
        moments.append(now["last_activity_at"])
    assert moments == sorted(moments) and len(set(moments)) == 3, moments
    await patch_thread(forum.alice, tid, body="<p>Edited</p>")
    assert (await seen(forum.bob, tid))["last_activity_at"] == moments[-1], "an edit: no move"


async def test_the_list_answers_each_thread_in_full(users: Users) -> None:
    """Every field of the contract, for a caller who is not the author."""
    forum = await make_forum(users)
    made = await start_thread(forum.alice, forum.course_id, "Fields", "<p>All <b>of</b> them</p>")
    item = (await listed(forum.bob, forum.course_id))["items"][0]
    assert set(item) == {
        "id", "course_id", "author", "title", "body", "pinned", "locked", "reply_count",
        "last_activity_at", "created_at", "edited_at", "unread_count", "subscribed",
    }  # fmt: skip
    assert item["id"] == made["id"] and item["course_id"] == forum.course_id
    assert item["author"] == {"id": forum.alice.id, "full_name": forum.alice.user["full_name"]}
    assert item["body"] == "<p>All <b>of</b> them</p>"
    assert (item["pinned"], item["locked"], item["reply_count"]) == (False, False, 0)
    assert (item["unread_count"], item["subscribed"]) == (0, False)
    assert item["created_at"] == made["created_at"]
