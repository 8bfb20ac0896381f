"""The stage summary and log set-up, now in :mod:`vrgan.artefacts`; re-exported here for older imports.

New code imports :mod:`vrgan.artefacts`: importing this module loads the whole ``vrgan.cohort``
package first (pydicom included), which the data and torch environments do not have.
"""

from vrgan.artefacts import PACKAGES, log_to, read_summary, versions, write_summary

__all__ = ["PACKAGES", "log_to", "read_summary", "versions", "write_summary"]
