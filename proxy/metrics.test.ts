import { describe, expect, it } from "vitest";
import { Counter, ProxyMetrics } from "./metrics";

describe("proxy metrics", () => {
  it("counts one series per label set, whatever the order the labels were given in", () => {
    const c = new Counter("t_total", "test");
    c.inc({ route: "blobs", method: "GET", status: "200" });
    c.inc({ status: "200", route: "blobs", method: "GET" }, 2);
    c.inc({ route: "blobs", method: "HEAD", status: "200" });
    expect(c.get({ method: "GET", status: "200", route: "blobs" })).toBe(3);
    expect(c.get({ route: "blobs", method: "HEAD", status: "200" })).toBe(1);
    expect(c.sum({ route: "blobs" })).toBe(4);
    expect(c.lines()).toEqual(['t_total{route="blobs",method="GET",status="200"} 3', 't_total{route="blobs",method="HEAD",status="200"} 1']);
  });

  it("keeps label sets apart that a naive concatenation would merge", () => {
    const c = new Counter("t_total", "test");
    c.inc({ a: "x", b: "" });
    c.inc({ a: "", b: "x" });
    c.inc({ ab: "x" });
    expect(c.get({ a: "x", b: "" })).toBe(1);
    expect(c.get({ a: "", b: "x" })).toBe(1);
    expect(c.get({ ab: "x" })).toBe(1);
    expect(c.lines()).toHaveLength(3);
  });

  it("renders counters, gauges and histograms in the text format", () => {
    const m = new ProxyMetrics();
    m.requests.inc({ route: "manifests", method: "HEAD", status: "200" });
    m.inflight.add(1);
    m.inflight.add(-1);
    m.upstreamLatency.observe(0.003, { route: "manifests" });
    const text = m.render();
    expect(text).toContain('portcullis_proxy_requests_total{route="manifests",method="HEAD",status="200"} 1\n');
    expect(text).toContain("portcullis_proxy_inflight_requests 0\n");
    expect(text).toContain('portcullis_proxy_upstream_latency_seconds_bucket{route="manifests",le="0.0025"} 0\n');
    expect(text).toContain('portcullis_proxy_upstream_latency_seconds_bucket{route="manifests",le="0.005"} 1\n');
    expect(text).toContain('portcullis_proxy_upstream_latency_seconds_count{route="manifests"} 1\n');
  });
});
