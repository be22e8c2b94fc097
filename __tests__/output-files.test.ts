/**
 * The stacks' folders and files made in the background: empty ones only, never over what is
 * there, nothing in a folder removed meanwhile, and nothing at all once settled.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { App } from "cdktf";
import { BackgroundFiles } from "../lib/stacks/output-files";
import { settleOutputFiles, SynthStack } from "../lib/stacks/synth-stack";

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
});

describe("an app's stack folders", () => {
  it("are made in the background from 32 stacks on, and nothing is made once settled, so the output folder can be removed", async () => {
    const outdir = path.join(scratch(), "out");
    const app = new App({ outdir, stackTraces: false });
    for (let i = 0; i < 40; i++) new SynthStack(app, `s${i}`);
    settleOutputFiles(app);
    expect(fs.readdirSync(path.join(outdir, "stacks")).sort()).toEqual(Array.from({ length: 40 }, (_, i) => `s${i}`).sort());
    expect(fs.readFileSync(path.join(outdir, "stacks", "s0", "cdk.tf.json"), "utf8")).toBe("");
    fs.rmSync(outdir, { recursive: true });
    // A stack made after settling queues nothing; give a stray thread time to show itself.
    new SynthStack(app, "late");
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(fs.existsSync(outdir)).toBe(false);
  });

  it("are left to cdktf with fewer stacks", () => {
    const outdir = path.join(scratch(), "out");
    const app = new App({ outdir, stackTraces: false });
    for (let i = 0; i < 3; i++) new SynthStack(app, `s${i}`);
    settleOutputFiles(app);
    expect(fs.readdirSync(path.join(outdir, "stacks"))).toEqual([]);
  });
});
