"""Benchmark ``bench.peers``: Regiekamer naast een ruwe asyncpg-vloer en PostGraphile 5, op één database.

See ``__main__.py`` for the run; ``vloer.py`` is the floor, ``postgraphile.py`` installs and starts
PostGraphile, ``belasting.py`` is the load generator.
"""

GEMEENTE = "0268"
QUERY = "{ casussen(first: 50) { edges { node { id gemeente { naam } inwoner { naam } } } } }"
