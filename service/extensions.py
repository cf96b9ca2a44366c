"""The app's extensions, each made once here and attached to an app in create_app.

The task queue is made here too, with no storage of its own yet: tasks register on it when
they are defined, and configure_queue points it at the configured backend when an app (web
or worker) is built. Importing this module reads no environment.
"""

from __future__ import annotations

from flask_babel import Babel
from flask_login import LoginManager
from flask_wtf import CSRFProtect
from huey import Huey
from huey.storage import MemoryStorage

from service import queue
from service.config import Config

babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()
# Only the console signs people in; its auth module says who is signed in.
login_manager.login_view = "console.sign_in"
login_manager.session_protection = "strong"
# In memory until configure_queue: enqueueing before an app is built reaches no backend.
huey = Huey("frontline", storage_class=MemoryStorage)


def configure_queue(config: Config) -> None:
    """Point the queue at the configured backend (SQLite, Redis or PostgreSQL), or run inline."""
    huey.storage_class, huey.storage_kwargs = queue.storage_for(config)
    # The setter only swaps storage when the mode changes: set the mode, then make the storage.
    huey.immediate = config.QUEUE_IMMEDIATE
    huey.storage = huey.create_storage()
