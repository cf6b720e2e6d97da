"""The report's charts as inline SVG strings: drawn by the server, no script, no fonts or files to fetch.

Pure functions over the topic dicts of `queries.report_data()`. Every chart is a
self-contained `<svg role="img">` with a <title> and a <desc> that says in words what the
bars show, so it reads the same to a screen reader, prints, and works offline. Bars run
from the lowest score to the mean on an axis fixed to the checklist's whole scale (1–5, 1–4, 0–10 …),
so charts of different topics or filters compare by eye. The SVG has a fixed pixel size; CSS such as `max-width: 100%; height: auto` lets
it shrink on a phone.
"""
import re
from html import escape

from ..reports.report import local_text, overall_mean

GROUP_LABELS = {
    "tcn": {"en": "Third-country nationals", "cs": "Státní příslušníci třetích zemí"},
    "eu": {"en": "EU citizens", "cs": "Občané EU"},
    "czech": {"en": "Czech citizens", "cs": "Občané ČR"},
    "ngo": {"en": "NGO workers", "cs": "Pracovníci neziskových organizací"},
    "city": {"en": "City staff", "cs": "Zaměstnanci města"},
    "other": {"en": "Other participants", "cs": "Ostatní účastníci"},
}

# Okabe–Ito colours: told apart with the common colour-vision deficiencies; every bar
# also carries its group's name in words, so colour is never the only cue.
GROUP_COLOURS = {"tcn": "#0072B2", "eu": "#E69F00", "czech": "#009E73", "ngo": "#D55E00",
                 "city": "#CC79A7", "other": "#56B4E9"}
BAR_COLOUR = "#0072B2"
INK, MUTED, GRID = "#1a1a1a", "#595959", "#d0d0d0"

MESSAGES = {
    "en": {"axis": "Mean score, from {low} (worst) to {high} (best)", "no_answers": "no answers",
           "topic_desc": "Mean score of each item, from {low} (worst) to {high} (best): {items}.",
           "groups_title": "Mean score by participant group",
           "groups_desc": "Mean score per topic for each participant group, from {low} (worst) to {high} (best). "
                          "{topics}",
           "item_title": "Item {item}: mean score by participant group",
           "all_topics": "All topics", "answered": "{n} answered", "non_response": "non-response {pct}"},
    "cs": {"axis": "Průměrné hodnocení od {low} (nejhorší) do {high} (nejlepší)", "no_answers": "bez odpovědí",
           "topic_desc": "Průměrné hodnocení každé položky od {low} (nejhorší) do {high} (nejlepší): {items}.",
           "groups_title": "Průměrné hodnocení podle skupin účastníků",
           "groups_desc": "Průměrné hodnocení témat podle skupin účastníků, od {low} (nejhorší) do {high} "
                          "(nejlepší). {topics}",
           "item_title": "Položka {item}: průměrné hodnocení podle skupin účastníků",
           "all_topics": "Všechna témata", "answered": "odpovědělo {n}", "non_response": "bez odpovědi {pct}"},
}

WIDTH = 760
LABEL_WIDTH = 330           # left column: item or group names
PLOT_LEFT = LABEL_WIDTH + 12
PLOT_RIGHT = WIDTH - 52     # room for the score printed after the longest bar
DEFAULT_SCALE = (1, 5)      # (min, max) of a checklist that names no scale
ROW, BAR = 26, 16           # item rows
GROUP_ROW, GROUP_BAR = 20, 14
AXIS_HEIGHT = 40
FONT = "DejaVu Sans, Verdana, Arial, sans-serif"
# Control characters other than tab and newlines are not allowed in XML 1.0.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _esc(value):
    return escape(_NOT_XML.sub("", str(value)), quote=True)


def _attrs(**attributes):
    return " ".join(f'{name.rstrip("_").replace("_", "-")}="{_esc(value)}"'
                    for name, value in attributes.items() if value is not None)


def _tag(name, content=None, **attributes):
    opening = f"<{name} {_attrs(**attributes)}" if attributes else f"<{name}"
    return f"{opening}/>" if content is None else f"{opening}>{content}</{name}>"


def _message(language, key, **values):
    return (MESSAGES.get(language) or MESSAGES["en"])[key].format(**values)


def group_label(group, language="en"):
    """Return a participant group's name in the language (English when not translated)."""
    return local_text(GROUP_LABELS.get(group, {"en": group}), language)


def _shorten(text, limit):
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _score(value, decimal_mark):
    return f"{value:.2f}".replace(".", decimal_mark)


def _x(value, scale):
    low, high = scale
    return PLOT_LEFT + (value - low) / (high - low) * (PLOT_RIGHT - PLOT_LEFT)


def _slug(value):
    return re.sub(r"[^A-Za-z0-9_-]+", "-", str(value)).strip("-") or "chart"


