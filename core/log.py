"""The request id in every log line (LOGGING in config/settings/base.py)."""

import logging

from django_guid import get_guid


class RequestIdFilter(logging.Filter):
    """Adds `request_id`: the id of the request being answered (django-guid keeps it in a
    context variable; it is also the X-Request-ID header and the API's problem body), or "-"
    outside a request (a worker, a command). On the handler, so records of every logger that
    reaches it carry the field."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = get_guid() or "-"
        return True
