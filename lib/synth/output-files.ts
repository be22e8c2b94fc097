import * as fs from "fs";
import * as path from "path";
import { App, Manifest, type TerraformStack } from "cdktf";
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

/**
 * From this many stacks of an app on, the stacks' folders and files are created in the
 * background ({@link BackgroundFiles}) while the rest is built and prepared: the thread takes
 * about 20 ms to start, and each folder and file it creates saves the synth half a millisecond
 * or more of waiting for the file system, so below this it would only add to a short synth.
 */
const BACKGROUND_FROM_STACKS = 32;

/**
 * Each app's stack folders and files: queued until there are enough stacks, then created in
 * the background (`sent`) until the first stack is written; since then, `written` lists the
 * stacks written, and `folders` those whose folder cdktf's own steps made (a stack whose synth
 * failed after that keeps an empty folder, as with cdktf).
 */
const outputFiles = new WeakMap<App, { queued: string[]; sent: string[]; files?: BackgroundFiles; settled?: boolean; written: Set<string>; folders: Set<string> }>();

/** A stack's folder and file, as cdktf's manifest lays them out: `stacks/<id>/cdk.tf.json`. */
function outputOf(app: App, id: string): { dir: string; file: string } {
  const dir = path.join(app.outdir, Manifest.stacksFolder, id);
  return { dir, file: path.join(dir, app.manifest.stackFileName) };
}

/**
 * Called as each stack is made: its folder and file (cdktf's manifest layout,
 * `stacks/<id>/cdk.tf.json`) are created in the background once the app has many stacks.
 * Only under an app whose output folder is an absolute path: cdktf resolves a relative one
 * when it writes, against the working directory of that moment.
 */
export function noteOutputFile(stack: TerraformStack): void {
  const app = stack.node.root;
  if (!App.isApp(app) || !path.isAbsolute(app.outdir)) return;
  let state = outputFiles.get(app);
  if (state === undefined) outputFiles.set(app, (state = { queued: [], sent: [], written: new Set(), folders: new Set() }));
  if (state.settled) return;
  state.queued.push(stack.node.id);
  if (state.files === undefined && state.queued.length < BACKGROUND_FROM_STACKS) return;
  state.files ??= new BackgroundFiles();
  for (const id of state.queued) {
    const { dir, file } = outputOf(app, id);
    state.files.add(dir, file);
    state.sent.push(id);
  }
  state.queued = [];
}

/**
 * Waits until the app's stack folders being created in the background, if any, are done;
 * after this nothing more is created for the app. Called before a stack is written.
 */
export function settleOutputFiles(app: App): void {
  const state = outputFiles.get(app);
  if (state === undefined || state.settled) return;
  state.settled = true;
  state.files?.settle();
}

/**
 * For whoever made the app, once its synth is over or has failed: waits for the background
 * creation like {@link settleOutputFiles}, then removes the empty folder and file it made for
 * any stack that was not written (one whose synth failed, or one removed from the tree), so
 * the output holds only what cdktf wrote. The output folder may then be removed safely.
 */
export function finishOutputFiles(app: App): void {
  settleOutputFiles(app);
  const state = outputFiles.get(app);
  if (state === undefined) return;
  for (const id of state.sent) {
    if (state.written.has(id)) continue;
    const { dir, file } = outputOf(app, id);
    try {
      if (fs.statSync(file).size === 0) fs.rmSync(file);
      if (!state.folders.has(id)) fs.rmdirSync(dir);
    } catch {
      // Gone already, or holding something else than what was made here: left as it is.
    }
  }
}

/**
 * cdktf's mkdir of a stack's folder, except that a folder that appeared since cdktf's check
 * (made in the background by a thread settle gave up on) is no error.
 */
export function makeFolder(dir: string): void {
  try {
    fs.mkdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
  }
}

/** Called when a stack's file is written: nothing made for it in the background is removed. */
export function noteWritten(app: App, id: string): void {
  const state = outputFiles.get(app);
  state?.written.add(id);
  state?.folders.add(id);
}

/** Called when cdktf's steps made a stack's folder: it stays, as with cdktf, should the stack's synth fail after. */
export function noteFolderMade(app: App, id: string): void {
  outputFiles.get(app)?.folders.add(id);
}
