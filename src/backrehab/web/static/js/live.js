// Live coach in the patient's browser: the camera image is processed here, on the device, by
// MediaPipe tasks-vision (vendored, no network); only the 33 body landmarks of each frame go to
// the server over a WebSocket, and the server's coach engine answers with the count, the hold
// timer and the cue. Frames that arrive while a pose is being estimated are skipped, never
// queued (and the socket's worker drops a frame while earlier ones await their reply). A dropped
// connection reconnects to the same set, waiting 1 s, then 2, 4, 8 and at most 10 s between
// tries; a refusal (44xx: sign-in, ownership, unknown exercise, HTTPS) stops and says why.
import { FilesetResolver, PoseLandmarker } from "/static/vendor/mediapipe/vision_bundle.mjs";

const root = document.getElementById("live");
const video = document.getElementById("live-video");
const canvas = document.getElementById("live-canvas");
const ctx = canvas.getContext("2d");
const ui = {
  status: document.getElementById("live-status"),
  reps: document.getElementById("live-reps"),
  hold: document.getElementById("live-hold"),
  cue: document.getElementById("live-cue"),
  checks: document.getElementById("live-checks"),
  start: document.getElementById("live-start"),
  finish: document.getElementById("live-finish"),
  summary: document.getElementById("live-summary"),
  fps: document.getElementById("live-fps"),
  problem: document.getElementById("live-problem"),
};
const exercise = root.dataset.exercise;
const needsSide = root.dataset.sideView === "true";
const model = new URLSearchParams(location.search).get("model") === "full" ? "full" : "lite";
const EDGES = [[11, 12], [11, 13], [13, 15], [12, 14], [14, 16], [11, 23], [12, 24], [23, 24],
  [23, 25], [25, 27], [24, 26], [26, 28], [27, 31], [28, 32], [0, 11], [0, 12]];
const BODY = [0, 11, 12, 23, 24, 25, 26, 27, 28];

let landmarker = null;
let liveId = root.dataset.liveId || "";
let seq = 0;
let busy = false;
let running = false;
let finished = false;
let lastVideoTime = -1;
let processed = 0;
let fpsStart = 0;
let retryMs = 1000;
let needNewSet = false; // the set could not be resumed: Start opens a new one
const RETRY_MAX_MS = 10000;
// Close codes of the server (src/backrehab/web/live_ws.py): refusals are final, never retried.
const CLOSE_GONE = 4410; // the set to resume is no longer on the server
const FINAL_CLOSES = new Set([1008, 4401, 4403, 4404, 4426]);
const rtts = [];
const serverMs = [];
const serverCpuMs = [];
window.backrehabLive = {
  rtts, serverMs, serverCpuMs, processed: () => processed, model, state: null, summary: null,
  fps: () => (fpsStart ? processed / ((performance.now() - fpsStart) / 1000) : 0),
  dropped: 0, closed: null,
};

function say(text) { ui.status.textContent = text; }

// A problem the patient must act on: in the page's alert region (read out by screen readers).
function problem(text) {
  ui.problem.hidden = !text; // shown first, so the alert is announced when the text arrives
  ui.problem.textContent = text;
}

async function loadModel() {
  const fileset = await FilesetResolver.forVisionTasks("/static/vendor/mediapipe/wasm");
  landmarker = await PoseLandmarker.createFromOptions(fileset, {
    baseOptions: { modelAssetPath: `/static/vendor/mediapipe/models/pose_landmarker_${model}.task`, delegate: "CPU" },
    runningMode: "VIDEO",
    numPoses: 1,
  });
}

const channel = new Worker("/static/js/live-socket.js");
let socketOpen = false;
channel.onmessage = (event) => {
  const data = event.data;
  if (data.event === "open") socketOpen = true;
  else if (data.event === "message") onMessage(data.msg);
  else if (data.event === "close") onClose(data.code, data.reason);
};

function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const query = new URLSearchParams({ exercise });
  if (liveId) query.set("live", liveId);
  socketOpen = false;
  channel.postMessage({ cmd: "connect", url: `${scheme}://${location.host}/ws/coach?${query}` });
}

