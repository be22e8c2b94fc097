// One scratch folder for the whole run: the test workers (started after this) inherit
// TMPDIR, so every temporary folder a test or cdktf's Testing.app() makes lands inside it,
// and global-teardown.js removes it. `npm test` leaves nothing behind in the system's /tmp.
const fs = require("fs");
const os = require("os");
const path = require("path");

module.exports = async () => {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "private-aks-test-"));
  process.env.PRIVATE_AKS_TEST_SCRATCH = scratch;
  process.env.TMPDIR = scratch;
};
