// Adds cdktf's matchers (toHaveResource, toHaveResourceWithProperties, ...) to expect.
require("cdktf").Testing.setupJest();

// As synth does: no stack trace per cdktf token, which tests never read; errors keep theirs.
// Tests that build stacks run in about half the time and memory.
require("../lib/synth/token-traces").skipTokenTraces();
