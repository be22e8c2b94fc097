/**
 * Text that is a secret wherever it is written: a private key, a storage or Service Bus key,
 * a SAS token, a password in a connection string (`Password=`, `Pwd=`) or in a URL
 * (`postgres://user:password@host`). A password given as a placeholder (`Password=${...}`:
 * a Terraform reference in the output, or text a later step substitutes) is not one.
 */
export const SECRET_TEXT: readonly RegExp[] = [
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
  /\bAccountKey=[^;]+/i,
  /\bSharedAccessKey=[^;]+/i,
  /[?&]sig=[A-Za-z0-9%]{20,}/,
  /\b(?:Password|Pwd)=(?!\$\{)[^;\s"]+/i,
  /\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:(?!\$\{)[^\s@/]+@/i,
];

/** What kind of secret a text holds, or undefined when it holds none. */
export function secretIn(text: string): string | undefined {
  const i = SECRET_TEXT.findIndex((re) => re.test(text));
  return i < 0 ? undefined : SECRET_KINDS[i];
}

const SECRET_KINDS = ["a private key", "a storage account key", "a shared access key", "a SAS token signature", "a password", "a password in a URL"];
