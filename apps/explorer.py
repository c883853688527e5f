"""`panel serve apps/explorer.py` entry point."""

from snnexplorer.ui.app import create_app

create_app().servable()
