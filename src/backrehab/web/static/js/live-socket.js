// The live coach's WebSocket, in a worker of its own: the main thread is busy estimating poses,
// so replies are received (and their round trip timed) here, without waiting for it.
//
// Drop, never queue: a frame is sent only when the socket's send buffer is nearly empty and at
// most MAX_IN_FLIGHT frames are waiting for their reply; otherwise it is dropped (counted in
// `dropped`, shown nowhere). The server answers every message once and in order (a state with
// the frame's seq, or an error frame), so each reply settles the oldest frames still waiting.
"use strict";
const MAX_IN_FLIGHT = 2;
const MAX_BUFFERED_BYTES = 4096; // about two frames
const STALE_MS = 5000; // a frame without a reply after this long no longer holds a slot
let socket = null;
let pending = []; // [{seq, sentAt}] of frames sent and not answered yet, oldest first
let dropped = 0;

function forgetStale(now) {
  while (pending.length && now - pending[0].sentAt > STALE_MS) pending.shift();
}

function onReply(msg) {
  if (msg.type === "state" && msg.seq !== undefined) {
    while (pending.length && pending[0].seq < msg.seq) pending.shift();
    if (pending.length && pending[0].seq === msg.seq) {
      msg.rtt_ms = performance.now() - pending.shift().sentAt;
    }
  } else if (msg.type === "error" && msg.close_code === undefined) {
    pending.shift(); // the reply to a refused or malformed message
  }
  msg.dropped = dropped;
}

self.onmessage = (event) => {
  const command = event.data;
  if (command.cmd === "connect") {
    if (socket) {
      socket.onmessage = socket.onclose = socket.onopen = null;
      socket.close();
    }
    pending = [];
    const current = new WebSocket(command.url);
    socket = current;
    current.onmessage = (e) => {
      const msg = JSON.parse(e.data);
      onReply(msg);
      self.postMessage({ event: "message", msg });
    };
    current.onclose = (e) => {
      if (socket === current) socket = null;
      pending = [];
      self.postMessage({ event: "close", code: e.code, reason: e.reason });
    };
    current.onopen = () => self.postMessage({ event: "open" });
  } else if (command.cmd === "send" && socket && socket.readyState === WebSocket.OPEN) {
    const msg = command.msg;
    if (msg.seq !== undefined) {
      const now = performance.now();
      forgetStale(now);
      if (pending.length >= MAX_IN_FLIGHT || socket.bufferedAmount > MAX_BUFFERED_BYTES) {
        dropped += 1;
        return;
      }
      pending.push({ seq: msg.seq, sentAt: now });
    }
    socket.send(JSON.stringify(msg));
  }
};
