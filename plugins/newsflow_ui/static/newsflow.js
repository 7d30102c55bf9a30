// The newsflow page: reads api/overview and draws the source table, the charts and the data checks.
"use strict";

const PALETTE = ["#2b6cb0", "#2c7a7b", "#38a169", "#d69e2e", "#dd6b20", "#c53030", "#805ad5", "#d53f8c",
                 "#4a5568", "#3182ce", "#319795", "#48bb78", "#ecc94b", "#ed8936", "#e53e3e", "#9f7aea"];
const charts = {};

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === "class") node.className = value; else node.setAttribute(key, value);
  }
  for (const child of children) {
    if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

function ago(hours) {
  if (hours === null || hours === undefined) return "never";
  if (hours < 1) return `${Math.round(hours * 60)} min ago`;
  if (hours < 48) return `${hours.toFixed(1)} h ago`;
  return `${Math.round(hours / 24)} d ago`;
}

function when(iso) {
  return iso ? iso.replace("T", " ").slice(0, 16) + " UTC" : "never";
}

// Inside the Airflow UI the page sits in a sandboxed frame that may not navigate the whole window
// itself: an Airflow link is followed by an anchor of the UI's own document instead.
function airflowLink(url, text) {
  const link = el("a", {href: url}, text);
  link.addEventListener("click", (event) => {
    try {
      if (window.top !== window && window.top.location.origin === window.location.origin) {
        event.preventDefault();
        const outer = window.top.document.createElement("a");
        outer.href = url;
        window.top.document.body.append(outer);
        outer.click();
        outer.remove();
      }
    } catch (err) { /* another origin: follow the link in the frame */ }
  });
  return link;
}

function drawSources(data) {
  document.getElementById("window").textContent =
    `last ${data.window_hours} h; freshness amber after ${data.freshness_hours.amber} h, red after ${data.freshness_hours.red} h`;
  const body = document.querySelector("#sources tbody");
  body.replaceChildren();
  for (const s of data.sources) {
    const failedPolls = s.failed_polls ? el("span", {class: "warn"}, ` (${s.failed_polls})`) : " (0)";
    const task = s.last_task
      ? [airflowLink(s.last_task.url, "log"), ` ${s.last_task.state || ""}`]
      : ["no run yet"];
    const lastError = s.last_status === "error" ? el("div", {class: "warn"}, `last poll failed: ${s.last_error || ""}`) : null;
    body.append(el("tr", {"data-source": s.source_id},
      el("td", {}, el("strong", {}, s.name), el("div", {class: "muted"}, `${s.source_id} · ${s.language} · ${s.kind}`)),
      el("td", {}, el("span", {class: `state ${s.state}`}, s.state)),
      el("td", {}, ago(s.freshness_hours), el("div", {class: "muted"}, when(s.newest_article))),
      el("td", {}, when(s.last_ok_poll), lastError),
      el("td", {class: "num"}, s.polls, failedPolls),
      el("td", {class: "num"}, s.items),
      el("td", {class: "num"}, s.new_pages),
      el("td", {class: `num ${s.failed_pages ? "warn" : ""}`}, s.failed_pages),
      el("td", {class: `num ${s.failed_extractions ? "warn" : ""}`}, s.failed_extractions),
      el("td", {class: "num"}, s.new_articles),
      el("td", {}, ...task)));
  }
}

function chart(id, config) {
  if (charts[id]) charts[id].destroy();
  charts[id] = new Chart(document.getElementById(id), config);
}

function drawEvents(events) {
  const days = events.days;
  const note = document.getElementById("events-window");
  note.replaceChildren(`${days[0]} to ${days[days.length - 1]}`);
  if (!Object.keys(events.series).length) {
    // an empty window (the replayed news is from December 2024): offer the newest day with events
    note.append(events.latest_event_day
      ? el("span", {}, "; no events in this window, the newest are from ",
           el("a", {href: `?as_of=${events.latest_event_day}T23:59`}, events.latest_event_day))
      : "; no events yet");
  }
  const datasets = Object.entries(events.series).map(([type, counts], i) => ({
    label: type, data: counts, backgroundColor: PALETTE[i % PALETTE.length], stack: "events"}));
  chart("events-chart", {
    type: "bar",
    data: {labels: days.map((d) => d.slice(5)), datasets},
    options: {maintainAspectRatio: false, animation: false,
              scales: {x: {stacked: true}, y: {stacked: true, beginAtZero: true, title: {display: true, text: "events"}}},
              plugins: {legend: {position: "right"}}},
  });
}

function drawTop(id, top, label) {
  document.getElementById(`${id}-window`).textContent = `${top.day_from} to ${top.day_to}`;
  chart(`${id}-chart`, {
    type: "bar",
    data: {labels: top.rows.map(label), datasets: [{label: "events", data: top.rows.map((r) => r.events),
                                                    backgroundColor: id === "places" ? "#2c7a7b" : "#805ad5"}]},
    options: {indexAxis: "y", maintainAspectRatio: false, animation: false,
              scales: {x: {beginAtZero: true}}, plugins: {legend: {display: false}}},
  });
}

function drawChecks(checks) {
  const body = document.querySelector("#checks tbody");
  body.replaceChildren();
  if (!checks.length) body.append(el("tr", {}, el("td", {colspan: 5, class: "muted"}, "no data check yet")));
  for (const c of checks) {
    body.append(el("tr", {"data-check": c.check_name},
      el("td", {}, c.day),
      el("td", {}, c.check_name),
      el("td", {class: c.passed ? "pass" : "fail"}, c.passed ? "passed" : "failed"),
      el("td", {}, c.detail || ""),
      el("td", {}, ...(c.run ? [airflowLink(c.run.url, "run"), ` ${c.run.state || ""}`] : ["no run found"]))));
  }
}

async function load() {
  const params = new URLSearchParams(window.location.search);
  const asOf = params.get("as_of");
  if (asOf) document.getElementById("as-of").value = asOf.slice(0, 16);
  const response = await fetch("api/overview" + (asOf ? `?as_of=${encodeURIComponent(asOf)}` : ""),
                               {credentials: "same-origin", headers: {Accept: "application/json"}});
  const error = document.getElementById("error");
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    error.textContent = `The newsflow page could not load its data (${response.status}): ${body.detail || response.statusText}`;
    error.hidden = false;
    document.body.dataset.state = "error";
    return;
  }
  const data = await response.json();
  const red = data.sources.filter((s) => s.state === "red").length;
  const amber = data.sources.filter((s) => s.state === "amber").length;
  document.getElementById("summary").textContent =
    `as of ${when(data.as_of)}: ${data.sources.length} sources, ${red} red, ${amber} amber`;
  drawSources(data);
  drawEvents(data.events_by_day);
  drawTop("places", data.top_places, (r) => r.label);
  drawTop("actors", data.top_actors, (r) => r.common_name === r.label ? r.label : `${r.common_name} (${r.actor_key})`);
  drawChecks(data.data_checks);
  document.body.dataset.state = "ready";
}

document.getElementById("now").addEventListener("click", () => { window.location.search = ""; });
window.newsflowCharts = charts;
load().catch((err) => {
  const error = document.getElementById("error");
  error.textContent = `The newsflow page failed: ${err}`;
  error.hidden = false;
  document.body.dataset.state = "error";
});
