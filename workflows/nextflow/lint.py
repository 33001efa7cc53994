#!/usr/bin/env python3
"""Offline lint of the Nextflow part of immunoprofile (called by lint.sh; installs nothing).

1. `nf-core modules lint` on every module under modules/local/, with every test nf-core runs on
   its own modules: the modules are copied into a throwaway nf-core *modules repository* laid
   out as nf-core/modules is (modules/immunoprofile/immunoprofile/tmb/ for IMMUNOPROFILE_TMB,
   modules/immunoprofile/multiqc/ for MULTIQC), because in a pipeline nf-core tools only warn
   about local modules.
2. Our own check of every meta.yml and environment.yml against the rules of nf-core's schemas
   that matter here (CI has no clone of nf-core/modules to take the schemas from).
3. The nf-tests, as far as they can be checked without running them: the files they name exist
   and every snapshot they match is in the hand-written .snap file.
4. nextflow_schema.json: a valid draft 2020-12 JSON schema whose parameters are exactly
   nextflow.config's params, with the same defaults, every default and every profile's value
   valid against it, and every `params.X` that main.nf reads declared.

Exit 0 clean, 1 a failure, 3 a tool missing (nf-core, jsonschema, PyYAML).
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ORG = "immunoprofile"

# Lint tests that need a real Nextflow (`nextflow inspect`, >= 25.04.4, which downloads its
# runtime on first use): without one they cannot resolve any module's container.
NEEDS_NEXTFLOW = {"docker_tag", "singularity_tag"}


def say(msg=""):
    print(msg, flush=True)


def git(*args, cwd):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def module_dirs():
    """(source dir, component name) of every module: IMMUNOPROFILE_X -> immunoprofile/x."""
    out = []
    for d in sorted((HERE / "modules" / "local").iterdir()):
        main = d / "main.nf"
        if not main.is_file():
            continue
        m = re.search(r"^process\s+(\w+)", main.read_text(), re.M)
        if not m:
            raise SystemExit(f"{main}: no `process NAME {{`")
        parts = m.group(1).lower().split("_", 1)
        name = "/".join(parts) if parts[0] == ORG and len(parts) == 2 else m.group(1).lower()
        out.append((d, name))
    return out


def reference_schemas(ref: Path) -> str:
    """Copy nf-core/modules' meta.yml and environment.yml schemas into the reference repo."""
    cfg = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    src = os.environ.get("NFCORE_MODULES") or str(cfg / "nfcore" / "nf-core" / "modules")
    (ref / "modules").mkdir(parents=True)
    try:
        head = subprocess.run(["git", "-C", src, "rev-parse", "--short", "HEAD"], check=True,
                              capture_output=True, text=True).stdout.strip()
        for name in ("meta-schema.json", "environment-schema.json"):
            text = subprocess.run(["git", "-C", src, "show", f"HEAD:modules/{name}"], check=True,
                                  capture_output=True, text=True).stdout
            (ref / "modules" / name).write_text(text)
        return f"nf-core/modules {head} ({src})"
    except (subprocess.CalledProcessError, FileNotFoundError):
        for name in ("meta-schema.json", "environment-schema.json"):
            (ref / "modules" / name).write_text("{}\n")
        return ("NOT AVAILABLE: no clone of nf-core/modules (set NFCORE_MODULES=/path/to/clone); "
                "meta_yml_valid and environment_yml_valid ran against an empty schema")


