"""The family of failures the writer must hear about (as opposed to bugs).

`DraftsmithError` carries a message in the writer's words. Every layer raises it (or a
subclass) for what the world did wrong: a full disk, a damaged database, a model file
that is not a model, a settings file that cannot be written. The app shows the message
and keeps going; anything that is not a `DraftsmithError` (or an `OSError`) is a bug and
goes to the crash dialog. This module imports nothing, so `assistant/` uses it too.
"""

from __future__ import annotations


class DraftsmithError(Exception):
    """Something the writer must be told in plain words; Draftsmith keeps working."""
