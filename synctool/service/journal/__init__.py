"""Apply a set of file changes to a service as one unit, surviving kills.

Protocol (all inside ``<service>/.synctool-journal/``, same filesystem, so
every move is an atomic rename):

1. stage: every new content is written to ``new/<n>``; then ``manifest.json``
   is written beside and renamed into place. Until the manifest exists the
   service is untouched and a leftover journal is simply discarded.
2. apply: per change, the current file (if any) is moved to ``old/<n>``, then
   ``new/<n>`` is moved to the path. Both moves are idempotent to redo.
3. done: the journal folder is removed.

A journal left by a kill is finished by the next ``synctool sync`` (roll
forward) or undone by ``synctool sync --abort`` (roll back from ``old/``).
A roll back first leaves a ``rolling-back`` mark: once begun, a journal is
only ever rolled back, whichever command meets it next, so a kill during
``--abort`` never ends in a mix of both versions. Each op records whether
its path held a file before the sync, so a roll back done twice never takes
a restored file for one the sync created.

Each op also records what its path held before the sync and what the sync
writes there (digests of mode and content). A journal met again by a later
command (``resume``) first compares the tree with them: a file the user
edited after the interruption, which finishing or rolling back would replace
or remove, is first moved beside itself as ``<file>.local``; never lost.

A write that fails mid-apply, or a Ctrl-C, rolls the service back at once
(``ApplyFailed``/``SyncInterrupted`` say so); only when that roll back fails
too is the journal left, and the message says what to run.
"""

from synctool.service.journal.back import roll_back
from synctool.service.journal.forward import roll_forward
from synctool.service.journal.outcome import ApplyFailed, Kept, Resumed, SyncInterrupted
from synctool.service.journal.record import journal_dir, pending, rolling_back
from synctool.service.journal.recover import abort, finish, resume
from synctool.service.journal.stage import check_free, discard_stage
from synctool.service.journal.transaction import apply

__all__ = [
    "ApplyFailed",
    "Kept",
    "Resumed",
    "SyncInterrupted",
    "abort",
    "apply",
    "check_free",
    "discard_stage",
    "finish",
    "journal_dir",
    "pending",
    "resume",
    "roll_back",
    "roll_forward",
    "rolling_back",
]
