"""Neighbourhood mutual-aid exchange (邻里互助): offers and requests between neighbours, agreements, and the
time-bank credits that move from the person helped to the helper (or from the community's donation pool)."""
