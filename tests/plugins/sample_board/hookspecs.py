"""The plugin's own hook, added through ``timebank_addhooks``. Hooks a plugin defines carry its name."""

import pluggy

hookspec = pluggy.HookspecMarker("timebank")


@hookspec
def sample_board_note_badges(note):
    """Short labels to show next to a note on the board (e.g. "urgent").

    :param note: the ``SampleBoardNote``.
    :return: a list of strings.
    """