def lint_modules(tmp: Path) -> int:
    repo, ref = tmp / "modules-repo", tmp / "reference"
    schemas = reference_schemas(ref)
    (ref / ".nf-core.yml").write_text(f"repository_type: modules\norg_path: {ORG}\n")
    git("init", "-q", "-b", "master", cwd=ref)
    git("add", "-A", cwd=ref)
    git("-c", "user.name=lint", "-c", "user.email=lint@localhost", "commit", "-q", "-m", "reference", cwd=ref)

    (repo / ".github").mkdir(parents=True)
    (repo / ".nf-core.yml").write_text(f"repository_type: modules\norg_path: {ORG}\n")
    no_singularity = []
    for src, name in module_dirs():
        dst = repo / "modules" / ORG / name
        shutil.copytree(src, dst)
        # nf-core's own way to say a module has no Singularity image on purpose: we publish
        # only the Docker image the repository's Dockerfile builds.
        if "https://" not in (src / "main.nf").read_text():
            no_singularity.append(f"modules/{ORG}/{name}")
    (repo / ".github" / "skip_nf_test.json").write_text(json.dumps({"singularity": no_singularity}, indent=2))
    git("init", "-q", "-b", "master", cwd=repo)

    real_nextflow = shutil.which("nextflow") is not None
    if not real_nextflow:
        # nf-core tools ask `nextflow config` of every directory they open (pipeline params,
        # unused by module lint) and `nextflow -v` before `nextflow inspect`. The stand-in
        # answers with an empty config and version 0.0.0, too old for inspect.
        (tmp / "bin").mkdir()
        stand_in = tmp / "bin" / "nextflow"
        stand_in.write_text(
            "#!/bin/sh\n"
            '[ "$1" = -v ] && { echo "lint.py nextflow stand-in 0.0.0"; exit 0; }\n'
            "[ \"$1\" = config ] && { echo '{}'; exit 0; }\n"
            "echo \"nextflow stand-in (lint.py): only -v and config are answered\" >&2\nexit 1\n"
        )
        stand_in.chmod(0o755)
        os.environ["PATH"] = f"{tmp / 'bin'}{os.pathsep}{os.environ['PATH']}"

    # nf-core tools read these when imported: set them first. They keep nf-core's clone of the
    # reference, its config cache and its version check inside the throwaway folder.
    os.environ.update(XDG_CONFIG_HOME=str(tmp / "config"), XDG_CACHE_HOME=str(tmp / "cache"),
                      NXF_HOME=str(tmp / "nxf"), HIDE_PROGRESS="1", NFCORE_NO_VERSION_CHECK="1")
    os.chdir(tmp)  # a relative remote: nf-core names its clone after the remote's path
    import logging

    logging.basicConfig(level=logging.ERROR)
    from nf_core.modules.lint import ModuleLint

    say(f"schemas: {schemas}")
    say(f"nextflow: {shutil.which('nextflow') if real_nextflow else 'absent (stand-in for config and -v)'}")
    lint = ModuleLint("modules-repo", remote_url="reference", branch="master", no_pull=True, hide_progress=True)
    lint.lint(all_modules=True, print_results=False)
    not_run = []
    if not real_nextflow:
        not_run = [r for r in lint.failed if r.lint_test in NEEDS_NEXTFLOW]
        lint.failed = [r for r in lint.failed if r.lint_test not in NEEDS_NEXTFLOW]
    lint._print_results(show_passed=False, sort_by="module", plain_text=True)
    lint.print_summary(plain_text=True)
    for test in sorted({r.lint_test for r in not_run}):
        mods = sorted(r.component_name for r in not_run if r.lint_test == test)
        say(f"not checked without Nextflow (`nextflow inspect` resolves the container): {test} of {', '.join(mods)}")
    if "NOT AVAILABLE" in schemas:
        say(f"warning: nf-core/modules schemas {schemas}")
    return 1 if lint.failed else 0


# --- our own check of meta.yml and environment.yml -------------------------------------------
# The rules of nf-core/modules' meta-schema.json and environment-schema.json that matter here,
# so that CI without a clone of nf-core/modules still checks them.

ELEMENT_TYPES = {"map", "file", "directory", "string", "integer", "float", "boolean", "list", "eval"}


def check_elements(where, channel, failures):
    """A channel: a list whose items are {name: element} or lists of them."""
    if not isinstance(channel, list) or not channel:
        failures.append(f"{where}: not a non-empty list")
        return
    for item in channel:
        for el in item if isinstance(item, list) else [item]:
            if not isinstance(el, dict) or len(el) != 1:
                failures.append(f"{where}: {el!r} is not one `name: {{type, description}}`")
                continue
            (name, props), = el.items()
            if not isinstance(props, dict):
                failures.append(f"{where}.{name}: no properties")
                continue
            if props.get("type") not in ELEMENT_TYPES:
                failures.append(f"{where}.{name}: type {props.get('type')!r} not one of {sorted(ELEMENT_TYPES)}")
            if not isinstance(props.get("description"), str) or not props["description"].strip():
                failures.append(f"{where}.{name}: no description")
            for o in props.get("ontologies", []):
                if not (isinstance(o, dict) and all(isinstance(v, str) and re.match(r"^https?://", v) for v in o.values())):
                    failures.append(f"{where}.{name}: ontology {o!r} is not `name: URL`")


