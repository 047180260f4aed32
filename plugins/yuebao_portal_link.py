"""A link to the submission portal in the Airflow UI's navigation (an ``external_views`` entry).

The portal is its own service (deploy/topology.py), not an app mounted in the API server: apps
mounted through a plugin get no Airflow authentication. ``YUEBAO_PORTAL_URL`` is the address a
browser reaches it at.
"""

from __future__ import annotations

import os

from airflow.plugins_manager import AirflowPlugin

PORTAL_URL = os.environ.get("YUEBAO_PORTAL_URL", "http://127.0.0.1:8765/")


class YuebaoPortalLink(AirflowPlugin):
    name = "yuebao_portal"
    external_views = [{
        "name": "报送门户 Submission portal",
        "href": PORTAL_URL,
        "destination": "nav",
        "category": "browse",
    }]
