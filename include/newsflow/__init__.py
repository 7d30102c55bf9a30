"""newsflow: feeds -> articles -> events -> a Postgres warehouse with daily aggregates."""

from newsflow.compiled import use_compiled

__version__ = "0.1.0"

# Compiled copies of the event-coding modules, when built and up to date (see newsflow.compiled).
COMPILED = use_compiled(__path__)
