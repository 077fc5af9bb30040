"""HTML: the agenda page `/`, the embeddable agenda `/embed` and the status page.

Every piece of event text goes through `html.escape` (titles, places, source
names) or nh3 (never here: pages show no description HTML), and links only
keep http(s) addresses. The pages also carry a Content-Security-Policy that
allows no script but the page's own (see `security_headers`), so a mistake
here still could not run injected code.
"""

from __future__ import annotations

import base64
import hashlib
import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import groupby
from urllib.parse import quote

from aggregator import clock
from aggregator.model import Event, Precision, Status
from aggregator.render import common
from aggregator.render.calendar_links import google_url, outlook_url
from aggregator.render.json import when_to_str
from aggregator.render.jsonld import jsonld_script

CONTENT_TYPE = "text/html; charset=utf-8"
STATUS_BADGES = {Status.CANCELLED: "ANNULÉ", Status.POSTPONED: "REPORTÉ"}

# Tells the host page how tall the agenda is, so its iframe can fit it.
EMBED_SCRIPT = (
    "(function(){function send(){parent.postMessage({type:'aggregator:height',"
    "height:Math.ceil(document.documentElement.scrollHeight)},'*')}"
    "addEventListener('load',send);if(window.ResizeObserver){new ResizeObserver(send)"
    ".observe(document.documentElement)}else{addEventListener('resize',send)}send()})();"
)

STYLE = """
:root{color-scheme:light dark;--fg:#1b1b1b;--bg:#fff;--muted:#595959;--line:#ddd;
--accent:#0b57a4;--badge:#eef2f7;--alert:#b00020}
@media (prefers-color-scheme:dark){:root{--fg:#eee;--bg:#161616;--muted:#b5b5b5;
--line:#333;--accent:#8cb8ff;--badge:#26303b;--alert:#ff8a8a}}
*{box-sizing:border-box}
body{margin:0;font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
color:var(--fg);background:var(--bg)}
main{max-width:52rem;margin:0 auto;padding:1rem}
a{color:var(--accent)}
h1{font-size:1.6rem;margin:.5rem 0 1rem}
.month h2{font-size:1.1rem;border-bottom:2px solid var(--line);
padding-bottom:.2rem;margin:1.2rem 0 .4rem}
.events{list-style:none;margin:0;padding:0}
.event{padding:.6rem 0;border-bottom:1px solid var(--line)}
.event h3{font-size:1rem;margin:.1rem 0}
.event p{margin:.1rem 0}
.when{color:var(--muted);font-size:.92rem}
.where,.add,.subscribe{font-size:.9rem}
.status{color:var(--alert);font-weight:700;margin-right:.3rem}
.cancelled h3 a,.cancelled h3 .name{text-decoration:line-through}
.badge{display:inline-block;background:var(--badge);border-radius:.8rem;
padding:0 .5rem;margin:.15rem .25rem 0 0;font-size:.78rem}
.buttons a{display:inline-block;margin:.2rem .4rem .2rem 0;padding:.35rem .8rem;
border:1px solid var(--accent);border-radius:.3rem;text-decoration:none}
textarea{width:100%;font:13px/1.4 ui-monospace,monospace;min-height:5.5rem}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{border-bottom:1px solid var(--line);padding:.3rem;text-align:left;vertical-align:top}
.empty{color:var(--muted)}
@media (max-width:30rem){main{padding:.6rem}body{font-size:15px}}
"""


@dataclass(frozen=True, kw_only=True)
class Page:
    """What the pages need besides the events."""

    title: str
    base_url: str  # absolute links: the pages are copied and framed by other sites
    feeds: Sequence[tuple[str, Sequence[tuple[str, str]]]] = ()  # (label, [(format, url)])
    embed_query: str = ""
    static: bool = False  # published copy: no /status link
    calendar: str = "/feed.ics"  # this view's own feeds, after base_url
    rss: str = "/feed.rss"


def script_hash(script: str) -> str:
    digest = hashlib.sha256(script.encode()).digest()
    return "'sha256-" + base64.b64encode(digest).decode() + "'"


def content_policy(script: str | None = None) -> str:
    """The CSP of a page: no script but `script` itself, nothing loaded from elsewhere."""
    scripts = script_hash(script) if script else "'none'"
    return (
        f"default-src 'none'; style-src 'unsafe-inline'; script-src {scripts}; "
        "img-src 'self' data:; base-uri 'none'; form-action 'none'"
    )


def security_headers(*, framed: bool, script: str | None = None) -> dict[str, str]:
    """The CSP as a header, where it can also say who may frame the page:
    `framed` pages may sit in any site's iframe, the others in none."""
    ancestors = "*" if framed else "'none'"
    return {
        "Content-Security-Policy": f"{content_policy(script)}; frame-ancestors {ancestors}",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
    }


