// A one-line progress bar on stderr for long scans. Drawn only after a short delay (a quick scan
// should not flash), throttled, and erased before anything else is printed.

const DELAY_MS = 300;
const INTERVAL_MS = 100;
const WIDTH = 30;

export interface Progress {
  tick(): void;
  done(): void;
}

export const NO_PROGRESS: Progress = { tick: () => undefined, done: () => undefined };

export function shouldShowProgress(stream: { isTTY?: boolean }, format: string, enabled: boolean, env: NodeJS.ProcessEnv = process.env): boolean {
  return enabled && format === 'text' && stream.isTTY === true && !env['CI'];
}

export function createProgress(total: number, stream: NodeJS.WriteStream): Progress {
  const started = Date.now();
  let done = 0;
  let lastDraw = 0;
  let drawn = false;
  const draw = () => {
    const filled = total === 0 ? WIDTH : Math.round((done / total) * WIDTH);
    stream.write(`\r[${'='.repeat(filled)}${' '.repeat(WIDTH - filled)}] ${done}/${total} files`);
    drawn = true;
  };
  return {
    tick() {
      done++;
      const now = Date.now();
      if (now - started < DELAY_MS || now - lastDraw < INTERVAL_MS) return;
      lastDraw = now;
      draw();
    },
    done() {
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}
