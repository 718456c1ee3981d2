"""What a browser would send: the fields of a page's form with the values it shows."""

import lxml.html


def page_form(html: str, *, having: str) -> lxml.html.FormElement:
    """The page's one form with a field named `having`."""
    (form,) = [f for f in lxml.html.fromstring(html).forms if having in f.inputs.keys()]
    return form


def browser_post_data(html: str, *, having: str, **typed) -> dict:
    """Every field of the form with the value it shows (a select sends its selected option, or
    its first one; unchecked boxes send nothing), with `typed` typed over it."""
    data = dict(page_form(html, having=having).form_values())
    data.update(typed)
    return data


def error_summary(html: str):
    """The error summary at the top of the page (lxml element), or None."""
    found = lxml.html.fromstring(html).xpath('//*[@id="error-summary"]')
    return found[0] if found else None
