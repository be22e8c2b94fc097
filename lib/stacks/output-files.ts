import { Worker } from "worker_threads";

/**
 * Creates empty folders and files on a background thread while the caller goes on, for a
 * caller that writes into them later and must not wait for the file system meanwhile.
 *
 * Why: on some file systems creating an entry costs several times what writing into an
 * existing file does (on this project's CI machines 0.2 to 0.4 ms per folder and as much per
 * file, against 0.07 ms for writing a stack's JSON over an empty file). A synth of 500 spokes
 * writes 500 folders and files into a fresh staging folder: a quarter of its time and more,
 * spent with the other core idle.
 *
 * What it promises:
 * - nothing but empty folders (`mkdir` of a folder whose parent exists: never a parent) and
 *   empty files (opened for append: created if missing, never truncated or written);
 * - a failed entry is skipped: the caller's own writes meet and report any real problem, and
 *   a folder removed meanwhile stays removed (nothing is made in it);
 * - after {@link BackgroundFiles.settle} returns, the thread makes nothing more. Should it
 *   stop making progress (it never started: a preload that fails in threads, a permission
 *   model without worker threads; or the file system hangs), settle gives up after
 *   {@link STALLED_MS} without progress and stops it, and the one entry it may still be
 *   making is an mkdir or an open-for-append that a caller's own writes are unharmed by.
 * Without worker threads at all, it does nothing, and the caller makes its entries itself.
 */
export class BackgroundFiles {
  /** [0]: entries done; [1]: the caller stopped waiting. */
  private readonly flags = new Int32Array(new SharedArrayBuffer(8));
  private readonly worker?: Worker;
  private posted = 0;
  private settled = false;

  /** @param stalledMs how long {@link settle} waits for the thread's next entry before giving up */
  public constructor(private readonly stalledMs = STALLED_MS) {
    try {
      this.worker = new Worker(THREAD, { eval: true, workerData: { flags: this.flags.buffer } });
    } catch {
      return;
    }
    // A thread that fails to start reports it as an event, after the synth: nothing to do then.
    this.worker.on("error", () => undefined);
    // The process never waits for the thread on its own.
    this.worker.unref();
  }

  /** Queues a folder (its parent must exist, or come earlier) and then a file in it; ignored once settled. */
  public add(dir: string, file: string): void {
    if (this.settled || this.worker === undefined) return;
    this.worker.postMessage([dir, file]);
    this.posted++;
  }

  /** Waits until every queued entry is done, or the thread has made no progress for `stalledMs`; then stops it. */
  public settle(): void {
    if (this.settled) return;
    this.settled = true;
    if (this.worker === undefined) return;
    for (let done = Atomics.load(this.flags, DONE); done < this.posted; ) {
      if (Atomics.wait(this.flags, DONE, done, this.stalledMs) === "timed-out") {
        Atomics.store(this.flags, STOP, 1);
        break;
      }
      done = Atomics.load(this.flags, DONE);
    }
    void this.worker.terminate();
  }
}

/** How long settle waits for the thread's next entry: each takes well under a millisecond. */
export const STALLED_MS = 2000;

const DONE = 0;
const STOP = 1;

/** The thread's code: small, and given as a string, so it runs the same from the bundle and from sources. */
const THREAD = `
const { parentPort, workerData } = require("worker_threads");
const fs = require("fs");
const flags = new Int32Array(workerData.flags);
parentPort.on("message", ([dir, file]) => {
  if (Atomics.load(flags, ${STOP}) === 0) {
    try { fs.mkdirSync(dir); } catch {}
    try { fs.closeSync(fs.openSync(file, "a")); } catch {}
  }
  Atomics.add(flags, ${DONE}, 1);
  Atomics.notify(flags, ${DONE});
});
`;
