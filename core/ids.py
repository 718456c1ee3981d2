"""Bounds of the ids and counts a client may send in a body, so that a number too large for the
database is a 400 with a sentence, not an overflow in the database driver (a 500).

Primary keys are BigAutoField (64-bit signed in SQLite and PostgreSQL). Ids in a URL need no
bound: Django answers an out-of-range exact lookup with no rows (a 404), but not an `__in`
lookup or an insert, which is where body ids go.
"""

ID_MAX = 2**63 - 1
SMALL_COUNT_MAX = 32767  # PositiveSmallIntegerField in PostgreSQL