def lint_meta_files() -> int:
    import yaml

    failures = []
    for src, name in module_dirs():
        meta = yaml.safe_load((src / "meta.yml").read_text())
        where = f"{src.name}/meta.yml"
        for key in ("name", "description", "keywords", "tools", "input", "output", "authors", "maintainers"):
            if key not in meta:
                failures.append(f"{where}: no `{key}`")
        if meta.get("name") != name.replace("/", "_"):
            failures.append(f"{where}: name {meta.get('name')!r}, expected {name.replace('/', '_')!r}")
        kw = meta.get("keywords", [])
        if len(kw) < 3 or len(set(kw)) != len(kw):
            failures.append(f"{where}: keywords must be 3 or more, unique")
        for tool in meta.get("tools", []):
            for tname, t in tool.items():
                if not t.get("description"):
                    failures.append(f"{where}: tool {tname} has no description")
                if not any(k in t for k in ("homepage", "documentation", "tool_dev_url", "doi")):
                    failures.append(f"{where}: tool {tname} needs a homepage, documentation, tool_dev_url or doi")
                if not (isinstance(t.get("licence"), list) and t["licence"]):
                    failures.append(f"{where}: tool {tname}: licence must be a list, e.g. [\"MIT\"]")
        check_elements(f"{where}:input", meta.get("input"), failures)
        for section in ("output", "topics"):
            for ch, channel in (meta.get(section) or {}).items():
                check_elements(f"{where}:{section}.{ch}", channel, failures)
        env = yaml.safe_load((src / "environment.yml").read_text())
        ewhere = f"{src.name}/environment.yml"
        if "name" in env:
            failures.append(f"{ewhere}: no `name:` (nf-core modules' environments are unnamed)")
        if not env.get("channels") or "default" in env["channels"]:
            failures.append(f"{ewhere}: channels must be listed, without `default`")
        for dep in env.get("dependencies") or [None]:
            if not (isinstance(dep, str) and re.match(r"^.*[^><]=[^><].*$", dep)):
                failures.append(f"{ewhere}: dependency {dep!r} is not pinned (`package=version`)")
    say(f"meta.yml and environment.yml (own check): {'OK' if not failures else f'{len(failures)} failures'}")
    for f in failures:
        say(f"  FAIL {f}")
    return 1 if failures else 0


# --- nf-tests: what can be checked without running them --------------------------------------

def lint_nf_tests() -> int:
    """Every file a test names exists, and every snapshot a test matches is in its .snap file
    with this module's process name (the snapshots are written by hand: nf-test cannot run here)."""
    failures = []
    for src, name in module_dirs():
        test = src / "tests" / "main.nf.test"
        text = test.read_text()
        process = re.search(r'^\s*process\s+"(\w+)"', text, re.M).group(1)
        for rel in re.findall(r'file\("\$\{baseDir\}/([^"]+)"', text):
            if not (HERE / rel).resolve().is_file():
                failures.append(f"{src.name}: test data {rel} does not exist")
        for rel in re.findall(r'^\s*script\s+"([^"]+)"', text, re.M):
            if not (test.parent / rel).resolve().is_file():
                failures.append(f"{src.name}: script {rel} does not exist")
        snap = json.loads((src / "tests" / "main.nf.test.snap").read_text())
        expected = set()
        for block in re.split(r'\n\s*test\("', text)[1:]:
            tname = block.split('")', 1)[0]
            for m in re.finditer(r'\.match\(("([^"]*)")?\)', block):
                expected.add(m.group(2) or tname)
        for key in sorted(expected - set(snap)):
            failures.append(f"{src.name}: snapshot `{key}` is not in main.nf.test.snap")
        for key in sorted(set(snap) - expected):
            failures.append(f"{src.name}: main.nf.test.snap has `{key}`, which no test matches")
        for key, entry in snap.items():
            if process not in json.dumps(entry):
                failures.append(f"{src.name}: snapshot `{key}` does not name {process}")
    say(f"nf-tests (files named, snapshot keys): {'OK' if not failures else f'{len(failures)} failures'}")
    for f in failures:
        say(f"  FAIL {f}")
    return 1 if failures else 0


# --- nextflow_schema.json against nextflow.config ---------------------------------------------

