"""Request middleware of the accounts app."""

from .suspension import SuspendedAccountMiddleware

__all__ = ["SuspendedAccountMiddleware"]
