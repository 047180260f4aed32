"""Subcommands of `yuebao`, one module each; each module has ``register(subparsers)``.

To add a command: write ``yuebao/commands/<name>.py`` with ``register`` (which calls
``parser.set_defaults(handler=...)``) and add the module name to ``COMMANDS``.
"""

COMMANDS = ["run", "synth", "waive", "backfill", "bulletin", "grant_analyst", "portal", "user", "token"]
