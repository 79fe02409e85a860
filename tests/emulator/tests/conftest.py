# -*- coding: utf-8 -*-
# Copyright: Contributors to the twilio_ops.chat collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures: an in-process emulator on a free loopback port and a client on a freshly reset emulator."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from emulator_client import Client, start_emulator


@pytest.fixture(scope='session')
def emulator(tmp_path_factory):
    server = start_emulator(tmp_path_factory.mktemp('emulator'))
    yield server
    server.stop()


@pytest.fixture
def client(emulator):
    """A client on a freshly reset emulator (state, stats and faults)."""
    api = Client(emulator.base_url)
    status, _body = api.admin('POST', 'reset')
    assert status == 200
    return api


def pytest_collection_modifyitems(session, config, items):
    """Run the conformance module last so it sees the exchanges of every other test."""
    del session, config
    items.sort(key=lambda item: 'test_openapi_conformance' in item.nodeid)
