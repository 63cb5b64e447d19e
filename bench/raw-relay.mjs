// A baseline for bench/proxy.ts's manifest HEADs: what Node itself costs per request without
// node:http — raw `net` sockets on both sides and a hand-split HTTP/1.1 head, the bare relay's job
// (`/v2/proxy/app/up/<image>/…` → `/v2/<image>/…` with fixed Basic credentials), one keep-alive
// upstream connection per client connection. HEAD and bodiless answers only: a measuring
// instrument, not a server — it trusts both peers, which no product may. Not part of the product.
import net from "node:net";

const upstream = new URL(process.env.UPSTREAM_URL);
const authorization = `Basic ${Buffer.from(process.env.UPSTREAM_CREDS).toString("base64")}`;
const host = upstream.host;
const RELAYED = new Set(["content-type", "content-length", "docker-content-digest", "etag"]);

/** Calls `onHead(text)` for each complete message head on `socket` (no bodies expected). */
function heads(socket, onHead) {
  let pending = "";
  socket.setEncoding("latin1");
  socket.on("data", (chunk) => {
    pending += chunk;
    let end;
    while ((end = pending.indexOf("\r\n\r\n")) !== -1) {
      const head = pending.slice(0, end);
      pending = pending.slice(end + 4);
      onHead(head);
    }
  });
}

net
  .createServer({ noDelay: true }, (client) => {
    const up = net.connect({ host: upstream.hostname, port: Number(upstream.port), noDelay: true });
    up.on("error", () => client.destroy());
    client.on("error", () => up.destroy());
    client.on("close", () => up.destroy());
    heads(up, (head) => {
      const lines = head.split("\r\n");
      let out = `HTTP/1.1 ${lines[0].slice(9)}\r\n`;
      for (let i = 1; i < lines.length; i++) {
        const colon = lines[i].indexOf(":");
        if (RELAYED.has(lines[i].slice(0, colon).toLowerCase())) out += `${lines[i]}\r\n`;
      }
      client.write(`${out}\r\n`);
    });
    heads(client, (head) => {
      const first = head.slice(0, head.indexOf("\r\n"));
      const [method, target] = first.split(" ");
      if (target === "/healthz" || target === "/v2/") return void client.write("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}");
      const accept = /\r\naccept: *([^\r]*)/i.exec(head)?.[1];
      up.write(`${method} ${target.replace("/v2/proxy/app/up/", "/v2/")} HTTP/1.1\r\nhost: ${host}\r\nauthorization: ${authorization}\r\n${accept ? `accept: ${accept}\r\n` : ""}\r\n`);
    });
  })
  .listen(Number(process.env.PORT), "127.0.0.1");

process.on("SIGTERM", () => process.exit(0));
