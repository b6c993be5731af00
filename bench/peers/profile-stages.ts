// Reads a V8 CPU profile of the gateway under the benchmark (`--profile=<dir>`) and shares its
// busy samples among the pipeline's stages: each sample goes to the innermost frame that belongs
// to a known stage, so a stage's share excludes what the stages after it cost.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

interface CallFrame {
  functionName: string;
  url: string;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** URL fragment → stage, first match wins (more specific fragments first). */
const STAGES: Array<[string, string]> = [
  ['express-openapi-validator', 'contract validation'],
  ['/ajv', 'contract validation'],
  ['validator-route-cache', 'contract validation'],
  ['contract-validators', 'contract validation'],
  ['pino', 'access log (pino)'],
  ['sonic-boom', 'access log (pino)'],
  ['http-log.ts', 'metrics and access-line fields'],
  ['prom-client', 'metrics and access-line fields'],
  ['request-context.ts', 'request id and trace'],
  ['core/http/', 'request id and trace'],
  ['security-headers.ts', 'security headers'],
  ['cors.ts', 'cors'],
  ['rate-limit', 'rate limits'],
  ['/auth/', 'token check'],
  ['/jose/', 'token check'],
  ['body-limit.ts', 'body limit'],
  ['body-parser', 'body limit'],
  ['versions.ts', 'version routing'],
  ['usage', 'usage records'],
  ['widgets-module.ts', 'handler'],
  ['express/lib/response', 'Express response (json, send, etag)'],
  ['/etag/', 'Express response (json, send, etag)'],
  ['content-type', 'Express response (json, send, etag)'],
  ['/router/', 'Express routing'],
  ['path-to-regexp', 'Express routing'],
  ['parseurl', 'Express routing'],
  ['/express/', 'Express routing'],
  ['chain.ts', 'Express routing'],
  ['node:_http', 'node:http'],
  ['node:net', 'node:http'],
  ['node:internal/stream', 'node:http'],
  ['node:events', 'node:http'],
  ['async_hooks', 'async context'],
  ['task_queues', 'promises and ticks'],
];

const SOCKET_WRITES = new Set(['writev', 'writeBuffer', 'writeString', 'writeUtf8String', 'writeLatin1String']);

function newestProfile(dir: string): string | undefined {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => join(dir, f));
  // The main thread's profile is the large one; tsx's loader thread writes a small second one.
  return files.sort((a, b) => statSync(b).size - statSync(a).size)[0];
}

/** Shares of busy time per stage, over the span in which requests reached the handler. */
export function stageShares(file: string): Array<[string, number]> {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stageOf = new Map<number, string>();
  const classify = (leaf: number): string => {
    const cached = stageOf.get(leaf);
    if (cached) return cached;
    const frame = byId.get(leaf)!.callFrame;
    let stage: string | undefined;
    if (frame.functionName === '(garbage collector)') stage = 'garbage collection';
    else if (SOCKET_WRITES.has(frame.functionName)) stage = 'socket writes';
    for (let id: number | undefined = leaf; !stage && id !== undefined; id = parent.get(id)) {
      const url = byId.get(id)!.callFrame.url;
      stage = STAGES.find(([fragment]) => url.includes(fragment))?.[1];
    }
    stage ??= 'other';
    stageOf.set(leaf, stage);
    return stage;
  };
  // Only the span between the first and the last sample in the handler: start-up is not per request.
  let at = 0;
  const timed = profile.samples.map((id, i) => ({ id, at: (at += profile.timeDeltas[i]), delta: profile.timeDeltas[i] }));
  const inHandler = timed.filter((s) => classify(s.id) === 'handler').map((s) => s.at);
  const [from, to] = [Math.min(...inHandler), Math.max(...inHandler)];
  const shares = new Map<string, number>();
  let busy = 0;
  for (const s of timed) {
    if (s.at < from || s.at > to || byId.get(s.id)!.callFrame.functionName === '(idle)') continue;
    const stage = classify(s.id);
    shares.set(stage, (shares.get(stage) ?? 0) + s.delta);
    busy += s.delta;
  }
  return [...shares].map(([stage, t]): [string, number] => [stage, t / busy]).sort((a, b) => b[1] - a[1]);
}

export function printStageShares(dir: string): void {
  const file = newestProfile(dir);
  if (!file) {
    console.log(`no CPU profile in ${dir}`);
    return;
  }
  console.log(`gateway CPU profile ${file}, busy samples by pipeline stage (innermost stage wins):`);
  for (const [stage, share] of stageShares(file)) console.log(`  ${(share * 100).toFixed(1).padStart(5)}%  ${stage}`);
  console.log('  (socket writes include time the process was descheduled inside the system call: the profiler samples wall time)\n');
}
