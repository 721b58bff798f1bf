"""Learning: enrollments, lesson progress and completion."""
