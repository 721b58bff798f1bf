"""Is this user enrolled? The one question other domains ask of learning."""

from __future__ import annotations

from ocp.learning.models import Enrollment, EnrollmentStatus

STUDYING = (EnrollmentStatus.ACTIVE, EnrollmentStatus.COMPLETED)


async def is_enrolled(*, user_id: int, course_id: int) -> bool:
    """True while the user holds an active or completed (not cancelled) enrollment."""
    return await Enrollment.exists(user_id=user_id, course_id=course_id, status__in=STUDYING)