# --- the agenda ------------------------------------------------------------------


def _local_day(value: date | datetime) -> date:
    return value.astimezone(clock.PARIS).date() if isinstance(value, datetime) else value


def _month_key(event: Event) -> tuple[int, int]:
    day = _local_day(event.start)
    return (day.year, day.month)


def _link(url: str | None, text: str, css: str = "") -> str:
    cls = f' class="{css}"' if css else ""
    if not url or not url.lower().startswith(("http://", "https://")):
        return f"<span{cls}>{html.escape(text)}</span>"
    return f'<a{cls} href="{html.escape(url)}" rel="noopener">{html.escape(text)}</a>'


def _badge_text(name: str) -> str:
    """A source's short name: "IREV" for "IREV – centre de ressources…"."""
    for separator in (" – ", " — ", " - ", " : "):
        name = name.split(separator, 1)[0]
    return name.strip()


def _badges(event: Event) -> str:
    badges = [
        f'<span class="badge" title="{html.escape(common.clean_line(s.name))}">'
        f"{html.escape(_badge_text(common.clean_line(s.name)) or s.id)}</span>"
        for s in event.sources
    ]
    return f'<p class="sources">{"".join(badges)}</p>' if badges else ""


def _calendar_links(event: Event, base_url: str) -> str:
    if event.precision == Precision.MONTH:
        return ""
    links = [
        _link(f"{base_url}/event/{quote(event.id)}.ics", "iCal / Outlook (.ics)"),
        _link(google_url(event), "Google Agenda"),
        _link(outlook_url(event), "Outlook.com"),
    ]
    return f'<p class="add">Ajouter à mon agenda : {" · ".join(links)}</p>'


def event_item(event: Event, base_url: str, *, calendar_links: bool = True) -> str:
    status = STATUS_BADGES.get(event.status)
    css = f"event {event.status.value}"
    badge = f'<span class="status">{status}</span> ' if status else ""
    when = when_to_str(event.start, event.precision)
    place = common.place_line(event)
    parts = [
        f'<li class="{css}">',
        f'<p class="when"><time datetime="{when}">{html.escape(common.date_line(event))}</time>'
        "</p>",
        f"<h3>{badge}{_link(common.event_link(event), common.clean_line(event.title), 'name')}"
        "</h3>",
        f'<p class="where">{html.escape(place)}</p>' if place else "",
        _badges(event),
        _calendar_links(event, base_url) if calendar_links else "",
        "</li>",
    ]
    return "".join(parts)


def agenda(events: Sequence[Event], base_url: str, *, calendar_links: bool = True) -> str:
    """The events grouped by month, in calendar order."""
    if not events:
        return '<p class="empty">Aucun événement à venir.</p>'
    sections = []
    for (year, month), group in groupby(events, key=_month_key):
        anchor = f"m-{year}-{month:02d}"
        items = "".join(event_item(e, base_url, calendar_links=calendar_links) for e in group)
        sections.append(
            f'<section class="month" aria-labelledby="{anchor}">'
            f'<h2 id="{anchor}">{common.MONTHS[month - 1]} {year}</h2>'
            f'<ul class="events">{items}</ul></section>'
        )
    return "".join(sections)


def _head(title: str, *, extra: str = "", script: str | None = None) -> str:
    """The page head; the CSP is repeated in a <meta> for published copies, which
    nginx serves without our headers."""
    policy = html.escape(content_policy(script))
    return (
        f'<!doctype html><html lang="fr"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<link rel="icon" href="data:,">'
        f"<title>{html.escape(title)}</title><style>{STYLE}</style>{extra}</head>"
    )


# --- pages -------------------------------------------------------------------------


def embed_page(events: Sequence[Event], page: Page) -> str:
    """The small agenda for an iframe: links open outside the frame."""
    return (
        _head(page.title, extra='<base target="_blank">', script=EMBED_SCRIPT)
        + f'<body class="embed"><main>{agenda(events, page.base_url)}{_embed_footer(page)}</main>'
        f"{jsonld_script(events)}<script>{EMBED_SCRIPT}</script></body></html>"
    )


def webcal_url(base_url: str, path: str = "/feed.ics") -> str:
    return "webcal://" + base_url.split("://", 1)[-1] + path


def _embed_footer(page: Page) -> str:
    calendar = html.escape(webcal_url(page.base_url, page.calendar))
    rss = html.escape(page.base_url + page.rss)
    return (
        f'<p class="subscribe"><a href="{calendar}">S\'abonner à cet agenda</a> · '
        f'<a href="{rss}">RSS</a></p>'
    )


