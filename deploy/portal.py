"""The portal service of the topology: `yuebao portal --home … --inbox …` from the environment.

A container's ``command:`` cannot read the container's own variables, so the service runs
``python -m deploy.portal``, which starts the contract's command line (section 6) with the
deployment's ``YUEBAO_HOME``, ``YUEBAO_INBOX``, ``YUEBAO_PORTAL_HOST`` and ``YUEBAO_PORTAL_PORT``;
the portal reads the rest (``YUEBAO_PORTAL_DATABASE_URL`` …) from the environment itself.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path


def portal_argv(env: Mapping[str, str]) -> list[str]:
    yuebao = str(Path(sys.executable).with_name("yuebao"))
    return [yuebao, "portal", "--home", env["YUEBAO_HOME"], "--inbox", env["YUEBAO_INBOX"],
            "--host", env.get("YUEBAO_PORTAL_HOST", "127.0.0.1"), "--port", env.get("YUEBAO_PORTAL_PORT", "8765")]


def main() -> None:
    argv = portal_argv(os.environ)
    os.execv(argv[0], argv)


if __name__ == "__main__":
    main()
