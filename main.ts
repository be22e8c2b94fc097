/**
 * Entry point of the cdktf app: load the environment file ($PRIVATE_AKS_CONFIG, or
 * environments/default.yaml), validate it completely, build the stacks and synthesize.
 * An invalid file is reported one problem per line and nothing is written.
 */
import { DEFAULTS } from "./lib/domain/defaults";
import { synthesize } from "./lib/app";
import { reportInternalError } from "./lib/cli";

// The cdktf CLI passes CDKTF_OUTDIR and prunes removed stacks' folders itself.
const underCdktfCli = process.env.CDKTF_OUTDIR !== undefined;
// Ctrl-C or a pipeline's cancel (SIGINT, SIGTERM) must not stop synth half-way through moving the
// new output into place. With a listener, Node delivers the signal once the synchronous synth
// below is over, complete; the listener (used once) then raises it again, so the process ends
// by the signal, as its caller expects (a shell script stops too).
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => process.kill(process.pid, signal));
try {
  process.exitCode = synthesize({ outdir: process.env.CDKTF_OUTDIR ?? DEFAULTS.outdir, pruneStaleStacks: !underCdktfCli });
} catch (e) {
  process.exitCode = reportInternalError(e, process.stderr);
}
// One more turn of the event loop, in which a signal that came during synth is delivered (the
// loop would otherwise end without looking).
setImmediate(() => undefined);
