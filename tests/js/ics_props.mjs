// Prints {uid: {summary, description, location, url, status, sequence,
// categories}} for every VEVENT of an ICS file, the text values as ical.js
// (the parser of Thunderbird) reads them: unfolded and unescaped.
//
// Usage: node ics_props.mjs FILE.ics
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const calendar = new ICAL.Component(ICAL.parse(readFileSync(process.argv[2], "utf8")));

const result = {};
for (const vevent of calendar.getAllSubcomponents("vevent")) {
  const categories = vevent.getFirstProperty("categories");
  result[vevent.getFirstPropertyValue("uid")] = {
    summary: vevent.getFirstPropertyValue("summary"),
    description: vevent.getFirstPropertyValue("description"),
    location: vevent.getFirstPropertyValue("location"),
    url: vevent.getFirstPropertyValue("url"),
    status: vevent.getFirstPropertyValue("status"),
    sequence: vevent.getFirstPropertyValue("sequence"),
    categories: categories ? categories.getValues() : [],
  };
}
process.stdout.write(JSON.stringify(result, null, 2) + "\n");
