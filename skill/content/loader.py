"""Loads and validates the stretch library and the routine files.

A bad file fails at start-up with ContentError naming the file, the field and the problem.
Validation is hand-written rather than a schema library: it runs on every Lambda cold start,
and a few dozen lines here cost nothing to import.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from typing import Any

from skill.config import StrPath
from skill.content.model import Catalog, Routine, Stretch, StretchKind

DATA_DIR = os.path.join(os.path.dirname(__file__), "data")  # os.path: no pathlib on cold starts
STRETCH_KEYS = {
    "name",
    "kind",
    "setup",
    "ready_prompt",
    "release",
    "brief",
    "brief_switch",
    "benefit",
    "pace_range",
    "during",
    "hold_seconds",
    "hold_range",
    "reps",
    "reps_range",
    "seconds_per_movement",
    "movements",
    "movement_names",
    "sides",
    "side_label",
    "switch",
    "equipment",
}
ROUTINE_KEYS = {"name", "summary", "default", "stretches"}
BRIEF_SHARE = 0.6  # a brief introduction is at most this share of the full one
OVERRIDE_KEYS = {"stretch", "hold_seconds", "reps"}
_KINDS = frozenset(kind.value for kind in StretchKind)


class ContentError(ValueError):
    """A content file is missing, malformed or inconsistent."""


class _Fields:
    """Typed access to one JSON object, with errors that name the file and the field."""

    def __init__(self, file: str, where: str, raw: object, allowed: set[str]) -> None:
        self.file, self.where = file, where
        if not isinstance(raw, dict):
            self.fail("", "must be an object")
        unknown = sorted(set(raw) - allowed)
        if unknown:
            self.fail(unknown[0], "is not a known field")
        self.raw: dict[str, Any] = raw

    def fail(self, field: str, problem: str) -> None:
        path = ".".join(part for part in (self.where, field) if part) or "(top level)"
        raise ContentError(f"{os.path.basename(self.file)}: {path}: {problem}")

    def text(self, field: str, default: str | None = None) -> str:
        value = self.raw.get(field, default)
        if not isinstance(value, str) or not value.strip():
            self.fail(field, "must be a non-empty string")
        return value

    def texts(self, field: str, required: bool = True) -> tuple[str, ...]:
        value = self.raw.get(field, [] if not required else None)
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.fail(field, "must be a list of non-empty strings")
        if required and not value:
            self.fail(field, "must not be empty")
        return tuple(value)

    def integer(self, field: str, low: int, high: int, default: int | None = None) -> int:
        value = self.raw.get(field, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.fail(field, f"must be a whole number from {low} to {high}, got {value!r}")
        return value

    def bounds(self, field: str, low: int, high: int) -> tuple[int, int]:
        value = self.raw.get(field, [low, high])
        valid = isinstance(value, list) and len(value) == 2
        if not valid or not all(isinstance(v, int) and low <= v <= high for v in value):
            self.fail(field, f"must be [min, max] within {low} to {high}")
        if value[0] > value[1]:
            self.fail(field, "min must not exceed max")
        return value[0], value[1]


def _stretch(file: str, stretch_id: str, raw: object, override: _Fields | None) -> Stretch:
    fields = _Fields(file, stretch_id, raw, STRETCH_KEYS)
    kind_name = fields.text("kind")
    if kind_name not in _KINDS:
        fields.fail("kind", f"must be one of {[k.value for k in StretchKind]}")
    kind = StretchKind(kind_name)
    common = dict(
        id=stretch_id,
        name=fields.text("name"),
        kind=kind,
        setup=fields.texts("setup"),
        ready_prompt=fields.text("ready_prompt"),
        release=fields.text("release"),
        brief=fields.text("brief"),
        benefit=fields.text("benefit"),
        sides=fields.texts("sides", required=False),
        equipment=fields.raw.get("equipment", "") and fields.text("equipment"),
    )
    full = " ".join((*common["setup"], common["ready_prompt"]))
    if len(common["brief"]) > BRIEF_SHARE * len(full):
        fields.fail("brief", f"must be at most {BRIEF_SHARE:.0%} as long as setup and ready_prompt")
    if common["sides"]:
        common["switch"] = fields.text("switch")
        common["brief_switch"] = fields.text("brief_switch")
        common["side_label"] = fields.text("side_label")
    if kind is StretchKind.HOLD:
        low, high = fields.bounds("hold_range", 10, 60)  # every hold gets a cue before the end
        seconds = fields.integer("hold_seconds", low, high)
        if override is not None:
            seconds = override.integer("hold_seconds", low, high, default=seconds)
        return Stretch(
            **common,
            during=fields.text("during"),
            hold_seconds=seconds,
            hold_range=(low, high),
        )
    low, high = fields.bounds("reps_range", 1, 30)
    reps = fields.integer("reps", low, high)
    if override is not None:
        reps = override.integer("reps", low, high, default=reps)
    movements, names = fields.texts("movements"), fields.texts("movement_names")
    if len(names) != len(movements):
        fields.fail("movement_names", "must name each of the movements")
    pace = fields.integer("seconds_per_movement", 1, 10)
    pace_low, pace_high = fields.bounds("pace_range", 1, 10)
    if not pace_low <= pace <= pace_high:
        fields.fail("seconds_per_movement", f"must be within pace_range {pace_low} to {pace_high}")
    return Stretch(
        **common,
        reps=reps,
        reps_range=(low, high),
        seconds_per_movement=pace,
        pace_range=(pace_low, pace_high),
        movements=movements,
        movement_names=names,
    )


def _read_json(file: str) -> object:
    name = os.path.basename(file)
    try:
        with open(file, encoding="utf-8") as stream:
            return json.load(stream)
    except (OSError, UnicodeDecodeError) as error:
        raise ContentError(f"{name}: cannot be read: {error}") from error
    except json.JSONDecodeError as error:
        raise ContentError(f"{name}: line {error.lineno}: invalid JSON: {error.msg}") from None


def _routine(file: str, library: dict[str, Any], library_file: str) -> tuple[Routine, bool]:
    routine_id = os.path.splitext(os.path.basename(file))[0]
    fields = _Fields(file, "", _read_json(file), ROUTINE_KEYS)
    entries = fields.raw.get("stretches")
    if not isinstance(entries, list) or not entries:
        fields.fail("stretches", "must be a non-empty list")
    stretches = []
    for index, entry in enumerate(entries):
        override = _Fields(file, f"stretches[{index}]", entry, OVERRIDE_KEYS)
        stretch_id = override.text("stretch")
        if stretch_id not in library:
            override.fail("stretch", f"{stretch_id!r} is not in {os.path.basename(library_file)}")
        stretches.append(_stretch(library_file, stretch_id, library[stretch_id], override))
    is_default = fields.raw.get("default", False)
    if not isinstance(is_default, bool):
        fields.fail("default", "must be true or false")
    routine = Routine(routine_id, fields.text("name"), fields.text("summary"), tuple(stretches))
    return routine, is_default


def load_catalog(data_dir: StrPath = DATA_DIR) -> Catalog:
    """Every routine in ``data_dir/routines``, built from ``data_dir/stretches.json``."""
    library_file = os.path.join(data_dir, "stretches.json")
    library = _read_json(library_file)
    if not isinstance(library, dict) or not library:
        raise ContentError("stretches.json: must be an object of stretches by id")
    for stretch_id, raw in library.items():
        _stretch(library_file, stretch_id, raw, None)  # every stretch valid, used or not
    routines: dict[str, Routine] = {}
    defaults = []
    routines_dir = os.path.join(data_dir, "routines")
    try:
        names = sorted(name for name in os.listdir(routines_dir) if name.endswith(".json"))
    except OSError as error:
        raise ContentError(f"routines: cannot be listed: {error}") from error
    for name in names:
        routine, is_default = _routine(os.path.join(routines_dir, name), library, library_file)
        routines[routine.id] = routine
        if is_default:
            defaults.append(routine.id)
    if len(defaults) != 1:
        raise ContentError(f"routines: exactly one routine must be the default, found {defaults}")
    return Catalog(routines=routines, default_id=defaults[0])


@lru_cache(maxsize=1)
def default_catalog() -> Catalog:
    """The package's own routines, loaded once per process."""
    return load_catalog()
