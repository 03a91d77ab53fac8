"""Builds the Lambda bundle in build/lambda/: the Lambda entry, the `skill` package without
the web service and simulators, and lambda/requirements.txt installed for Lambda's platform.
Prints the bundle's size and its cold start (a fresh interpreter that sees only the bundle
importing the entry and answering a LaunchRequest).

    python scripts/build_lambda.py [--out build/lambda]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAMBDA_DIR = ROOT / "lambda"
NOT_FOR_LAMBDA = ("web", "simulator", "__main__.py", "__pycache__", "*.pyc")
PLATFORM = ["--platform", "manylinux2014_aarch64", "--python-version", "3.12"]  # template.yaml
COLD_START = """
import time, sys
started = time.perf_counter()
sys.path.insert(0, ".")
import lambda_function
event = json.loads(sys.stdin.read())
response = lambda_function.lambda_handler(event, None)
elapsed = time.perf_counter() - started
print(json.dumps({"seconds": elapsed, "speech": response["response"]["outputSpeech"]["ssml"]}))
"""


def build(out: Path) -> Path:
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    shutil.copy2(LAMBDA_DIR / "lambda_function.py", out)
    shutil.copy2(LAMBDA_DIR / "requirements.txt", out)
    shutil.copytree(ROOT / "skill", out / "skill", ignore=shutil.ignore_patterns(*NOT_FOR_LAMBDA))
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "--no-deps", "--only-binary=:all:", *PLATFORM, "--target", str(out),
         "-r", str(LAMBDA_DIR / "requirements.txt")],
        check=True,
    )  # fmt: skip
    return out


def zipped_size(folder: Path) -> int:
    with tempfile.TemporaryDirectory() as scratch:
        archive = Path(scratch) / "bundle.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
            for path in sorted(folder.rglob("*")):
                bundle.write(path, path.relative_to(folder))
        return archive.stat().st_size


def cold_start(bundle: Path, event: dict) -> dict:
    """Import and answer in a fresh interpreter isolated from site-packages (-I -S)."""
    env = {"PATH": os.environ.get("PATH", ""), "SKILL_DB": str(bundle.parent / "cold.sqlite3")}
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-B", "-c", "import json\n" + COLD_START],
        input=json.dumps(event), cwd=bundle, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(result.stdout)


def launch_event() -> dict:
    sys.path.insert(0, str(ROOT))
    from skill.simulator.envelopes import DeviceInfo, launch_request

    return launch_request(DeviceInfo("amzn1.ask.account.BUILD-CHECK"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "lambda")
    args = parser.parse_args()
    bundle = build(args.out)
    files = [p for p in bundle.rglob("*") if p.is_file()]
    unpacked = sum(p.stat().st_size for p in files)
    started = cold_start(bundle, launch_event())
    print(f"Lambda bundle: {bundle}")
    zipped = zipped_size(bundle)
    print(f"  {len(files)} files, {unpacked / 1e6:.1f} MB unpacked, {zipped / 1e6:.1f} MB zipped")
    milliseconds = started["seconds"] * 1000
    print(f"  cold start (import + first answer, on this machine): {milliseconds:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