def _grid(top, bottom, ticks, scale):
    """Vertical gridlines at each score of the scale between top and bottom, with tick labels when asked."""
    parts = []
    low, high = scale
    for value in range(low, high + 1):
        x = round(_x(value, scale), 1)
        parts.append(_tag("line", x1=x, x2=x, y1=top, y2=bottom, stroke=GRID if value > low else MUTED,
                          stroke_width=1))
        if ticks:
            parts.append(_tag("text", str(value), x=x, y=bottom + 16, text_anchor="middle", fill=MUTED))
    return parts


def _axis_caption(y, language, scale):
    return _tag("text", _esc(_message(language, "axis", low=scale[0], high=scale[1])), x=round((PLOT_LEFT + PLOT_RIGHT) / 2, 1), y=y,
                text_anchor="middle", fill=MUTED, font_size=11)


def _bar(y, height, mean, colour, decimal_mark, tooltip, scale, **data):
    """A bar from the scale's lowest score to the mean with the score printed after it."""
    parts = []
    if mean is None:
        return parts
    start = _x(scale[0], scale)
    width = max(_x(mean, scale) - start, 2)  # a mean at the lowest score still shows a sliver
    parts.append(_tag("rect", _tag("title", _esc(tooltip)), class_="bar", x=round(start, 1), y=y,
                      width=round(width, 1), height=height, fill=colour, **data))
    parts.append(_tag("text", _esc(_score(mean, decimal_mark)), class_="score", x=round(start + width + 5, 1),
                      y=y + height / 2 + 4, fill=INK))
    return parts


def _no_answers(y, height, language, scale):
    return _tag("text", _esc(_message(language, "no_answers")), class_="no-answers",
                x=round(_x(scale[0], scale) + 6, 1), y=y + height / 2 + 4, fill=MUTED, font_style="italic")


def _svg(width, height, chart_id, title, desc, body, kind):
    return (f'<svg xmlns="http://www.w3.org/2000/svg" {_attrs(class_=f"chart {kind}", viewBox=f"0 0 {width} {height}")}'
            f' width="{width}" height="{height}" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc"'
            f' font-family="{FONT}" font-size="12">'
            f'<title id="{chart_id}-title">{_esc(title)}</title><desc id="{chart_id}-desc">{_esc(desc)}</desc>'
            + "".join(body) + "</svg>")


def topic_bars_svg(topic, language="en", *, decimal_mark=".", chart_id=None, scale=DEFAULT_SCALE):
    """Draw one horizontal bar per item of a report topic: its mean on the checklist's (min, max) scale.

    Items nobody scored get "no answers" and no bar; each scored item is one
    `<rect class="bar">` whose tooltip gives the full text, the answered n and the non-response share.
    """
    chart_id = chart_id or f"chart-{_slug(topic['id'])}"
    items = topic["items"]
    top = 8
    body = _grid(top, top + len(items) * ROW, ticks=True, scale=scale)
    summary = []
    for index, item in enumerate(items):
        y = top + index * ROW
        text = local_text(item["text"], language)
        label = f"{item['id']} {_shorten(text, 44)}"
        body.append(_tag("text", _tag("title", _esc(f"{item['id']} {text}")) + _esc(label), class_="label",
                         x=0, y=y + ROW / 2 + 4, fill=INK))
        mean = item.get("mean")
        if mean is None:
            body.append(_no_answers(y + (ROW - BAR) / 2, BAR, language, scale))
            summary.append(f"{item['id']} {_message(language, 'no_answers')}")
            continue
        pct = item.get("non_response_pct")
        tooltip = f"{item['id']} {text}: {_score(mean, decimal_mark)}; " + _message(
            language, "answered", n=item.get("answered", "")) + (
            "; " + _message(language, "non_response", pct=_score(pct, decimal_mark) + " %") if pct is not None else "")
        body += _bar(y + (ROW - BAR) / 2, BAR, mean, BAR_COLOUR, decimal_mark, tooltip, scale, data_item=item["id"])
        summary.append(f"{item['id']} {_score(mean, decimal_mark)}")
    height = top + len(items) * ROW + AXIS_HEIGHT
    body.append(_axis_caption(height - 4, language, scale))
    desc = _message(language, "topic_desc", items="; ".join(summary), low=scale[0], high=scale[1])
    return _svg(WIDTH, height, chart_id, local_text(topic["title"], language), desc, body, "chart-topic")


def _present_groups(reports_by_group):
    """The groups with at least one checklist, in the order of GROUP_LABELS, then any others."""
    order = list(GROUP_LABELS) + sorted(set(reports_by_group) - set(GROUP_LABELS))
    return [group for group in order if group in reports_by_group and reports_by_group[group]["responses"]]


