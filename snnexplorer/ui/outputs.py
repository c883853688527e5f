"""The base of the dashboard's param models: outputs are read-only parameters, set by the model in one batch."""

from __future__ import annotations

import param


class Outputs(param.Parameterized):
    """A param model whose ``constant`` parameters are its outputs: the view reads them, :meth:`_set` writes them."""

    __abstract = True

    def _set(self, **values) -> None:
        """Set read-only outputs in one batch (one event per watcher)."""
        with param.edit_constant(self):
            self.param.update(**values)
