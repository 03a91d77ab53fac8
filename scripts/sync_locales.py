"""Copy the en-US interaction model to the other English locales.

`python scripts/sync_locales.py` rewrites them; `--check` lists any that differ and exits 1.
"""

from __future__ import annotations

import sys
from pathlib import Path

MODEL_DIR = Path(__file__).resolve().parents[1] / "interaction_model/interactionModels/custom"
SOURCE_LOCALE = "en-US"
COPY_LOCALES = ("en-GB", "en-CA", "en-AU", "en-IN")


def stale_locales(model_dir: Path = MODEL_DIR) -> list[str]:
    """The copy locales whose model file is missing or differs from en-US."""
    source = (model_dir / f"{SOURCE_LOCALE}.json").read_bytes()
    return [
        locale
        for locale in COPY_LOCALES
        if not (path := model_dir / f"{locale}.json").exists() or path.read_bytes() != source
    ]


def sync(model_dir: Path = MODEL_DIR) -> list[str]:
    """Rewrite the stale copies; return the locales written."""
    source = (model_dir / f"{SOURCE_LOCALE}.json").read_bytes()
    stale = stale_locales(model_dir)
    for locale in stale:
        (model_dir / f"{locale}.json").write_bytes(source)
    return stale


def main(argv: list[str]) -> int:
    if "--check" in argv:
        stale = stale_locales()
        for locale in stale:
            print(f"{locale}.json differs from {SOURCE_LOCALE}.json", file=sys.stderr)
        return 1 if stale else 0
    for locale in sync():
        print(f"wrote {locale}.json")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
