"""Scenarios whose capability has not landed: listed so the table shows them honestly."""

from bench.registry import pending

pending("intake", "orders created and confirmed through the HTTP API by N concurrent clients", "needs sales")
pending("big-order", "confirm and invoice a 1,000-line order", "needs sales and fiscal")
