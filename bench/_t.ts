import net from "node:net";
import { startThrottle } from "./throttle";
import { spawn } from "node:child_process";
const child = spawn(process.execPath, ["-e", `const net=require("net");const p=Buffer.alloc(100*1048576);net.createServer(s=>s.once("data",()=>s.end(p))).listen(0,"127.0.0.1",function(){console.log(this.address().port)})`], {stdio:["ignore","pipe","inherit"]});
const port = await new Promise<number>((r) => child.stdout!.once("data", (d) => r(Number(String(d).trim()))));
const t = await startThrottle({ upstream: `127.0.0.1:${port}` });
const [h,p] = t.host.split(":");
for (let k = 0; k < 3; k++) {
const started = performance.now(); let first = 0; let n = 0;
await new Promise<void>((resolve) => {
const s = net.connect({host:h!, port:Number(p)}, () => s.write("x"));
s.on("data", (c: Buffer) => { if (!first) first = performance.now() - started; n += c.length; });
s.on("end", () => resolve());
});
const secs = (performance.now()-started)/1000;
console.log(`first byte ${first.toFixed(1)} ms, ${n} bytes, ${secs.toFixed(2)} s, ${(n/1048576/(secs-first/1000)).toFixed(1)} MiB/s after first byte`);
}
child.kill(); process.exit(0);
