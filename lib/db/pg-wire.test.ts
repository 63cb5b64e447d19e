import { describe, expect, it } from "vitest";
import { CANCEL_REQUEST, PROTOCOL_3, queryMessage, splitMessages, SSL_REQUEST, syncMessage } from "./pg-wire";

const untyped = (code: number, body = Buffer.alloc(0)) => {
  const head = Buffer.alloc(8);
  head.writeInt32BE(8 + body.length, 0);
  head.writeInt32BE(code, 4);
  return Buffer.concat([head, body]);
};
const startup = untyped(PROTOCOL_3, Buffer.from("user\0postgres\0\0"));

describe("splitMessages", () => {
  it("frames SSLRequest, then startup, then typed messages", () => {
    const stream = Buffer.concat([untyped(SSL_REQUEST), startup, queryMessage("SELECT 1"), syncMessage()]);
    const { messages, rest } = splitMessages(stream, false);
    expect(messages.map((m) => (m.kind === "regular" ? m.type : m.kind))).toEqual(["ssl", "startup", "Q", "S"]);
    expect(rest.length).toBe(0);
  });

  it("keeps partial messages for the next chunk, at every split point", () => {
    const stream = Buffer.concat([startup, queryMessage("SELECT 'a long enough query'"), syncMessage()]);
    for (let cut = 0; cut <= stream.length; cut++) {
      const first = splitMessages(stream.subarray(0, cut), false);
      const started = first.messages.some((m) => m.kind === "startup");
      const second = splitMessages(Buffer.concat([first.rest, stream.subarray(cut)]), started);
      const types = [...first.messages, ...second.messages].map((m) => (m.kind === "regular" ? m.type : m.kind));
      expect(types).toEqual(["startup", "Q", "S"]);
      expect(second.rest.length).toBe(0);
    }
  });

  it("recognises a CancelRequest and rejects garbage", () => {
    expect(splitMessages(untyped(CANCEL_REQUEST, Buffer.alloc(8)), false).messages[0]!.kind).toBe("cancel");
    expect(() => splitMessages(untyped(12345), false)).toThrow(/unsupported protocol/);
    expect(() => splitMessages(Buffer.from([0x51, 0, 0, 0, 1]), true)).toThrow(/invalid message length/);
  });

  it("builds Query and Sync messages", () => {
    expect(syncMessage()).toEqual(Buffer.from([0x53, 0, 0, 0, 4]));
    const q = queryMessage("ROLLBACK");
    expect(q.toString("latin1", 0, 1)).toBe("Q");
    expect(q.readInt32BE(1)).toBe(q.length - 1);
    expect(q.toString("utf8", 5)).toBe("ROLLBACK\0");
  });
});
