/* aggregator: the agenda widget.
 *
 *   <div data-aggregator-agenda data-source="irev" data-limit="5"></div>
 *   <script src="https://agenda.example.org/widget.js" defer></script>
 *
 * Renders the next events into every such element, grouped by month, from
 * events.json beside this script (filters: data-source, data-tag,
 * data-region, data-city, data-from, data-to, data-q, data-limit). No
 * framework; event text is only ever set with textContent, so no event can
 * inject markup; styles live in a shadow root, apart from the host page's.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var base = script && script.src ? new URL(".", script.src).href : location.origin + "/";
  var FILTERS = ["source", "tag", "region", "city", "from", "to", "q", "limit"];
  var MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
    "septembre", "octobre", "novembre", "décembre"];
  var WEEKDAYS = ["dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"];
  var STATUS = { cancelled: "ANNULÉ", postponed: "REPORTÉ" };
  var CSS =
    ":host{display:block;font:inherit;color:inherit}" +
    ".month h2{font-size:1.05em;margin:1em 0 .3em;border-bottom:2px solid #ddd}" +
    "ul{list-style:none;margin:0;padding:0}" +
    "li{padding:.5em 0;border-bottom:1px solid #ddd}" +
    "h3{font-size:1em;margin:.1em 0}p{margin:.1em 0}" +
    ".when{opacity:.75;font-size:.92em}.where{font-size:.9em}" +
    ".status{color:#b00020;font-weight:700;margin-right:.3em}" +
    ".cancelled h3 .name{text-decoration:line-through}" +
    ".badge{display:inline-block;background:rgba(11,87,164,.1);border-radius:.8em;" +
    "padding:0 .5em;margin:.15em .25em 0 0;font-size:.78em}" +
    ".empty{opacity:.75}";

  var paris = new Intl.DateTimeFormat("en-GB", {
    timeZone: "Europe/Paris", year: "numeric", month: "numeric", day: "numeric",
    hour: "numeric", minute: "numeric", hourCycle: "h23"
  });

  function fold(text) {
    return String(text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .toLowerCase().replace(/[^a-z0-9]+/g, " ").trim();
  }

  /* {y, m, d, wd, h, min, timed} of a record's date, in Paris time. */
  function parts(value) {
    var p;
    if (/^\d{4}-\d{2}(-\d{2})?$/.test(value)) {
      p = value.split("-").map(Number);
      p = { y: p[0], m: p[1], d: p[2] || 1, timed: false };
    } else {
      var o = {};
      paris.formatToParts(new Date(value)).forEach(function (x) { o[x.type] = x.value; });
      p = { y: +o.year, m: +o.month, d: +o.day, h: +o.hour, min: +o.minute, timed: true };
    }
    p.wd = new Date(Date.UTC(p.y, p.m - 1, p.d)).getUTCDay();
    return p;
  }

  function dayText(p, month, year) {
    var text = WEEKDAYS[p.wd] + " " + (p.d === 1 ? "1er" : p.d);
    if (month) { text += " " + MONTHS[p.m - 1]; }
    if (year) { text += " " + p.y; }
    return text;
  }

  function timeText(p) {
    return p.h + "h" + (p.min ? (p.min < 10 ? "0" : "") + p.min : "");
  }

  /* Each day written out, leaving off the month and year it shares with the last. */
  function daysText(days) {
    var last = days[days.length - 1];
    return days.map(function (p, i) {
      if (i === days.length - 1) { return dayText(p, true, true); }
      var sameYear = p.y === last.y;
      return dayText(p, !(sameYear && p.m === last.m), !sameYear);
    });
  }

  function monthLine(s, e) {
    if (!e || (e.y === s.y && e.m === s.m)) {
      return MONTHS[s.m - 1] + " " + s.y + " (date à préciser)";
    }
    return "de " + MONTHS[s.m - 1] + (s.y === e.y ? "" : " " + s.y) + " à " +
      MONTHS[e.m - 1] + " " + e.y + " (dates à préciser)";
  }

  /* The French date line, as the server writes it: "mardi 5 novembre 2019, 9h30–16h30". */
  function dateLine(event) {
    var s = parts(event.start);
    var e = event.end ? parts(event.end) : null;
    if (event.precision === "month") { return monthLine(s, e); }
    var time = "";
    if (s.timed) {
      time = ", " + timeText(s);
      if (e && e.timed && e.y === s.y && e.m === s.m && e.d === s.d &&
          e.h * 60 + e.min > s.h * 60 + s.min) { time += "–" + timeText(e); }
    }
    if (event.alternatives && event.alternatives.length) {
      var seen = {};
      var days = event.alternatives.concat([event.start.slice(0, 10)]).sort()
        .filter(function (d) { return seen[d] ? false : (seen[d] = true); }).map(parts);
      var texts = daysText(days);
      return texts.slice(0, -1).join(", ") + " ou " + texts[texts.length - 1] + time;
    }
    if (!e || (e.y === s.y && e.m === s.m && e.d === s.d) ||
        Date.UTC(e.y, e.m - 1, e.d) < Date.UTC(s.y, s.m - 1, s.d)) {
      return dayText(s, true, true) + time;
    }
    var both = daysText([s, e]);
    if (s.timed && e.timed) {
      return "du " + both[0] + " à " + timeText(s) + " au " + both[1] + " à " + timeText(e);
    }
    return "du " + both[0] + " au " + both[1] + time;
  }

  function placeLine(event) {
    var found = [];
    [event.venue, event.address, event.city].forEach(function (piece) {
      var text = String(piece || "").replace(/\s+/g, " ").trim();
      var known = found.some(function (p) { return p.toLowerCase().indexOf(text.toLowerCase()) >= 0; });
      if (text && !known) { found.push(text); }
    });
    var where = found.join(", ");
    if (event.online) { return where ? where + " (et en ligne)" : "En ligne"; }
    return where;
  }

  function badgeText(name) {
    [" – ", " — ", " - ", " : "].forEach(function (sep) { name = name.split(sep)[0]; });
    return name.trim();
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text) { node.textContent = text; }
    return node;
  }

  function isWebAddress(url) {
    return typeof url === "string" && /^https?:\/\//i.test(url);
  }

  function item(event) {
    var li = el("li", "event " + (event.status || "scheduled"));
    var when = el("p", "when");
    var time = el("time", "", dateLine(event));
    time.setAttribute("datetime", event.start);
    when.appendChild(time);
    li.appendChild(when);
    var h3 = el("h3");
    if (STATUS[event.status]) { h3.appendChild(el("span", "status", STATUS[event.status])); }
    var link = event.url || (event.sources && event.sources[0] && event.sources[0].url);
    // The JSON title starts with "ANNULÉ – " for readers without badges; the badge says it here.
    var name = STATUS[event.status] ? event.title.replace(/^(ANNULÉ|REPORTÉ) – /, "") : event.title;
    var title = el(isWebAddress(link) ? "a" : "span", "name", name);
    if (isWebAddress(link)) {
      title.href = link;
      title.target = "_blank";
      title.rel = "noopener";
    }
    h3.appendChild(title);
    li.appendChild(h3);
    var place = placeLine(event);
    if (place) { li.appendChild(el("p", "where", place)); }
    var badges = el("p", "sources");
    (event.sources || []).forEach(function (source) {
      var badge = el("span", "badge", badgeText(String(source.name || "")) || source.id);
      badge.title = String(source.name || "");
      badges.appendChild(badge);
    });
    if (badges.childNodes.length) { li.appendChild(badges); }
    return li;
  }

  function render(root, events) {
    root.textContent = "";
    var style = el("style");
    style.textContent = CSS;
    root.appendChild(style);
    if (!events.length) {
      root.appendChild(el("p", "empty", "Aucun événement à venir."));
      return;
    }
    var list = null;
    var current = "";
    events.forEach(function (event) {
      var s = parts(event.start);
      var key = s.y + "-" + s.m;
      if (key !== current) {
        current = key;
        var section = el("section", "month");
        section.appendChild(el("h2", "", MONTHS[s.m - 1] + " " + s.y));
        list = el("ul", "events");
        section.appendChild(list);
        root.appendChild(section);
      }
      list.appendChild(item(event));
    });
  }

  /* The server's filters again, for a published events.json that ignores the query
   * (past events leave it when it is republished, each day). */
  function matches(event, options) {
    var last = String(event.end || event.start);
    if (options.from && (last.length === 7 ? last < options.from.slice(0, 7)
      : last.slice(0, 10) < options.from)) {
      return false;
    }
    if (options.to && String(event.start).slice(0, 10) > options.to) { return false; }
    if (options.q && fold([event.title, event.description, event.city, event.venue].join(" "))
      .indexOf(fold(options.q)) < 0) {
      return false;
    }
    if (options.source && !(event.sources || []).some(function (s) { return s.id === options.source; })) {
      return false;
    }
    if (options.tag && !(event.tags || []).some(function (t) { return fold(t) === fold(options.tag); })) {
      return false;
    }
    if (options.region && fold(event.region) !== fold(options.region)) { return false; }
    return !(options.city && fold(event.city) !== fold(options.city));
  }

  function fill(host) {
    if (host.getAttribute("data-aggregator-rendered")) { return; }
    host.setAttribute("data-aggregator-rendered", "1");
    var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
    var options = {};
    var query = new URLSearchParams();
    FILTERS.forEach(function (name) {
      var value = host.getAttribute("data-" + name);
      if (value) { options[name] = value; query.set(name, value); }
    });
    host.setAttribute("aria-busy", "true");
    root.appendChild(el("p", "empty", "Chargement de l'agenda…"));
    fetch(base + "events.json?" + query.toString(), { credentials: "omit" })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (data) {
        var limit = parseInt(options.limit, 10) || Infinity;
        var events = (data.events || []).filter(function (e) { return matches(e, options); });
        render(root, events.slice(0, limit));
      })
      .catch(function () {
        root.textContent = "";
        root.appendChild(el("p", "empty", "Agenda indisponible pour le moment."));
      })
      .then(function () { host.removeAttribute("aria-busy"); });
  }

  function fillAll() {
    document.querySelectorAll("[data-aggregator-agenda]").forEach(fill);
  }

  window.aggregatorAgenda = { render: fillAll };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", fillAll);
  } else {
    fillAll();
  }
})();
