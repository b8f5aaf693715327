import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname } from 'node:path';
import type { Failed, Row, Skipped, Target } from './results.js';

export interface Report {
  startedAt: string;
  finishedAt: string;
  quick: boolean;
  /** Set by --argon2-memory: the argon2-bound rows are an experiment, not the targets' figures. */
  argon2MemoryKiB?: number;
  machine: { node: string; platform: string; cpus: number; cpuModel: string; memoryMB: number; pinning: string };
  rows: Row[];
  skipped: Skipped[];
  failed: Failed[];
}

export function machine(pinning: string): Report['machine'] {
  const list = cpus();
  return {
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpus: list.length,
    cpuModel: list[0]?.model ?? 'unknown',
    memoryMB: Math.round(totalmem() / 2 ** 20),
    pinning,
  };
}

function figure(value: number, unit: string): string {
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })} ${unit}`;
}

function target(t: Target | undefined, unit: string): string {
  if (!t) return '-';
  const op = t.op === '>=' ? '≥' : '<';
  return t.on === 'ratio' ? `ratio ${op} ${t.limit}` : `${op} ${t.limit} ${unit}`;
}

function table(header: string[], lines: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const format = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [format(header), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map(format)].join('\n');
}

export function formatReport(report: Report): string {
  const lines = report.rows.map((r) => [
    r.scenario,
    r.metric,
    figure(r.value, r.unit),
    r.baseline ? `${figure(r.baseline.value, r.unit)} (${r.baseline.label})` : '-',
    r.ratio === undefined ? '-' : r.ratio.toFixed(2),
    target(r.target, r.unit),
    r.verdict,
  ]);
  const m = report.machine;
  const out = [
    `Gatehouse bench${report.quick ? ' (quick)' : ''}${report.argon2MemoryKiB ? ` (argon2id memory ${report.argon2MemoryKiB} KiB, not the default: argon2-bound targets do not apply)` : ''}: node ${m.node}, ${m.cpus} × ${m.cpuModel}, ${m.memoryMB} MB; ${m.pinning}`,
    '',
    lines.length > 0 ? table(['scenario', 'metric', 'figure', 'baseline', 'ratio', 'target', 'result'], lines) : '(no figures)',
  ];
  for (const r of report.rows.filter((x) => x.note)) out.push(`  note: ${r.scenario} ${r.metric}: ${r.note}`);
  for (const s of report.skipped) out.push(`skipped ${s.scenario}: ${s.reason}`);
  for (const f of report.failed) out.push(`FAILED ${f.scenario}: ${f.error}`);
  return `${out.join('\n')}\n`;
}

export function writeReport(file: string, report: Report): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
}
