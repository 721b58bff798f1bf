"""A progress update on PostgreSQL in one statement: one round trip, one transaction.

What ``service.set_progress`` does with the ORM on SQLite, in one statement of data-modifying
CTEs (PostgreSQL only: SQLite has no writes inside WITH). Every CTE sees the statement's
snapshot, so each step that must see concurrent commits locks the row it changes, and
PostgreSQL re-reads a locked row's latest version (READ COMMITTED):

- ``go``: the caller may write (the course is visible, the enrollment current, the lesson
  in the course); otherwise nothing is written and the figures say why;
- ``ins``: a first visit inserts the row with the asked values (a first completion flips);
- ``prev`` / ``upd``: a later visit locks the row, keeps its old flag, and sets the new
  values; a flip is old flag <> new flag, so of parallel identical requests one flips;
- ``w``: the row written, and its change of completed lessons: +1, -1 or 0;
- ``locked`` / ``enr``: a flip locks the enrollment (NO KEY UPDATE: the progress rows' foreign
  keys hold KEY SHARE locks on it) and moves its kept count, percent, status and
  ``completed_at`` from the latest row version, so parallel flips count one after the other;
- ``ev``: the flip's ``progress.updated``, and ``course.completed`` when this completed the
  enrollment, into the event log, in that order; and for analytics (no channel: nothing goes
  on the bus), ``lesson.started`` on a first visit, ``learner.active`` on a later visit's
  first of the day (UTC) for that lesson. These two are not flushed by the request: the
  sweeper publishes them within a second.

An update that sets ``completed`` locks the enrollment first (``e``, NO KEY UPDATE), before
any progress row: it then reads the latest count, so a request that waited for a parallel
identical one to flip answers with that flip counted, and every update locks the enrollment
before a progress row, so they cannot deadlock. A position-only update (the video heartbeat)
takes no lock on the enrollment: its figures are those committed when it started.

A row inserted by a concurrent request after the snapshot is invisible to ``prev`` while
``ins`` skips it: then no progress row comes back and the caller runs the statement again.
"""

from __future__ import annotations

