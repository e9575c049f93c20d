// The live coach's WebSocket, in a worker of its own: the main thread is busy estimating poses,
// so replies are received (and their round trip timed) here, without waiting for it.
"use strict";
let socket = null;
const sentAt = new Map();

self.onmessage = (event) => {
  const command = event.data;
  if (command.cmd === "connect") {
    socket = new WebSocket(command.url);
    socket.onmessage = (e) => {
      const msg = JSON.parse(e.data);
      if (msg.type === "state") {
        const sent = sentAt.get(msg.seq);
        if (sent !== undefined) {
          msg.rtt_ms = performance.now() - sent;
          sentAt.delete(msg.seq);
        }
      }
      self.postMessage({ event: "message", msg });
    };
    socket.onclose = (e) => self.postMessage({ event: "close", code: e.code, reason: e.reason });
    socket.onopen = () => self.postMessage({ event: "open" });
  } else if (command.cmd === "send" && socket && socket.readyState === WebSocket.OPEN) {
    if (command.msg.seq !== undefined) sentAt.set(command.msg.seq, performance.now());
    socket.send(JSON.stringify(command.msg));
  }
};
