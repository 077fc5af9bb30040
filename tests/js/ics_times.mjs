// Prints {uid: {start, end}} for every VEVENT of an ICS file, as the
// Europe/Paris wall-clock times a client would show ("YYYY-MM-DDTHH:MM";
// "YYYY-MM-DD" for all-day events, end exclusive).
//
// The instant of each time is computed by ical.js from the file's own
// VTIMEZONE (as Thunderbird does), then shown in Europe/Paris with Node's
// own time zone data: a wrong VTIMEZONE shows up as a shifted hour.
//
// Usage: node ics_times.mjs FILE.ics
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const calendar = new ICAL.Component(ICAL.parse(readFileSync(process.argv[2], "utf8")));

// Register before any DTSTART is read: ical.js resolves TZID when it decodes a value.
for (const vtimezone of calendar.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(vtimezone);
}

const wallClock = new Intl.DateTimeFormat("sv-SE", {
  timeZone: "Europe/Paris",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
});

function local(time) {
  if (time.isDate) {
    return time.toString();
  }
  const tzid = time.zone ? time.zone.tzid : null;
  if (tzid !== "Europe/Paris" && tzid !== "UTC") {
    throw new Error(`time ${time.toString()} resolved to zone ${tzid}, not the VTIMEZONE`);
  }
  return wallClock.format(new Date(time.toUnixTime() * 1000)).replace(" ", "T");
}

const result = {};
for (const vevent of calendar.getAllSubcomponents("vevent")) {
  const event = new ICAL.Event(vevent);
  result[event.uid] = { start: local(event.startDate), end: local(event.endDate) };
}
process.stdout.write(JSON.stringify(result, null, 2) + "\n");
