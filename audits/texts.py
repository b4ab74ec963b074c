"""Free text stays on objects; events reference them (R17, R19).

An event never copies what a person typed (a justification, recipients, a reason, a filter as typed): it names the
object that holds it ("app.Model:pk") and the pages that show an event ask this registry for the words behind each
reference. Apps register a reader per model in their AppConfig.ready() (the lower layer cannot import them).

`filters_for_event` is the one way a list's filters enter an event: values shaped like identifiers (codes, numbers,
references, usernames, ISO dates) are kept; anything else is reduced to the name of the filter that carried text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

# Texts readers: model label -> callable(pk) returning [(label, text), ...] or [] when the object is gone.
_READERS: dict[str, Callable[[int], list[tuple[str, str]]]] = {}

_REF = re.compile(r"^(?P<label>[a-z_]+\.[A-Za-z]+):(?P<pk>\d{1,18})$")
IDENTIFIER = re.compile(r"^[\w.:+@/-]{1,64}$")
FILTER_NAME = re.compile(r"^[a-z][a-z_]{0,31}$")
FILTERS_KEPT = 12


def register(model_label: str, reader: Callable[[int], list[tuple[str, str]]]) -> None:
    _READERS[model_label] = reader


def registered() -> set[str]:
    return set(_READERS)


def filters_for_event(filters: Mapping[str, Any] | None) -> dict:
    """The filters of a list or an export as an event may hold them (see the module's docstring)."""
    kept: dict[str, str] = {}
    text: list[str] = []
    for name, value in sorted((filters or {}).items(), key=lambda item: str(item[0])):
        name = str(name)
        if not FILTER_NAME.match(name) or len(kept) + len(text) >= FILTERS_KEPT:
            continue  # a parameter nobody offered: no name worth keeping either
        if value is None:
            continue
        value = value.isoformat() if hasattr(value, "isoformat") else str(value)
        if value == "":
            continue
        if IDENTIFIER.match(value):
            kept[name] = value
        else:
            text.append(name)
    if text:
        kept["text_filters"] = ",".join(text)
    return kept


def references_in(event) -> list[str]:
    """The "app.Model:pk" references an event makes: its target and any such value in its data."""
    found = []
    candidates = [event.target_ref]
    try:
        data = json.loads(event.data or "{}")
    except ValueError:
        data = {}
    candidates += [value for value in data.values() if isinstance(value, str)]
    for candidate in candidates:
        if candidate and _REF.match(candidate) and candidate not in found:
            found.append(candidate)
    return found


def texts_for(event) -> list[tuple[str, str]]:
    """What people typed, held on the objects this event references, for the pages that show the event."""
    texts: list[tuple[str, str]] = []
    for reference in references_in(event):
        match = _REF.match(reference)
        reader = _READERS.get(match["label"])
        if reader is not None:
            texts += reader(int(match["pk"]))
    return texts
