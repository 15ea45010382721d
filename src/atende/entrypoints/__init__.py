"""Translate functions-framework requests and CloudEvents into service calls.

Every function imports from here, so this is where its logging is set up.
"""

from atende import logs

logs.configure()
