"""incident-loop: turn operational incidents written as markdown into product work.

The core (``load``, ``model``, ``validate``, ``analyse``, ``render``) imports nothing from MkDocs;
``plugin``, ``macros`` and ``cli`` are thin adapters over it.
"""

__version__ = "0.1.0"
