"""Oversight dashboards: the PCN or federation panel's and the ICB quality committee's, with XmR charts."""
