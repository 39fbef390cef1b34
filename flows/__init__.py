"""Prefect flows over the DVC pipeline.

Two Prefect defaults are turned off (a user's own environment still wins): server analytics, since many machines
reach no telemetry endpoint and each failed report is an error line; and the automations' trigger service, which
these flows never use and which, in the temporary SQLite server of a run without PREFECT_API_URL, competes for the
database ("database is locked" tracebacks, PrefectHQ/prefect#15170, #18934)."""

import os

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_SERVICES_TRIGGERS_ENABLED", "false")
