# Copyright (c) twilio_ops.chat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures: an in-process emulator on a free loopback port and a client on a freshly reset emulator."""

import pytest

from support import Client, start_emulator


@pytest.fixture(scope='session')
def emulator(tmp_path_factory):
    server = start_emulator(tmp_path_factory.mktemp('emulator'))
    yield server
    server.stop()


@pytest.fixture
def client(emulator):
    """A client on a freshly reset emulator (state, stats and faults)."""
    api = Client(emulator.base_url)
    assert api.admin.reset() == {'status': 'reset'}
    return api


def pytest_collection_modifyitems(session, config, items):
    """Run the conformance module last so it sees the exchanges of every other test."""
    del session, config
    items.sort(key=lambda item: 'test_openapi_conformance' in item.nodeid)
