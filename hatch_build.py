"""Wheel build hook: the widget bundle (assets/dist) is a build artefact, made by npm."""
import shutil
import subprocess
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

BUNDLE = Path("assets/dist/iconsearch.js")


class CustomBuildHook(BuildHookInterface):
    def initialize(self, version, build_data):
        root = Path(self.root)
        if (root / BUNDLE).exists():
            return
        npm = shutil.which("npm")
        if not npm:
            raise RuntimeError(
                f"{BUNDLE} is missing and npm was not found: install Node.js and npm, "
                "then run `npm ci && npm run build` in the source tree"
            )
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=root, check=True)
        subprocess.run([npm, "run", "build"], cwd=root, check=True)
