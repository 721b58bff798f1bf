"""Every Redis key and channel name OCP uses, in one place."""

RATE_LIMIT_PREFIX = "ocp:rl:"
CATALOG_VERSION = "ocp:catalog:version"
CATALOG_COUNTS_PREFIX = "ocp:catalog:counts:"  # + course id: bumped when its enrollment count moves
EVENT_STREAM_PREFIX = "ocp:stream:"  # + channel: the event history (a capped stream)
EVENT_PUBSUB_PREFIX = "ocp:ev:"  # + database number + ":" + channel: live delivery
WORKER_HEALTH_KEY = "ocp:worker:health"
WS_TICKET_PREFIX = "ocp:wsticket:"  # + SHA-256 of a WebSocket ticket: JSON of what it grants
METRICS_JOBS = "ocp:metrics:jobs"  # hash "<job name>:<outcome>" -> runs (HINCRBY by workers)
CONTROL_PUBSUB_PREFIX = "ocp:ctl:"  # + database number: control messages to every process
SESSION_MOVED_PREFIX = "ocp:session-moved:"  # + old session id: the id it was re-issued as
EVENT_SEQUENCES_PREFIX = "ocp:streamseq:"  # + channel: event-log sequences already on it
