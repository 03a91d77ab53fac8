"""Build the interaction models of the five English locales from the phrase grammar.

The source is `interaction_model/grammar/`: `model.json` (invocation name, model settings and
name-free launch phrases), `types/*.json` (custom slot types) and `intents/<IntentName>.txt`
(each intent's phrase templates, see `scripts/grammar.py`). en-US is built from it and the
other locales are copies.

`python scripts/sync_locales.py` rewrites the models; `--check` lists any that differ from
what the grammar gives and exits 1.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from grammar import read_grammar  # a sibling module of this script

PACKAGE = Path(__file__).resolve().parents[1] / "interaction_model"
MODEL_DIR = PACKAGE / "interactionModels/custom"
GRAMMAR_DIR = PACKAGE / "grammar"
SOURCE_LOCALE = "en-US"
COPY_LOCALES = ("en-GB", "en-CA", "en-AU", "en-IN")
LOCALES = (SOURCE_LOCALE, *COPY_LOCALES)


def build_model(grammar_dir: Path = GRAMMAR_DIR) -> dict[str, Any]:
    """The interaction model JSON the grammar describes."""
    base = json.loads((grammar_dir / "model.json").read_text(encoding="utf-8"))
    intents = [
        {
            "name": intent.name,
            "slots": [{"name": name, "type": kind, "samples": []} for name, kind in intent.slots],
            "samples": intent.samples(),
        }
        for intent in read_grammar(grammar_dir / "intents")
    ]
    for intent in intents:
        if not intent["slots"]:
            del intent["slots"]
    types = [
        json.loads(path.read_text(encoding="utf-8"))
        for path in sorted((grammar_dir / "types").glob("*.json"))
    ]
    language_model = {
        "invocationName": base["invocationName"],
        "modelConfiguration": base["modelConfiguration"],
        "intents": intents,
        "types": types,
    }
    model: dict[str, Any] = {"languageModel": language_model}
    if "nameFreeInteraction" in base:
        model["_nameFreeInteraction"] = base["nameFreeInteraction"]
    return {"interactionModel": model}


def rendered(grammar_dir: Path = GRAMMAR_DIR) -> bytes:
    return (json.dumps(build_model(grammar_dir), indent=2, ensure_ascii=False) + "\n").encode()


def stale_locales(model_dir: Path = MODEL_DIR, grammar_dir: Path = GRAMMAR_DIR) -> list[str]:
    """The locales whose model file is missing or differs from what the grammar gives."""
    expected = rendered(grammar_dir)
    return [
        locale
        for locale in LOCALES
        if not (path := model_dir / f"{locale}.json").exists() or path.read_bytes() != expected
    ]


def sync(model_dir: Path = MODEL_DIR, grammar_dir: Path = GRAMMAR_DIR) -> list[str]:
    """Rewrite the stale models; return the locales written."""
    expected = rendered(grammar_dir)
    stale = stale_locales(model_dir, grammar_dir)
    for locale in stale:
        (model_dir / f"{locale}.json").write_bytes(expected)
    return stale


def main(argv: list[str]) -> int:
    if "--check" in argv:
        stale = stale_locales()
        for locale in stale:
            print(
                f"{locale}.json differs from the grammar: run scripts/sync_locales.py",
                file=sys.stderr,
            )
        return 1 if stale else 0
    for locale in sync():
        print(f"wrote {locale}.json")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
