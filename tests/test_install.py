"""``pip install .`` (not editable) gives a working timebank: templates, static files, bundled plugins and
migrations all travel in the wheel, and a third-party plugin is found through its entry point.

Slow (a fresh virtualenv and a real pip install): marked ``slow``; ``make test-postgres`` leaves it out.
"""

import os
import shutil
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_PLUGIN = ROOT / "tests" / "example_plugin"
# Never copied into the package build: local state and other builds.
IGNORED = shutil.ignore_patterns(".git", ".venv", "venv", "build", "dist", "*.egg-info", "__pycache__", "*.pyc",
                                 ".pytest_cache", ".ruff_cache", "instance", "artifacts", "bench", "node_modules",
                                 "test-results")

CHECK_APP = textwrap.dedent("""
    import importlib, pathlib, sys
    import timebank
    from timebank import create_app

    checkout = pathlib.Path(sys.argv[1]).resolve()
    assert checkout not in pathlib.Path(timebank.__file__).resolve().parents, timebank.__file__
    for name in ("timebank_plugins", "timebank_migrations", "timebank_templates"):
        module = importlib.import_module(name)
        assert checkout not in pathlib.Path(next(iter(module.__path__))).resolve().parents, module.__path__

    app = create_app()
    client = app.test_client()
    login = client.get("/login")
    assert login.status_code == 200, login.status_code
    assert b'name="password"' in login.data
    import re
    stylesheet = re.search(rb'<link rel="stylesheet" href="(/assets/[^"]+)"', login.data).group(1).decode()
    css = client.get(stylesheet.replace("&amp;", "&"))
    assert css.status_code == 200 and b"body.elder" in css.data, css.status_code
    css.close()
    for plugin in ("qr_checkin", "repair_team", "honor_awards", "mutual_aid", "elder_meals"):
        css = client.get("/assets/any.css?with=" + plugin)  # every plugin's stylesheet is in the wheel
        assert css.status_code == 200 and plugin.encode() + b": " in css.data, plugin
        css.close()
    print("app ok")
""")


def _run(command, env, cwd, timeout=300):
    result = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{' '.join(map(str, command))} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def _entry_point_names(project):
    data = tomllib.loads((project / "pyproject.toml").read_text())
    return sorted(data.get("project", {}).get("entry-points", {}).get("timebank.plugins", {}))


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A fresh virtualenv with timebank (and the example plugin, when present) installed from copies."""
    root = tmp_path_factory.mktemp("install")
    source = root / "src" / "timebank"
    shutil.copytree(ROOT, source, ignore=IGNORED)
    packages = [str(source)]
    if (EXAMPLE_PLUGIN / "pyproject.toml").exists():
        shutil.copytree(EXAMPLE_PLUGIN, root / "src" / "example_plugin", ignore=IGNORED)
        packages.append(str(root / "src" / "example_plugin"))

    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    bin_dir = venv / "bin"
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("TIMEBANK_", "FLASK_", "PYTHON", "VIRTUAL_ENV"))}
    env.update(PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}", VIRTUAL_ENV=str(venv),
               TIMEBANK_INSTANCE_PATH=str(root / "instance"), PIP_DISABLE_PIP_VERSION_CHECK="1")
    # One resolver run for both (the plugin depends on "timebank", found in the same command).
    # No byte-compiling of every installed module: the files installed are the same, in less time.
    _run([bin_dir / "python", "-m", "pip", "install", "--quiet", "--no-compile", *packages], env, root, timeout=600)
    return {"bin": bin_dir, "env": env, "cwd": root}


def test_db_upgrade_builds_the_database(installed):
    output = _run([installed["bin"] / "timebank", "db", "upgrade"], installed["env"], installed["cwd"])
    assert "Database is at" in output
    assert (Path(installed["env"]["TIMEBANK_INSTANCE_PATH"]) / "timebank.sqlite3").exists()


def test_app_serves_templates_and_static_files_from_the_wheel(installed):
    _run([installed["bin"] / "timebank", "db", "upgrade"], installed["env"], installed["cwd"])
    output = _run([installed["bin"] / "python", "-c", CHECK_APP, str(ROOT)], installed["env"], installed["cwd"])
    assert "app ok" in output


def test_plugins_list_shows_bundled_and_installed_plugins(installed):
    _run([installed["bin"] / "timebank", "db", "upgrade"], installed["env"], installed["cwd"])
    output = _run([installed["bin"] / "timebank", "plugins", "list"], installed["env"], installed["cwd"])
    rows = {line.split("\t")[0]: line.split("\t") for line in output.splitlines() if "\t" in line}
    assert rows["core"][2] == "core"
    bundled = sorted(path.name for path in (ROOT / "plugins").iterdir() if (path / "plugin.py").exists())
    for name in bundled:
        assert rows[name][2] == "bundled", output
    if not (EXAMPLE_PLUGIN / "pyproject.toml").exists():
        pytest.skip("tests/example_plugin is not there: no third-party plugin to install")
    names = _entry_point_names(EXAMPLE_PLUGIN)
    assert names, "the example plugin declares a timebank.plugins entry point"
    for name in names:
        assert name in rows, output
        assert rows[name][2] == "installed", output
