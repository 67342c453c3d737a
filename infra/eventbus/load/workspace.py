"""Where things are on this machine: the repository root, the state folder, local secrets.

The state folder (``$EVENTBUS_STATE``, default ``<root>/.state``) holds what the local stack
generates and never commits: the broker's data and admin password, the Pulumi state and
passphrase, the SCRAM seed, the local catalog.
"""
from __future__ import annotations

import os


def find_root(start: str | None = None) -> str:
    """``$EVENTBUS_ROOT``, else the nearest folder (from ``start`` or the working directory) with
    a Pulumi.yaml or an events/ folder, else ``start`` itself."""
    env = os.environ.get("EVENTBUS_ROOT")
    if env:
        return os.path.abspath(env)
    here = os.path.abspath(start or os.getcwd())
    cur = here
    while True:
        if os.path.isfile(os.path.join(cur, "Pulumi.yaml")) or os.path.isdir(os.path.join(cur, "events")):
            return cur
        parent = os.path.dirname(cur)
        if parent == cur:
            return here
        cur = parent


def state_dir(root: str) -> str:
    return os.path.abspath(os.environ.get("EVENTBUS_STATE") or os.path.join(root, ".state"))


def _secret(env_var: str, root: str, *path: str) -> str | None:
    if os.environ.get(env_var):
        return os.environ[env_var]
    file = os.path.join(state_dir(root), *path)
    if os.path.isfile(file):
        with open(file, encoding="utf-8") as fh:
            return fh.read().strip()
    return None


def admin_password(root: str) -> str | None:
    """The local broker's admin password (``$KAFKA_ADMIN_PASSWORD`` or the state folder)."""
    return _secret("KAFKA_ADMIN_PASSWORD", root, "kafka", "admin.password")


def scram_seed(root: str) -> str | None:
    """The secret the local stack derives each application's SCRAM password from."""
    return _secret("EVENTBUS_SCRAM_SEED", root, "local", "scram.seed")
