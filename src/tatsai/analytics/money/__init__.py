"""Money trail and mule-account networks: load transfers, trace victims' money, score mules.

Tabular work (features, aggregations, joins) is portable SQL run through
:mod:`tatsai.analytics.engine`, so DuckDB and Spark give the same answers; graph algorithms
(PageRank, rings) run in-process with igraph.
"""