def _subscribe(page: Page) -> str:
    base = page.base_url
    buttons = [
        (webcal_url(base), "S'abonner au calendrier (webcal)"),
        (f"{base}/feed.ics", "ICS"),
        (f"{base}/feed.rss", "RSS"),
        (f"{base}/feed.atom", "Atom"),
        (f"{base}/events.json", "JSON"),
        (f"{base}/new.rss", "Nouveautés (RSS)"),
    ]
    links = "".join(
        f'<a href="{html.escape(url)}">{html.escape(label)}</a>' for url, label in buttons
    )
    return f'<p class="buttons">{links}</p>'


def _filtered_feeds(page: Page) -> str:
    if not page.feeds:
        return ""
    rows = "".join(
        f"<li>{html.escape(label)} : " + " · ".join(_link(url, fmt) for fmt, url in links) + "</li>"
        for label, links in page.feeds
    )
    return f"<details><summary>Flux par source, thème ou région</summary><ul>{rows}</ul></details>"


def embed_snippets(base_url: str, query: str = "source=irev&limit=5") -> tuple[str, str]:
    """(iframe with its resize listener, widget) snippets for other sites."""
    origin = "/".join(base_url.split("/")[:3])
    iframe = (
        f'<iframe src="{base_url}/embed?{query}" title="Agenda" loading="lazy" '
        'style="width:100%;border:0;min-height:20rem" data-aggregator-embed></iframe>\n'
        "<script>addEventListener('message',function(e){if(e.origin!=='" + origin + "'||"
        "!e.data||e.data.type!=='aggregator:height')return;document.querySelectorAll("
        "'iframe[data-aggregator-embed]').forEach(function(f){if(f.contentWindow===e.source)"
        "f.style.height=e.data.height+'px'})});</script>"
    )
    params = [p.split("=", 1) for p in query.split("&") if "=" in p]
    attributes = "".join(f' data-{html.escape(k)}="{html.escape(v)}"' for k, v in params)
    widget = (
        f"<div data-aggregator-agenda{attributes}></div>\n"
        f'<script src="{base_url}/widget.js" defer></script>'
    )
    return iframe, widget


def index_page(events: Sequence[Event], page: Page) -> str:
    """The agenda with subscribe buttons and copy-paste embed snippets."""
    iframe, widget = embed_snippets(
        page.base_url, "&".join(q for q in (page.embed_query, "limit=5") if q)
    )
    status = "" if page.static else f' · <a href="{page.base_url}/status">État des sources</a>'
    return (
        _head(page.title) + f"<body><main><h1>{html.escape(page.title)}</h1>"
        f"{_subscribe(page)}{_filtered_feeds(page)}"
        f"{agenda(events, page.base_url)}"
        "<h2>Intégrer cet agenda à votre site</h2>"
        "<p>Dans un cadre (iframe) qui prend la hauteur de l'agenda :</p>"
        f'<textarea readonly aria-label="Code du cadre">{html.escape(iframe)}</textarea>'
        "<p>Ou avec un script, sans cadre (filtres : data-source, data-tag, "
        "data-region, data-city, data-limit) :</p>"
        f'<textarea readonly aria-label="Code du script">{html.escape(widget)}</textarea>'
        f'<p><small>Flux : <a href="{page.base_url}/feed.ics">ICS</a> · '
        f'<a href="{page.base_url}/feed.rss">RSS</a>{status}</small></p>'
        f"</main>{jsonld_script(events)}</body></html>"
    )


def _cell(value: object) -> str:
    return f"<td>{html.escape('' if value is None else str(value))}</td>"


def status_page(rows: Sequence[dict], title: str) -> str:
    """Per-source health for the admin."""
    head = (
        "source",
        "résultat",
        "dernier passage",
        "durée (s)",
        "HTTP",
        "événements trouvés",
        "en base",
        "échecs d'affilée",
        "prochain passage",
        "erreur ou avertissement",
    )
    body = "".join(
        "<tr>"
        + "".join(
            _cell(v)
            for v in (
                r["id"],
                r["result"],
                (r["last_run"] or "")[:19],
                r["duration_seconds"],
                r["http_status"],
                r["events_found"],
                r["events"],
                r["consecutive_failures"],
                (r["next_run"] or "")[:19],
                r["error"] or r["warning"],
            )
        )
        + "</tr>"
        for r in rows
    )
    header = "".join(f"<th>{h}</th>" for h in head)
    return (
        _head(f"État des sources — {title}") + "<body><main><h1>État des sources</h1>"
        f"<table><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>"
        "</main></body></html>"
    )
