"""Headers that keep patient safety content out of caches, and a CSP that lets the NHS.UK fonts in."""

from tests.support.factories import ResponseFactory


def test_the_csp_allows_the_nhs_fonts_and_nothing_else_from_outside(client):
    directives = dict(
        d.strip().split(" ", 1)
        for d in client.get("/sign-in").headers["Content-Security-Policy"].split(";")
    )
    assert directives["font-src"] == "'self' https://assets.nhs.uk"
    assert all("https:" not in value for name, value in directives.items() if name != "font-src")


def test_pdf_and_csv_downloads_are_never_cached(app, world, sign_in):
    response = ResponseFactory(organisation=world.practice)
    pdf = sign_in(world.lead).get(f"/responses/{response.id}/report.pdf")
    csv = sign_in(world.icb_quality).get("/dashboards/icb.csv?table=themes")
    for download, mimetype in ((pdf, "application/pdf"), (csv, "text/csv")):
        assert download.status_code == 200 and download.mimetype == mimetype
        assert "no-store" in download.headers["Cache-Control"]


def test_the_stylesheet_and_icons_may_be_cached(client):
    assert (
        "no-store" not in client.get("/assets/images/nhsuk-icon-cross.svg").headers["Cache-Control"]
    )
    assert (
        "no-store"
        not in client.get("/static/vendor/nhsuk/nhsuk-frontend-10.6.1.min.css").headers[
            "Cache-Control"
        ]
    )