function onClose(code, reason) {
  socketOpen = false;
  window.backrehabLive.closed = { code, reason };
  if (finished) return;
  if (FINAL_CLOSES.has(code)) {
    running = false;
    ui.start.hidden = true;
    ui.finish.hidden = true;
    say("The coach stopped.");
    problem(reason || `The coach closed the connection (code ${code}).`);
    return;
  }
  if (code === CLOSE_GONE) { // e.g. the server was restarted: this set is lost, a new one is not
    liveId = "";
    root.dataset.liveId = "";
    needNewSet = true;
    running = false;
    ui.reps.textContent = "0";
    ui.hold.textContent = "0.0 s";
    ui.cue.textContent = "";
    ui.finish.hidden = true;
    ui.start.hidden = false;
    say("Set up: check the list below, then press Start.");
    problem(reason || "The set in progress could not be resumed. Start a new set.");
    return;
  }
  const wait = retryMs;
  retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
  say(`Connection lost: reconnecting in ${Math.round(wait / 1000)} s…`);
  setTimeout(connect, wait); // the server keeps the set: nothing is lost
}

function onMessage(msg) {
  if (msg.dropped !== undefined) window.backrehabLive.dropped = msg.dropped;
  if (msg.type === "hello") {
    retryMs = 1000;
    liveId = msg.live_id;
    root.dataset.liveId = liveId;
    showState(msg.state);
    if (running) say("Go: the coach is counting.");
  } else if (msg.type === "state") {
    if (msg.rtt_ms !== undefined) rtts.push(msg.rtt_ms);
    serverMs.push(msg.server_ms);
    serverCpuMs.push(msg.server_cpu_ms);
    showState(msg);
  } else if (msg.type === "summary") {
    finished = true;
    window.backrehabLive.summary = msg;
    showSummary(msg);
  } else if (msg.type === "error" && msg.close_code === undefined) {
    ui.cue.textContent = msg.error; // a refused frame: the socket goes on
  }
}

function showState(state) {
  if (!state) return;
  window.backrehabLive.state = state;
  ui.reps.textContent = String(state.reps);
  ui.hold.textContent = `${(state.hold_s || 0).toFixed(1)} s`;
  ui.cue.textContent = state.cue || state.message || "";
  root.dataset.status = state.status;
}

function showSummary(msg) {
  running = false;
  ui.finish.hidden = true;
  ui.summary.hidden = false;
  document.getElementById("summary-reps").textContent = String(msg.reps);
  document.getElementById("summary-partial").textContent = String(msg.partial_reps);
  document.getElementById("summary-hold").textContent = `${msg.total_hold_s.toFixed(1)} s`;
  document.getElementById("summary-form").textContent = msg.form_score === null ? "—" : `${Math.round(msg.form_score)}/100`;
  document.getElementById("summary-job").value = String(msg.job_id);
  document.getElementById("summary-form-box").hidden = false;
  say("Set finished. Add how it felt and save it.");
}

// Set-up checks, from the landmarks the browser sees (no picture leaves the device).
function checks(lm, brightness) {
  const visible = BODY.every((i) => lm[i].visibility > 0.5 && lm[i].x > 0.02 && lm[i].x < 0.98 && lm[i].y > 0.01 && lm[i].y < 0.99);
  const ys = BODY.map((i) => lm[i].y);
  const height = Math.max(...ys) - Math.min(...ys);
  const shoulders = Math.abs(lm[11].x - lm[12].x);
  const torso = Math.abs((lm[11].y + lm[12].y) / 2 - (lm[23].y + lm[24].y) / 2) || 1e-3;
  const side = shoulders / torso < 0.35;
  return {
    "Whole body in the picture": visible,
    "Distance (body fills half of the height or more)": height > 0.45 && height < 0.98,
    ...(needsSide ? { "Side-on to the camera": side } : {}),
    "Enough light": brightness > 60,
  };
}

function showChecks(result) {
  ui.checks.replaceChildren(...Object.entries(result).map(([label, ok]) => {
    const li = document.createElement("li");
    li.textContent = `${ok ? "✓" : "✗"} ${label}`;
    li.className = ok ? "ok" : "todo";
    return li;
  }));
  return Object.values(result).every(Boolean);
}

