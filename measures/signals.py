"""Signals other apps listen to (e.g. charts rebuild when a site's figures change)."""

from __future__ import annotations

import django.dispatch

# Sent after the transaction that changed the figures commits, with keyword arguments
# site_id (int), measure_ids (list[int]) and upload_id (int): one signal per site touched.
data_changed = django.dispatch.Signal()
