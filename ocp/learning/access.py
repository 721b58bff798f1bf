"""Is this user enrolled, and how far along? The questions other domains ask of learning."""

from __future__ import annotations

from ocp.learning.models import Enrollment, EnrollmentStatus

STUDYING = (EnrollmentStatus.ACTIVE, EnrollmentStatus.COMPLETED)


async def is_enrolled(*, user_id: int, course_id: int) -> bool:
    """True while the user holds an active or completed (not cancelled) enrollment."""
    return await Enrollment.exists(user_id=user_id, course_id=course_id, status__in=STUDYING)


async def progress_percent(*, user_id: int, course_id: int) -> int | None:
    """The percent of the course the user has completed, or None without an enrollment."""
    enrollment = await Enrollment.get_or_none(user_id=user_id, course_id=course_id)
    return None if enrollment is None else enrollment.progress_percent
