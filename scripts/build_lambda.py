"""Builds the Lambda bundle in build/lambda/: the Lambda entry, the `skill` package without
the web service and simulators, lambda/requirements.txt installed as pure-Python wheels and
lambda/requirements-native.txt as wheels for both Lambda architectures side by side, all
compiled to bytecode by the runtime's own Python. Prints the bundle's size and its cold
start (that Python, seeing only the bundle, importing the entry and answering a LaunchRequest).

    python scripts/build_lambda.py [--out build/lambda]
    python scripts/build_lambda.py --which-python   # the runtime's Python, or exit 3

The Python version comes from template.yaml's `Runtime`; ask-resources.json must name the same
runtime, and the build refuses to run when they disagree or no such interpreter is found
($LAMBDA_PYTHON, pyenv's versions, or `python3.X` on the PATH).

The bundle runs on arm64 (template.yaml) and on x86_64 (the ASK CLI's Lambda deployer has no
architecture setting and makes x86_64 functions). A package with compiled code is installed for
each, into one folder: its Python files are the same, and each extension module's file name
carries its architecture (`_core.cpython-313-aarch64-linux-gnu.so`), so Python loads the right one.

Bytecode is "unchecked-hash": used whatever the files' timestamps say. Lambda's code folder is
read-only and the ASK CLI sets every zip entry's time to 1990, so timestamp-checked bytecode
would be ignored and every cold start would compile from source. No requirements.txt is put in
the bundle, so neither `sam build` nor `ask deploy` installs the dependencies a second time.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAMBDA_DIR = ROOT / "lambda"
TEMPLATE = ROOT / "template.yaml"
ASK_RESOURCES = ROOT / "ask-resources.json"
NOT_FOR_LAMBDA = ("web", "simulator", "__main__.py", "__pycache__", "*.pyc")
# Lambda's two architectures: pip's platform tag, and the tag in an extension module's name.
ARCHITECTURES = {"manylinux2014_x86_64": "x86_64", "manylinux2014_aarch64": "aarch64"}
NO_PYTHON = 3  # exit status of --which-python when the runtime's Python is not installed
# `sam build` (BuildMethod: makefile) copies the bundle as it is, without installing anything.
SAM_MAKEFILE = """# Written by scripts/build_lambda.py: `sam build` ships this bundle as it is.
build-SkillFunction:
\tfind . -mindepth 1 -maxdepth 1 ! -name Makefile -exec cp -R {} "$(ARTIFACTS_DIR)" \\;
"""
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


class BuildError(RuntimeError):
    """The build cannot go on; the message says why, in one line."""


def template_runtime(template: Path = TEMPLATE) -> str:
    """The function's runtime in template.yaml, e.g. "python3.13"."""
    runtime = re.search(r"^\s+Runtime:\s*(python3\.\d+)\s*$", template.read_text(), re.MULTILINE)
    if runtime is None:
        raise BuildError(f"{template.name}: no python Runtime found")
    return runtime[1]


def runtime_version(template: Path = TEMPLATE, ask_resources: Path = ASK_RESOURCES) -> str:
    """The Python version ("3.13") that template.yaml and ask-resources.json both name."""
    runtime = template_runtime(template)
    profiles = json.loads(ask_resources.read_text())["profiles"]
    for name, profile in profiles.items():
        ask_runtime = profile["skillInfrastructure"]["userConfig"]["runtime"]
        if ask_runtime != runtime:
            raise BuildError(
                f"{template.name} says {runtime} but {ask_resources.name} profile {name!r} "
                f"says {ask_runtime}: make them agree"
            )
    return runtime.removeprefix("python")


def _candidates(version: str) -> list[str]:
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    found = [os.environ.get("LAMBDA_PYTHON", "")]
    found += sorted(map(str, pyenv_root.glob(f"versions/{version}.*/bin/python{version}")))
    found += [sys.executable, shutil.which(f"python{version}") or ""]
    return [candidate for candidate in found if candidate]


