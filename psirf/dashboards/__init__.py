"""Dashboards: the PCN or federation panel's and the ICB quality committee's, with XmR charts, and
the ICB's lists of overdue responses and overdue duty of candour steps."""
