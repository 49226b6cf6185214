"""`python -m jianbao` runs the CLI."""

from jianbao.cli import app

app(prog_name="jianbao")