def runtime_python(version: str) -> str:
    """An interpreter of exactly this version; BuildError when there is none."""
    for candidate in _candidates(version):
        probe = subprocess.run(
            [candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if probe.returncode == 0 and probe.stdout.strip() == version:
            return candidate
    raise BuildError(
        f"the Lambda runtime is Python {version} (template.yaml) and no Python {version} was "
        f"found: install it (for example `pyenv install {version}`) or set LAMBDA_PYTHON"
    )


def build(out: Path, python: str, version: str, entry: Path | None = None) -> Path:
    """The bundle in `out`; with another `entry` (the bench's hello-world skill), that file as
    lambda_function.py and no `skill` package, built the same way otherwise."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    shutil.copy2(entry or LAMBDA_DIR / "lambda_function.py", out / "lambda_function.py")
    if entry is None:
        ignore = shutil.ignore_patterns(*NOT_FOR_LAMBDA)
        shutil.copytree(ROOT / "skill", out / "skill", ignore=ignore)
    install_wheels(out, "requirements.txt", "any", version)
    for platform in ARCHITECTURES:
        with tempfile.TemporaryDirectory() as scratch:  # pip will not add to a package folder
            install_wheels(Path(scratch), "requirements-native.txt", platform, version)
            shutil.copytree(scratch, out, dirs_exist_ok=True)
    shutil.rmtree(out / "bin", ignore_errors=True)  # console scripts: nothing on Lambda runs them
    subprocess.run(
        [python, "-W", "ignore::SyntaxWarning", "-m", "compileall", "-q", "-j", "0",
         "--invalidation-mode", "unchecked-hash", "-s", str(out), "-p", "/var/task", str(out)],
        check=True,
    )  # fmt: skip
    (out / "Makefile").write_text(SAM_MAKEFILE)
    check_bytecode(out, version)
    check_extensions(out, version)
    return out


def install_wheels(target: Path, requirements: str, platform: str, version: str) -> None:
    """Wheels only, for that platform and Python, exactly as pinned (no dependency resolution)."""
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "--no-deps", "--no-compile", "--only-binary=:all:", "--platform", platform,
         "--python-version", version, "--target", str(target),
         "-r", str(LAMBDA_DIR / requirements)],
        check=True,
    )  # fmt: skip


def check_extensions(bundle: Path, version: str) -> None:
    """Every extension module is there for each architecture, for this Python, and for none
    other: a pure-Python requirement that brought compiled code would run on one only."""
    tag = f"cpython-{version.replace('.', '')}"
    modules = {p.with_name(p.name.split(".")[0]) for p in bundle.rglob("*.so")}
    expected = {m.with_name(f"{m.name}.{tag}-{arch}-linux-gnu.so") for m in modules
                for arch in ARCHITECTURES.values()}  # fmt: skip
    found = set(bundle.rglob("*.so"))
    if found != expected:
        names = sorted(str(p.relative_to(bundle)) for p in found ^ expected)
        raise BuildError(f"extension modules not for both architectures: {', '.join(names)}")


def check_bytecode(bundle: Path, version: str) -> None:
    """Every module has bytecode for `version` and there is no bytecode for any other."""
    tag = f"cpython-{version.replace('.', '')}"
    stale = [p for p in bundle.rglob("*.pyc") if f".{tag}." not in p.name]
    compiled = {p.parent.parent / f"{p.name.split('.')[0]}.py" for p in bundle.rglob("*.pyc")}
    missing = [p for p in bundle.rglob("*.py") if p not in compiled]
    if stale or missing:
        raise BuildError(f"bytecode: {len(stale)} stale files, {len(missing)} modules without")


def zipped_size(folder: Path) -> int:
    with tempfile.TemporaryDirectory() as scratch:
        archive = Path(scratch) / "bundle.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
            for path in sorted(folder.rglob("*")):
                bundle.write(path, path.relative_to(folder))
        return archive.stat().st_size


def cold_start(bundle: Path, python: str, event: dict) -> dict:
    """Import and answer in a fresh interpreter isolated from site-packages (-I -S), writing
    no bytecode (-B), as on Lambda's read-only code folder."""
    env = {"PATH": os.environ.get("PATH", ""), "SKILL_DB": str(bundle.parent / "cold.sqlite3")}
    result = subprocess.run(
        [python, "-I", "-S", "-B", "-c", "import json\n" + COLD_START],
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
    parser.add_argument("--which-python", action="store_true", help="print the runtime's Python")
    parser.add_argument("--template", type=Path, default=TEMPLATE, help=argparse.SUPPRESS)
    parser.add_argument("--ask-resources", type=Path, default=ASK_RESOURCES, help=argparse.SUPPRESS)
    parser.add_argument("--entry", type=Path, help=argparse.SUPPRESS)  # the bench's baseline
    args = parser.parse_args()
    try:
        version = runtime_version(args.template, args.ask_resources)
        python = runtime_python(version)
    except BuildError as error:
        print(f"build_lambda: {error}", file=sys.stderr)
        return NO_PYTHON if args.which_python else 1
    if args.which_python:
        print(python)
        return 0
    try:
        bundle = build(args.out, python, version, args.entry)
    except BuildError as error:
        print(f"build_lambda: {error}", file=sys.stderr)
        return 1
    files = [p for p in bundle.rglob("*") if p.is_file()]
    unpacked = sum(p.stat().st_size for p in files)
    blocks = sum(p.stat().st_blocks * 512 for p in [bundle, *bundle.rglob("*")])
    if args.entry is not None:
        return 0
    started = cold_start(bundle, python, launch_event())
    print(f"Lambda bundle: {bundle} (Python {version}, bytecode compiled by {python})")
    zipped = zipped_size(bundle)
    print(
        f"  {len(files)} files, {unpacked / 1e6:.1f} MB unpacked ({blocks / 1e6:.1f} MB of disk "
        f"blocks here), {zipped / 1e6:.1f} MB zipped"
    )
    milliseconds = started["seconds"] * 1000
    print(f"  cold start (import + first answer, on this machine): {milliseconds:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
