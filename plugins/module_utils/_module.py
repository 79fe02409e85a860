# -*- coding: utf-8 -*-
# Copyright (c) twilio_ops.chat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The base of every twilio_ops.chat module: options, checks, client and the shape of a failure.

This is a private module_utils of twilio_ops.chat, not a public API.

A module gives its own ArgumentSpec; TwilioModule merges the connection options
into it, fails before any request on anything the checks of the merged spec
refuse, hands out the task's client, and reports every TwilioError as one
message with Twilio's structured fields next to it:

    module = TwilioModule(ArgumentSpec(...))
    with module.client() as client:
        result = engine_call(client, module.params)
    module.exit_json(**result)
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.twilio_ops.chat.plugins.module_utils._argspec import connection_argument_spec
from ansible_collections.twilio_ops.chat.plugins.module_utils._client import (
    HAS_REQUESTS,
    TwilioClient,
    TwilioError,
    check_api_base_url,
)


class TwilioModule(AnsibleModule):
    """An AnsibleModule with the connection options, their checks and the task's Twilio client."""

    def __init__(self, spec=None, supports_check_mode=True):
        self.spec = connection_argument_spec()
        if spec is not None:
            self.spec.merge(spec)
        super(TwilioModule, self).__init__(supports_check_mode=supports_check_mode, **self.spec.module_kwargs())
        self._check_params()
        if not HAS_REQUESTS:
            self.fail_json(msg=missing_required_lib('requests'))

    def _check_params(self):
        """Fail on the first option the merged spec's checks refuse, before any request."""
        for problem in self.spec.problems(self.params):
            self.fail_json(msg=problem)
        if self.params['api_base_url']:
            try:
                check_api_base_url(self.params['api_base_url'])
            except TwilioError as exc:
                self.fail_json(msg=str(exc))

    @contextlib.contextmanager
    def twilio_errors(self, partial_result=None, **extra_result):
        """Turn a TwilioError raised in the block into fail_json with Twilio's structured fields.

        extra_result is added to the failure as it is; partial_result, a function
        returning a dict, is called at the failure, for results that grow while
        the block runs (what a bulk task did before a read failed).
        """
        try:
            yield
        except TwilioError as exc:
            result = dict(partial_result() if partial_result else {})
            result.update(extra_result)
            result.update(exc.as_result())
            self.fail_json(msg=str(exc), **result)

    @contextlib.contextmanager
    def client(self, pool_size=10):
        """The task's client, closed when the block ends; a TwilioError in the block fails the task as twilio_errors() does.

        pool_size is the number of pooled connections: one per thread that sends requests at once.
        """
        params = self.params
        with self.twilio_errors():
            client = TwilioClient(
                account_sid=params['account_sid'],
                auth_token=params['auth_token'],
                api_key=params['api_key'],
                api_secret=params['api_secret'],
                region=params['region'],
                edge=params['edge'],
                api_base_url=params['api_base_url'],
                timeout=params['timeout'],
                validate_certs=params['validate_certs'],
                max_retries=params['max_retries'],
                pool_size=pool_size,
            )
            try:
                yield client
            finally:
                client.close()
