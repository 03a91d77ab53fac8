"""Routines are data, validated at load: a bad file names the file, the field, the problem."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from skill.content.loader import DATA_DIR, ContentError, load_catalog
from skill.content.model import StretchKind

SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "back-stretches.txt"


def test_lower_back_is_the_default_with_the_seed_stretches_in_order() -> None:
    catalog = load_catalog()
    routine = catalog.default
    assert routine.id == "lower_back"
    assert [s.id for s in routine.stretches] == [
        "toe_reach",
        "standing_crunch_rotations",
        "table_hamstring",
    ]
    toe, crunch, table = routine.stretches
    assert (toe.kind, toe.hold_seconds) == (StretchKind.HOLD, 30)
    assert (crunch.kind, crunch.reps) == (StretchKind.REPS, 10)
    assert (table.hold_seconds, table.sides) == (30, ("right", "left"))
    assert routine.equipment == ("a table or other low object",)
    assert catalog.get("desk_break").equipment == ()


def test_the_seed_safety_cues_are_kept_word_for_word() -> None:
    if not SEED.exists():
        pytest.skip("the shared seed is not beside this checkout")
    seed = " ".join(SEED.read_text(encoding="utf-8").split())
    toe = load_catalog().default.stretches[0]
    for cue in (
        "Do not strain to reach your toes, instead let gravity do the stretching for you.",
        "Keep your legs straight and your knees locked",
    ):
        assert cue in seed
        assert cue in " ".join((*toe.setup, toe.during))


def test_slot_values_in_the_model_match_the_routine_files() -> None:
    model_file = Path(DATA_DIR).parents[2] / "interaction_model/interactionModels/custom/en-US.json"
    model = json.loads(model_file.read_text())["interactionModel"]["languageModel"]
    ids = {v["id"] for t in model["types"] if t["name"] == "RoutineName" for v in t["values"]}
    assert ids == set(load_catalog().routines)


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    shutil.copytree(DATA_DIR, tmp_path / "data")
    return tmp_path / "data"


def edit(path: Path, change) -> None:
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


@pytest.mark.parametrize(
    ("file", "change", "message"),
    [
        (
            "stretches.json",
            lambda d: d["toe_reach"].pop("during"),
            "stretches.json: toe_reach.during: must be a non-empty string",
        ),
        (
            "stretches.json",
            lambda d: d["toe_reach"].update(hold_seconds=90),
            "stretches.json: toe_reach.hold_seconds: must be a whole number from 10 to 60, got 90",
        ),
        (
            "stretches.json",
            lambda d: d["table_hamstring"].update(hold_seconds=20),
            "stretches.json: table_hamstring.hold_seconds: must be a whole number from 30 to 60",
        ),
        (
            "stretches.json",
            lambda d: d["toe_reach"].update(kind="jump"),
            "stretches.json: toe_reach.kind: must be one of",
        ),
        (
            "stretches.json",
            lambda d: d["toe_reach"].update(colour="red"),
            "stretches.json: toe_reach.colour: is not a known field",
        ),
        (
            "routines/desk_break.json",
            lambda d: d["stretches"].append({"stretch": "handstand"}),
            "desk_break.json: stretches[2].stretch: 'handstand' is not in stretches.json",
        ),
        (
            "routines/desk_break.json",
            lambda d: d.update(stretches=[]),
            "desk_break.json: stretches: must be a non-empty list",
        ),
        (
            "routines/desk_break.json",
            lambda d: d.update(default=True),
            "exactly one routine must be the default",
        ),
    ],
)
def test_a_bad_file_fails_with_file_field_and_problem(
    data_copy: Path, file: str, change, message: str
) -> None:
    edit(data_copy / file, change)
    with pytest.raises(ContentError, match=re.escape(message)):
        load_catalog(data_copy)


def test_invalid_json_names_the_line(data_copy: Path) -> None:
    (data_copy / "routines" / "lower_back.json").write_text('{\n  "name": "x",\n  oops\n}')
    with pytest.raises(ContentError, match=re.escape("lower_back.json: line 3: invalid JSON")):
        load_catalog(data_copy)
