"""What a list item or a document is known by, where it has a name."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

from synctool.merge.yaml.canon import canon


def item_identity(item: Any, names: Sequence[str]) -> Hashable | None:
    """An item's identity as ``identity_of`` knows it, or None."""
    if not isinstance(item, dict):
        return None
    for name in names:
        value = item.get(name)
        if value is None or isinstance(value, (dict, list)):
            continue
        if name == "uses" and isinstance(value, str):
            value = value.split("@", 1)[0]
        return (name, canon(value))
    return None


def doc_name(identity: Any) -> str:
    kind, _namespace, name = identity
    return f"{kind[1]} {name[1]}"


def doc_identity(doc: Any) -> Hashable | None:
    """A Kubernetes-style document's identity: kind, namespace and name."""
    meta = doc.get("metadata") if isinstance(doc, dict) else None
    if not isinstance(meta, dict) or doc.get("kind") is None:
        return None
    name, namespace = meta.get("name"), meta.get("namespace")
    if name is None or isinstance(name, (dict, list)):
        return None
    if isinstance(namespace, (dict, list)):
        return None
    return (canon(doc["kind"]), canon(namespace), canon(name))
