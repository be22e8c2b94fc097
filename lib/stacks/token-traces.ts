/**
 * cdktf records a complete stack trace (no depth limit) for every token it creates, with
 * `Error.captureStackTrace` on a plain object, only to print it if that token later fails to
 * resolve. Our synth never shows those traces (the app runs with `stackTraces: false` and reports
 * problems one line each), yet capturing and keeping them was a third of synth's time and over
 * half its memory at 500 spokes. This turns such captures off while `run` executes: errors (any
 * `Error`) still get their stack traces.
 */
export function withoutTokenTraces<T>(run: () => T): T {
  const capture = Error.captureStackTrace;
  Error.captureStackTrace = (...args: Parameters<typeof capture>) => {
    // Errors of any realm (jest's sandboxes, vm contexts) are recognised by their tag.
    if (Object.prototype.toString.call(args[0]) === "[object Error]") capture.apply(Error, args);
  };
  try {
    return run();
  } finally {
    Error.captureStackTrace = capture;
  }
}
