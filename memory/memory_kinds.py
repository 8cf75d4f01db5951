"""The long-term memory's vocabulary (kinds, scopes, statuses), apart from
`memory.memories` so the `draftsmith` command's parsers and the window can name them
without importing numpy. `memory.memories` re-exports every name."""

from __future__ import annotations

#: Story-bible kinds (recalled when their names or keywords appear near the cursor).
BIBLE_KINDS = ("character", "place", "term", "claim")
STYLE = "style"
AVOID = "avoid"  # a phrase this writer keeps refusing
VOICE = "voice"  # a passage of the writer's own text
NOTE = "note"
KINDS = (*BIBLE_KINDS, STYLE, AVOID, VOICE, NOTE)
SCOPES = ("everywhere", "project", "document")
ACTIVE, PROPOSED, DISMISSED = "active", "proposed", "dismissed"
