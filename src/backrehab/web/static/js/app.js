// backrehab pages: CSRF header on HTMX requests, error responses shown in place, and the
// webcam recorder of the exercise page (records one set, uploads it for counting).
// Loaded as a file (the Content-Security-Policy forbids inline scripts).
"use strict";

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

document.addEventListener("htmx:configRequest", (event) => {
  event.detail.headers["X-CSRF-Token"] = csrfToken();
});

// Show the server's message for refused requests instead of silently ignoring them.
document.addEventListener("htmx:beforeSwap", (event) => {
  const status = event.detail.xhr.status;
  if (status >= 400 && status < 500) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

function setupRecorder() {
  const box = document.getElementById("recorder");
  if (!box || !navigator.mediaDevices || !window.MediaRecorder) {
    return; // no camera API (or not a secure context): the file upload form still works
  }
  const video = document.getElementById("preview");
  const start = document.getElementById("rec-start");
  const stop = document.getElementById("rec-stop");
  const status = document.getElementById("rec-status");
  let recorder = null;
  let chunks = [];
  let stream = null;
  start.hidden = false;

  start.addEventListener("click", async () => {
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        video: { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } },
        audio: false,
      });
    } catch (err) {
      status.textContent = "The camera could not be opened (" + err.name + "). Allow the camera, or upload a video instead.";
      return;
    }
    video.srcObject = stream;
    video.hidden = false;
    await video.play();
    const types = ["video/webm;codecs=vp9", "video/webm;codecs=vp8", "video/webm", "video/mp4"];
    const mimeType = types.find((t) => MediaRecorder.isTypeSupported(t)) || "";
    recorder = new MediaRecorder(stream, mimeType ? { mimeType } : undefined);
    chunks = [];
    recorder.addEventListener("dataavailable", (e) => { if (e.data.size) chunks.push(e.data); });
    recorder.addEventListener("stop", upload);
    recorder.start(1000);
    start.hidden = true;
    stop.hidden = false;
    stop.focus();
    status.textContent = "Recording… do your set, then press Stop.";
  });

  stop.addEventListener("click", () => {
    if (recorder && recorder.state !== "inactive") recorder.stop();
    stream.getTracks().forEach((t) => t.stop());
    stop.hidden = true;
    status.textContent = "Uploading your set…";
  });

  async function upload() {
    const type = recorder.mimeType || "video/webm";
    const blob = new Blob(chunks, { type });
    const form = new FormData();
    form.append("csrf_token", csrfToken());
    form.append("file", blob, type.includes("mp4") ? "set.mp4" : "set.webm");
    const response = await fetch(box.dataset.upload, {
      method: "POST", body: form, headers: { "X-CSRF-Token": csrfToken(), "HX-Request": "true" },
      credentials: "same-origin",
    });
    const target = response.headers.get("HX-Redirect");
    if (response.ok && target) {
      window.location.assign(target);
    } else {
      const text = await response.text();
      status.textContent = "The upload did not work: " + text.replace(/<[^>]*>/g, " ").trim();
      start.hidden = false;
    }
  }
}

document.addEventListener("DOMContentLoaded", setupRecorder);
