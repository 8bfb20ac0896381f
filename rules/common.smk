# Helpers shared by the stage files. Keep small.
RESULTS = "results"


def toy_outputs():
    """Files that make up the toy study."""
    return []
