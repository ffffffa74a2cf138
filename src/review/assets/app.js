// The review page of `git align serve`: polls the run's state every 2 s while a run is
// open, shows the current pause as a card, and sends the person's decision. Every text
// from the state goes in through textContent (a state may come from someone else).
"use strict";

const POLL_MS = 2000;
const RETRY_MS = 5000;
const TOKEN_KEY = "git-align-review-token";
const REASONS = {
  checkpoint: "Review",
  conflict: "Conflict",
  check_failed: "Check failed",
  request: "Paused on request",
  signal: "Paused by Ctrl-C",
  ref_locked: "A ref is locked",
  interrupted: "Interrupted",
};

let token = "";
let etag = null;
let doc = null;
let timer = null;
let shownPause = null;

const $ = (id) => document.getElementById(id);

function readToken() {
  const found = location.hash.match(/token=([0-9a-f]+)/);
  if (found) {
    sessionStorage.setItem(TOKEN_KEY, found[1]);
    // Out of the address bar (and its history) once read.
    history.replaceState(null, "", location.pathname);
  }
  return sessionStorage.getItem(TOKEN_KEY) || "";
}

function api(path, options = {}) {
  const headers = Object.assign({ Authorization: "Bearer " + token }, options.headers || {});
  return fetch(path, Object.assign({}, options, { headers, cache: "no-store" }));
}

function say(text, isError = false) {
  const message = $("message");
  message.textContent = text;
  message.classList.toggle("error", isError);
}

function isOpen(d) {
  return d && (d.live || d.state === "running" || d.state === "paused");
}

async function poll() {
  clearTimeout(timer);
  let failed = false;
  try {
    const headers = etag ? { "If-None-Match": etag } : {};
    const response = await api("/api/state", { headers });
    if (response.status === 200) {
      etag = response.headers.get("ETag");
      doc = await response.json();
      render();
    } else if (response.status !== 304) {
      const body = await response.json().catch(() => ({}));
      say(body.error || "the server answered " + response.status, true);
      failed = true;
    }
  } catch (e) {
    say("cannot reach git align serve (" + e.message + ")", true);
    failed = true;
  }
  schedule(failed);
}

// Polls while a run is open; after a failed poll, again a little later.
function schedule(failed = false) {
  clearTimeout(timer);
  const polling = failed || isOpen(doc);
  if (polling) {
    timer = setTimeout(poll, failed ? RETRY_MS : POLL_MS);
  }
  $("polling").textContent = failed
    ? "Cannot read the run: trying again every 5 s."
    : polling
      ? "Following the run (every 2 s)."
      : "No run is going on: not polling.";
}

function short(oid) {
  return oid ? String(oid).slice(0, 7) : "-";
}

function ago(iso) {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return "";
  const seconds = Math.max(0, Math.round((Date.now() - then) / 1000));
  if (seconds < 45) return "paused just now";
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return "paused " + minutes + (minutes === 1 ? " minute ago" : " minutes ago");
  const hours = Math.round(minutes / 60);
  if (hours < 36) return "paused " + hours + (hours === 1 ? " hour ago" : " hours ago");
  const days = Math.round(hours / 24);
  return "paused " + days + " days ago";
}

function render() {
  if (doc && doc.serve_error) {
    const failure = doc.serve_error;
    say("The run stopped with an error: " + failure.error + (failure.hint ? " (" + failure.hint + ")" : ""), true);
  }
  renderRun();
  renderCard();
  renderBranches();
  renderQueue();
  renderDecisions();
}

function renderRun() {
  if (!doc || doc.state === "none") {
    $("run").textContent = "No alignment run in this repository.";
    return;
  }
  let line = "Run " + doc.run_id + " onto " + doc.onto.name + " (" + short(doc.onto.oid) + "), " +
    doc.strategy + ": " + doc.state;
  if (doc.live) line += ", being worked on now";
  else if (doc.interrupted) line += ", interrupted (no git-align is working on it)";
  $("run").textContent = line;
}

