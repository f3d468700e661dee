"""The ``--help`` format of the tools: argparse's, with the default of each option."""
import argparse


class DefaultsHelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """``ArgumentDefaultsHelpFormatter`` that writes ``(default: ...)`` only where there is a
    default to tell: not for required options, flags, or options whose default is None (their
    help says what happens when they are not given)."""

    def _get_help_string(self, action):
        if action.required or action.default is None or isinstance(action.default, bool):
            return action.help
        return super()._get_help_string(action)
