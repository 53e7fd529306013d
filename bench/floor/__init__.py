"""The stack's floor: a bare Django project (no middleware, no apps of ours) behind the same server.

Its views run the SQL a scenario needs by hand, in one transaction, on tables the bench creates
(`schema.py`). What our layers cost is the distance between a scenario and this floor.
"""
