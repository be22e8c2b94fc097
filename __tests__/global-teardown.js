// Removes the run's scratch folder (see global-setup.js).
const fs = require("fs");

module.exports = async () => {
  const scratch = process.env.PRIVATE_AKS_TEST_SCRATCH;
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
};
