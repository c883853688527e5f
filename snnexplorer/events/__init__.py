"""Event data: address events of many recordings (:class:`EventSet`), an event-camera emulator, Tonic loaders."""

from .eventset import EventSet

__all__ = ["EventSet"]