_UPDATE = """
WITH c AS (
    SELECT id, status, instructor_id FROM course WHERE id = $2
), e AS (
    SELECT id, status, completed_lessons FROM enrollment
    WHERE user_id = $1 AND course_id = $2 AND status IN ('active', 'completed'){lock}
), l AS (
    SELECT id FROM lesson WHERE id = $3 AND course_id = $2
), total AS (
    SELECT count(*)::int AS n FROM lesson WHERE course_id = $2
), go AS (
    SELECT e.id AS enrollment_id, l.id AS lesson_id FROM c, e, l
    WHERE c.status IN ('published', 'archived') OR $7::boolean
       OR ($8::boolean AND c.instructor_id = $1)
), ins AS (
    INSERT INTO lesson_progress
        (enrollment_id, lesson_id, completed, completed_at, position_seconds, last_seen_at)
    SELECT enrollment_id, lesson_id, coalesce($4::boolean, false),
           CASE WHEN $4::boolean THEN $6::timestamptz END, coalesce($5::int, 0), $6
    FROM go
    ON CONFLICT (enrollment_id, lesson_id) DO NOTHING
    RETURNING lesson_id, completed, completed_at, position_seconds, last_seen_at,
              completed AS flipped, true AS started, NULL::timestamptz AS seen_before
), prev AS (
    SELECT p.id, p.completed, p.last_seen_at FROM lesson_progress p JOIN go
        ON p.enrollment_id = go.enrollment_id AND p.lesson_id = go.lesson_id
    FOR UPDATE OF p
), upd AS (
    UPDATE lesson_progress p SET
        completed = coalesce($4::boolean, p.completed),
        completed_at = CASE
            WHEN $4::boolean IS NULL OR $4::boolean = p.completed THEN p.completed_at
            WHEN $4::boolean THEN $6::timestamptz END,
        position_seconds = coalesce($5::int, p.position_seconds),
        last_seen_at = $6
    FROM prev WHERE p.id = prev.id
    RETURNING p.lesson_id, p.completed, p.completed_at, p.position_seconds, p.last_seen_at,
              p.completed <> prev.completed AS flipped, false AS started,
              prev.last_seen_at AS seen_before
), w AS (
    SELECT *, CASE WHEN NOT flipped THEN 0 WHEN completed THEN 1 ELSE -1 END AS delta
    FROM (SELECT * FROM ins UNION ALL SELECT * FROM upd) AS written
), locked AS (
    SELECT enrollment.id, enrollment.completed_at
    FROM enrollment JOIN go ON enrollment.id = go.enrollment_id
    WHERE EXISTS (SELECT 1 FROM w WHERE delta <> 0)
    FOR NO KEY UPDATE OF enrollment
), enr AS (
    UPDATE enrollment SET
        completed_lessons = enrollment.completed_lessons + w.delta,
        progress_percent = CASE WHEN total.n > 0
            THEN (100 * (enrollment.completed_lessons + w.delta)) / total.n ELSE 0 END,
        status = CASE
            WHEN enrollment.status = 'cancelled' THEN enrollment.status
            WHEN total.n > 0 AND enrollment.completed_lessons + w.delta = total.n
                THEN 'completed'
            ELSE 'active' END,
        completed_at = CASE
            WHEN enrollment.status = 'cancelled' THEN enrollment.completed_at
            WHEN total.n > 0 AND enrollment.completed_lessons + w.delta = total.n
                THEN coalesce(enrollment.completed_at, $6::timestamptz)
            END,
        updated_at = $6
    FROM locked, w, total WHERE enrollment.id = locked.id
    RETURNING enrollment.id, enrollment.completed_lessons, enrollment.progress_percent,
              enrollment.status, enrollment.completed_at,
              locked.completed_at IS NULL AND enrollment.completed_at IS NOT NULL AS completed_now
), ev AS (
    INSERT INTO event_log (event_id, type, data, channels, occurred_at)
    SELECT event_id, type, data,
           CASE WHEN rank > 2 THEN '[]'::jsonb ELSE $9::text::jsonb END, $6 FROM (
        SELECT 1 AS rank, gen_random_uuid() AS event_id, 'progress.updated' AS type,
               jsonb_build_object(
                   'user_id', $1::int, 'course_id', $2::int, 'enrollment_id', enr.id,
                   'lesson_id', $3::int, 'completed', w.completed,
                   'percent', enr.progress_percent,
                   'completed_lessons', enr.completed_lessons) AS data
        FROM enr, w
        UNION ALL
        SELECT 2, gen_random_uuid(), 'course.completed',
               jsonb_build_object(
                   'user_id', $1::int, 'course_id', $2::int, 'enrollment_id', enr.id,
                   'percent', 100, 'completed_at', $10::text)
        FROM enr WHERE enr.completed_now
        UNION ALL
        SELECT 3, gen_random_uuid(), 'lesson.started',
               jsonb_build_object(
                   'user_id', $1::int, 'course_id', $2::int, 'enrollment_id', go.enrollment_id,
                   'lesson_id', $3::int)
        FROM w, go WHERE w.started
        UNION ALL
        SELECT 4, gen_random_uuid(), 'learner.active',
               jsonb_build_object(
                   'user_id', $1::int, 'course_id', $2::int, 'enrollment_id', go.enrollment_id,
                   'lesson_id', $3::int)
        FROM w, go WHERE NOT w.started
            AND (w.seen_before AT TIME ZONE 'UTC')::date
                < ($6::timestamptz AT TIME ZONE 'UTC')::date
    ) AS announced
    ORDER BY rank
    RETURNING id
)
SELECT c.status AS course_status, c.instructor_id, e.id AS enrollment_id,
       l.id AS lesson_id, w.lesson_id AS written, w.completed, w.completed_at,
       w.position_seconds, w.last_seen_at, w.delta,
       coalesce(enr.completed_lessons, e.completed_lessons) AS done, total.n AS total,
       coalesce(enr.status, e.status) AS status, enr.completed_now,
       (SELECT count(*) FROM ev) AS events
FROM total
LEFT JOIN c ON true LEFT JOIN e ON true LEFT JOIN l ON true
LEFT JOIN w ON true LEFT JOIN enr ON true
"""

UPDATE_PROGRESS = _UPDATE.replace("{lock}", "")  # position only: no completion can change
UPDATE_COMPLETION = _UPDATE.replace("{lock}", "\n    FOR NO KEY UPDATE")
