"""The year-on-year comparison as inline SVG: one dumbbell chart per topic, drawn by the server.

Per item a row: a dot per audit at its mean on the checklist's scale, a line from the
first audit's dot to the last one's, with an arrowhead only when both ends rest on at
least MIN_ANSWERS answers. A mean over fewer answers is a grey dot labelled with its n;
an audit that did not ask the item has no dot and says so. Rows are sorted by change,
the largest rise first. Like the report's charts, the SVG carries a <title> and a
<desc> that say in words what it shows.
"""
from ..reports.compare import by_change, firm
from ..reports.report import local_text
from .charts import FONT, GRID, INK, MUTED, _attrs, _esc, _shorten, _tag

WIDTH = 760
LABEL_WIDTH = 300
PLOT_LEFT = LABEL_WIDTH + 14
PLOT_RIGHT = WIDTH - 110  # room for the change and "not asked" notes
ROW = 30
DOT = 6
FEW = "#bdbdbd"  # a mean over too few answers: shown, but not trusted with an arrow
# Okabe–Ito colours, told apart with the common colour-vision deficiencies; every dot also has its
# audit in its tooltip and the legend gives each colour's audit in words.
AUDIT_COLOURS = ("#E69F00", "#0072B2", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442", "#000000")

MESSAGES = {
    "en": {"title": "{topic}: change from {first} to {last}", "not_asked": "not asked: {audits}",
           "no_change": "no change known", "axis": "Mean score, from {low} (worst) to {high} (best)",
           "desc": "For each item, its mean score in each audit, sorted by change. {items}"},
    "cs": {"title": "{topic}: změna od {first} do {last}", "not_asked": "nezjišťováno: {audits}",
           "no_change": "změna neznámá", "axis": "Průměrné hodnocení od {low} (nejhorší) do {high} (nejlepší)",
           "desc": "Průměrné hodnocení každé položky v jednotlivých auditech, seřazeno podle změny. {items}"},
}


def audit_colour(index):
    """Return the colour of the audit at this position in a comparison."""
    return AUDIT_COLOURS[index % len(AUDIT_COLOURS)]


def _message(language, key, **values):
    return (MESSAGES.get(language) or MESSAGES["en"])[key].format(**values)


def _number(value, decimal_mark, signed=False):
    text = f"{value:+.2f}" if signed else f"{value:.2f}"
    return text.replace(".", decimal_mark).replace("-", "−")


def format_change(value, decimal_mark="."):
    """Format a change with its sign, e.g. +0.25 or −1.50; '–' when unknown."""
    return "–" if value is None else _number(value, decimal_mark, signed=True)


def _x(value, scale):
    low, high = scale
    return PLOT_LEFT + (value - low) / ((high - low) or 1) * (PLOT_RIGHT - PLOT_LEFT)


def _legend(audits, names, top):
    parts, column = [], WIDTH // 2
    for index, audit in enumerate(audits):
        x, y = (index % 2) * column, top + (index // 2) * 20
        parts.append(_tag("circle", cx=x + 6, cy=y + 6, r=DOT, fill=audit_colour(index)))
        label = f"{_shorten(names.get(audit['slug'], audit['slug']), 48)} (n={audit['responses']})"
        parts.append(_tag("text", _esc(label), class_="legend", x=x + 18, y=y + 10, fill=INK))
    return parts, ((len(audits) + 1) // 2) * 20


def _row(item, y, audits, names, scale, language, decimal_mark, chart_id):
    """Draw one item: its label, a dot per audit, the line from first to last, and the change."""
    parts = []
    text = local_text(item["text"], language)
    parts.append(_tag("text", _tag("title", _esc(f"{item['id']} {text}")) + _esc(f"{item['id']} {_shorten(text, 40)}"),
                      class_="label", x=0, y=y + ROW / 2 + 4, fill=INK))
    middle = y + ROW / 2
    cells = item["by_audit"]
    first, last = cells[0], cells[-1]
    if item["change"] is not None:
        sure = firm(first, last)
        line = dict(class_="change-line" if sure else "change-line uncertain", x1=round(_x(first["mean"], scale), 1),
                    x2=round(_x(last["mean"], scale), 1), y1=middle, y2=middle, stroke=MUTED if sure else FEW,
                    stroke_width=2 if sure else 1.5)
        if sure and item["change"] != 0:
            line["marker_end"] = f"url(#{chart_id}-arrow)"
        if not sure:
            line["stroke_dasharray"] = "4 3"
        parts.append(_tag("line", **line))
    for index, cell in enumerate(cells):
        if cell is None or cell["mean"] is None:
            continue
        enough = cell["answered"] >= 5
        name = names.get(cell["audit"], cell["audit"])
        tooltip = f"{name}: {_number(cell['mean'], decimal_mark)} (n={cell['answered']})"
        x = round(_x(cell["mean"], scale), 1)
        parts.append(_tag("circle", _tag("title", _esc(tooltip)), class_="dot" if enough else "dot few",
                          cx=x, cy=middle, r=DOT, fill=audit_colour(index) if enough else FEW,
                          stroke=audit_colour(index), stroke_width=1.5, data_audit=cell["audit"],
                          data_item=item["id"]))
        if not enough:
            parts.append(_tag("text", f"n={cell['answered']}", class_="n", x=x, y=middle - DOT - 3,
                              text_anchor="middle", fill=MUTED, font_size=10))
    note = format_change(item["change"], decimal_mark)
    missing = [names.get(audit["slug"], audit["slug"]) for audit, cell in zip(audits, cells) if cell is None]
    parts.append(_tag("text", _esc(note), class_="change", x=PLOT_RIGHT + 14, y=middle + 4,
                      fill=INK if item["change"] is not None and firm(first, last) else MUTED, font_weight="bold"))
    if missing:
        parts.append(_tag("text", _esc(_shorten(_message(language, "not_asked", audits=", ".join(missing)), 22)),
                          class_="not-asked", x=PLOT_RIGHT + 14, y=middle + 15, fill=MUTED, font_size=9,
                          font_style="italic"))
    return parts


def comparison_svg(topic, audits, names, scale=(1, 5), language="en", *, decimal_mark=".", chart_id=None):
    """Draw one topic of a comparison (the API's shape) as a dumbbell chart, items sorted by change.

    `audits` are the comparison's audits ({"slug", "responses"}), `names` maps a slug to its title.
    """
    chart_id = chart_id or f"compare-{topic['id']}"
    items = by_change(topic["items"])
    legend, legend_height = _legend(audits, names, top=4)
    top = legend_height + 14
    low, high = scale
    bottom = top + len(items) * ROW
    body = [f'<defs><marker id="{chart_id}-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
            f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{MUTED}"/></marker></defs>', *legend]
    for value in range(low, high + 1):
        x = round(_x(value, scale), 1)
        body.append(_tag("line", x1=x, x2=x, y1=top, y2=bottom, stroke=GRID, stroke_width=1))
        body.append(_tag("text", str(value), x=x, y=bottom + 16, text_anchor="middle", fill=MUTED))
    summary = []
    for index, item in enumerate(items):
        body += _row(item, top + index * ROW, audits, names, scale, language, decimal_mark, chart_id)
        means = ", ".join(f"{names.get(cell['audit'], cell['audit'])} {_number(cell['mean'], decimal_mark)} "
                          f"(n={cell['answered']})" for cell in item["by_audit"]
                          if cell is not None and cell["mean"] is not None)
        summary.append(f"{item['id']}: {means or '–'}; {format_change(item['change'], decimal_mark)}.")
    height = bottom + 40
    body.append(_tag("text", _esc(_message(language, "axis", low=low, high=high)),
                     x=round((PLOT_LEFT + PLOT_RIGHT) / 2, 1), y=height - 4, text_anchor="middle", fill=MUTED,
                     font_size=11))
    first, last = (names.get(audits[i]["slug"], audits[i]["slug"]) for i in (0, -1))
    title = _message(language, "title", topic=local_text(topic["title"], language), first=first, last=last)
    desc = _message(language, "desc", items=" ".join(summary))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" {_attrs(class_="chart chart-compare", viewBox=f"0 0 {WIDTH} {height}")}'
            f' width="{WIDTH}" height="{height}" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc"'
            f' font-family="{FONT}" font-size="12">'
            f'<title id="{chart_id}-title">{_esc(title)}</title><desc id="{chart_id}-desc">{_esc(desc)}</desc>'
            + "".join(body) + "</svg>")
