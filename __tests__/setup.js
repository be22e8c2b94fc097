// Adds cdktf's matchers (toHaveResource, toHaveResourceWithProperties, ...) to expect.
require("cdktf").Testing.setupJest();

// As synth does (lib/stacks/token-traces.ts): no stack trace per cdktf token, which tests never
// read; errors keep theirs. Tests that build stacks run in about half the time and memory.
const capture = Error.captureStackTrace;
Error.captureStackTrace = (target, ...rest) => {
  if (Object.prototype.toString.call(target) === "[object Error]") capture.call(Error, target, ...rest);
};
