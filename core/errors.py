"""The one exception type for mistakes a user can fix: bad input, bad configuration.

The CLI prints such an error as one line (`capwatch: ...`) and exits with `exit_code`, without
a traceback; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations


class UserError(Exception):
    """A mistake in what the user typed or configured; the message says what to fix."""

    exit_code = 2


class UnavailableError(UserError):
    """Something capwatch needs (the database, a Scrapyd node) cannot be reached at start."""

    exit_code = 1
