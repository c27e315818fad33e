/** Runs wrk (Debian package `wrk`, a C load generator) with a Lua script; parses req/s and latency percentiles (ms). */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Result } from './lib.js';

export function hasWrk(): boolean {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return true;
  } catch (err) {
    return (err as { status?: number }).status === 1; // wrk --version exits 1 but exists
  }
}

function ms(v: string | undefined): number {
  if (!v) return NaN;
  const m = /([\d.]+)(us|ms|s)/.exec(v);
  if (!m) return NaN;
  const n = Number(m[1]);
  return m[2] === 'us' ? n / 1000 : m[2] === 's' ? n * 1000 : n;
}

/** `lua` is a wrk script (see wrk's SCRIPTING); it must set the method, headers and body. */
export async function wrk(url: string, lua: string, connections: number, seconds: number): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), 'tether-wrk-'));
  const script = join(dir, 'script.lua');
  writeFileSync(script, lua);
  const out = await new Promise<string>((resolve, reject) => {
    const p = spawn('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', '-s', script, url]);
    let text = '';
    p.stdout.on('data', (d) => (text += d));
    p.stderr.on('data', (d) => (text += d));
    p.on('error', reject);
    p.on('exit', () => resolve(text));
  });
  const reqPerSec = Math.round(Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN));
  const total = Number(/(\d+) requests in/.exec(out)?.[1] ?? NaN);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const errors = sock ? sock.slice(1).reduce((a, b) => a + Number(b), 0) : 0;
  return {
    reqPerSec,
    p50: ms(/\s50%\s+(\S+)/.exec(out)?.[1]),
    p99: ms(/\s99%\s+(\S+)/.exec(out)?.[1]),
    errors,
    non2xx,
    total,
  };
}

export const luaPost = (path: string, body: string, rotateSessions = 0): string => `
local body = [==[${body}]==]
local n = 0
request = function()
  n = n + 1
  local path = "${path}"${rotateSessions ? ` .. (n % ${rotateSessions})` : ''}
  return wrk.format("POST", path, { ["Content-Type"] = "application/json" }, body)
end
`;
