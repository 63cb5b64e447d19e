/** The part of the `dns2` package (it ships no types) this server uses. */
interface DnsPacket {
  questions: Array<{ name: string; type: number }>;
  answers: Array<Record<string, unknown>>;
  header: { rcode: number };
}
interface Dns2 {
  Packet: { TYPE: { TXT: number }; CLASS: { IN: number }; createResponseFromRequest(req: DnsPacket): DnsPacket };
  createServer(opts: { udp: boolean; handle(req: DnsPacket, send: (res: DnsPacket) => void): void }): {
    listen(opts: unknown): Promise<{ udp?: { port: number } }>;
    close(): Promise<void>;
  };
}
const loadDns2 = async () => ((await import("dns2" as string)) as { default: Dns2 }).default;

/**
 * A real DNS server on 127.0.0.1 (UDP, a free port) that answers TXT questions from a table the
 * test fills; every other name is NXDOMAIN. Point DNS_RESOLVER at `address`.
 */
export interface TestDnsServer {
  /** `127.0.0.1:<port>`, the form DNS_RESOLVER takes. */
  address: string;
  /** Sets (or, with no values, removes) the TXT records of a name. */
  setTxt(name: string, values: string[]): void;
  /** Names asked for, in order. */
  questions: string[];
  stop(): Promise<void>;
}

export async function startDnsServer(opts: { port?: number } = {}): Promise<TestDnsServer> {
  const dns2 = await loadDns2();
  const { Packet } = dns2;
  const records = new Map<string, string[]>();
  const questions: string[] = [];
  const server = dns2.createServer({
    udp: true,
    handle: (request, send) => {
      const response = Packet.createResponseFromRequest(request);
      const [question] = request.questions;
      const name = String(question?.name ?? "").toLowerCase();
      questions.push(name);
      const values = question?.type === Packet.TYPE.TXT ? records.get(name) : undefined;
      if (values?.length) {
        for (const data of values) response.answers.push({ name: question!.name, type: Packet.TYPE.TXT, class: Packet.CLASS.IN, ttl: 60, data });
      } else if (!records.has(name)) {
        response.header.rcode = 3; // NXDOMAIN
      }
      send(response);
    },
  });
  const port = (await server.listen({ udp: { port: opts.port ?? 0, address: "127.0.0.1", type: "udp4" } })).udp!.port;
  return {
    address: `127.0.0.1:${port}`,
    questions,
    setTxt(name, values) {
      if (values.length) records.set(name.toLowerCase(), values);
      else records.delete(name.toLowerCase());
    },
    async stop() {
      await server.close();
    },
  };
}
