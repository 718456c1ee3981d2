"""kombu's Redis transport, with a channel that can be closed after the broker went away.

A worker that holds a message (a running task with acks_late, or a retry's countdown) while
it also waits for the next one (a BRPOP in flight) exits when Redis goes away: seen with
Celery 5.7.0, kombu 5.7.0, redis-py 8.1.0 (docs/decisions.md, "A worker survives a broker
outage"). Celery closes the lost connection twice, first `collect()` then `close()`. In the
first, the channel's `close()` reads the pending BRPOP reply, which raises ConnectionError, so
it stops before marking itself closed; `collect()` then detaches the transport from its
connection. The second `close()` gets past the BRPOP, tries to put the held messages back into
the queues, needs the connection parameters, finds none and raises AttributeError, which is
not a connection error: "Unrecoverable error", and the worker process ends.

The only change here: a BRPOP whose reply can never come (the connection is gone) does not
stop the close. The rest of the close then runs in the first pass, while the transport still
knows its connection: putting the held messages back fails with a connection error (Redis is
down), which Celery ignores as it should, and the broker gives them back after the visibility
timeout. Selected by CELERY_BROKER_TRANSPORT for redis:// brokers (config/settings/base.py).
"""

from queue import Empty

from kombu.transport import redis


class Channel(redis.Channel):
    def close(self):
        if self._in_poll:
            try:
                self._brpop_read()
            except (Empty, *self.connection_errors):
                pass  # the reply will never come: go on closing
        super().close()


class Transport(redis.Transport):
    Channel = Channel
