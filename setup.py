"""Package layout that pyproject.toml cannot express on its own.

The repository keeps bundled plugins, core templates and core migrations at the top level (``plugins/``,
``templates/``, ``migrations/``) so that they are easy to find; in an installed wheel they become the packages
``timebank_plugins``, ``timebank_templates`` and ``timebank_migrations``. The plugin loader imports bundled
plugins only under ``timebank_plugins.<name>``, never as a top-level ``plugins`` package.
"""

from setuptools import find_packages, setup

MAPPED = {"timebank_plugins": "plugins", "timebank_templates": "templates", "timebank_migrations": "migrations"}

packages = find_packages(include=["timebank", "timebank.*"])
package_dir = {"timebank": "timebank"}
for package, folder in MAPPED.items():
    packages.append(package)
    package_dir[package] = folder
    packages += [f"{package}.{sub}" for sub in find_packages(folder, exclude=["*.tests", "*.tests.*", "tests"])]

DATA = ["*.html", "*.txt", "*.md", "*.mako", "*.ini", "*.po", "*.mo", "*.css", "*.js", "*.svg", "*.png", "*.json",
        "*.webmanifest", "LICENSE*"]
setup(
    packages=packages,
    package_dir=package_dir,
    package_data={"": [*DATA, *(f"**/{pattern}" for pattern in DATA)]},
)