def _legend(groups, reports_by_group, language, top):
    """Colour swatches with each group's name and number of checklists, two to a row."""
    parts, column_width = [], WIDTH // 2
    for index, group in enumerate(groups):
        x, y = (index % 2) * column_width, top + (index // 2) * 20
        parts.append(_tag("rect", x=x, y=y, width=12, height=12, fill=GROUP_COLOURS.get(group, MUTED)))
        name = f"{_shorten(group_label(group, language), 44)} (n={reports_by_group[group]['responses']})"
        parts.append(_tag("text", _esc(name), class_="legend", x=x + 18, y=y + 10, fill=INK))
    rows = (len(groups) + 1) // 2
    return parts, rows * 20


def _group_clusters(clusters, groups, reports_by_group, language, decimal_mark, top, data_key, scale):
    """Per cluster: a heading, then one bar per group; returns (parts, height)."""
    parts, y = [], top
    for heading, cluster_id, means in clusters:
        parts.append(_tag("text", _esc(_shorten(heading, 95)), class_="heading", x=0, y=y + 16, fill=INK,
                          font_weight="bold", font_size=13))
        y += 24
        parts += _grid(y, y + len(groups) * GROUP_ROW, ticks=False, scale=scale)
        for group in groups:
            mean = means.get(group)
            label = group_label(group, language)
            parts.append(_tag("text", _esc(_shorten(label, 44)), class_="label", x=16, y=y + GROUP_ROW / 2 + 4,
                              fill=INK))
            bar_y = y + (GROUP_ROW - GROUP_BAR) / 2
            if mean is None:
                parts.append(_no_answers(bar_y, GROUP_BAR, language, scale))
            else:
                tooltip = f"{heading} – {label} (n={reports_by_group[group]['responses']}): " \
                          f"{_score(mean, decimal_mark)}"
                parts += _bar(bar_y, GROUP_BAR, mean, GROUP_COLOURS.get(group, MUTED), decimal_mark, tooltip, scale,
                              data_group=group, **{data_key: cluster_id})
            y += GROUP_ROW
        y += 8
    return parts, y - top


def _grouped_chart(clusters, reports_by_group, language, decimal_mark, chart_id, title, desc, kind, data_key,
                   scale):
    groups = _present_groups(reports_by_group)
    legend, legend_height = _legend(groups, reports_by_group, language, top=4)
    bars, bars_height = _group_clusters(clusters, groups, reports_by_group, language, decimal_mark,
                                        top=legend_height + 12, data_key=data_key, scale=scale)
    bottom = legend_height + 12 + bars_height
    ticks = [_tag("text", str(value), x=round(_x(value, scale), 1), y=bottom + 6, text_anchor="middle", fill=MUTED)
             for value in range(scale[0], scale[1] + 1)]
    height = bottom + AXIS_HEIGHT - 10
    body = legend + bars + ticks + [_axis_caption(height - 4, language, scale)]
    return _svg(WIDTH, height, chart_id, title, desc, body, kind)


def group_comparison_svg(reports_by_group, language="en", *, decimal_mark=".", chart_id="chart-groups",
                         scale=DEFAULT_SCALE):
    """Compare participant groups: per topic (and over all topics first), one bar per group with its mean.

    `reports_by_group` maps a group to its `report_data()` dict; groups without checklists
    are left out. Each bar is a `<rect class="bar" data-group=… data-topic=…>`.
    """
    groups = _present_groups(reports_by_group)
    if not groups:
        clusters, layout = [], {"topics": []}
    else:
        layout = reports_by_group[groups[0]]
        clusters = [(_message(language, "all_topics"), "all",
                     {group: overall_mean(reports_by_group[group]) for group in groups})]
    for index, topic in enumerate(layout["topics"]):
        clusters.append((local_text(topic["title"], language), topic["id"],
                         {group: reports_by_group[group]["topics"][index]["mean"] for group in groups}))
    summary = " ".join(
        f"{heading}: " + ", ".join(f"{group_label(group, language)} "
                                   f"{_score(means[group], decimal_mark) if means[group] is not None else '–'}"
                                   for group in groups) + "."
        for heading, _, means in clusters)
    return _grouped_chart(clusters, reports_by_group, language, decimal_mark, chart_id,
                          _message(language, "groups_title"),
                          _message(language, "groups_desc", topics=summary, low=scale[0], high=scale[1]),
                          "chart-groups", "data_topic", scale)


def item_group_svg(item_id, reports_by_group, language="en", *, decimal_mark=".", chart_id=None,
                   scale=DEFAULT_SCALE):
    """Compare participant groups on one item: one bar per group with that group's mean for it."""
    groups = _present_groups(reports_by_group)
    means, text = {}, item_id
    for group in groups:
        for topic in reports_by_group[group]["topics"]:
            for item in topic["items"]:
                if item["id"] == item_id:
                    means[group], text = item["mean"], local_text(item["text"], language)
    heading = f"{item_id} {text}"
    summary = ", ".join(f"{group_label(group, language)} "
                        f"{_score(means[group], decimal_mark) if means.get(group) is not None else '–'}"
                        for group in groups)
    return _grouped_chart([(heading, item_id, means)], reports_by_group, language, decimal_mark,
                          chart_id or f"chart-item-{_slug(item_id)}", _message(language, "item_title", item=item_id),
                          f"{heading}. {summary}.", "chart-item-groups", "data_item", scale)
