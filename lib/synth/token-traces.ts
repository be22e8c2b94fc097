/**
 * cdktf records a complete stack trace (no depth limit) for every token it creates, with
 * `Error.captureStackTrace` on a plain object, only to print it if that token later fails to
 * resolve. Our synth never shows those traces (the app runs with `stackTraces: false` and reports
 * problems one line each), yet capturing and keeping them was a third of synth's time and over
 * half its memory at 500 spokes. Errors (any `Error`, of any realm) keep their stack traces.
 */

/** Turns token stack traces off; returns the function that turns them back on. */
export function skipTokenTraces(): () => void {
  const capture = Error.captureStackTrace;
  Error.captureStackTrace = (...args: Parameters<typeof capture>) => {
    // Errors of any realm (jest's sandboxes, vm contexts) are recognised by their tag.
    if (Object.prototype.toString.call(args[0]) === "[object Error]") capture.apply(Error, args);
  };
  return () => {
    Error.captureStackTrace = capture;
  };
}

/** Runs `run` without token stack traces. */
export function withoutTokenTraces<T>(run: () => T): T {
  const restore = skipTokenTraces();
  try {
    return run();
  } finally {
    restore();
  }
}
