"""Errors a person can act on. Views and the API turn them into messages, never tracebacks."""


class DocketError(Exception):
    """Base: `message` is already translated and says what to do next."""

    status_code = 400

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


class ConflictError(DocketError):
    """The thing changed under the user: done by someone else, taken, or busy right now."""

    status_code = 409


class NotAllowed(DocketError):
    status_code = 403