function renderCard() {
  const interrupted = doc && doc.state === "running" && doc.interrupted && !doc.live;
  const paused = doc && !doc.live && (doc.state === "paused" || interrupted);
  $("live").hidden = !(doc && doc.live);
  $("card").hidden = !paused;
  if (!paused) {
    shownPause = null;
    return;
  }
  const reason = interrupted ? "interrupted" : doc.pause_reason || "request";
  const where = doc.current ? (doc.step ? doc.step + " of " + doc.current : doc.current)
    : (doc.step ? doc.step + " of the run" : "the run");
  $("card-title").textContent = (REASONS[reason] || reason) + ": " + where;
  $("card").dataset.reason = reason;
  $("card").dataset.branch = doc.current || "";
  $("card").dataset.step = doc.step || "";
  $("card-when").textContent = ago(doc.paused_at);
  $("card-content").textContent = doc.pause_content || "(nothing to show)";
  const worktree = doc.worktree || doc.worktree_elsewhere;
  $("card-worktree").hidden = !worktree;
  $("card-worktree").textContent = worktree ? "Worktree: " + worktree : "";
  $("approve").textContent = reason === "checkpoint" ? "Approve" : "Continue";
  const revisable = (reason === "checkpoint" || reason === "check_failed") &&
    (doc.step === "rebase" || doc.step === "exec");
  $("revise").disabled = !revisable;
  const current = (doc.branches || []).find((b) => b.name === doc.current);
  $("skip").disabled = !(current && (current.status === "current" || current.status === "conflict"));
  const key = doc.checkpoint;
  if (key !== shownPause) {
    shownPause = key;
    closeRevise();
    setButtons(true);
    $("card-title").focus();
  }
}

function cell(row, text, className) {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  row.appendChild(td);
}

function renderBranches() {
  const body = $("branches").tBodies[0];
  body.replaceChildren();
  for (const b of (doc && doc.branches) || []) {
    const row = document.createElement("tr");
    row.dataset.branch = b.name;
    row.dataset.status = b.status;
    cell(row, b.status, "status-" + b.status);
    cell(row, b.name);
    cell(row, short(b.original) + " → " + short(b.new), "oid");
    cell(row, b.parent);
    cell(row, b.note || "");
    body.appendChild(row);
  }
}

function renderQueue() {
  const list = $("queue");
  list.replaceChildren();
  const items = (doc && doc.queue) || [];
  for (const item of items) {
    const li = document.createElement("li");
    let text = item.branch + ": " + item.reason;
    if (item.files && item.files.length) text += " in " + item.files.join(", ");
    if (item.on) text += " (on " + item.on + ")";
    li.textContent = text;
    list.appendChild(li);
  }
  $("queue-empty").hidden = items.length > 0;
}

function renderDecisions() {
  const list = $("decisions");
  list.replaceChildren();
  for (const d of (doc && doc.decisions) || []) {
    const li = document.createElement("li");
    li.dataset.decision = d.decision;
    let text = d.decision + " at " + d.step + " of " + (d.branch || "the run") + " (" + d.at + ")";
    if (d.feedback) text += ": " + d.feedback;
    li.textContent = text;
    list.appendChild(li);
  }
}

function setButtons(enabled) {
  for (const id of ["approve", "cancel", "send-revise"]) $(id).disabled = !enabled;
  if (!enabled) {
    $("revise").disabled = true;
    $("skip").disabled = true;
  }
}

function openRevise() {
  $("revise-form").hidden = false;
  $("revise").setAttribute("aria-expanded", "true");
  $("feedback").focus();
}

function closeRevise() {
  $("revise-form").hidden = true;
  $("revise").setAttribute("aria-expanded", "false");
}

async function decide(decision, feedback) {
  setButtons(false);
  say("Sending " + decision + "…");
  try {
    const response = await api("/api/decision", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ decision, feedback, checkpoint: doc && doc.checkpoint }),
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      say((body.error || "refused (" + response.status + ")") + (body.hint ? " (" + body.hint + ")" : ""), true);
      setButtons(true);
      renderCard();
      etag = null;
      poll();
      return;
    }
    say("Sent: " + decision + ".");
    if (decision === "revise") $("feedback").value = "";
    etag = null;
    if (response.status === 200) doc = body;
    shownPause = null;
    render();
  } catch (e) {
    say("cannot reach git align serve (" + e.message + ")", true);
    setButtons(true);
    renderCard();
  }
  schedule();
}

function wire() {
  $("approve").addEventListener("click", () => decide("approve"));
  $("skip").addEventListener("click", () => decide("skip"));
  $("revise").addEventListener("click", () => ($("revise-form").hidden ? openRevise() : closeRevise()));
  $("close-revise").addEventListener("click", () => {
    closeRevise();
    $("revise").focus();
  });
  $("revise-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const feedback = $("feedback").value.trim();
    if (!feedback) {
      say("Say what should change first.", true);
      $("feedback").focus();
      return;
    }
    decide("revise", feedback);
  });
  $("cancel").addEventListener("click", () => $("confirm-cancel").showModal());
  $("confirm-no").addEventListener("click", () => $("confirm-cancel").close());
  $("confirm-yes").addEventListener("click", () => {
    $("confirm-cancel").close();
    decide("cancel");
  });
  $("refresh").addEventListener("click", () => {
    etag = null;
    poll();
  });
  setInterval(() => {
    if (doc && doc.state === "paused" && !doc.live) $("card-when").textContent = ago(doc.paused_at);
  }, 15000);
}

token = readToken();
wire();
poll();