def config_params(text: str):
    """The top-level `params { }` block's name = value pairs, and every profile's params.X."""
    m = re.search(r"^params\s*\{(.*?)^\}", text, re.S | re.M)
    if not m:
        raise ValueError("nextflow.config: no top-level `params { }` block")
    params = {}
    for line in m.group(1).splitlines():
        line = re.sub(r"\s//.*$", "", line).strip()
        if not line or line.startswith("//"):
            continue
        kv = re.fullmatch(r"(\w+)\s*=\s*(.+)", line)
        if not kv:
            raise ValueError(f"nextflow.config params: cannot read `{line}`")
        params[kv.group(1)] = groovy_literal(kv.group(2))
    rest = text[m.end():]
    profile_values = {}
    for name, value in re.findall(r"^\s*params\.(\w+)\s*=\s*(.+?)\s*$", rest, re.M):
        profile_values.setdefault(name, []).append(value)
    return params, profile_values


def groovy_literal(v: str):
    v = v.strip()
    if v == "null":
        return None
    if v in ("true", "false"):
        return v == "true"
    if re.fullmatch(r"-?\d+", v):
        return int(v)
    if re.fullmatch(r"-?\d+\.\d*", v):
        return float(v)
    if len(v) >= 2 and v[0] == v[-1] and v[0] in "'\"":
        return v[1:-1]
    return ("expression", v)


def lint_schema() -> int:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError

    failures = []
    schema_path, config_path = HERE / "nextflow_schema.json", HERE / "nextflow.config"
    schema = json.loads(schema_path.read_text())
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as e:
        failures.append(f"not a valid draft 2020-12 schema: {e.message}")
    if schema.get("$schema") != "https://json-schema.org/draft/2020-12/schema":
        failures.append("$schema must be https://json-schema.org/draft/2020-12/schema")
    props = dict(schema.get("properties", {}))
    groups = schema.get("$defs", {})
    for gname, group in groups.items():
        for k, v in group.get("properties", {}).items():
            if k in props:
                failures.append(f"parameter {k} is declared twice")
            props[k] = v
        if {"$ref": f"#/$defs/{gname}"} not in schema.get("allOf", []):
            failures.append(f"group {gname} is not in allOf (nf-schema would not validate it)")
    params, profile_values = config_params(config_path.read_text())
    for k in sorted(set(params) - set(props)):
        failures.append(f"nextflow.config param {k} is not in nextflow_schema.json")
    for k in sorted(set(props) - set(params)):
        failures.append(f"nextflow_schema.json declares {k}, which nextflow.config's params do not set")
    for k in sorted(set(params) & set(props)):
        value, prop = params[k], props[k]
        if isinstance(value, tuple):
            continue  # a Groovy expression: its value is known only to Nextflow
        if value is None:
            if "default" in prop:
                failures.append(f"{k}: schema default {prop['default']!r}, config null")
            continue
        if prop.get("default") != value:
            failures.append(f"{k}: schema default {prop.get('default')!r}, config {value!r}")
        for err in Draft202012Validator(prop).iter_errors(value):
            failures.append(f"{k}: the default {value!r} is invalid: {err.message}")
    for k, values in sorted(profile_values.items()):
        if k not in props:
            failures.append(f"a profile sets params.{k}, which nextflow_schema.json does not declare")
            continue
        for raw in values:
            value = groovy_literal(raw)
            if isinstance(value, tuple) or (isinstance(value, str) and "${" in value):
                continue
            for err in Draft202012Validator(props[k]).iter_errors(value):
                failures.append(f"profile value params.{k} = {raw}: {err.message}")
    used = set(re.findall(r"\bparams\.(\w+)", (HERE / "main.nf").read_text()))
    for k in sorted(used - set(props)):
        failures.append(f"main.nf reads params.{k}, which nextflow_schema.json does not declare")
    say(f"nextflow_schema.json: {len(props)} parameters, {len(params)} in nextflow.config params, "
        f"{len(used)} read by main.nf: {'OK' if not failures else f'{len(failures)} failures'}")
    for f in failures:
        say(f"  FAIL {f}")
    return 1 if failures else 0


def main() -> int:
    try:
        import jsonschema  # noqa: F401
        import yaml  # noqa: F401
        import nf_core  # noqa: F401
    except ImportError as e:
        say(f"skipped: {e.name} is not installed (python3 -m pip install nf-core)")
        return 3
    status = lint_schema()
    status |= lint_meta_files()
    status |= lint_nf_tests()
    with tempfile.TemporaryDirectory(prefix="nfcore-lint-") as tmp:
        cwd = os.getcwd()
        try:
            status |= lint_modules(Path(tmp))
        finally:
            os.chdir(cwd)
    say("lint: " + ("clean" if status == 0 else "FAILED"))
    return status


if __name__ == "__main__":
    sys.exit(main())