let lightFrame = 0;
let brightness = 128;
function measureLight() {
  if (lightFrame++ % 15 !== 0) return brightness;
  const small = document.createElement("canvas");
  small.width = 32; small.height = 18;
  const c = small.getContext("2d", { willReadFrequently: true });
  c.drawImage(video, 0, 0, 32, 18);
  const px = c.getImageData(0, 0, 32, 18).data;
  let sum = 0;
  for (let i = 0; i < px.length; i += 4) sum += 0.299 * px[i] + 0.587 * px[i + 1] + 0.114 * px[i + 2];
  brightness = sum / (px.length / 4);
  return brightness;
}

function draw(lm) {
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.lineWidth = Math.max(2, canvas.width / 240);
  ctx.strokeStyle = "#3ec1d3";
  for (const [a, b] of EDGES) {
    if (lm[a].visibility < 0.5 || lm[b].visibility < 0.5) continue;
    ctx.beginPath();
    ctx.moveTo(lm[a].x * canvas.width, lm[a].y * canvas.height);
    ctx.lineTo(lm[b].x * canvas.width, lm[b].y * canvas.height);
    ctx.stroke();
  }
}

const r4 = (v) => Math.round(v * 10000) / 10000;

function onFrame(now, meta) {
  if (!landmarker || finished) return;
  video.requestVideoFrameCallback(onFrame);
  if (busy || meta.mediaTime === lastVideoTime) return; // drop, never queue
  lastVideoTime = meta.mediaTime;
  busy = true;
  try {
    const result = landmarker.detectForVideo(video, now);
    processed += 1;
    if (!fpsStart) fpsStart = performance.now();
    ui.fps.textContent = `${(processed / ((performance.now() - fpsStart) / 1000)).toFixed(1)} frames/s`;
    if (!result.landmarks.length) {
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      showChecks({ "Whole body in the picture": false });
      if (running) send({ type: "frame", seq: ++seq, t: meta.mediaTime, lm: null, wl: null });
      return;
    }
    const lm = result.landmarks[0];
    draw(lm);
    const ready = showChecks(checks(lm, measureLight()));
    root.dataset.ready = String(ready); // advisory: the server still says when it cannot judge
    if (!running) ui.start.textContent = ready ? "Start the set" : "Start anyway (set-up not complete)";
    if (running) {
      send({
        type: "frame", seq: ++seq, t: meta.mediaTime,
        lm: lm.map((p) => [r4(p.x), r4(p.y), r4(p.z), r4(p.visibility ?? 0)]),
        wl: result.worldLandmarks[0].map((p) => [r4(p.x), r4(p.y), r4(p.z)]),
      });
    }
  } finally {
    busy = false;
  }
}

function send(message) {
  if (socketOpen) channel.postMessage({ cmd: "send", msg: message });
}

async function start() {
  say("Loading the pose model (it runs on this device)…");
  try {
    await loadModel();
  } catch (err) {
    say(`The pose model could not be loaded: ${err}`);
    return;
  }
  try {
    video.srcObject = await navigator.mediaDevices.getUserMedia({
      video: { width: { ideal: 640 }, height: { ideal: 360 }, frameRate: { ideal: 30 } }, audio: false,
    });
  } catch (err) {
    say(`The camera could not be opened (${err.name}). Allow the camera for this site.`);
    return;
  }
  await video.play();
  connect();
  say("Set up: check the list below, then press Start.");
  ui.start.hidden = false;
  video.requestVideoFrameCallback(onFrame);
}

ui.start.addEventListener("click", () => {
  problem("");
  if (needNewSet) { // after a set that could not be resumed
    needNewSet = false;
    connect();
  }
  running = true;
  ui.start.hidden = true;
  ui.finish.hidden = false;
  ui.finish.focus();
  say("Go: the coach is counting.");
});
ui.finish.addEventListener("click", () => send({ type: "finish" }));

if (!navigator.mediaDevices || !window.isSecureContext) {
  say("The coach cannot start.");
  problem("The camera needs a secure (https://) page. Ask your clinic to enable HTTPS.");
} else {
  start();
}
