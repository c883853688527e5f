"""`panel serve apps/explorer.py` entry point."""

from snnexplorer.resources import return_large_blocks_at_once
from snnexplorer.ui.app import create_app

return_large_blocks_at_once()  # as `snnexplorer serve` does (idempotent: this file runs once per session)
create_app().servable()
