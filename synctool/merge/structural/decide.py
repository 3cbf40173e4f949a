"""Structure first, text when undecided: the choice both drivers make the same way.

Each format brings its parser and writer (a ``StructuredFormat``); this
decides between the line merge and the structural result. A place both
sides changed differently is a conflict on that place: the driver says
where (``Localized``) and just those lines are marked, git's way. Anything
the structure cannot settle goes to a whole-file line merge with a note; a
clean line merge that would not read back (a key twice, broken syntax) is a
conflict too, never a clean result.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from synctool.merge.structural.clashes import Clash, Localized
from synctool.merge.structural.markers import mark_conflicts
from synctool.merge.text import conflict_region, merge_text
from synctool.merge.types import ContentMerge, Labels
from synctool.merge.union import Undecided
from synctool.tree import Driver


class StructuredFormat(NamedTuple):
    """A format the structure merges (YAML, TOML): what its driver brings.

    ``merge_docs`` merges the parsed sides, items matched by the identity
    keys (raising Undecided, or giving a ``Localized`` when some places
    clash); ``canon`` is what a merged document means, ``reads_as`` whether
    a text means it, and ``write`` lays the result out from ours and theirs
    (raising Undecided when it cannot do so faithfully). ``valid`` tells
    whether a text parses: a clean line merge of two valid sides must.

    What the structure cannot settle (Undecided) falls back to the line
    merge, which must then mean what the structure found, if it found
    anything; so does any other exception (a corner the structure does not
    know). With ``only_undecided`` the line merge is taken without that
    check, and any other exception propagates: a bug in the driver is seen.
    ``shortcut`` merges a file before any of this when it gives a result.
    """

    kind: Driver  # its name in the policy's `drivers:` and in reports
    merge_docs: Callable[[str, str, str, Sequence[str]], Any]
    canon: Callable[[Any], Any]
    reads_as: Callable[[str, Any], bool]
    write: Callable[[Any, str, str, Any], str]
    valid: Callable[[str], bool] | None = None
    only_undecided: bool = False
    shortcut: Callable[[bytes, bytes, bytes, Labels], ContentMerge | None] | None = None


def structural_merge(
    fmt: StructuredFormat,
    base: bytes,
    ours: bytes,
    theirs: bytes,
    labels: Labels,
    identity_keys: Sequence[str],
) -> ContentMerge:
    """The driver of a ``StructuredFormat``: the structure's merge of the
    three sides, or their line merge where the structure cannot decide."""
    if fmt.shortcut is not None:
        taken = fmt.shortcut(base, ours, theirs, labels)
        if taken is not None:
            return taken
    kind, valid = fmt.kind, fmt.valid
    text = merge_text(base, ours, theirs, labels)
    means: Callable[[str], bool] | None = None  # once the structure's answer is known
    try:
        sides = base.decode(), ours.decode(), theirs.decode()
        merged = fmt.merge_docs(*sides, identity_keys)
        if isinstance(merged, Localized):
            try:
                data, count = mark_conflicts(merged.render, len(merged.reasons), labels)
            except Undecided as why:  # the clash stands, wherever it is marked
                raise Clash(f"{_reasons(merged)}; {why}") from why
            return ContentMerge(data.encode(), count, kind, _note(kind, merged))
        want = fmt.canon(merged)
        means = lambda text: fmt.reads_as(text, want)  # noqa: E731
        # A clean line merge that means the same keeps both sides' comments
        # and layout, as git would.
        if not text.conflicts and fmt.reads_as(text.data.decode(), want):
            return text._replace(driver=kind)
        out = fmt.write(merged, sides[1], sides[2], want)
    except UnicodeDecodeError:
        return text._replace(note=f"{kind}: merged as text (not UTF-8)")
    except Clash as why:
        never = lambda _text: False  # noqa: E731
        return _checked(text, kind, f"{why}", base, ours, theirs, labels, valid, never)
    except Undecided as why:
        means = None if fmt.only_undecided else means
        return _checked(text, kind, f"{why}", base, ours, theirs, labels, valid, means)
    except Exception as exc:  # a corner the structure does not know: text is safe
        if fmt.only_undecided:
            raise
        failed = f"structural merge failed: {type(exc).__name__}"
        return _checked(text, kind, failed, base, ours, theirs, labels, valid, None)
    return ContentMerge(out.encode(), 0, kind)


def _reasons(merged: Localized) -> str:
    return "; ".join(dict.fromkeys(merged.reasons))


def _note(kind: str, merged: Localized) -> str:
    return f"{kind}: {_reasons(merged)}"


def _checked(
    text: ContentMerge,
    kind: str,
    why: str,
    base: bytes,
    ours: bytes,
    theirs: bytes,
    labels: Labels,
    valid: Callable[[str], bool] | None,
    means: Callable[[str], bool] | None,
) -> ContentMerge:
    """The line merge, unless it is clean but not what both sides mean.

    A clean line merge of two valid files that does not parse (a key added
    on both sides, twice), or that reads otherwise than the structural
    merge already found, would be a wrong result: it is a conflict instead.
    """
    note = f"{kind}: merged as text ({why})"
    if text.conflicts:
        return text._replace(note=note)
    merged, o, t = text.data.decode(), ours.decode(), theirs.decode()
    if means is not None and not means(merged):
        bad = f"{kind}: {why}"
    elif valid is not None and valid(o) and valid(t) and not valid(merged):
        bad = f"{kind}: the line merge is no valid {kind.upper()} ({why})"
    else:
        return text._replace(note=note)
    return ContentMerge(conflict_region(base, ours, theirs, labels), 1, "text", bad)
