/**
 * Entry point of the cdktf app: load the environment file ($PRIVATE_AKS_CONFIG, or
 * environments/default.yaml), validate it completely, build the stacks and synthesize.
 * An invalid file is reported one problem per line and nothing is written.
 */
import { DEFAULTS } from "./lib/config/defaults";
import { synthesize } from "./lib/app";
import { reportInternalError } from "./lib/cli";

// The cdktf CLI passes CDKTF_OUTDIR and prunes removed stacks' folders itself.
const underCdktfCli = process.env.CDKTF_OUTDIR !== undefined;
try {
  process.exitCode = synthesize({ outdir: process.env.CDKTF_OUTDIR ?? DEFAULTS.outdir, pruneStaleStacks: !underCdktfCli });
} catch (e) {
  process.exitCode = reportInternalError(e, process.stderr);
}
