/**
 * What `doctor` reports: the steps, one line per step as it completes (or a JSON array at the
 * end), and the exit code (0 all good, else the first failure's: 3 authorization, 1 otherwise).
 */
import { redact } from '../log.js';
import { print } from './output.js';

export const STEPS = [
  ['dns', 'URL and DNS'],
  ['connect', 'TCP/TLS connect'],
  ['proxy', 'proxy'],
  ['transport', 'transport and protocol'],
  ['resource-metadata', 'protected resource metadata'],
  ['authorization-server', 'authorization server'],
  ['credentials', 'stored credentials'],
  ['tools', 'authenticated tools/list'],
] as const;

export type StepId = (typeof STEPS)[number][0];

/** One line of the report; `ok` is null for a step that was skipped. The `--json` output is an array of these. */
export interface StepResult {
  step: StepId;
  ok: boolean | null;
  ms: number;
  detail: string;
  hint: string | null;
}

export interface Outcome {
  ok: boolean | null;
  detail: string;
  hint?: string | undefined;
  /** An authorization problem (exit code 3) rather than any other failure (1). */
  auth?: boolean;
}

/** Collects the steps; prints each as it completes (or all as JSON at the end); the exit code. */
export class Report {
  private readonly results: Array<StepResult & { auth: boolean }> = [];
  private readonly width = Math.max(...STEPS.map(([, title]) => title.length));

  constructor(private readonly json: boolean) {}

  add(id: StepId, outcome: Outcome, ms: number): void {
    const failed = outcome.ok === false;
    const result = {
      step: id,
      ok: outcome.ok,
      ms,
      detail: redact(outcome.detail.replace(/\s+/g, ' ').trim()),
      hint: failed ? redact(outcome.hint ?? 'run again with --log-level debug for details') : null,
      auth: failed && outcome.auth === true,
    };
    this.results.push(result);
    if (this.json) return;
    const index = STEPS.findIndex(([step]) => step === id);
    const mark = result.ok === true ? '✓' : result.ok === false ? '✗' : '–';
    const title = `${index + 1}. ${STEPS[index]![1]}`.padEnd(this.width + 3);
    print(`${mark} ${title} ${String(ms).padStart(5)} ms  ${result.detail}`);
    if (result.hint) print(`${' '.repeat(this.width + 16)}fix: ${result.hint}`);
  }

  finish(): number {
    const failed = this.results.filter((r) => r.ok === false);
    const code = failed.length === 0 ? 0 : failed[0]!.auth ? 3 : 1;
    if (this.json) {
      print(
        JSON.stringify(
          this.results.map(({ step, ok, ms, detail, hint }) => ({ step, ok, ms, detail, hint })),
          null,
          2,
        ),
      );
      return code;
    }
    if (failed.length === 0) {
      print('All checks passed: a host can use mcp-auth-proxy with this server.');
    } else {
      const steps = failed.map((r) => STEPS.findIndex(([id]) => id === r.step) + 1);
      print(`${failed.length} problem${failed.length === 1 ? '' : 's'} (step ${steps.join(', ')}): fix the first one first. Exit code ${code}.`);
    }
    return code;
  }
}
