"""What the tests share, apart from fixtures (those are in conftest.py files).

app             the suite's databases and apps (one per set of settings), clients, pause
factories       factory-boy factories for every model; TEST_PASSWORD; one_commit
world           the small organisation tree with one person per role (the `world` fixture)
routes          the route table: every route, who may use it, who is refused with what
queries         counting the SQL statements a piece of work sends
reading         the agreed reading level and how it is measured
pages           reading and filling pages' forms: versions, prefixed fields, dates
page_forms      the forms a page really shows, read from its HTML
markup          markup in every free-text field; rendered: reading what came back as a browser would
events, engagement, improvement, library, plans, plan_factories, responses, notifications
                builders and data for one feature's tests
smtp            a fake SMTP server; browser: steps a Playwright test takes on a page
"""
