/**
 * The stacks' folders and files made in the background: empty ones only, never over what is
 * there, nothing in a folder removed meanwhile, and nothing at all once settled.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { execFile } from "child_process";
import { App } from "cdktf";
import { Construct } from "constructs";
import { BackgroundFiles, finishOutputFiles } from "../../lib/synth/output-files";
import { SynthStack } from "../../lib/synth/synth-stack";

const scratch = () => fs.mkdtempSync(path.join(os.tmpdir(), "output-files-"));

describe("BackgroundFiles", () => {
  it("makes each folder and an empty file in it, and is done when settle returns", () => {
    const root = scratch();
    const files = new BackgroundFiles();
    for (const id of ["a", "b", "c"]) files.add(path.join(root, id), path.join(root, id, "cdk.tf.json"));
    files.settle();
    for (const id of ["a", "b", "c"]) expect(fs.readFileSync(path.join(root, id, "cdk.tf.json"), "utf8")).toBe("");
  });

  it("never truncates or writes a file that is there, and makes nothing where the parent folder is gone", () => {
    const root = scratch();
    fs.mkdirSync(path.join(root, "kept"));
    fs.writeFileSync(path.join(root, "kept", "cdk.tf.json"), "written first");
    const files = new BackgroundFiles();
    files.add(path.join(root, "kept"), path.join(root, "kept", "cdk.tf.json"));
    files.add(path.join(root, "gone", "child"), path.join(root, "gone", "child", "cdk.tf.json"));
    files.settle();
    expect(fs.readFileSync(path.join(root, "kept", "cdk.tf.json"), "utf8")).toBe("written first");
    expect(fs.existsSync(path.join(root, "gone"))).toBe(false);
  });

  it("ignores what is added once settled, and settles once", () => {
    const root = scratch();
    const files = new BackgroundFiles();
    files.settle();
    files.add(path.join(root, "late"), path.join(root, "late", "cdk.tf.json"));
    files.settle();
    expect(fs.existsSync(path.join(root, "late"))).toBe(false);
  });

  it("gives up on a thread that never starts once it makes no progress, and the process goes on", async () => {
    const root = scratch();
    // A preload that fails in every worker thread, as a broken monitoring agent might.
    const preload = path.join(root, "no-threads.js");
    fs.writeFileSync(preload, 'if (!require("worker_threads").isMainThread) throw new Error("no threads here");\n');
    const script = `
      const { BackgroundFiles } = require(${JSON.stringify(path.join(__dirname, "..", "..", "lib", "synth", "output-files.ts"))});
      const files = new BackgroundFiles(200);
      files.add(${JSON.stringify(path.join(root, "a"))}, ${JSON.stringify(path.join(root, "a", "f"))});
      files.settle();
      process.stdout.write("settled");
    `;
    // It waits 200 ms without progress (STALLED_MS, two seconds, in synth) and goes on. No
    // timeout on the process: starting node with tsx takes seconds on a loaded machine. Should
    // it hang (the bug this pins), the test's own generous limit reports it.
    const run = await new Promise<{ status: number | null; stdout: string }>((resolve) => {
      execFile(process.execPath, ["--require", require.resolve("tsx/cjs"), "--require", preload, "-e", script], { encoding: "utf8" }, (error, stdout) => resolve({ status: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout }));
    });
    expect({ status: run.status, stdout: run.stdout }).toEqual({ status: 0, stdout: "settled" });
    expect(fs.existsSync(path.join(root, "a"))).toBe(false);
  }, 300_000);
});

describe("an app's stack folders", () => {
  const ids = (n: number) => Array.from({ length: n }, (_, i) => `s${i}`).sort();
  const waitFor = async (check: () => boolean) => {
    for (let i = 0; i < 100 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
  };

  it("are made in the background from 32 stacks on; once finished, those of stacks never written are gone and nothing more is made", async () => {
    const outdir = path.join(scratch(), "out");
    const app = new App({ outdir, stackTraces: false });
    for (let i = 0; i < 40; i++) new SynthStack(app, `s${i}`);
    const stacksDir = path.join(outdir, "stacks");
    await waitFor(() => fs.readdirSync(stacksDir).length === 40);
    expect(fs.readdirSync(stacksDir).sort()).toEqual(ids(40));
    expect(fs.readFileSync(path.join(stacksDir, "s0", "cdk.tf.json"), "utf8")).toBe("");
    // Never synthesized: finishing removes what was made for them, and nothing is made after.
    finishOutputFiles(app);
    expect(fs.readdirSync(stacksDir)).toEqual([]);
    new SynthStack(app, "late");
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(fs.readdirSync(stacksDir)).toEqual([]);
  });

  it("are left to cdktf with fewer stacks, or with a relative output folder", () => {
    const outdir = path.join(scratch(), "out");
    const few = new App({ outdir, stackTraces: false });
    for (let i = 0; i < 3; i++) new SynthStack(few, `s${i}`);
    finishOutputFiles(few);
    expect(fs.readdirSync(path.join(outdir, "stacks"))).toEqual([]);
    const relative = new App({ outdir: path.relative(process.cwd(), path.join(scratch(), "rel")), stackTraces: false });
    for (let i = 0; i < 40; i++) new SynthStack(relative, `s${i}`);
    finishOutputFiles(relative);
    expect(fs.readdirSync(path.join(relative.outdir, "stacks"))).toEqual([]);
  });

  it("are none for a stack outside an app, which is made as before", () => {
    expect(() => new SynthStack(new Construct(undefined as never, "root"), "s")).not.toThrow();
  });
});
