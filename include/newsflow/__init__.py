"""newsflow: feeds -> articles -> events -> a Postgres warehouse with daily aggregates."""

__version__ = "0.1.0"
