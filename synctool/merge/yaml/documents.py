"""The documents of a YAML file matched and merged, and the driver's entry."""

from __future__ import annotations

import copy
from collections.abc import Hashable, Sequence
from typing import Any

from synctool.merge.structural.clashes import Clash, Localized
from synctool.merge.structural.decide import StructuredFormat
from synctool.merge.union import ABSENT, Merged, Undecided, merge_keyed
from synctool.merge.yaml import pairing
from synctool.merge.yaml.canon import canon, same
from synctool.merge.yaml.conflicts import NodeClash
from synctool.merge.yaml.identity import doc_identity, doc_name
from synctool.merge.yaml.io import load, reads_as, valid
from synctool.merge.yaml.large import merge_if_large
from synctool.merge.yaml.merger import Merger
from synctool.merge.yaml.render import render
from synctool.merge.yaml.writer import Writer, write


def merge_docs(
    base: str, ours: str, theirs: str, identity_keys: Sequence[str]
) -> list[Any] | Localized:
    """The merged documents, built in ours' trees, with the places that clash."""
    base_docs = load(base, "the applied blueprint")
    ours_docs = load(ours, "the service's file")
    theirs_docs = load(theirs, "the declared blueprint")
    if not ours_docs or not theirs_docs:
        raise Undecided("a side holds no YAML document")
    if same(ours_docs, theirs_docs) or same(base_docs, theirs_docs):
        return ours_docs  # (ours as base with theirs' data: merged, for its comments)
    # Ours as read, for the writer (the merge is built in ours' trees): a
    # copy costs a fraction of reading the file again.
    writer = Writer(ours, copy.deepcopy(ours_docs))
    merger = Merger(identity_keys)
    sides = [base_docs, ours_docs, theirs_docs]
    ids = [[doc_identity(d) for d in side] for side in sides]
    ours_same = same(base_docs, ours_docs)  # then only ours' comments are kept
    try:
        merged = _doc_steps(merger, sides, ids)
    except Undecided as why:  # documents moved or replaced on both sides
        if ours_same:
            return copy.deepcopy(theirs_docs)
        where = "" if str(why).startswith("the documents") else "the documents: "
        raise Clash(f"{where}{why}") from why
    docs: list[Any] = []
    for m in merged:
        value = merger.settle(docs, len(docs), m.value)
        docs.append(value if m.ours is not None else copy.deepcopy(value))
    if not merger.conflicts:
        return docs
    if ours_same:
        return copy.deepcopy(theirs_docs)
    conflicts = list(merger.conflicts)
    return Localized(
        [c.clash.why for c in conflicts],
        lambda choice: render(docs, conflicts, writer, choice),
    )


def _doc_steps(
    merger: Merger, sides: list[list[Any]], ids: list[list[Hashable | None]]
) -> list[Merged[Any, Any]]:
    """The documents of the three sides, matched: by name, or by content."""
    base_docs, ours_docs, theirs_docs = sides
    known = all(None not in x and len(set(x)) == len(x) for x in ids)
    merged: list[Merged[Any, Any]]
    if known:  # Kubernetes-style manifests: by kind and name
        b, o, t = (
            [(k, d) for k, d in zip(x, side, strict=True)]
            for x, side in zip(ids, sides, strict=True)
        )
        merged = merge_keyed(
            b,
            o,
            t,
            lambda k, b, o, t: merger.guarded(doc_name(k), b, o, t),
            same,
            check_order=True,
            describe=doc_name,
            clash=lambda _k, b, o, t, why: NodeClash(b, o, t, why),
        )
    elif not base_docs:  # both added the file: merge against nothing
        if len(ours_docs) != len(theirs_docs):
            raise Undecided("the number of documents differs")
        merged = [
            Merged(
                i, merger.guarded(f"document {i + 1}" if i else "", ABSENT, o, t), i, i
            )
            for i, (o, t) in enumerate(zip(ours_docs, theirs_docs, strict=True))
        ]
    else:  # documents without names: paired with base's by content
        merged = pairing.aligned(
            merger.guarded,
            "the documents",
            sides,
            doc_identity,
            lambda i: f"document {i + 1}" if i else "",
            threshold=0.2,  # a document is large: a little alike is the same one
            in_place=0.25,
        )
    return merged


# YAML's driver (``structural_merge``): whole-file line merge when
# undecidable, and for files too large to read round-trip in good time.
YAML_FORMAT = StructuredFormat(
    "yaml",
    merge_docs=merge_docs,
    canon=canon,
    reads_as=reads_as,
    write=lambda merged, o, _t, want: write(merged, o, want),
    valid=valid,
    shortcut=merge_if_large,
)
