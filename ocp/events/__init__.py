"""The event log: domain events recorded with the change they describe, then published."""
